import type { FastifyRateLimitOptions, FastifyRateLimitStore, FastifyRateLimitStoreCtor } from '@fastify/rate-limit';
import type { Queryable } from './database';

/**
 * A store for @fastify/rate-limit that counts in PostgreSQL (issue 15), so that two API
 * processes behind a load balancer share one count instead of each allowing the whole limit.
 *
 * - Fixed windows aligned to the window's length on the database's clock (`now()`): every
 *   process computes the same window start whatever its own clock says.
 * - One statement per request (INSERT … ON CONFLICT … DO UPDATE … RETURNING): concurrent
 *   requests, from any process, add under the row lock and each sees its own count.
 * - Keys are per route, as the plugin's own stores do (`child` adds method and URL), then per
 *   caller (the route's keyGenerator).
 * - Ended windows are deleted now and then, in the same statement as an increment (at most once
 *   per `pruneEveryMs` in a process, a bounded batch), so no job is needed and no request waits
 *   for a separate round trip.
 * - When the database fails, the store reports the error (the plugin, registered with
 *   `skipOnError`, then lets the request through) and warns, at most once per `warnEveryMs` with
 *   the number of checks that failed meanwhile. Why open: the limit guards against a runaway
 *   script, not against attackers (keys are already checked and guessing is limited by
 *   auth-guard); a write needs the same database, so while it is down the write fails anyway with
 *   its own error, and a 429 or a 500 from the limiter would name the wrong cause. The warning
 *   keeps the unlimited time visible, and counting resumes with the database.
 */
export interface PostgresRateLimitOptions {
  /** Where a failure of the store is reported (default: standard error). */
  warn?: (line: string) => void;
  /** How often a process removes ended windows (default a minute). */
  pruneEveryMs?: number;
  /** How often a process repeats the warning while the store keeps failing (default a minute). */
  warnEveryMs?: number;
}

/** Rows removed by one prune: enough for the keys of a window, small enough to stay quick. */
const PRUNE_BATCH = 1000;

interface SharedState {
  nextPruneAt: number;
  lastWarnAt: number;
  failedSinceWarn: number;
}

const INCREMENT = `
  WITH w AS (
    SELECT to_timestamp(floor(extract(epoch FROM now()) * 1000 / $2) * $2 / 1000.0) AS start
  )
  INSERT INTO rate_limit_counters (key, window_start, window_end, hits)
  SELECT $1, w.start, w.start + make_interval(secs => $2 / 1000.0), 1 FROM w
  ON CONFLICT (key, window_start) DO UPDATE SET hits = rate_limit_counters.hits + 1
  RETURNING hits, ceil(extract(epoch FROM window_end - now()) * 1000)::integer AS ttl_ms`;

/** The same increment, removing a batch of ended windows on the way (they never conflict with it). */
const INCREMENT_AND_PRUNE = `
  WITH pruned AS (
    DELETE FROM rate_limit_counters WHERE ctid IN (
      SELECT ctid FROM rate_limit_counters WHERE window_end < now() LIMIT ${PRUNE_BATCH})
  ), ${INCREMENT.trim().slice('WITH '.length)}`;

/** One increment of `key` in the current window of `windowMs`: the count so far and the ms left. */
export async function incrementRateLimit(
  db: Queryable,
  key: string,
  windowMs: number,
  prune = false,
): Promise<{ current: number; ttl: number }> {
  if (!Number.isInteger(windowMs) || windowMs <= 0)
    throw new Error(`rate limit window must be a positive integer of milliseconds, got ${windowMs}`);
  const result = await db.query<{ hits: number; ttl_ms: number }>(prune ? INCREMENT_AND_PRUNE : INCREMENT, [
    key,
    windowMs,
  ]);
  const row = result.rows[0]!;
  return { current: row.hits, ttl: Math.max(0, row.ttl_ms) };
}

/** The store class the plugin's `store` option takes (it constructs it with its own options). */
export function postgresRateLimitStore(
  db: Queryable,
  options: PostgresRateLimitOptions = {},
): FastifyRateLimitStoreCtor {
  const warn = options.warn ?? ((line: string) => process.stderr.write(`${line}\n`));
  const pruneEveryMs = options.pruneEveryMs ?? 60_000;
  const warnEveryMs = options.warnEveryMs ?? 60_000;
  // One per store class, i.e. per registration of the plugin: the routes' children share it.
  const shared: SharedState = { nextPruneAt: 0, lastWarnAt: -Infinity, failedSinceWarn: 0 };

  const failed = (error: unknown) => {
    shared.failedSinceWarn += 1;
    const now = Date.now();
    if (now - shared.lastWarnAt < warnEveryMs) return;
    const count = shared.failedSinceWarn;
    shared.lastWarnAt = now;
    shared.failedSinceWarn = 0;
    warn(
      `Rate limit store unavailable, writes are not limited (${count} check${count === 1 ? '' : 's'} ` +
        `failed since the last warning): ${error instanceof Error ? error.message : String(error)}`,
    );
  };

  class PostgresRateLimitStore implements FastifyRateLimitStore {
    private readonly prefix: string;

    constructor(_options?: FastifyRateLimitOptions, prefix = '') {
      this.prefix = prefix;
    }

    incr(
      key: string,
      callback: (error: Error | null, result?: { current: number; ttl: number }) => void,
      timeWindow: number,
    ): void {
      const now = Date.now();
      const prune = now >= shared.nextPruneAt;
      if (prune) shared.nextPruneAt = now + pruneEveryMs;
      incrementRateLimit(db, this.prefix + key, timeWindow, prune).then(
        (result) => callback(null, result),
        (error: unknown) => {
          failed(error);
          callback(error instanceof Error ? error : new Error(String(error)));
        },
      );
    }

    child(routeOptions: Parameters<FastifyRateLimitStore['child']>[0]): FastifyRateLimitStore {
      // The plugin passes its merged route parameters with the route under `routeInfo` (the
      // README's contract), which its types leave out.
      const route = (routeOptions as { routeInfo?: { method?: string | string[]; url?: string } }).routeInfo;
      const method = [route?.method ?? ''].flat().join(',');
      return new PostgresRateLimitStore(undefined, `${this.prefix}${method} ${route?.url ?? ''} `);
    }
  }
  return PostgresRateLimitStore;
}
