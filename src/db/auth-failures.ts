import { Queryable } from './database';

/**
 * Counts one failed authentication of a client (a wrong token, a refused sign-in) in the current
 * fixed window of `windowSeconds`, and returns the window's count so far with its end. One
 * statement: concurrent failures of one client all count (the upsert adds under the row lock).
 * Windows older than a day are removed on the way, a few rows at a time.
 */
export async function recordAuthFailure(
  db: Queryable,
  clientKey: string,
  windowSeconds: number,
): Promise<{ failures: number; windowEnds: Date }> {
  const result = await db.query<{ failures: number; window_ends: Date }>(
    `WITH purged AS (
       DELETE FROM auth_failures WHERE ctid IN (
         SELECT ctid FROM auth_failures WHERE window_start < now() - interval '1 day' LIMIT 100)
     )
     INSERT INTO auth_failures (client_key, window_start, failures)
     VALUES ($1, to_timestamp(floor(extract(epoch FROM now()) / $2) * $2), 1)
     ON CONFLICT (client_key, window_start) DO UPDATE SET failures = auth_failures.failures + 1
     RETURNING failures, window_start + make_interval(secs => $2) AS window_ends`,
    [clientKey, windowSeconds],
  );
  const row = result.rows[0]!;
  return { failures: row.failures, windowEnds: row.window_ends };
}

/** A client's failures in the current window (0 when none), e.g. for a process that just started. */
export async function authFailuresNow(db: Queryable, clientKey: string, windowSeconds: number): Promise<number> {
  const result = await db.query<{ failures: number }>(
    `SELECT failures FROM auth_failures
     WHERE client_key = $1 AND window_start = to_timestamp(floor(extract(epoch FROM now()) / $2) * $2)`,
    [clientKey, windowSeconds],
  );
  return result.rows[0]?.failures ?? 0;
}
