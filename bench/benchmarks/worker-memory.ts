import { temporal } from '@temporalio/proto';
import { maxCachedWorkflowsFor } from '../../src/app/worker-process';
import type { BenchContext } from '../lib/context';
import { cpuSecondsOf } from '../lib/processes';
import { START_CONCURRENCY } from '../lib/burst';
import {
  burstInputs,
  phaseDeliverables,
  shapeFor,
  syntheticCalendar,
  syntheticRegistry,
  timersOf,
} from '../lib/fixtures';
import { BenchOptions, BenchResult, scaled } from '../lib/results';
import { auditCount, RunStack, startRunStack } from '../lib/stack';
import { interleaved, mapLimit, median, round, sleepMs, waitUntil } from '../lib/stats';

const FULL = 3_000;
const EventType = temporal.api.enums.v1.EventType;
const MiB = 2 ** 20;
/** "Nearly empty": the smallest cache the SDK accepts with the default task slots is 2; 10 leaves room. */
const SMALL_CACHE = 10;

type Variant = 'arshjul-cache-full' | 'arshjul-cache-small' | 'sleep-cache-full';

/**
 * (4) Worker memory: a worker process (as in production, its own process) with N open deliverable
 * workflows (sleeping to reminders weeks ahead). RSS (after a full GC) at a tenth and at all of
 * them, with a cache that holds them all and with a nearly empty cache (same work, nothing kept):
 * the difference is what a cached workflow costs. Bare Temporal's figure: sleep-only workflows
 * with the same timers in a full cache.
 */
export async function workerMemory(ctx: BenchContext, options: BenchOptions): Promise<BenchResult> {
  const wall = Date.now();
  const n = scaled(FULL, options.scale, 20);
  const shape = shapeFor(n);
  const registry = syntheticRegistry(shape.boards);
  const deliverables = await phaseDeliverables(syntheticCalendar(shape.phases, Date.now()), registry);
  const total = deliverables.length;
  const runs: Record<string, unknown>[] = [];
  const variants: Variant[] = ['arshjul-cache-full', 'arshjul-cache-small', 'sleep-cache-full'];
  for (const { rep, variant } of interleaved(variants, options.reps)) {
    const maxCached = variant === 'arshjul-cache-small' ? SMALL_CACHE : total + 100;
    const stack = await startRunStack(ctx, 'file', `memory-${variant}`, { registry, maxCached });
    try {
      const idle = await stack.worker.rss();
      // Reminders three weeks ahead: every workflow stays open, sleeping.
      const dueAt = Date.now() + 21 * 86_400_000;
      const inputs = burstInputs(deliverables, dueAt, 2030);
      const tenth = Math.max(1, Math.round(total / 10));
      const startSome = async (from: number, to: number) => {
        await mapLimit(inputs.slice(from, to), START_CONCURRENCY, (input, i) =>
          variant === 'sleep-cache-full'
            ? stack.client.workflow.start('benchSleepWorkflow', {
                args: [{ timers: timersOf(input), stayOpen: true }],
                workflowId: `sleep/${from + i}`,
                taskQueue: stack.taskQueue,
              })
            : stack.client.workflow.start('deliverableWorkflow', {
                args: [input],
                workflowId: `${input.municipality}/${input.budgetYear}/${input.plan.phaseId}/${input.plan.boardId}`,
                taskQueue: stack.taskQueue,
              }),
        );
        await settled(stack, variant, to);
      };
      await startSome(0, tenth);
      const atTenth = await stack.worker.rss();
      await startSome(tenth, total);
      const atAll = await stack.worker.rss();
      const perWorkflow = (atAll.rss - atTenth.rss) / (total - tenth);
      runs.push({
        rep,
        variant,
        workflows: total,
        maxCached,
        idleMiB: round(idle.rss / MiB, 1),
        atTenthMiB: round(atTenth.rss / MiB, 1),
        atAllMiB: round(atAll.rss / MiB, 1),
        vmRssAtAllMiB: round(atAll.vmRss / MiB, 1),
        heapUsedAtAllMiB: round(atAll.heapUsed / MiB, 1),
        workflowHeapAtTenthMiB: round(atTenth.workflowThreadHeapUsed / MiB, 1),
        workflowHeapAtAllMiB: round(atAll.workflowThreadHeapUsed / MiB, 1),
        workflowHeapPerWorkflowKiB: round(
          (atAll.workflowThreadHeapUsed - atTenth.workflowThreadHeapUsed) / 1024 / (total - tenth),
          1,
        ),
        perWorkflowKiB: round(perWorkflow / 1024, 1),
      });
      ctx.log(`  memory rep ${rep + 1} ${variant}: ${JSON.stringify(runs[runs.length - 1])}`);
    } finally {
      await stack.close();
    }
  }
  const pick = (v: Variant, key: string) => median(runs.filter((r) => r.variant === v).map((r) => r[key] as number));
  const fullAll = pick('arshjul-cache-full', 'atAllMiB');
  const smallAll = pick('arshjul-cache-small', 'atAllMiB');
  const sleepAll = pick('sleep-cache-full', 'atAllMiB');
  const perCachedOurs = round(((fullAll - smallAll) * 1024) / total, 1);
  const perCachedSleep = round(((sleepAll - pick('sleep-cache-full', 'idleMiB')) * 1024) / total, 1);
  const scaledTo3000 = round(
    pick('arshjul-cache-full', 'idleMiB') + ((fullAll - pick('arshjul-cache-full', 'idleMiB')) * 3000) / total,
    0,
  );
  return {
    id: 'worker-memory',
    title: 'Worker memory: open deliverable workflows',
    mode: 'file',
    size: { openWorkflows: total, 'issue size': FULL, scale: options.scale, reps: options.reps },
    figures: [
      {
        name: 'RSS per cached deliverable workflow, cache full (slope from ⅒ to all)',
        value: pick('arshjul-cache-full', 'perWorkflowKiB'),
        unit: 'KiB',
      },
      {
        name: 'RSS per workflow, cache nearly empty (slope, nothing cached)',
        value: pick('arshjul-cache-small', 'perWorkflowKiB'),
        unit: 'KiB',
      },
      { name: 'RSS per cached deliverable workflow ((full − nearly empty) / N)', value: perCachedOurs, unit: 'KiB' },
      { name: 'baseline: RSS per cached sleep-only workflow ((all − idle) / N)', value: perCachedSleep, unit: 'KiB' },
      { name: 'ratio per cached workflow Årshjul / sleep-only', value: round(perCachedOurs / perCachedSleep, 2) },
      { name: `worker RSS with ${total} open workflows, all cached`, value: fullAll, unit: 'MiB' },
      { name: `worker RSS with ${total} open workflows, cache of ${SMALL_CACHE}`, value: smallAll, unit: 'MiB' },
      {
        name: `baseline: worker RSS with ${total} open sleep-only workflows, all cached`,
        value: sleepAll,
        unit: 'MiB',
      },
      {
        name: 'cache that fits a 1 GiB worker by these figures ((1,024 MiB − RSS with the cache nearly empty) / per cached workflow)',
        value: Math.floor(((1024 - smallAll) * 1024) / perCachedOurs),
      },
      {
        name: 'worker RSS with 3,000 open workflows, all cached (extrapolated linearly when scaled; why the cache is bounded)',
        value: scaledTo3000,
        unit: 'MiB',
      },
    ],
    runs,
    notes: [
      "RSS is process.memoryUsage().rss right after global.gc() in the worker process (started with --expose-gc); vmRss is the kernel's VmRSS of the same process at that moment. The worker runs the production composition (one pool, one SMTP transport, createArshjulWorker) except maxCachedWorkflows.",
      `These figures size the production cache (maxCachedWorkflowsFor in src/app/worker-process.ts: (WORKER_MEMORY_MIB − 300) / 0.85 MiB, ${maxCachedWorkflowsFor()} for 1 GiB). The goal itself — worker RSS ≤ 1 GiB with 3,000 open deliverables, the burst goals met at that setting — is measured by the burst benchmark at full size.`,
    ],
    wallSeconds: round((Date.now() - wall) / 1000, 1),
  };
}

/**
 * Every started workflow has run its first task: for ours, each recorded its start in PostgreSQL;
 * for the baseline, the last one started has completed its first workflow task. Then the worker
 * must be quiet (under 20 ms of CPU in each of four half-seconds) before RSS is read.
 */
async function settled(stack: RunStack, variant: Variant, count: number): Promise<void> {
  if (variant === 'sleep-cache-full') {
    await waitUntil(
      async () => {
        const history = await stack.client.workflow.getHandle(`sleep/${count - 1}`).fetchHistory();
        return (history.events ?? []).some((e) => e.eventType === EventType.EVENT_TYPE_TIMER_STARTED);
      },
      (started) => started,
      600_000,
      'the last sleep workflow to start its timer',
      500,
    );
  } else {
    await waitUntil(
      () => auditCount(stack.db, 'deliverable-started'),
      (c) => c.n >= count,
      600_000 + count * 500,
      'deliverables started',
    );
  }
  let quiet = 0;
  let last = cpuSecondsOf(stack.worker.pid);
  for (let i = 0; i < 240 && quiet < 4; i++) {
    await sleepMs(500);
    const now = cpuSecondsOf(stack.worker.pid);
    quiet = now - last < 0.02 ? quiet + 1 : 0;
    last = now;
  }
}
