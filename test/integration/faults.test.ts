import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { Pool } from 'pg';
import { systemClock } from '../../src/activities/ports';
import { createPool } from '../../src/db/database';
import { migrateUp } from '../../src/db/migrate';
import { startPrivatePostgres } from '../../src/stack/private-postgres';
import { SmtpSink } from '../../src/stack/smtp-sink';
import { createArshjulWorker } from '../../src/worker/create-worker';
import { createSmtpMailer } from '../../src/worker/mail-transport';
import { deliverableIdOf, deliverablesDueAt } from '../helpers/deliverable-inputs';
import { createTestDatabase, TestDatabase } from '../helpers/database';
import { eventually } from '../helpers/eventually';
import { startEntryPoint } from '../helpers/processes';
import { bundleWorkflows, startDevServerEnv } from '../helpers/temporal';

/**
 * Faults during a burst of reminders, on the dev server in real time with real PostgreSQL and a
 * real SMTP server: nothing may be lost, and a duplicate may only come from the one window we
 * cannot close (the relay accepted, the process died before COMMIT), recognisable by its
 * Message-ID. Each test prints its counts.
 */
let env: TestWorkflowEnvironment;
let bundle: WorkflowBundleWithSourceMap;

beforeAll(async () => {
  [env, bundle] = await Promise.all([startDevServerEnv(), bundleWorkflows()]);
});
afterAll(async () => {
  await env?.teardown();
});

/** A worker in this process over the given database and relay, polling its own task queue. */
async function startInProcessWorker(db: Pool, smtpUrl: string, taskQueue: string) {
  const mailer = createSmtpMailer(smtpUrl, 'Årshjul <arshjul@test.example>');
  const worker = await createArshjulWorker({
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    taskQueue,
    deps: { db, mailer, clock: systemClock },
    workflowBundle: bundle,
  });
  return { worker, run: worker.run(), mailer };
}

/** The production worker's entry point in a process of its own (to be killed), once it polls. */
async function startWorkerProcess(databaseUrl: string, smtpUrl: string, taskQueue: string) {
  const worker = startEntryPoint('src/app/worker-main.ts', {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    TEMPORAL_ADDRESS: env.address,
    TEMPORAL_NAMESPACE: env.namespace ?? 'default',
    TEMPORAL_TASK_QUEUE: taskQueue,
    DATABASE_URL: databaseUrl,
    SMTP_URL: smtpUrl,
  });
  await eventually(
    async () => worker.stderr(),
    (err) => err.includes('Årshjul worker started'),
    60_000,
  );
  return worker;
}

/**
 * `count` deliverables whose reminders fall due together, `inMs` from now, as the cycle starts
 * them (the production notification path: plan, lease, expiry). Generous: a reminder whose
 * instant has passed when its workflow starts is skipped by design, and starting thirty
 * workflows on a loaded machine takes seconds. Each burst is a municipality of its own (`label`).
 */
async function startBurst(
  label: string,
  taskQueue: string,
  count: number,
  inMs: number,
): Promise<{ ids: string[]; dueAt: number }> {
  const dueAt = Date.now() + inMs;
  const ids: string[] = [];
  for (const input of await deliverablesDueAt(count, dueAt, { municipality: label })) {
    const workflowId = deliverableIdOf(input);
    await env.client.workflow.start('deliverableWorkflow', { args: [input], workflowId, taskQueue });
    ids.push(workflowId);
  }
  return { ids, dueAt };
}

const until = (instant: number): Promise<void> => new Promise((r) => setTimeout(r, Math.max(0, instant - Date.now())));

interface Counts {
  planned: number;
  sentRows: number;
  expired: number;
  received: number;
  distinctMessageIds: number;
  duplicates: number;
  lost: number;
}

async function countOutcome(pool: Pool, sink: SmtpSink, label: string, planned: number): Promise<Counts> {
  const rows = await pool.query<{ status: string; message_id: string }>(
    `SELECT status, message_id FROM send_log WHERE workflow_id LIKE $1`,
    [`${label}/%`],
  );
  const sent = rows.rows.filter((r) => r.status === 'sent');
  const mails = burstMails(sink, label);
  const distinct = new Set(mails.map((m) => m.parsed.messageId));
  return {
    planned,
    sentRows: sent.length,
    expired: rows.rows.filter((r) => r.status === 'expired').length,
    received: mails.length,
    distinctMessageIds: distinct.size,
    duplicates: mails.length - distinct.size,
    lost: planned - distinct.size,
  };
}

/** The burst's mails: its boards' addresses are at `<label>.example`. */
const burstMails = (sink: SmtpSink, label: string) =>
  sink.received.filter((m) => m.envelope.to.some((to) => to.endsWith(`@${label}.example`)));

function report(name: string, counts: Counts): void {
  process.stderr.write(`fault test "${name}": ${JSON.stringify(counts)}\n`);
}

describe('faults during a reminder burst', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase('faults');
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('loses nothing and sends nothing twice while the SMTP relay refuses connections for a while', async () => {
    const sink = await new SmtpSink().start();
    const port = sink.port;
    const taskQueue = 'faults-smtp';
    const { worker, run, mailer } = await startInProcessWorker(db.pool, sink.url, taskQueue);
    let back: SmtpSink | undefined;
    try {
      await sink.stop(); // the relay goes down
      const { ids, dueAt } = await startBurst('smtp-outage', taskQueue, 30, 15_000);
      await until(dueAt + 8_000); // reminders fall due and fail to connect
      const during = await countOutcome(db.pool, sink, 'smtp-outage', ids.length);
      expect(during.sentRows).toBe(0);
      back = await new SmtpSink({ port }).start(); // the relay comes back on its address
      await back.waitFor((mails) => new Set(mails.map((m) => m.parsed.messageId)).size >= ids.length, 90_000);
      await new Promise((r) => setTimeout(r, 1_000));
      const counts = await countOutcome(db.pool, back, 'smtp-outage', ids.length);
      report('SMTP refuses connections, then recovers', counts);
      expect(counts).toMatchObject({
        sentRows: 30,
        expired: 0,
        received: 30,
        distinctMessageIds: 30,
        duplicates: 0,
        lost: 0,
      });
    } finally {
      worker.shutdown();
      await run;
      mailer.close();
      await back?.stop();
    }
  });

  it('loses nothing when the worker is killed with SIGKILL in the middle of a burst and restarted', async () => {
    const sink = await new SmtpSink().start();
    const taskQueue = 'faults-sigkill';
    const workerProcess = () => startWorkerProcess(db.url, sink.url, taskQueue);
    let worker = await workerProcess();
    const { ids } = await startBurst('sigkill', taskQueue, 40, 15_000);
    // Kill it while the burst is being sent: as soon as the first mails arrive.
    await sink.waitFor(() => burstMails(sink, 'sigkill').length > 0, 60_000);
    worker.child.kill('SIGKILL');
    await worker.exited;
    await new Promise((r) => setTimeout(r, 200)); // let the sink finish what the dead process handed it
    const atKill = await countOutcome(db.pool, sink, 'sigkill', ids.length);
    const receivedBeforeKill = new Set(burstMails(sink, 'sigkill').map((m) => m.parsed.messageId));
    worker = await workerProcess();
    try {
      await sink.waitFor(
        () => new Set(burstMails(sink, 'sigkill').map((m) => m.parsed.messageId)).size >= ids.length,
        120_000,
      );
      await eventually(
        () => countOutcome(db.pool, sink, 'sigkill', ids.length),
        (c) => c.sentRows === ids.length,
        60_000,
      );
      const counts = await countOutcome(db.pool, sink, 'sigkill', ids.length);
      report('worker SIGKILL mid-burst', { ...counts, sentBeforeKill: atKill.distinctMessageIds } as Counts);
      expect(counts.lost).toBe(0);
      expect(counts.expired).toBe(0);
      expect(counts.sentRows).toBe(ids.length);
      // A duplicate can only be a resend of a mail the relay accepted from the killed worker
      // before it could commit (the window we cannot close), and it carries the same Message-ID.
      const seen = new Map<string | undefined, number>();
      for (const m of burstMails(sink, 'sigkill')) {
        seen.set(m.parsed.messageId, (seen.get(m.parsed.messageId) ?? 0) + 1);
      }
      const duplicated = [...seen].filter(([, n]) => n > 1).map(([id]) => id);
      expect(duplicated.filter((id) => !receivedBeforeKill.has(id))).toEqual([]);
      expect([...seen.values()].every((n) => n <= 2)).toBe(true);
      for (const id of ids) {
        await expect(env.client.workflow.getHandle(id).describe()).resolves.toMatchObject({
          status: { name: 'RUNNING' },
        });
      }
    } finally {
      worker.child.kill('SIGTERM');
      await worker.exited;
      await sink.stop();
    }
  });

  it("finishes a dispatcher's burst within a minute or so when the worker is killed in the middle of its dispatch", async () => {
    // The cycle sends an instant's reminders through its dispatcher: one activity attempt sends
    // them all. A worker lost mid-attempt is only noticed when the attempt's start-to-close timeout
    // runs out, so that timeout bounds how late the rest of the burst goes out (it was ten minutes).
    const sink = await new SmtpSink().start();
    sink.behaviour.acceptDelayMs = 100; // a relay slow enough that the kill lands mid-dispatch
    const taskQueue = 'faults-dispatch-kill';
    const label = 'dispatch-kill';
    const dispatcherId = `${label}/dispatcher`;
    const workerProcess = () => startWorkerProcess(db.url, sink.url, taskQueue);
    let worker = await workerProcess();
    await env.client.workflow.start('reminderDispatchWorkflow', { args: [], workflowId: dispatcherId, taskQueue });
    const dueAt = Date.now() + 15_000;
    const inputs = await deliverablesDueAt(60, dueAt, { municipality: label });
    for (const input of inputs) {
      await env.client.workflow.start('deliverableWorkflow', {
        args: [{ ...input, reminderDispatcher: dispatcherId }],
        workflowId: deliverableIdOf(input),
        taskQueue,
      });
    }
    await sink.waitFor(() => burstMails(sink, label).length > 0, 60_000);
    worker.child.kill('SIGKILL');
    await worker.exited;
    const killedAt = Date.now();
    await new Promise((r) => setTimeout(r, 200));
    const receivedBeforeKill = new Set(burstMails(sink, label).map((m) => m.parsed.messageId));
    sink.behaviour.acceptDelayMs = 0;
    worker = await workerProcess();
    try {
      // Two minutes: the attempt's minute, the retry's backoff and the drain, with room for a
      // loaded machine; with the old ten-minute timeout the rest waited far longer than this.
      await sink.waitFor(
        () => new Set(burstMails(sink, label).map((m) => m.parsed.messageId)).size >= inputs.length,
        120_000,
      );
      const recoveredAfterMs = Date.now() - killedAt;
      await eventually(
        () => countOutcome(db.pool, sink, label, inputs.length),
        (c) => c.sentRows === inputs.length,
        30_000,
      );
      const counts = await countOutcome(db.pool, sink, label, inputs.length);
      report('worker SIGKILL mid-dispatch', {
        ...counts,
        sentBeforeKill: receivedBeforeKill.size,
        recoveredAfterMs,
      } as Counts);
      expect(receivedBeforeKill.size).toBeLessThan(inputs.length);
      expect(counts).toMatchObject({ sentRows: inputs.length, expired: 0, lost: 0 });
      // A duplicate only of a mail the relay accepted from the killed worker before it committed.
      const seen = new Map<string | undefined, number>();
      for (const m of burstMails(sink, label)) seen.set(m.parsed.messageId, (seen.get(m.parsed.messageId) ?? 0) + 1);
      expect([...seen].filter(([id, n]) => n > 1 && !receivedBeforeKill.has(id))).toEqual([]);
      const scheduled = await db.pool.query<{ status: string; n: string }>(
        `SELECT status, count(*) AS n FROM scheduled_reminders WHERE dispatcher_id = $1 GROUP BY status`,
        [dispatcherId],
      );
      expect(scheduled.rows.map((r) => [r.status, Number(r.n)])).toEqual([['sent', inputs.length]]);
    } finally {
      await env.client.workflow
        .getHandle(dispatcherId)
        .terminate('test over')
        .catch(() => undefined);
      worker.child.kill('SIGTERM');
      await worker.exited;
      await sink.stop();
    }
  }, 240_000);

  it('loses nothing when PostgreSQL restarts in the middle of a burst', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'arshjul-fault-pg-'));
    chmodSync(dir, 0o755);
    const pg = await startPrivatePostgres({ dataDir: join(dir, 'cluster'), ephemeral: false });
    await migrateUp(pg.url);
    const pool = createPool(pg.url, 5);
    const sink = await new SmtpSink().start();
    const taskQueue = 'faults-postgres';
    const { worker, run, mailer } = await startInProcessWorker(pool, sink.url, taskQueue);
    try {
      const { ids, dueAt } = await startBurst('postgres-restart', taskQueue, 30, 15_000);
      await until(dueAt - 500);
      await pg.stop(); // down just as the reminders fall due
      await new Promise((r) => setTimeout(r, 4_000));
      const restarted = await startPrivatePostgres({ dataDir: join(dir, 'cluster'), port: pg.port, ephemeral: false });
      await eventually(
        () => countOutcome(pool, sink, 'postgres-restart', ids.length),
        (c) => c.sentRows === ids.length,
        120_000,
      );
      await new Promise((r) => setTimeout(r, 1_000));
      const counts = await countOutcome(pool, sink, 'postgres-restart', ids.length);
      report('PostgreSQL restart mid-burst', counts);
      expect(counts).toMatchObject({ sentRows: 30, expired: 0, distinctMessageIds: 30, lost: 0 });
      expect(counts.duplicates).toBe(0);
      await restarted.stop();
    } finally {
      worker.shutdown();
      await run;
      mailer.close();
      await sink.stop();
      await pool.end();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
