import { MockActivityEnvironment, TestWorkflowEnvironment } from '@temporalio/testing';
import { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { createActivities, SendReminderResult } from '../../src/activities';
import { systemClock } from '../../src/activities/ports';
import { listAuditEvents } from '../../src/db/audit-log';
import { listSends } from '../../src/db/send-log';
import { DeliverableInput, deliverableWorkflowId } from '../../src/domain/deliverable';
import { deliverableStatusQuery, SingleReminderWorkflow } from '../../src/workflows/deliverable-workflow';
import { startWorkerHarness, WorkerHarness } from '../helpers/stack';
import { recordHistoryIfAsked } from '../helpers/histories';
import { bundleWorkflows, startDevServerEnv } from '../helpers/temporal';

let env: TestWorkflowEnvironment;
let bundle: WorkflowBundleWithSourceMap;
let harness: WorkerHarness;

beforeAll(async () => {
  [env, bundle] = await Promise.all([startDevServerEnv(), bundleWorkflows()]);
  harness = await startWorkerHarness(env, bundle, 'dev_deliverable');
});

afterAll(async () => {
  await harness?.close();
  await env?.teardown();
});

describe('deliverableWorkflow on the dev server with PostgreSQL and SMTP', () => {
  it('sends the reminder by e-mail when it is due and records every transition', async () => {
    // The worker first (bundling takes a moment on a loaded machine), then the clock: the
    // reminder must still lie ahead when the test looks at the workflow before it is due.
    const worker = await harness.newWorker();
    const now = Date.now();
    const input: DeliverableInput = {
      municipality: 'stockholm',
      budgetYear: 2028,
      phase: { id: 'verksamhetsplan', name: 'Verksamhetsplan 2028' },
      board: { id: 'trafiknamnden', name: 'Trafiknämnden', email: 'registrator.trafik@example.se' },
      reminderAt: new Date(now + 5_000).toISOString(),
      deadline: new Date(now + 7_000).toISOString(),
    };
    const workflowId = deliverableWorkflowId(input);

    const result = await worker.runUntil(async () => {
      const handle = await env.client.workflow.start<SingleReminderWorkflow>('deliverableWorkflow', {
        args: [input],
        workflowId,
        taskQueue: harness.taskQueue,
      });
      // Before the reminder is due, the workflow reports it planned and nothing has been sent.
      const early = await handle.query(deliverableStatusQuery);
      expect(early.reminder).toEqual({ status: 'planned', plannedAt: input.reminderAt });
      expect(harness.sink.received).toHaveLength(0);
      const finished = await handle.result();
      await recordHistoryIfAsked(handle, 'deliverable-v1-reminder-sent');
      return finished;
    });

    expect(result.reminder.status).toBe('sent');
    const [mail] = await harness.sink.waitFor((mails) => mails.length === 1);
    expect(mail!.envelope).toEqual({ from: 'arshjul@test.example', to: ['registrator.trafik@example.se'] });
    expect(mail!.parsed.from?.value).toEqual([{ name: 'Årshjul', address: 'arshjul@test.example' }]);
    expect(mail!.parsed.subject).toContain('Verksamhetsplan 2028');
    expect(mail!.parsed.text).toContain('Till Trafiknämnden');
    expect(mail!.parsed.html).toContain('<strong>Verksamhetsplan 2028</strong>');
    // Sent no earlier than planned (real time here).
    expect(mail!.receivedAt.getTime()).toBeGreaterThanOrEqual(Date.parse(input.reminderAt));

    const sends = await listSends(harness.db.pool, workflowId);
    expect(sends.map((s) => [s.status, s.planned_at.toISOString()])).toEqual([['sent', input.reminderAt]]);
    const events = await listAuditEvents(harness.db.pool, workflowId);
    expect(events.map((e) => e.kind)).toEqual(['deliverable-opened', 'reminder-sent', 'deadline-passed']);
  });

  it('sends a reminder once when its activity runs twice at the same time (retry racing a slow attempt)', async () => {
    const activities = createActivities({ db: harness.db.pool, mailer: harness.mailer, clock: systemClock });
    const before = harness.sink.received.length;
    const reminder = {
      workflowId: 'stockholm/2028/budgetunderlag/idempotency-check',
      budgetYear: 2028,
      phaseName: 'Budgetunderlag 2028',
      boardName: 'Kulturnämnden',
      recipients: ['registrator.kultur@example.se'],
      deadline: '2027-04-30T15:00:00+02:00',
      plannedAt: '2027-04-02T08:00:00+02:00',
      firedAt: '2027-04-02T06:00:00.012Z',
    };
    const attempt = (): Promise<{ sentNow: boolean }> =>
      new MockActivityEnvironment().run(activities.sendReminder, reminder);

    const results = await Promise.all([attempt(), attempt(), attempt()]);
    const later = await attempt();

    expect(results.filter((r) => r.sentNow)).toHaveLength(1);
    expect(later.sentNow).toBe(false);
    await harness.sink.waitFor((mails) => mails.length >= before + 1);
    // Give a would-be duplicate time to arrive before counting.
    await new Promise((r) => setTimeout(r, 500));
    expect(harness.sink.received.length - before).toBe(1);
    const sends = await listSends(harness.db.pool, reminder.workflowId);
    expect(sends).toHaveLength(1);
    const events = await listAuditEvents(harness.db.pool, reminder.workflowId);
    expect(events.map((e) => e.kind)).toEqual(['reminder-sent']);
  });

  it('records a mailbox the relay refuses for good as failed, without retrying, and keeps partial refusals', async () => {
    const activities = createActivities({ db: harness.db.pool, mailer: harness.mailer, clock: systemClock });
    const base = {
      workflowId: 'stockholm/2028/tertialrapport-1/bounce-check',
      kind: 'reminder' as const,
      level: 1,
      plannedAt: '2028-04-19T08:00:00+02:00',
      firedAt: '2028-04-19T06:00:00.004Z',
      budgetYear: 2028,
      phaseName: 'Tertialrapport 1 2028',
      boardName: 'Idrottsnämnden',
      deadlineAt: '2028-05-17T23:59:00+02:00',
      roles: ['registrator'],
    };
    const before = harness.sink.received.length;
    const refused: SendReminderResult = await new MockActivityEnvironment().run(activities.sendNotification, {
      ...base,
      actionId: 'tertialrapport-1/bounce-check/reminder-1',
      to: ['registrator.idrott@nowhere.invalid'],
    });
    expect(refused.failed).toMatch(/^refused by the relay: .*550/);
    const again = await new MockActivityEnvironment().run(activities.sendNotification, {
      ...base,
      actionId: 'tertialrapport-1/bounce-check/reminder-1',
      to: ['registrator.idrott@nowhere.invalid'],
    });
    expect(again).toEqual(refused);
    const partial: SendReminderResult = await new MockActivityEnvironment().run(activities.sendNotification, {
      ...base,
      actionId: 'tertialrapport-1/bounce-check/reminder-2',
      to: ['registrator.idrott@example.se', 'ordforande.idrott@nowhere.invalid'],
    });
    expect(partial.sentNow).toBe(true);

    const [mail] = await harness.sink.waitFor((mails) => mails.length === before + 1);
    expect(harness.sink.received.slice(before)[0]!.envelope.to).toEqual(['registrator.idrott@example.se']);
    expect(mail).toBeDefined();
    const sends = await listSends(harness.db.pool, base.workflowId);
    expect(sends.map((r) => [r.kind, r.status, r.attempts])).toEqual([
      ['reminder', 'failed', 1],
      ['reminder', 'sent', 1],
    ]);
    const events = await listAuditEvents(harness.db.pool, base.workflowId);
    expect(events.map((e) => [e.kind, e.payload.rejected ?? null])).toEqual([
      ['reminder-failed', null],
      ['reminder-sent', ['ordforande.idrott@nowhere.invalid']],
    ]);
  });
});
