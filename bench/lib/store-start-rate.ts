import type { Client } from '@temporalio/client';
import type { Registry } from '../../src/domain/organisations';
import { runCycle } from '../benchmarks/start-rate';
import { shapeFor, syntheticRegistry } from './fixtures';
import { mapLimit, round, waitUntil } from './stats';
import type { StoreRun } from './store-stack';

/** Client-side starts in flight for the empty baseline (as the start-rate benchmark). */
const START_CONCURRENCY = 32;

export interface StartRateOutcome {
  workflows: number;
  seconds: number;
  perSecond: number;
}

/** The cycle's fixtures for `n` deliverables (10 phases), under a municipality name of the run's own. */
export function cycleFixtures(n: number, municipality: string): { registry: Registry; boards: number; phases: number } {
  const shape = shapeFor(n);
  return { registry: syntheticRegistry(shape.boards, municipality), ...shape };
}

/**
 * The cycle path: a cycle whose phases all open at once starts one deliverable workflow per
 * board and phase (through the fan-out the cycle chooses), each recording its start in
 * PostgreSQL; from the cycle's start to the last 'deliverable-started' row (database clock), as
 * the start-rate benchmark measures it.
 */
export async function cycleStartRate(
  run: StoreRun,
  fixtures: ReturnType<typeof cycleFixtures>,
): Promise<StartRateOutcome & { firstChildSeconds: number }> {
  const { figures } = await runCycle(run, fixtures.registry, fixtures, fixtures.boards * fixtures.phases);
  const { workflows, seconds, perSecond, firstChildSeconds } = figures;
  return { workflows, seconds, perSecond, firstChildSeconds };
}

/** Workflows of a type on one task queue by status (runs share a server, each its own task queue). */
async function countOnQueue(client: Client, type: string, taskQueue: string): Promise<number> {
  const query = `WorkflowType = '${type}' AND ExecutionStatus = 'Completed' AND TaskQueue = '${taskQueue}'`;
  return (await client.workflow.count(query)).count;
}

/** The baseline: `n` empty workflows started by one client; from the first start to the last close. */
export async function emptyStartRate(run: StoreRun, n: number): Promise<StartRateOutcome> {
  const t0 = Date.now();
  await mapLimit(
    Array.from({ length: n }, (_, i) => i),
    START_CONCURRENCY,
    (i) =>
      run.client.workflow.start('benchEmptyWorkflow', {
        args: [],
        workflowId: `${run.taskQueue}/empty-${i}`,
        taskQueue: run.taskQueue,
      }),
  );
  await waitUntil(
    () => countOnQueue(run.client, 'benchEmptyWorkflow', run.taskQueue),
    (c) => c >= n,
    600_000 + n * 200,
    `${n} empty workflows completed`,
    500,
  );
  let last = 0;
  const query = `WorkflowType = 'benchEmptyWorkflow' AND TaskQueue = '${run.taskQueue}'`;
  for await (const w of run.client.workflow.list({ query })) last = Math.max(last, w.closeTime?.getTime() ?? 0);
  const seconds = (last - t0) / 1000;
  return { workflows: n, seconds: round(seconds, 3), perSecond: round(n / seconds, 1) };
}
