import type { PhaseDeliverable } from '../../src/activities';
import type { DeliverableWorkflowInput } from '../../src/workflows/deliverable-workflow';
import { BENCH_MUNICIPALITY, burstInputs, timersOf } from './fixtures';
import { auditCount, closeTimes, countWorkflows, RunStack } from './stack';
import { mapLimit, percentile, round, sleepMs, waitUntil } from './stats';

export const START_CONCURRENCY = 32;

export interface BurstOutcome {
  workflows: number;
  /** Start of the burst's workflows until every one had run its first task. */
  setupSeconds: number;
  /** The setup ran past the due instant (some reminders were due before their workflow ran). */
  setupOverran: boolean;
  dueAt: number;
  /** Last send (or close, for the baseline) minus the due instant. */
  drainSeconds: number;
  p50LatenessSeconds: number;
  p99LatenessSeconds: number;
  maxLatenessSeconds: number;
  perSecond: number;
  done: number;
}

/** Starts deliverable workflows whose one reminder falls due at `dueAt`; resolves when each has run its first task. */
export async function startBurst(
  stack: RunStack,
  deliverables: PhaseDeliverable[],
  dueAt: number,
  budgetYear: number,
): Promise<{ inputs: DeliverableWorkflowInput[]; setupMs: number }> {
  const t0 = Date.now();
  // As a cycle does (issue 16): the reminders go through one dispatcher, which sends every
  // reminder due at the instant in one activity; the deliverable workflows keep their state.
  const dispatcherId = `${BENCH_MUNICIPALITY}/${budgetYear}`;
  await stack.client.workflow.start('reminderDispatchWorkflow', {
    args: [],
    workflowId: dispatcherId,
    taskQueue: stack.taskQueue,
  });
  const inputs = burstInputs(deliverables, dueAt, budgetYear).map((input) => ({
    ...input,
    reminderDispatcher: dispatcherId,
  }));
  await mapLimit(inputs, START_CONCURRENCY, (input) =>
    stack.client.workflow.start('deliverableWorkflow', {
      args: [input],
      workflowId: `${input.municipality}/${input.budgetYear}/${input.plan.phaseId}/${input.plan.boardId}`,
      taskQueue: stack.taskQueue,
    }),
  );
  await waitUntil(
    () => auditCount(stack.db, 'deliverable-started'),
    (c) => c.n >= inputs.length,
    600_000 + inputs.length * 500,
    'every burst workflow started',
  );
  return { inputs, setupMs: Date.now() - t0 };
}

/** Waits until every reminder of the burst is in the send log as sent; returns the figures. */
export async function drainBurst(
  stack: Pick<RunStack, 'db'>,
  n: number,
  dueAt: number,
  setupMs: number,
): Promise<BurstOutcome> {
  await waitUntil(
    async () =>
      Number(
        (await stack.db.pool.query<{ n: string }>(`SELECT count(*) AS n FROM send_log WHERE status = 'sent'`)).rows[0]!
          .n,
      ),
    (sent) => sent >= n,
    Math.max(0, dueAt - Date.now()) + 900_000,
    `${n} reminders sent`,
  );
  const rows = (
    await stack.db.pool.query<{ planned_at: Date; sent_at: Date }>(
      `SELECT planned_at, sent_at FROM send_log WHERE status = 'sent'`,
    )
  ).rows;
  return figures(
    rows.map((r) => r.sent_at.getTime() - r.planned_at.getTime()),
    n,
    dueAt,
    setupMs,
  );
}

/** The sleep-only baseline: the same timers, nothing else; done when each has closed after its reminder timer. */
export async function sleepBurst(
  stack: RunStack,
  inputs: DeliverableWorkflowInput[],
  dueAt: number,
  onDue: () => void = () => undefined,
): Promise<BurstOutcome> {
  const t0 = Date.now();
  await mapLimit(inputs, START_CONCURRENCY, (input, i) =>
    stack.client.workflow.start('benchSleepWorkflow', {
      args: [{ timers: timersOf(input), returnAfter: 1 }],
      workflowId: `sleep/${i}`,
      taskQueue: stack.taskQueue,
    }),
  );
  const setupMs = Date.now() - t0;
  await sleepMs(dueAt - Date.now() - 200);
  onDue();
  await waitUntil(
    () => countWorkflows(stack.client, 'benchSleepWorkflow', 'Completed'),
    (c) => c >= inputs.length,
    900_000,
    `${inputs.length} sleep workflows closed`,
    500,
  );
  const closes = await closeTimes(stack.client, 'benchSleepWorkflow');
  return figures(
    closes.map((c) => c - dueAt),
    inputs.length,
    dueAt,
    setupMs,
  );
}

function figures(latenessMs: number[], n: number, dueAt: number, setupMs: number): BurstOutcome {
  const drain = Math.max(...latenessMs) / 1000;
  return {
    workflows: n,
    setupSeconds: round(setupMs / 1000, 2),
    setupOverran: false,
    dueAt,
    drainSeconds: round(drain, 3),
    p50LatenessSeconds: round(percentile(latenessMs, 50) / 1000, 3),
    p99LatenessSeconds: round(percentile(latenessMs, 99) / 1000, 3),
    maxLatenessSeconds: round(Math.max(...latenessMs) / 1000, 3),
    perSecond: round(n / Math.max(drain, 0.001), 1),
    done: latenessMs.length,
  };
}
