import { dueAtInstant, planBurst, startedEvent, workflowIdOf } from '../../bench/lib/seeded-burst';
import type { ReminderNotification } from '../../src/db/scheduled-reminders';
import { eventually } from '../helpers/eventually';
import { useRunningWorker } from '../helpers/stack';
import { startDevServerEnv } from '../helpers/temporal';

/**
 * The national-burst benchmark seeds each deliverable's first event and reminders instead of
 * starting its workflow (bench/lib/seeded-burst.ts). Its numbers mean something only while the
 * seeded rows are what the real deliverable workflow writes: this starts real workflows with a
 * dispatcher on the dev server and compares their recorded start with what the seeding writes.
 */
const ctx = useRunningWorker(startDevServerEnv, 'bench_seeded_burst');

describe('the seeded burst of the benchmarks', () => {
  it('writes the same started event and reminders as a deliverable workflow with a dispatcher', async () => {
    const { env, harness } = ctx;
    const budgetYear = new Date().getFullYear() + 1;
    const planned = await planBurst({ boards: [3], phases: 2, prefix: 'seedtest' });
    const [municipality] = dueAtInstant(planned, Date.now() + 10 * 60_000, budgetYear);
    const { dispatcherId, inputs } = municipality!;
    await env.client.workflow.start('reminderDispatchWorkflow', {
      args: [],
      workflowId: dispatcherId,
      taskQueue: harness.taskQueue,
    });
    for (const input of inputs) {
      await env.client.workflow.start('deliverableWorkflow', {
        args: [{ ...input, reminderDispatcher: dispatcherId }],
        workflowId: workflowIdOf(input),
        taskQueue: harness.taskQueue,
      });
    }
    const started = await eventually(
      async () =>
        (
          await harness.db.pool.query<{ workflow_id: string; payload: Record<string, unknown> }>(
            `SELECT workflow_id, payload FROM audit_log WHERE kind = 'deliverable-started'`,
          )
        ).rows,
      (rows) => rows.length === inputs.length,
      60_000,
    );
    expect(started).toHaveLength(6);
    const scheduled = (
      await harness.db.pool.query<{ workflow_id: string; notification: ReminderNotification; dispatcher_id: string }>(
        `SELECT workflow_id, notification, dispatcher_id FROM scheduled_reminders ORDER BY workflow_id, planned_at`,
      )
    ).rows;
    for (const input of inputs) {
      const workflowId = workflowIdOf(input);
      const seeded = startedEvent(input, dispatcherId, Date.now());
      expect(started.find((r) => r.workflow_id === workflowId)?.payload).toEqual(seeded.payload);
      const ours = scheduled.filter((r) => r.workflow_id === workflowId);
      expect(ours.map((r) => r.notification)).toEqual(seeded.reminders);
      expect(ours.map((r) => r.dispatcher_id)).toEqual(seeded.reminders.map(() => dispatcherId));
    }
    // One reminder each, as the burst counts them.
    expect(scheduled).toHaveLength(6);
  });
});
