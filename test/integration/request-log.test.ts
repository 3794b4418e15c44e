import type { FastifyInstance } from 'fastify';
import { buildHttpServer } from '../../src/client/http/server';
import { createLogger } from '../../src/app/log';

/**
 * The HTTP server's request log over a real socket: a failure that answers 500 gets an error line
 * with its request ID, the error's message and stack (the answer itself stays generic), and the
 * access line; a URL no route matches is logged without its path (a mistyped feed URL may hold
 * its key).
 */
let app: FastifyInstance;
let url: string;
const written: string[] = [];

beforeAll(async () => {
  const logger = createLogger({ format: 'json', write: (chunk) => written.push(chunk) });
  app = await buildHttpServer({ probes: {}, log: logger });
  app.get('/boom', async () => {
    throw new Error('the database went away');
  });
  url = await app.listen({ host: '127.0.0.1', port: 0 });
});
afterAll(async () => {
  await app?.close();
});

const lines = () => written.map((chunk) => JSON.parse(chunk) as Record<string, unknown>);

it('writes an error line and an access line with the request ID of a request that failed', async () => {
  const response = await fetch(`${url}/boom`, { headers: { 'x-request-id': 'req-boom-1' } });
  expect(response.status).toBe(500);
  expect(response.headers.get('x-request-id')).toBe('req-boom-1');
  const failed = lines().find((l) => l.msg === 'request failed' && l.requestId === 'req-boom-1');
  expect(failed).toMatchObject({
    level: 'error',
    method: 'GET',
    route: '/boom',
    error: {
      name: 'Error',
      message: 'the database went away',
      stack: expect.stringContaining('request-log.test.ts') as unknown,
    },
  });
  expect(lines().find((l) => l.msg === 'request' && l.requestId === 'req-boom-1')).toMatchObject({
    level: 'info',
    route: '/boom',
    status: 500,
  });
  expect(written.every((chunk) => chunk.endsWith('\n') && chunk.indexOf('\n') === chunk.length - 1)).toBe(true);
});

it('logs a request no route matches without its path, and no error line for an answer below 500', async () => {
  const before = written.length;
  const response = await fetch(`${url}/kalender/hemlig-nyckel-123.ics`);
  expect(response.status).toBe(404);
  const id = response.headers.get('x-request-id');
  const added = written.slice(before).join('');
  expect(added).not.toContain('hemlig-nyckel-123');
  expect(lines().find((l) => l.requestId === id)).toMatchObject({ msg: 'request', route: null, status: 404 });
  expect(lines().filter((l) => l.requestId === id)).toHaveLength(1);
});
