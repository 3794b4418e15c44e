import { request as httpRequest } from 'node:http';
import { Client, Connection } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import { buildHttpServer } from '../../src/client/http/server';
import { createCycleOperations } from '../../src/client/operations/cycle-operations';
import { createApiToken } from '../../src/db/api-tokens';
import { createTestDatabase, TestDatabase } from '../helpers/database';

/**
 * Issue 13: brute-force and token-guessing protection. Wrong tokens and wrong sign-in keys are
 * counted per client address in PostgreSQL; past the limit a client is refused (429) whatever it
 * sends, through every API process, until the window ends. Two HTTP servers over one database
 * stand for two API processes (a third stands behind a proxy); clients differ by their loopback
 * source address.
 */
const LIMIT = 5;
let db: TestDatabase;
let connection: Connection;
const apps: FastifyInstance[] = [];
const urls: string[] = [];
let valid: string;
const WRONG = `arshjul_${'x'.repeat(43)}`;

beforeAll(async () => {
  db = await createTestDatabase('auth_guard');
  // Nothing here needs Temporal: a connection that is never used.
  connection = Connection.lazy({ address: '127.0.0.1:1' });
  for (let i = 0; i < 3; i++) {
    const ops = createCycleOperations({
      client: new Client({ connection }),
      pool: db.pool,
      taskQueue: 'unused',
      municipality: 'stockholm',
      today: () => '2027-01-10',
    });
    // The third stands behind a proxy on 127.0.0.1 (TRUST_PROXY=127.0.0.1).
    const app = await buildHttpServer({
      probes: {},
      app: { ops, pool: db.pool, authGuard: { limit: LIMIT, windowSeconds: 600 } },
      ...(i === 2 && { trustProxy: ['127.0.0.1'] }),
    });
    apps.push(app);
    urls.push(await app.listen({ host: '127.0.0.1', port: 0 }));
  }
  valid = (await createApiToken(db.pool, { role: 'admin', label: 'test', createdBy: 'test' })).secret;
});

afterAll(async () => {
  for (const app of apps) await app.close();
  await connection?.close().catch(() => undefined);
  await db?.drop();
});

/** One request from a given loopback source address (each address is another client). */
function call(
  base: string,
  from: string,
  path: string,
  options: { token?: string; form?: string; forwardedFor?: string } = {},
): Promise<{ status: number; retryAfter?: string; body: string }> {
  const url = new URL(path, base);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: options.form === undefined ? 'GET' : 'POST',
        localAddress: from,
        headers: {
          ...(options.token && { authorization: `Bearer ${options.token}` }),
          ...(options.forwardedFor && { 'x-forwarded-for': options.forwardedFor }),
          ...(options.form !== undefined && {
            'content-type': 'application/x-www-form-urlencoded',
            origin: base.replace(/\/$/, ''),
          }),
        },
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            body,
            ...(typeof res.headers['retry-after'] === 'string' && { retryAfter: res.headers['retry-after'] }),
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(options.form);
  });
}

const failuresOf = async (client: string) =>
  (
    await db.pool.query<{ n: number }>(
      'SELECT coalesce(sum(failures), 0)::integer AS n FROM auth_failures WHERE client_key = $1',
      [client],
    )
  ).rows[0]!.n;

describe('brute-force and token-guessing protection', () => {
  it('refuses a client past the limit, even with a valid token, and only that client', async () => {
    const guesser = '127.0.0.2';
    for (let i = 0; i < LIMIT; i++) {
      expect((await call(urls[0]!, guesser, '/api/cycles', { token: WRONG })).status).toBe(401);
    }
    const refused = await call(urls[0]!, guesser, '/api/cycles', { token: valid });
    expect(refused.status).toBe(429);
    expect(Number(refused.retryAfter)).toBeGreaterThan(0);
    expect(Number(refused.retryAfter)).toBeLessThanOrEqual(600);
    expect(JSON.parse(refused.body)).toMatchObject({ error: 'too-many-requests' });
    // Another address is not bothered.
    expect((await call(urls[0]!, '127.0.0.3', '/api/cycles', { token: valid })).status).toBe(200);
    // The other API process learns of the block at the guesser's first failure there.
    expect((await call(urls[1]!, guesser, '/api/cycles', { token: WRONG })).status).toBe(401);
    expect((await call(urls[1]!, guesser, '/api/cycles', { token: valid })).status).toBe(429);
    expect(await failuresOf(guesser)).toBe(LIMIT + 1);
  });

  it('counts every one of many concurrent failures', async () => {
    const crowd = '127.0.0.4';
    const statuses = await Promise.all(
      Array.from({ length: 12 }, (_, i) => call(urls[i % 2]!, crowd, '/api/cycles', { token: WRONG })),
    );
    expect(statuses.every((s) => s.status === 401 || s.status === 429)).toBe(true);
    // A request refused before its secret was looked at is not a failure: the rest all counted.
    const counted = statuses.filter((s) => s.status === 401).length;
    expect(await failuresOf(crowd)).toBe(counted);
    expect(counted).toBeGreaterThanOrEqual(LIMIT);
    expect((await call(urls[0]!, crowd, '/api/cycles', { token: valid })).status).toBe(429);
  });

  it('counts wrong keys in the sign-in form, and then refuses the form in Swedish', async () => {
    const person = '127.0.0.5';
    for (let i = 0; i < LIMIT - 1; i++) {
      expect((await call(urls[0]!, person, '/logga-in', { form: `token=${WRONG}` })).status).toBe(401);
    }
    const last = await call(urls[0]!, person, '/logga-in', { form: `token=${WRONG}` });
    expect(last.status).toBe(429);
    expect(last.body).toContain('För många misslyckade inloggningar');
    const withValid = await call(urls[0]!, person, '/logga-in', { form: `token=${valid}` });
    expect(withValid.status).toBe(429);
    // Nothing of the secrets tried is stored.
    const stored = await db.pool.query(`SELECT * FROM auth_failures a WHERE a::text LIKE '%xxxx%'`);
    expect(stored.rowCount).toBe(0);
  });

  it('behind a trusted proxy, tells clients apart by X-Forwarded-For, and believes no one else', async () => {
    const behind = urls[2]!;
    for (let i = 0; i < LIMIT; i++) {
      await call(behind, '127.0.0.1', '/api/cycles', { token: WRONG, forwardedFor: '203.0.113.7' });
    }
    expect((await call(behind, '127.0.0.1', '/api/cycles', { token: valid, forwardedFor: '203.0.113.7' })).status).toBe(
      429,
    );
    expect((await call(behind, '127.0.0.1', '/api/cycles', { token: valid, forwardedFor: '203.0.113.8' })).status).toBe(
      200,
    );
    expect(await failuresOf('203.0.113.7')).toBe(LIMIT);
    // A client that is no trusted proxy cannot pass itself off as another by the header.
    await call(behind, '127.0.0.6', '/api/cycles', { token: WRONG, forwardedFor: '203.0.113.9' });
    expect(await failuresOf('127.0.0.6')).toBe(1);
    expect(await failuresOf('203.0.113.9')).toBe(0);
  });
});
