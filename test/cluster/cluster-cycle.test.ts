import { createApiToken } from '../../src/db/api-tokens';
import { listAuditEvents } from '../../src/db/audit-log';
import { withTransaction } from '../../src/db/database';
import { replaceRegistry } from '../../src/db/registry';
import { startCycle } from '../../src/client/start-cycles';
import { cycleCalendarSchema } from '../../src/domain/cycle-calendar';
import { addDays } from '../../src/domain/local-date';
import { localDateOf } from '../../src/domain/zoned-time';
import { smallRegistry } from '../fixtures/small-registry';
import { ClusterStack, startClusterStack } from '../helpers/cluster-stack';
import { eventually } from '../helpers/eventually';

/**
 * A small cycle end to end on the production shape: Temporal's own server on PostgreSQL, two
 * worker processes and two API processes. The boards hand in through one API process and SLK
 * reviews through the other; what one process wrote, the other reads; two people acting on one
 * deliverable through the two processes at the same moment get one outcome, and the record holds
 * every event in order.
 */
const YEAR = 2091;
let stack: ClusterStack;
const tokens: Record<'admin' | 'farsta' | 'jarva' | 'kulturnamnden', string> = {
  admin: '',
  farsta: '',
  jarva: '',
  kulturnamnden: '',
};

beforeAll(async () => {
  stack = await startClusterStack('cycle', { municipality: smallRegistry.municipality });
  await withTransaction(stack.db.pool, (tx) => replaceRegistry(tx, smallRegistry));
  for (const [name, role] of [
    ['admin', 'admin'],
    ['farsta', 'board:farsta'],
    ['jarva', 'board:jarva'],
    ['kulturnamnden', 'board:kulturnamnden'],
  ] as const) {
    tokens[name] = (await createApiToken(stack.db.pool, { role, label: `cluster ${name}`, createdBy: 'test' })).secret;
  }
}, 300_000);
afterAll(async () => {
  await stack?.stop();
}, 120_000);

const call = async (
  api: 0 | 1,
  who: keyof typeof tokens,
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read the JSON they expect
): Promise<{ status: number; body: any }> => {
  const response = await fetch(`${stack.apis[api]!.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${tokens[who]}`,
      ...(body !== undefined && { 'content-type': 'application/json' }),
    },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
};

describe('the cluster stack', () => {
  it('answers on each API process, naming Temporal’s own server on PostgreSQL', async () => {
    for (const api of stack.apis) {
      const health = (await (await fetch(`${api.url}/healthz`)).json()) as {
        ok: boolean;
        checks: Record<string, { detail: string }>;
      };
      expect(health.ok).toBe(true);
      // The dev server says `on sqlite`: this is the server on PostgreSQL.
      expect(health.checks.temporal!.detail).toMatch(/^server 1\.29\.1 on postgres12 \(visibility postgres12\)/);
    }
  });

  it('runs a small cycle through both API processes, one outcome per deliverable and the record in order', async () => {
    const today = localDateOf(new Date(), 'Europe/Stockholm');
    const d = (days: number) => addDays(today, days);
    // The opening's instant (08:00 in Stockholm) must be past, and less than a day past: an older
    // one is recorded as stale and its mail never goes (this test failed every day
    // when it opened yesterday, from 08:00 in Stockholm). Today's once it is 08:00, yesterday's before.
    const hour = Number(
      new Intl.DateTimeFormat('en-GB', { hour: '2-digit', hourCycle: 'h23', timeZone: 'Europe/Stockholm' }).format(
        new Date(),
      ),
    );
    const opensOn = hour >= 8 ? today : d(-1);
    const calendar = cycleCalendarSchema.parse({
      municipality: smallRegistry.municipality,
      budgetYear: YEAR,
      openingOnNonBusinessDay: 'stay',
      phases: [
        // Opened already: the cycle opens it at once (a late start), so real time suffices.
        {
          id: 'rapport',
          kind: 'deliverable',
          name: 'Tertialrapport 1',
          opens: { date: opensOn },
          deadline: d(20),
          reviewRequired: true,
          audience: { boards: ['farsta', 'jarva', 'kulturnamnden'] },
        },
      ],
    });
    await startCycle(stack.client, stack.db.pool, stack.taskQueue, calendar, smallRegistry, today, 'test', []);

    const step = (what: string) => process.stderr.write(`cluster cycle: ${what}\n`);
    step('cycle started');
    // Written by the workers, read through the second API process.
    const open = await eventually(
      () => call(1, 'admin', 'GET', `/api/cycles/${YEAR}/deliverables`),
      (r) =>
        r.status === 200 &&
        Array.isArray(r.body) &&
        r.body.filter((x: { state: string }) => x.state === 'open').length === 3,
      90_000,
    );
    expect(open.status).toBe(200);
    expect(open.body.map((x: { boardId: string }) => x.boardId).sort()).toEqual(['farsta', 'jarva', 'kulturnamnden']);
    step('three deliverables open');
    // Farsta (the one board with contacts in the small registry) is told the phase opened:
    // mailed by one of the two workers, exactly once.
    const toFarsta = () =>
      stack.sink.received.filter((m) => m.envelope.to.includes('registrator.farsta@stockholm.example'));
    await stack.sink.waitFor(() => toFarsta().length >= 1, 60_000);
    await new Promise((r) => setTimeout(r, 2_000));
    expect(toFarsta()).toHaveLength(1);
    expect(toFarsta()[0]!.parsed.subject).toContain('Tertialrapport 1');

    step('opening mails received');
    // Farsta hands in twice at the same moment, once through each API process: one is taken.
    const d1 = `/api/cycles/${YEAR}/deliverables/rapport`;
    const [first, second, jarva] = await Promise.all([
      call(0, 'farsta', 'POST', `${d1}/farsta/submit`, { documentRef: 'Dnr 1.1' }),
      call(1, 'farsta', 'POST', `${d1}/farsta/submit`, { documentRef: 'Dnr 1.2' }),
      call(1, 'jarva', 'POST', `${d1}/jarva/submit`, { documentRef: 'Dnr 2' }),
    ]);
    expect([first.status, second.status].sort()).toEqual([200, 409]);
    expect(jarva.status).toBe(200);
    const taken = first.status === 200 ? 'Dnr 1.1' : 'Dnr 1.2';

    // SLK approves through the other process than the one that took the hand-in.
    const approved = await call(first.status === 200 ? 1 : 0, 'admin', 'POST', `${d1}/farsta/approve`, {});
    expect(approved).toMatchObject({ status: 200 });
    const returned = await call(0, 'admin', 'POST', `${d1}/jarva/return`, {
      reason: 'Komplettera bilagan.',
      deadline: d(25),
    });
    expect(returned).toMatchObject({ status: 200 });
    const handedIn = await call(0, 'kulturnamnden', 'POST', `${d1}/kulturnamnden/submit`, { documentRef: 'Dnr 3' });
    expect(handedIn).toMatchObject({ status: 200 });

    // Each process reads what the other wrote.
    for (const api of [0, 1] as const) {
      const farsta = await call(api, 'farsta', 'GET', `${d1}/farsta`);
      expect(farsta.body).toMatchObject({ state: { stage: 'approved' } });
      expect(farsta.body.state.submissions).toHaveLength(1);
      expect(JSON.stringify(farsta.body)).toContain(taken);
      expect((await call(api, 'jarva', 'GET', `${d1}/jarva`)).body).toMatchObject({ state: { stage: 'returned' } });
      expect((await call(api, 'kulturnamnden', 'GET', `${d1}/kulturnamnden`)).body).toMatchObject({
        state: { stage: 'submitted' },
      });
    }

    // The record: every event of Farsta's deliverable, in order, one hand-in.
    const events = await eventually(
      () => listAuditEvents(stack.db.pool, `${smallRegistry.municipality}/${YEAR}/rapport/farsta`),
      (e) => e.some((x) => x.kind === 'approved'),
      30_000,
    );
    const types = events.map((e) => e.kind);
    expect(types.filter((t) => t === 'submitted')).toHaveLength(1);
    expect(types.indexOf('opened')).toBeLessThan(types.indexOf('submitted'));
    expect(types.indexOf('submitted')).toBeLessThan(types.indexOf('approved'));
    // The workflow numbers its own events (the API's records of requests carry none).
    const sequence = events.filter((e) => e.seq !== null).map((e) => Number(e.seq));
    expect(sequence.length).toBeGreaterThanOrEqual(3);
    expect(sequence).toEqual([...sequence].sort((a, b) => a - b));
    expect(new Set(sequence).size).toBe(sequence.length);
  }, 300_000);

  it('answers /metrics on each API process and each worker, the workers counting the mails the send log holds', async () => {
    const text = async (url: string) => {
      const response = await fetch(url);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
      return response.text();
    };
    const value = (body: string, series: string) =>
      Number(
        body
          .split('\n')
          .find((l) => l.startsWith(`${series} `))
          ?.slice(series.length + 1) ?? 0,
      );
    const { rows } = await stack.db.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM deliverable_status WHERE stage IN ('open', 'returned')`,
    );
    for (const api of stack.apis) {
      const body = await text(`${api.url}/metrics`);
      expect(value(body, 'arshjul_deliverables{state="open"}')).toBe(rows[0]!.n);
      expect(body).toMatch(/arshjul_http_request_duration_seconds_count\{method="POST",route="[^"]*:boardId\/submit"/);
    }
    const sent = await stack.db.pool.query<{ kind: string; n: number }>(
      `SELECT kind, count(*)::int AS n FROM send_log WHERE status = 'sent' GROUP BY kind`,
    );
    expect(sent.rows.length).toBeGreaterThan(0);
    const bodies = await Promise.all(stack.workers.map((w) => text(w.metricsUrl)));
    // The Temporal SDK's own worker metrics are appended to each worker's.
    for (const body of bodies) expect(body).toMatch(/^temporal_\w+/m);
    for (const { kind, n } of sent.rows) {
      const series = `arshjul_mails_total{outcome="sent",kind="${kind}"}`;
      expect(bodies.reduce((sum, body) => sum + value(body, series), 0)).toBe(n);
    }
  }, 60_000);
});
