import { budgetCycleWorkflow } from '../../src/workflows/budget-cycle-workflow';
import type { BenchContext } from '../lib/context';
import type { ServerMode } from '../lib/dev-server';
import { shapeFor, syntheticCalendar, syntheticRegistry } from '../lib/fixtures';
import { BenchOptions, BenchResult, goal, scaled } from '../lib/results';
import { auditCount, closeTimes, countWorkflows, startRunStack } from '../lib/stack';
import { interleaved, mapLimit, median, round, waitUntil } from '../lib/stats';

const FULL = 3_000;
/** Client-side concurrency of the baseline's starts (the SDK client multiplexes over one connection). */
const START_CONCURRENCY = 32;

type Variant = 'arshjul' | 'empty';

/**
 * (1) Start rate: a cycle whose phases open at once for 3,000 deliverables, through the real
 * parent/child path (the cycle plans each phase in an activity and starts one deliverable
 * workflow per board; each child records its start in PostgreSQL), vs the same number of empty
 * workflows started by a client, on the same server and worker configuration.
 */
export async function startRate(ctx: BenchContext, options: BenchOptions, mode: ServerMode): Promise<BenchResult> {
  const wall = Date.now();
  const n = scaled(FULL, options.scale, 10);
  const shape = shapeFor(n);
  const registry = syntheticRegistry(shape.boards);
  const total = shape.boards * shape.phases;
  const runs: Record<string, unknown>[] = [];
  for (const { rep, variant } of interleaved<Variant>(['arshjul', 'empty'], options.reps)) {
    const stack = await startRunStack(ctx, mode, `start-${variant}`, { registry });
    try {
      if (variant === 'arshjul') {
        const calendar = syntheticCalendar(shape.phases, Date.now());
        const t0 = Date.now();
        const handle = await stack.client.workflow.start(budgetCycleWorkflow, {
          args: [{ calendar, registry }],
          workflowId: `bench/${calendar.budgetYear}`,
          taskQueue: stack.taskQueue,
        });
        const firstChild = await waitUntil(
          () => auditCount(stack.db, 'deliverable-started'),
          (c) => c.n > 0,
          600_000,
          'the first child',
          100,
        );
        const done = await waitUntil(
          () => auditCount(stack.db, 'deliverable-started'),
          (c) => c.n >= total,
          600_000 + total * 200,
          `${total} deliverables started`,
        );
        const seconds = (done.last - t0) / 1000;
        const described = await handle.describe();
        runs.push({
          rep,
          variant,
          workflows: total,
          seconds: round(seconds, 3),
          perSecond: round(total / seconds, 1),
          firstChildSeconds: round((firstChild.last - t0) / 1000, 3),
          cycleHistoryEvents: described.historyLength,
          cycleRunId: described.runId,
        });
      } else {
        const t0 = Date.now();
        await mapLimit(
          Array.from({ length: total }, (_, i) => i),
          START_CONCURRENCY,
          (i) =>
            stack.client.workflow.start('benchEmptyWorkflow', {
              args: [],
              workflowId: `bench-empty-${i}`,
              taskQueue: stack.taskQueue,
            }),
        );
        const startedSeconds = (Date.now() - t0) / 1000;
        await waitUntil(
          () => countWorkflows(stack.client, 'benchEmptyWorkflow', 'Completed'),
          (c) => c >= total,
          600_000 + total * 200,
          `${total} empty workflows completed`,
          500,
        );
        const last = Math.max(...(await closeTimes(stack.client, 'benchEmptyWorkflow')));
        const seconds = (last - t0) / 1000;
        runs.push({
          rep,
          variant,
          workflows: total,
          seconds: round(seconds, 3),
          perSecond: round(total / seconds, 1),
          clientStartSeconds: round(startedSeconds, 3),
        });
      }
      ctx.log(`  start-rate ${mode} rep ${rep + 1} ${variant}: ${JSON.stringify(runs[runs.length - 1])}`);
    } finally {
      await stack.close();
    }
  }
  const rate = (v: Variant) => median(runs.filter((r) => r.variant === v).map((r) => r.perSecond as number));
  const ours = rate('arshjul');
  const empty = rate('empty');
  const ratio = round(ours / empty, 3);
  return {
    id: 'start-rate',
    title: 'Start rate: cycle → deliverable children vs empty workflows',
    mode,
    size: {
      deliverables: total,
      'issue size': FULL,
      scale: options.scale,
      phases: shape.phases,
      boards: shape.boards,
      reps: options.reps,
    },
    figures: [
      { name: 'Årshjul starts/s (cycle → children, each child recorded in PostgreSQL)', value: ours, unit: '/s' },
      { name: 'baseline: empty workflows/s (client start → completed)', value: empty, unit: '/s' },
      goal('ratio Årshjul / empty', ratio, '', '≥ 0.5', ratio >= 0.5),
    ],
    runs,
    notes: [
      `Årshjul: ${shape.phases} phases opening at once for ${shape.boards} boards; time from the cycle's start to the last child's "deliverable-started" audit row (database clock).`,
      `Baseline: ${total} benchEmptyWorkflow started by one client, ${START_CONCURRENCY} starts in flight; time to the last close (visibility).`,
    ],
    wallSeconds: round((Date.now() - wall) / 1000, 1),
  };
}
