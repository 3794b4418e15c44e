import { TestWorkflowEnvironment } from '@temporalio/testing';
import { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { FastifyInstance } from 'fastify';
import { systemClock } from '../../src/activities/ports';
import {
  createMetrics,
  MetricsListener,
  registerDeliverableGauge,
  startMetricsListener,
  UNMATCHED_ROUTE,
} from '../../src/app/metrics';
import { buildHttpServer } from '../../src/client/http/server';
import { DeliverableSnapshot, projectSnapshot } from '../../src/db/read-model';
import { SmtpSink } from '../../src/stack/smtp-sink';
import { createArshjulWorker } from '../../src/worker/create-worker';
import { createSmtpMailer } from '../../src/worker/mail-transport';
import { createTestDatabase, TestDatabase } from '../helpers/database';
import { deliverableIdOf, deliverablesDueAt } from '../helpers/deliverable-inputs';
import { eventually } from '../helpers/eventually';
import { bundleWorkflows, startDevServerEnv } from '../helpers/temporal';

/**
 * Metrics (issue 15) against what really happened: a worker in this process (dev server in real
 * time, real PostgreSQL, a real SMTP server on loopback) sends a burst of reminders, some refused
 * for good by the relay; its /metrics, scraped over HTTP, must count exactly the send log's
 * outcomes. An API server's /metrics must time requests by route and count the deliverables as
 * the read model holds them.
 */
let env: TestWorkflowEnvironment;
let bundle: WorkflowBundleWithSourceMap;
let db: TestDatabase;

beforeAll(async () => {
  [env, bundle, db] = await Promise.all([startDevServerEnv(), bundleWorkflows(), createTestDatabase('metrics')]);
});
afterAll(async () => {
  await db?.drop();
  await env?.teardown();
});

/** Every sample of the exposition: `name{labels}` → value. */
function samples(text: string): Map<string, number> {
  const map = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    map.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return map;
}

async function scrape(url: string): Promise<{ contentType: string; values: Map<string, number>; text: string }> {
  const response = await fetch(url);
  expect(response.status).toBe(200);
  const text = await response.text();
  return { contentType: response.headers.get('content-type') ?? '', values: samples(text), text };
}

describe("a worker's /metrics", () => {
  it('counts exactly the mails the send log records, by outcome and kind, with the lateness of each mail sent', async () => {
    // The second burst's boards are refused by the relay (550): their reminders fail for good.
    const sink = await new SmtpSink({
      refuseRecipient: (address) => address.endsWith('@metrics-refused.example'),
    }).start();
    const mailer = createSmtpMailer(sink.url, 'Årshjul <arshjul@test.example>');
    const metrics = createMetrics();
    const taskQueue = 'metrics-mails';
    const worker = await createArshjulWorker({
      connection: env.nativeConnection,
      namespace: env.namespace ?? 'default',
      taskQueue,
      deps: { db: db.pool, mailer, clock: systemClock, metrics },
      workflowBundle: bundle,
    });
    const run = worker.run();
    let listener: MetricsListener | undefined;
    try {
      listener = await startMetricsListener({ host: '127.0.0.1', port: 0, metrics });
      const before = await scrape(listener.url);
      expect(before.contentType).toMatch(/^text\/plain; version=0\.0\.4/);
      expect([...before.values.keys()].filter((k) => k.startsWith('arshjul_mails_total'))).toEqual([]);

      const dueAt = Date.now() + 12_000;
      const ids: string[] = [];
      for (const [label, count] of [
        ['metrics-sent', 4],
        ['metrics-refused', 2],
      ] as const) {
        for (const input of await deliverablesDueAt(count, dueAt, { municipality: label })) {
          const workflowId = deliverableIdOf(input);
          await env.client.workflow.start('deliverableWorkflow', { args: [input], workflowId, taskQueue });
          ids.push(workflowId);
        }
      }
      const outcomes = async () =>
        (
          await db.pool.query<{ status: string; kind: string; n: number }>(
            `SELECT status, kind, count(*)::int AS n FROM send_log GROUP BY status, kind ORDER BY status, kind`,
          )
        ).rows;
      const count = (rows: Awaited<ReturnType<typeof outcomes>>, status: string) =>
        rows.find((r) => r.status === status && r.kind === 'reminder')?.n;
      await eventually(outcomes, (rows) => count(rows, 'sent') === 4 && count(rows, 'failed') === 2, 90_000);
      const rows = await outcomes();
      expect(count(rows, 'sent')).toBe(4);
      expect(count(rows, 'failed')).toBe(2);
      expect(rows.every((r) => ['sent', 'failed', 'expired'].includes(r.status))).toBe(true);

      const after = await scrape(listener.url);
      const counted = [...after.values.entries()]
        .filter(([series]) => series.startsWith('arshjul_mails_total{'))
        .map(([series, n]) => {
          const [, outcome, kind] = /outcome="([^"]+)",kind="([^"]+)"/.exec(series)!;
          return { status: outcome!, kind: kind!, n };
        })
        .sort((a, b) => `${a.status} ${a.kind}`.localeCompare(`${b.status} ${b.kind}`));
      expect(counted).toEqual(rows);
      expect(after.values.get('arshjul_reminder_lateness_seconds_count{kind="reminder"}')).toBe(4);
      // Each was sent after its planned instant and before now.
      const sum = after.values.get('arshjul_reminder_lateness_seconds_sum{kind="reminder"}')!;
      expect(sum).toBeGreaterThanOrEqual(0);
      expect(sum).toBeLessThanOrEqual((4 * (Date.now() - dueAt)) / 1000);
      expect(after.values.get('arshjul_reminder_lateness_seconds_bucket{le="+Inf",kind="reminder"}')).toBe(4);
      expect(after.text).toContain('process_resident_memory_bytes');

      // Nothing but /metrics answers there.
      expect((await fetch(listener.url.replace('/metrics', '/'))).status).toBe(404);
    } finally {
      await listener?.close();
      worker.shutdown();
      await run;
      mailer.close();
      await sink.stop();
    }
  });

  it('counts a reminder that expired through a relay outage once, as the send log records it', async () => {
    // The relay defers everything: the reminder, due in 3 s, is moot once its deadline passes 8 s later.
    const sink = await new SmtpSink().start();
    sink.behaviour.deferAll = true;
    const mailer = createSmtpMailer(sink.url, 'Årshjul <arshjul@test.example>');
    const metrics = createMetrics();
    const taskQueue = 'metrics-expired';
    const worker = await createArshjulWorker({
      connection: env.nativeConnection,
      namespace: env.namespace ?? 'default',
      taskQueue,
      deps: { db: db.pool, mailer, clock: systemClock, metrics },
      workflowBundle: bundle,
    });
    const run = worker.run();
    const listener = await startMetricsListener({ host: '127.0.0.1', port: 0, metrics });
    try {
      const [input] = await deliverablesDueAt(1, Date.now() + 3_000, {
        municipality: 'metrics-expired',
        deadlineAfterMs: 8_000,
      });
      const workflowId = deliverableIdOf(input!);
      await env.client.workflow.start('deliverableWorkflow', { args: [input], workflowId, taskQueue });
      const expiredRows = async () =>
        (
          await db.pool.query<{ kind: string }>(
            `SELECT kind FROM send_log WHERE workflow_id = $1 AND status = 'expired'`,
            [workflowId],
          )
        ).rows;
      const rows = await eventually(expiredRows, (r) => r.length > 0, 60_000);
      expect(rows).toHaveLength(1);
      const { values } = await eventually(
        () => scrape(listener.url),
        (s) => s.values.has(`arshjul_mails_total{outcome="expired",kind="${rows[0]!.kind}"}`),
        10_000,
      );
      const mails = [...values.entries()].filter(([series]) => series.startsWith('arshjul_mails_total{'));
      expect(mails).toEqual([[`arshjul_mails_total{outcome="expired",kind="${rows[0]!.kind}"}`, 1]]);
      expect([...values.keys()].some((k) => k.startsWith('arshjul_reminder_lateness_seconds_count'))).toBe(false);
    } finally {
      await listener.close();
      worker.shutdown();
      await run;
      mailer.close();
      await sink.stop();
    }
  });

  it('appends the Temporal SDK’s exposition when it has one, and still answers when it does not', async () => {
    const sdk = await startMetricsListener({ host: '127.0.0.1', port: 0, metrics: createMetrics() });
    const own = createMetrics();
    own.mailRecorded('sent', 'reminder', 3);
    const withSdk = await startMetricsListener({ host: '127.0.0.1', port: 0, metrics: own, sdkMetricsUrl: sdk.url });
    const sdkUrl = sdk.url;
    try {
      const both = await scrape(withSdk.url);
      expect(both.values.get('arshjul_mails_total{outcome="sent",kind="reminder"}')).toBe(1);
      // The stand-in exporter's own (empty) mail counter is appended after ours.
      expect(both.text.split('# TYPE process_cpu_user_seconds_total counter').length).toBe(3);
      await sdk.close();
      const without = await scrape(withSdk.url);
      expect(without.values.get('arshjul_mails_total{outcome="sent",kind="reminder"}')).toBe(1);
      expect(without.text).toContain(`# Temporal SDK metrics at ${sdkUrl} unavailable`);
    } finally {
      await withSdk.close();
    }
  });
});

describe("the API's /metrics", () => {
  let app: FastifyInstance;
  let base: string;
  beforeAll(async () => {
    const metrics = createMetrics();
    registerDeliverableGauge(metrics, db.pool);
    app = await buildHttpServer({ probes: {}, metrics });
    // A route with a parameter, as the pages have: its pattern is the label, not the URL.
    app.get('/namnd/:boardId', async (request) => ({ board: (request.params as { boardId: string }).boardId }));
    base = await app.listen({ host: '127.0.0.1', port: 0 });
  });
  afterAll(async () => {
    await app?.close();
  });

  const snapshot = (boardId: string, stage: DeliverableSnapshot['stage'], late: boolean, level: number) => ({
    seq: 1,
    municipality: 'metrics-gauge',
    budgetYear: 2027,
    phaseId: 'tertialrapport-1',
    boardId,
    answeringBoardId: boardId,
    stage,
    late,
    escalationLevel: level,
    deadline: '2027-04-30',
    deadlineAt: '2027-04-30T14:00:00.000Z',
  });

  it('times requests by route pattern and status, and counts the deliverables as the read model holds them', async () => {
    // Besides the bursts' open deliverables: late ones, escalated ones, and some not waiting any more.
    const extra: Array<[string, DeliverableSnapshot['stage'], boolean, number]> = [
      ['a', 'open', true, 0],
      ['b', 'open', true, 1],
      ['c', 'returned', true, 2],
      ['d', 'returned', false, 0],
      ['e', 'submitted', true, 1],
      ['f', 'approved', false, 0],
    ];
    for (const [board, stage, late, level] of extra) {
      await projectSnapshot(
        db.pool,
        { workflowId: `metrics-gauge/${board}`, runId: 'r', occurredAt: new Date() },
        '0',
        snapshot(board, stage, late, level),
      );
    }
    for (const board of ['farsta', 'jarva', 'farsta']) expect((await fetch(`${base}/namnd/${board}`)).status).toBe(200);
    expect((await fetch(`${base}/finns-inte/${Date.now()}`)).status).toBe(404);
    expect((await fetch(`${base}/healthz`)).status).toBe(200);

    const { contentType, values } = await scrape(`${base}/metrics`);
    expect(contentType).toMatch(/^text\/plain; version=0\.0\.4/);
    const count = 'arshjul_http_request_duration_seconds_count';
    expect(values.get(`${count}{method="GET",route="/namnd/:boardId",status="200"}`)).toBe(3);
    expect(values.get(`${count}{method="GET",route="${UNMATCHED_ROUTE}",status="404"}`)).toBe(1);
    expect(values.get(`${count}{method="GET",route="/healthz",status="200"}`)).toBe(1);
    expect([...values.keys()].some((k) => k.includes('farsta') || k.includes('finns-inte'))).toBe(false);

    // The read model counted here row by row, not with the gauge's query; read before and after
    // a scrape until nothing changed in between (the earlier tests' workflows still run).
    const readModel = async () => {
      const { rows } = await db.pool.query<{ stage: string; late: boolean; escalation_level: number }>(
        'SELECT stage, late, escalation_level FROM deliverable_status ORDER BY workflow_id',
      );
      const waiting = rows.filter((r) => r.stage === 'open' || r.stage === 'returned');
      return {
        open: waiting.length,
        late: waiting.filter((r) => r.late).length,
        escalated: waiting.filter((r) => r.escalation_level > 0).length,
      };
    };
    const { expected, gauge, after } = await eventually(
      async () => {
        const expected = await readModel();
        const { values: scraped } = await scrape(`${base}/metrics`);
        const gauge = {
          open: scraped.get('arshjul_deliverables{state="open"}'),
          late: scraped.get('arshjul_deliverables{state="late"}'),
          escalated: scraped.get('arshjul_deliverables{state="escalated"}'),
        };
        return { expected, gauge, after: await readModel() };
      },
      (r) => JSON.stringify(r.expected) === JSON.stringify(r.after),
      10_000,
    );
    expect(after).toEqual(expected);
    expect(gauge).toEqual(expected);
    // At least those projected above: waiting (a, b, c, d), late (a, b, c), escalated (b, c).
    expect(gauge.open).toBeGreaterThanOrEqual(4);
    expect(gauge.late).toBeGreaterThanOrEqual(3);
    expect(gauge.escalated).toBeGreaterThanOrEqual(2);
  });
});
