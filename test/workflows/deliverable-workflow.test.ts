import { TestWorkflowEnvironment } from '@temporalio/testing';
import { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { listAuditEvents } from '../../src/db/audit-log';
import { listSends } from '../../src/db/send-log';
import { DeliverableInput, deliverableWorkflowId } from '../../src/domain/deliverable';
import { SingleReminderWorkflow } from '../../src/workflows/deliverable-workflow';
import { startWorkerHarness, WorkerHarness } from '../helpers/stack';
import { recordHistoryIfAsked } from '../helpers/histories';
import { bundleWorkflows, startTimeSkippingEnv } from '../helpers/temporal';

const DAY = 24 * 60 * 60 * 1000;

let env: TestWorkflowEnvironment;
let bundle: WorkflowBundleWithSourceMap;
let harness: WorkerHarness;

beforeAll(async () => {
  [env, bundle] = await Promise.all([startTimeSkippingEnv(), bundleWorkflows()]);
  harness = await startWorkerHarness(env, bundle, 'ts_deliverable');
});

afterAll(async () => {
  await harness?.close();
  await env?.teardown();
});

function inputAt(now: number, board: string, reminderInDays: number, deadlineInDays: number): DeliverableInput {
  return {
    municipality: 'stockholm',
    budgetYear: 2028,
    phase: { id: 'budgetunderlag', name: 'Budgetunderlag 2028' },
    board: { id: board, name: `${board} stadsdelsnämnd`, email: `registrator.${board}@example.se` },
    reminderAt: new Date(now + reminderInDays * DAY).toISOString(),
    deadline: new Date(now + deadlineInDays * DAY).toISOString(),
  };
}

describe('deliverableWorkflow under the time-skipping server', () => {
  it('sleeps a month in seconds and sends its reminder at the planned virtual instant', async () => {
    const virtualStart = await env.currentTimeMs();
    const wallStart = Date.now();
    const input = inputAt(virtualStart, 'farsta', 23, 30);
    const workflowId = deliverableWorkflowId(input);

    const result = await (
      await harness.newWorker()
    ).runUntil(
      env.client.workflow.execute<SingleReminderWorkflow>('deliverableWorkflow', {
        args: [input],
        workflowId,
        taskQueue: harness.taskQueue,
      }),
    );
    const wallMs = Date.now() - wallStart;
    const virtualElapsed = (await env.currentTimeMs()) - virtualStart;

    // The server's clock moved a month; the wall clock did not.
    expect(virtualElapsed).toBeGreaterThanOrEqual(30 * DAY);
    expect(wallMs).toBeLessThan(60_000);

    // The reminder fired at its planned instant of virtual time (the timer fires exactly then;
    // the workflow task that follows may add milliseconds, never a day).
    expect(result.reminder.status).toBe('sent');
    if (result.reminder.status !== 'sent') return;
    const firedAt = Date.parse(result.reminder.firedAt);
    expect(firedAt).toBeGreaterThanOrEqual(Date.parse(input.reminderAt));
    expect(firedAt - Date.parse(input.reminderAt)).toBeLessThan(1000);
    expect(result.stage).toBe('deadline-passed');

    // Exactly one mail reached the SMTP server, to the board, about this deliverable.
    expect(harness.sink.received).toHaveLength(1);
    const mail = harness.sink.received[0]!;
    expect(mail.envelope.to).toEqual(['registrator.farsta@example.se']);
    expect(mail.parsed.subject).toMatch(/^Påminnelse: Budgetunderlag 2028 \(budgetår 2028\) ska lämnas senast /);
    expect(mail.parsed.messageId).toBe(result.reminder.messageId);

    // The send log and the audit log hold the same story, with virtual timestamps.
    const sends = await listSends(harness.db.pool, workflowId);
    expect(sends).toHaveLength(1);
    expect(sends[0]).toMatchObject({ kind: 'reminder', status: 'sent', recipients: ['registrator.farsta@example.se'] });
    expect(sends[0]!.planned_at.toISOString()).toBe(input.reminderAt);
    const events = await listAuditEvents(harness.db.pool, workflowId);
    expect(events.map((e) => e.kind)).toEqual(['deliverable-opened', 'reminder-sent', 'deadline-passed']);
    expect(events[1]!.occurred_at.toISOString()).toBe(result.reminder.firedAt);
    expect(events[2]!.occurred_at.getTime()).toBeGreaterThanOrEqual(Date.parse(input.deadline));
  });

  it('records a reminder whose instant passed before the start as skipped and sends nothing', async () => {
    const now = await env.currentTimeMs();
    const input = inputAt(now, 'skarpnack', -2, 5);
    const workflowId = deliverableWorkflowId(input);
    const mailsBefore = harness.sink.received.length;

    const result = await (
      await harness.newWorker()
    ).runUntil(async () => {
      const handle = await env.client.workflow.start<SingleReminderWorkflow>('deliverableWorkflow', {
        args: [input],
        workflowId,
        taskQueue: harness.taskQueue,
      });
      const finished = await handle.result();
      await recordHistoryIfAsked(handle, 'deliverable-v1-reminder-skipped');
      return finished;
    });

    expect(result.reminder).toEqual({
      status: 'skipped',
      plannedAt: input.reminderAt,
      reason: 'instant-passed-before-start',
    });
    expect(harness.sink.received).toHaveLength(mailsBefore);
    expect(await listSends(harness.db.pool, workflowId)).toEqual([]);
    const events = await listAuditEvents(harness.db.pool, workflowId);
    expect(events.map((e) => e.kind)).toEqual(['deliverable-opened', 'reminder-skipped', 'deadline-passed']);
  });
});
