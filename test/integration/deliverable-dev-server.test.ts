import { MockActivityEnvironment, TestWorkflowEnvironment } from '@temporalio/testing';
import { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { createActivities, SendNotificationInput } from '../../src/activities';
import { SendOnceResult } from '../../src/activities/send-once';
import { systemClock } from '../../src/activities/ports';
import { listAuditEvents } from '../../src/db/audit-log';
import { listSends } from '../../src/db/send-log';
import { deliverableViewQuery } from '../../src/workflows/deliverable-messages';
import { deliverableIdOf, deliverablesDueAt } from '../helpers/deliverable-inputs';
import { eventually } from '../helpers/eventually';
import { recordHistoryIfAsked } from '../helpers/histories';
import { startWorkerHarness, WorkerHarness } from '../helpers/stack';
import { bundleWorkflows, startDevServerEnv } from '../helpers/temporal';

let env: TestWorkflowEnvironment;
let bundle: WorkflowBundleWithSourceMap;
let harness: WorkerHarness;

beforeAll(async () => {
  [env, bundle] = await Promise.all([startDevServerEnv(), bundleWorkflows()]);
  harness = await startWorkerHarness(env, bundle, 'dev_deliverable');
});
afterEach(() => {
  harness.sink.behaviour = { acceptDelayMs: 0, deferAll: false };
});
afterAll(async () => {
  await harness?.close();
  await env?.teardown();
});

const activities = () => createActivities({ db: harness.db.pool, mailer: harness.mailer, clock: systemClock });
const notification = (workflowId: string, over: Partial<SendNotificationInput> = {}): SendNotificationInput => ({
  workflowId,
  seq: 2,
  actionId: `${workflowId.split('/').slice(2).join('/')}/reminder-1`,
  kind: 'reminder',
  level: 1,
  plannedAt: '2028-04-19T08:00:00+02:00',
  firedAt: '2028-04-19T06:00:00.004Z',
  budgetYear: 2028,
  phaseName: 'Tertialrapport 1 2028',
  boardName: 'Idrottsnämnden',
  deadlineAt: '2028-05-17T23:59:00+02:00',
  to: ['registrator.idrott@example.se'],
  roles: ['registrator'],
  ...over,
});
const run = (input: SendNotificationInput): Promise<SendOnceResult> =>
  new MockActivityEnvironment().run(activities().sendNotification, input);

/** Sessions of the test database that sit in an open transaction (holding locks, a pooled connection). */
async function openTransactions(): Promise<number> {
  const result = await harness.db.pool.query<{ n: string }>(
    `SELECT count(*) AS n FROM pg_stat_activity
     WHERE datname = current_database() AND state LIKE 'idle in transaction%' AND pid <> pg_backend_pid()`,
  );
  return Number(result.rows[0]!.n);
}

describe('deliverableWorkflow on the dev server with PostgreSQL and SMTP', () => {
  it('sends the reminder by e-mail when it is due and records every transition', async () => {
    // The worker first (bundling takes a moment on a loaded machine), then the clock: the
    // reminder must still lie ahead when the test looks at the workflow before it is due.
    const worker = await harness.newWorker();
    const [input] = await deliverablesDueAt(1, Date.now() + 5_000, { municipality: 'devstad' });
    const workflowId = deliverableIdOf(input!);
    const reminder = input!.plan.actions.find((a) => a.kind === 'reminder')!;

    await worker.runUntil(async () => {
      const handle = await env.client.workflow.start('deliverableWorkflow', {
        args: [input],
        workflowId,
        taskQueue: harness.taskQueue,
      });
      // Before the reminder is due, it is pending and nothing has been sent.
      const early = await handle.query(deliverableViewQuery);
      expect(early.pending.map((a) => a.kind)).toEqual(['reminder', 'deadline']);
      expect(harness.sink.received).toHaveLength(0);
      await eventually(
        () => handle.query(deliverableViewQuery),
        (v) => v.history.some((h) => h.kind === 'reminder' && h.outcome === 'sent'),
        20_000,
      );
      await recordHistoryIfAsked(handle, 'deliverable-reminder-sent-running');
    });

    const [mail] = await harness.sink.waitFor((mails) => mails.length === 1);
    expect(mail!.envelope).toEqual({ from: 'arshjul@test.example', to: ['registrator.board-00000@devstad.example'] });
    expect(mail!.parsed.from?.value).toEqual([{ name: 'Årshjul', address: 'arshjul@test.example' }]);
    // Sent no earlier than planned (real time here).
    expect(mail!.receivedAt.getTime()).toBeGreaterThanOrEqual(Date.parse(reminder.instant));
    const sends = await listSends(harness.db.pool, workflowId);
    expect(sends.map((s) => [s.status, s.planned_at.toISOString()])).toEqual([
      ['sent', new Date(reminder.instant).toISOString()],
    ]);
    const events = await listAuditEvents(harness.db.pool, workflowId);
    expect(events.map((e) => e.kind)).toEqual(['deliverable-started', 'reminder-sent']);
  });

  it('sends a notification once when its activity runs three times at once, holding no transaction during SMTP', async () => {
    const workflowId = 'stockholm/2028/budgetunderlag/idempotency-check';
    const before = harness.sink.received.length;
    harness.sink.behaviour.acceptDelayMs = 1_500; // a slow relay: the attempts overlap
    const attempts = [0, 1, 2].map(() => run(notification(workflowId)));
    // While the relay takes its time, no database transaction stays open (the send holds a lease,
    // not a row lock): a board's submit never waits behind mail.
    await harness.sink.waitFor(() => true);
    await new Promise((r) => setTimeout(r, 700));
    expect(await openTransactions()).toBe(0);
    const settled = await Promise.allSettled(attempts);
    const sentNow = settled.filter((s) => s.status === 'fulfilled' && s.value.sentNow);
    expect(sentNow).toHaveLength(1);
    // The others found the lease held and are retried by Temporal (here: rejected once).
    for (const s of settled) {
      if (s.status === 'rejected') expect((s.reason as Error).name).toBe('SendInProgress');
    }
    const later = await run(notification(workflowId));
    expect(later.sentNow).toBe(false);
    await new Promise((r) => setTimeout(r, 500)); // give a would-be duplicate time to arrive
    expect(harness.sink.received.length - before).toBe(1);
    const sends = await listSends(harness.db.pool, workflowId);
    expect(sends.map((s) => [s.status, s.attempts])).toEqual([['sent', 1]]);
    const events = await listAuditEvents(harness.db.pool, workflowId);
    expect(events.map((e) => e.kind)).toEqual(['reminder-sent']);
  });

  it('records a mailbox the relay refuses for good as failed, without retrying, and keeps partial refusals', async () => {
    const workflowId = 'stockholm/2028/tertialrapport-1/bounce-check';
    const before = harness.sink.received.length;
    const refused = await run(notification(workflowId, { to: ['registrator.idrott@nowhere.invalid'] }));
    expect(refused.failed).toMatch(/^refused by the relay: .*550/);
    const again = await run(notification(workflowId, { to: ['registrator.idrott@nowhere.invalid'] }));
    expect(again).toEqual(refused);
    const partial = await run(
      notification(workflowId, {
        actionId: 'tertialrapport-1/bounce-check/reminder-2',
        to: ['registrator.idrott@example.se', 'ordforande.idrott@nowhere.invalid'],
      }),
    );
    expect(partial.sentNow).toBe(true);

    await harness.sink.waitFor((mails) => mails.length === before + 1);
    expect(harness.sink.received.slice(before)[0]!.envelope.to).toEqual(['registrator.idrott@example.se']);
    const sends = await listSends(harness.db.pool, workflowId);
    expect(sends.map((r) => [r.status, r.attempts])).toEqual([
      ['failed', 1],
      ['sent', 1],
    ]);
    const events = await listAuditEvents(harness.db.pool, workflowId);
    expect(events.map((e) => [e.kind, e.payload.rejected ?? null])).toEqual([
      ['reminder-failed', null],
      ['reminder-sent', ['ordforande.idrott@nowhere.invalid']],
    ]);
  });

  it('never sends a reminder after the step it is about: retried through an outage, it expires', async () => {
    // The relay defers everything; the reminder is due in 3 s and the deadline (its next step)
    // 8 s later. When the relay is back, the reminder is moot: recorded as expired, never sent.
    harness.sink.behaviour.deferAll = true;
    const worker = await harness.newWorker();
    const [input] = await deliverablesDueAt(1, Date.now() + 3_000, {
      municipality: 'utgangstad',
      deadlineAfterMs: 8_000,
    });
    const workflowId = deliverableIdOf(input!);
    const before = harness.sink.received.length;
    const view = await worker.runUntil(async () => {
      const handle = await env.client.workflow.start('deliverableWorkflow', {
        args: [input],
        workflowId,
        taskQueue: harness.taskQueue,
      });
      return eventually(
        () => handle.query(deliverableViewQuery),
        (v) => v.history.some((h) => h.kind === 'reminder' && h.outcome !== 'superseded'),
        40_000,
      );
    });
    harness.sink.behaviour.deferAll = false;
    expect(view.history.find((h) => h.kind === 'reminder')?.outcome).toBe('expired');
    const sends = await listSends(harness.db.pool, workflowId);
    // (A reminder on the deadline's own day is logged as the deadline-day reminder.)
    expect(sends.map((s) => s.status)).toEqual(['expired']);
    expect(sends[0]!.attempts).toBeGreaterThanOrEqual(1);
    const events = await listAuditEvents(harness.db.pool, workflowId);
    expect(events.map((e) => e.kind).slice(0, 2)).toEqual(['deliverable-started', 'reminder-expired']);
    // A late attempt of the activity finds the send expired and sends nothing.
    const late = await run(
      notification(workflowId, {
        actionId: input!.plan.actions.find((a) => a.kind === 'reminder')!.id,
        plannedAt: input!.plan.actions.find((a) => a.kind === 'reminder')!.instant,
      }),
    );
    expect(late).toMatchObject({ sentNow: false, expired: true });
    expect(harness.sink.received.length).toBe(before);
  });
});
