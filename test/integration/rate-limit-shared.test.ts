import { Client, Connection } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import { buildHttpServer } from '../../src/client/http/server';
import { createCycleOperations } from '../../src/client/operations/cycle-operations';
import { createApiToken } from '../../src/db/api-tokens';
import { createTestDatabase, TestDatabase } from '../helpers/database';

/**
 * Issue 15: the API's write limit holds across API processes. Two HTTP servers over one
 * database stand for two API processes behind a load balancer; requests split between them meet
 * the limit at the same total as one server would. The write used is a cycle's cancellation with
 * a bad body: refused with 400 before any Temporal call, yet counted as a write.
 */
const LIMIT = 10;
let db: TestDatabase;
let connection: Connection;
const apps: FastifyInstance[] = [];
const urls: string[] = [];
const warnings: string[] = [];
let admin: string;
let committee: string;

beforeAll(async () => {
  db = await createTestDatabase('rate_limit_shared');
  // Nothing here needs Temporal: a connection that is never used.
  connection = Connection.lazy({ address: '127.0.0.1:1' });
  for (let i = 0; i < 2; i++) {
    const ops = createCycleOperations({
      client: new Client({ connection }),
      pool: db.pool,
      taskQueue: 'unused',
      municipality: 'stockholm',
      today: () => '2027-01-10',
    });
    const app = await buildHttpServer({
      probes: {},
      app: { ops, pool: db.pool, writesPerMinute: LIMIT, warn: (line) => warnings.push(line) },
    });
    apps.push(app);
    urls.push(await app.listen({ host: '127.0.0.1', port: 0 }));
  }
  admin = (await createApiToken(db.pool, { role: 'admin', label: 'test admin', createdBy: 'test' })).secret;
  committee = (await createApiToken(db.pool, { role: 'committee', label: 'test committee', createdBy: 'test' })).secret;
});

afterAll(async () => {
  for (const app of apps) await app.close();
  await connection?.close().catch(() => undefined);
  await db?.drop();
});

async function cancel(base: string, token: string): Promise<number> {
  const response = await fetch(new URL(`/api/cycles/2027/cancel`, base), {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ bad: 1 }),
  });
  await response.arrayBuffer();
  return response.status;
}

/** Waits, if need be, until the database's current minute has `marginMs` left (the limit's window). */
async function awayFromMinuteEnd(marginMs: number): Promise<void> {
  const { rows } = await db.pool.query<{ ms: string }>('SELECT floor(extract(epoch FROM now()) * 1000) AS ms');
  const left = 60_000 - (Number(rows[0]!.ms) % 60_000);
  if (left < marginMs) await new Promise((resolve) => setTimeout(resolve, left + 20));
}

it('refuses the write past the limit whichever server gets it, requests alternating', async () => {
  await awayFromMinuteEnd(15_000);
  const statuses: number[] = [];
  for (let i = 0; i <= LIMIT; i++) statuses.push(await cancel(urls[i % 2]!, admin));
  expect(statuses.slice(0, LIMIT)).toEqual(Array(LIMIT).fill(400));
  expect(statuses[LIMIT]).toBe(429);
  // Both servers now refuse this caller on this route.
  expect(await cancel(urls[0]!, admin)).toBe(429);
  expect(await cancel(urls[1]!, admin)).toBe(429);
  // Another caller is not affected.
  expect(await cancel(urls[1]!, committee)).not.toBe(429);
}, 30_000);

it('lets exactly the limit through of parallel writes split between the servers', async () => {
  await awayFromMinuteEnd(15_000);
  const { secret } = await createApiToken(db.pool, { role: 'admin', label: 'parallel', createdBy: 'test' });
  const statuses = await Promise.all(Array.from({ length: 3 * LIMIT }, (_, i) => cancel(urls[i % 2]!, secret)));
  expect(statuses.filter((s) => s === 400)).toHaveLength(LIMIT);
  expect(statuses.filter((s) => s === 429)).toHaveLength(2 * LIMIT);
}, 30_000);

it('lets writes through with a warning while the counters cannot be written, and counts again after', async () => {
  await awayFromMinuteEnd(15_000);
  const { secret } = await createApiToken(db.pool, { role: 'admin', label: 'store down', createdBy: 'test' });
  // A real failure of the store's statement: its table is gone for a moment.
  await db.pool.query('ALTER TABLE rate_limit_counters RENAME TO rate_limit_counters_away');
  const during: number[] = [];
  try {
    for (let i = 0; i < LIMIT + 2; i++) during.push(await cancel(urls[i % 2]!, secret));
  } finally {
    await db.pool.query('ALTER TABLE rate_limit_counters_away RENAME TO rate_limit_counters');
  }
  // Not refused and not a 500: each write met its own answer (here the bad body).
  expect(during).toEqual(Array(LIMIT + 2).fill(400));
  // One warning per server (repeated at most once a minute), naming the cause.
  expect(warnings).toHaveLength(2);
  for (const line of warnings) {
    expect(line).toMatch(/^Rate limit store unavailable, writes are not limited .*rate_limit_counters/);
  }
  const after: number[] = [];
  for (let i = 0; i <= LIMIT; i++) after.push(await cancel(urls[i % 2]!, secret));
  expect(after.slice(0, LIMIT)).toEqual(Array(LIMIT).fill(400));
  expect(after[LIMIT]).toBe(429);
}, 30_000);
