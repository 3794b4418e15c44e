import { createServer } from 'node:net';
import { Client, Connection } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import { buildHttpServer } from '../../src/client/http/server';
import { formatDate } from '../../src/client/http/pages/format';
import { createCycleOperations } from '../../src/client/operations/cycle-operations';
import { addDays } from '../../src/domain/local-date';
import { smallRegistry } from '../fixtures/small-registry';
import { STACK_YEAR, StackTokens, useHttpStack } from '../helpers/http-stack';

/**
 * Issue 12: the pages read PostgreSQL (the read model, the audit log, the send log), never the
 * workflows row by row. Proven by serving them from a second HTTP server whose operations talk
 * to a Temporal address where nothing listens: every page must still answer, with what happened.
 */
const stack = useHttpStack('pages_without_temporal');
const year = STACK_YEAR;

let app: FastifyInstance;
let connection: Connection;
let url: string;

/** A loopback port nothing listens on (taken from the OS, then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

beforeAll(async () => {
  const { ops } = stack;
  // What happened, through the live stack: a submission waiting for review (with the board's
  // comment), one returned for completion, a phase's deadline moved, a milestone confirmed.
  await ops.actOnDeliverable(
    year,
    'budgetunderlag',
    'jarva',
    'submit',
    { documentRef: 'JA 2090/17', comment: 'Järvas kommentar till SLK' },
    'test',
  );
  await ops.actOnDeliverable(year, 'budgetunderlag', 'farsta', 'submit', { documentRef: 'FA 2090/3' }, 'test');
  await ops.actOnDeliverable(
    year,
    'budgetunderlag',
    'farsta',
    'return',
    { reason: 'Bilagan om lokaler saknas.', deadline: addDays(stack.day0, 20) },
    'test',
  );
  await ops.moveDeadline(
    year,
    { phaseId: 'verksamhetsplan', deadline: addDays(stack.day0, 70), reason: 'KF flyttade sitt möte.' },
    'test',
  );
  await ops.confirmMilestone(year, { milestoneId: 'kf-budget', date: addDays(stack.day0, 1) }, 'test');

  connection = Connection.lazy({ address: `127.0.0.1:${await closedPort()}` });
  const unreachable = createCycleOperations({
    client: new Client({ connection }),
    pool: stack.harness.db.pool,
    taskQueue: stack.harness.taskQueue,
    municipality: smallRegistry.municipality,
    today: () => stack.day0,
  });
  app = await buildHttpServer({
    probes: {},
    app: { ops: unreachable, pool: stack.harness.db.pool, publicUrl: 'https://arshjul.test.example' },
  });
  url = await app.listen({ host: '127.0.0.1', port: 0 });
});

afterAll(async () => {
  await app?.close();
  await connection?.close().catch(() => undefined);
});

async function get(path: string, who: keyof StackTokens) {
  const started = Date.now();
  const response = await fetch(`${url}${path}`, {
    headers: { cookie: `arshjul_token=${stack.tokens[who]}` },
    // Before issue 12 a page waited on Temporal's retries; a page must not wait at all.
    signal: AbortSignal.timeout(10_000),
  });
  return { status: response.status, text: await response.text(), ms: Date.now() - started };
}

describe('the pages while Temporal is unreachable', () => {
  it("renders SLK's cycle page from PostgreSQL: the plan, the moved deadline, the review queue; the review page with the comment", async () => {
    const page = await get(`/cykel/${year}`, 'admin');
    expect(page.status).toBe(200);
    expect(page.text).not.toContain('okänt');
    // The moved deadline and the confirmed milestone come from the cycle's recorded events.
    expect(page.text).toContain(`flyttad från ${formatDate(addDays(stack.day0, 60))}`);
    expect(page.text).toContain('Alla milstolpar är bekräftade.');
    // The submission waiting for review, in the queue; what the board handed in (from the audit
    // log) is on its review page, which has the approve and return forms.
    expect(page.text).toContain('1 leverans väntar på granskning.');
    const review = await get(`/cykel/${year}/granska/budgetunderlag/jarva`, 'admin');
    expect(review.status).toBe(200);
    expect(review.text).toContain('JA 2090/17');
    expect(review.text).toContain('Järvas kommentar till SLK');
    expect(review.text).toContain('Återremittera');
  });

  it('renders the committee overview from PostgreSQL, with every phase in its state', async () => {
    const page = await get(`/oversikt/${year}`, 'committee');
    expect(page.status).toBe(200);
    expect(page.text).not.toContain('okänt');
    expect(page.text).toContain(`sista dag ${formatDate(addDays(stack.day0, 70))}`);
    expect(page.text).toContain(`bekräftad ${formatDate(addDays(stack.day0, 1))}`);
  });

  it("renders a board's page from PostgreSQL, with SLK's reason for returning its submission", async () => {
    const page = await get('/namnd/farsta', 'farsta');
    expect(page.status).toBe(200);
    expect(page.text).toContain('Bilagan om lokaler saknas.');
  });
});
