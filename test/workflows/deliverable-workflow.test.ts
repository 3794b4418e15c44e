import { TestWorkflowEnvironment } from '@temporalio/testing';
import { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { listAuditEvents } from '../../src/db/audit-log';
import { listSends } from '../../src/db/send-log';
import { deliverableViewQuery, submitUpdate } from '../../src/workflows/deliverable-messages';
import { deliverableIdOf, deliverablesDueAt } from '../helpers/deliverable-inputs';
import { recordHistoryIfAsked } from '../helpers/histories';
import { startWorkerHarness, WorkerHarness } from '../helpers/stack';
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

describe('deliverableWorkflow under the time-skipping server', () => {
  it('sleeps a month in seconds and sends its reminder at the planned virtual instant', async () => {
    const virtualStart = await env.currentTimeMs();
    const wallStart = Date.now();
    const [input] = await deliverablesDueAt(1, virtualStart + 23 * DAY, {
      openingAt: virtualStart - 2 * DAY,
      deadlineAfterMs: 7 * DAY,
    });
    const workflowId = deliverableIdOf(input!);
    const reminder = input!.plan.actions.find((a) => a.kind === 'reminder')!;

    const { view, result } = await (
      await harness.newWorker()
    ).runUntil(async () => {
      const handle = await env.client.workflow.start('deliverableWorkflow', {
        args: [input],
        workflowId,
        taskQueue: harness.taskQueue,
      });
      await env.sleep(24 * DAY);
      const view = await handle.query(deliverableViewQuery);
      await handle.executeUpdate(submitUpdate, { args: [{ documentRef: 'Dnr 2028/17', by: 'controller' }] });
      const result = await handle.result();
      await recordHistoryIfAsked(handle, 'deliverable-reminder-sent-submitted');
      return { view, result };
    });
    const wallMs = Date.now() - wallStart;
    expect((await env.currentTimeMs()) - virtualStart).toBeGreaterThanOrEqual(24 * DAY);
    expect(wallMs).toBeLessThan(60_000);

    // The reminder fired at its planned instant of virtual time (the timer fires exactly then).
    const fired = view.history.find((h) => h.actionId === reminder.id)!;
    expect(fired.outcome).toBe('sent');
    expect(Date.parse(fired.at) - Date.parse(reminder.instant)).toBeGreaterThanOrEqual(0);
    expect(Date.parse(fired.at) - Date.parse(reminder.instant)).toBeLessThan(1000);
    expect(result.stage).toBe('submitted');

    // Exactly one mail reached the SMTP server, to the board, about this deliverable.
    expect(harness.sink.received).toHaveLength(1);
    expect(harness.sink.received[0]!.envelope.to).toEqual([`registrator.board-00000@bench.example`]);

    const sends = await listSends(harness.db.pool, workflowId);
    expect(sends.map((s) => [s.kind, s.status, s.planned_at.toISOString()])).toEqual([
      ['reminder', 'sent', new Date(reminder.instant).toISOString()],
    ]);
    const events = await listAuditEvents(harness.db.pool, workflowId);
    expect(events.map((e) => [e.kind, Number(e.seq)])).toEqual([
      ['deliverable-started', 1],
      ['reminder-sent', 2],
      ['submitted', 3],
      ['deliverable-finished', 4],
    ]);
  });

  it('records a reminder whose instant passed before the start as skipped and sends nothing', async () => {
    const now = await env.currentTimeMs();
    const [input] = await deliverablesDueAt(1, now - 2 * 3600_000, { municipality: 'skipstad' });
    const workflowId = deliverableIdOf(input!);
    const mailsBefore = harness.sink.received.length;

    const view = await (
      await harness.newWorker()
    ).runUntil(async () => {
      const handle = await env.client.workflow.start('deliverableWorkflow', {
        args: [input],
        workflowId,
        taskQueue: harness.taskQueue,
      });
      return handle.query(deliverableViewQuery);
    });

    expect(view.history.map((h) => [h.kind, h.outcome])).toEqual([
      ['opening', 'skipped-stale'],
      ['reminder', 'skipped-stale'],
    ]);
    expect(harness.sink.received).toHaveLength(mailsBefore);
    expect(await listSends(harness.db.pool, workflowId)).toEqual([]);
  });
});
