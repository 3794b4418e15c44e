import type { FastifyRateLimitStore } from '@fastify/rate-limit';
import type { Pool } from 'pg';
import { createPool } from '../../src/db/database';
import { postgresRateLimitStore, PostgresRateLimitOptions } from '../../src/db/rate-limit-store';
import { createTestDatabase, TestDatabase } from '../helpers/database';

/**
 * Issue 15: the API's write rate limit counts in PostgreSQL. Two stores on two pools stand for
 * two API processes; they must add to one count, exactly, however the increments interleave.
 */
let db: TestDatabase;
let other: Pool;

beforeAll(async () => {
  db = await createTestDatabase('rate_limit_store');
  other = createPool(db.url, 5);
});

afterAll(async () => {
  await other?.end();
  await db?.drop();
});

const HOUR = 3_600_000;

/** A route's store, as the plugin makes it (`child` with the route under `routeInfo`). */
function routeStore(pool: Pool, url = '/api/x', options: PostgresRateLimitOptions = {}): FastifyRateLimitStore {
  const Store = postgresRateLimitStore(pool, options);
  const root = new Store({});
  return root.child({ routeInfo: { method: 'POST', url } } as unknown as Parameters<FastifyRateLimitStore['child']>[0]);
}

function incr(store: FastifyRateLimitStore, key: string, windowMs: number): Promise<{ current: number; ttl: number }> {
  return new Promise((resolve, reject) =>
    store.incr(key, (error, result) => (error ? reject(error) : resolve(result!)), windowMs, 10),
  );
}

/** Waits, if need be, until the database's current window of `windowMs` has `marginMs` left. */
async function awayFromWindowEnd(windowMs: number, marginMs: number): Promise<void> {
  const { rows } = await db.pool.query<{ ms: string }>('SELECT floor(extract(epoch FROM now()) * 1000) AS ms');
  const left = windowMs - (Number(rows[0]!.ms) % windowMs);
  if (left < marginMs) await new Promise((resolve) => setTimeout(resolve, left + 20));
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

it('counts one key across two stores on two pools, apart per key and per route', async () => {
  await awayFromWindowEnd(HOUR, 10_000);
  const a = routeStore(db.pool);
  const b = routeStore(other);
  expect((await incr(a, 'token:t1', HOUR)).current).toBe(1);
  expect((await incr(b, 'token:t1', HOUR)).current).toBe(2);
  const third = await incr(a, 'token:t1', HOUR);
  expect(third.current).toBe(3);
  expect(third.ttl).toBeGreaterThan(0);
  expect(third.ttl).toBeLessThanOrEqual(HOUR);
  // Another caller, and the same caller on another route, start from one.
  expect((await incr(b, 'token:t2', HOUR)).current).toBe(1);
  expect((await incr(routeStore(other, '/api/y'), 'token:t1', HOUR)).current).toBe(1);
  const { rows } = await db.pool.query<{ key: string; hits: number }>(
    `SELECT key, hits FROM rate_limit_counters WHERE key LIKE '%token:t1' ORDER BY key`,
  );
  expect(rows).toEqual([
    { key: 'POST /api/x token:t1', hits: 3 },
    { key: 'POST /api/y token:t1', hits: 1 },
  ]);
});

it('starts a new count when the window rolls over, with the time left to its end', async () => {
  const a = routeStore(db.pool);
  const b = routeStore(other);
  await awayFromWindowEnd(1000, 400);
  const first = await incr(a, 'token:roll', 1000);
  expect((await incr(b, 'token:roll', 1000)).current).toBe(first.current + 1);
  expect(first.ttl).toBeGreaterThan(0);
  expect(first.ttl).toBeLessThanOrEqual(1000);
  await sleep(first.ttl + 50);
  const next = await incr(b, 'token:roll', 1000);
  expect(next.current).toBe(1);
  expect(next.ttl).toBeGreaterThan(0);
});

it('gives 50 parallel increments from each of two pools the counts 1 to 100, each once', async () => {
  await awayFromWindowEnd(HOUR, 10_000);
  const a = routeStore(db.pool);
  const b = routeStore(other);
  const results = await Promise.all(
    Array.from({ length: 100 }, (_, i) => incr(i % 2 === 0 ? a : b, 'token:burst', HOUR)),
  );
  expect(results.map((r) => r.current).sort((x, y) => x - y)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
});

it('removes ended windows now and then, keeping the current ones', async () => {
  await incr(routeStore(db.pool), 'token:old', 200);
  await sleep(300);
  const before = await db.pool.query(`SELECT 1 FROM rate_limit_counters WHERE key LIKE '%token:old'`);
  expect(before.rowCount).toBe(1);
  // A process whose prune is due (the first increment of a store always is).
  await incr(routeStore(other), 'token:new', HOUR);
  const { rows } = await db.pool.query<{ key: string }>(
    `SELECT key FROM rate_limit_counters WHERE key LIKE '%token:old' OR key LIKE '%token:new'`,
  );
  expect(rows.map((r) => r.key)).toEqual(['POST /api/x token:new']);
});

it('reports a failing database to the plugin and warns once per interval, with the number of failures', async () => {
  // Nothing listens on port 1: a real refused connection.
  const broken = createPool('postgres://nobody@127.0.0.1:1/none', 2);
  const warnings: string[] = [];
  try {
    const store = routeStore(broken, '/api/x', { warn: (line) => warnings.push(line) });
    for (let i = 0; i < 3; i++) await expect(incr(store, 'token:down', HOUR)).rejects.toThrow(/ECONNREFUSED|connect/);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^Rate limit store unavailable, writes are not limited \(1 check failed/);
    const again = routeStore(broken, '/api/x', { warn: (line) => warnings.push(line), warnEveryMs: 0 });
    await expect(incr(again, 'token:down', HOUR)).rejects.toThrow();
    await expect(incr(again, 'token:down', HOUR)).rejects.toThrow();
    expect(warnings).toHaveLength(3);
  } finally {
    await broken.end();
  }
});
