import type { BenchContext } from '../lib/context';
import { BenchOptions, BenchResult, Figure, goal, scaled } from '../lib/results';
import { BurstShape, planBurst, spread } from '../lib/seeded-burst';
import { seededBurst } from '../lib/seeded-burst-run';
import { cycleFixtures, cycleStartRate, emptyStartRate } from '../lib/store-start-rate';
import { BenchServer, startBenchServer, startStoreRun, StoreRun } from '../lib/store-stack';
import { interleaved, median, round } from '../lib/stats';
import { BURST_FULL } from './burst';

/** Workflows per start-rate run: what fits the budget beside the bursts (about 15–30 s a run here). */
export const COMPARE_STARTS = 100;
/** Boards per municipality in the worker-scaling burst (the national burst's ~41, rounded). */
const SCALING_BOARDS_PER_MUNICIPALITY = 40;

type Store = 'cluster' | 'file';
type Step = { kind: 'cycle' | 'empty' | 'burst'; store: Store } | { kind: 'scaling'; store: 'cluster'; workers: 1 | 2 };

const STORE_NAMES: Record<Store, string> = { cluster: 'cluster', file: 'dev server' };

/**
 * (issue 16) The cluster stack against the dev server, each one server for the benchmark's
 * runs (every run on a task queue and a database of its own): the start rate (a cycle starting
 * its deliverables, and empty workflows started by a client), the deadline-day burst of 3,000
 * reminders (one city, one dispatcher), and worker scaling on the cluster: a 3,000-reminder
 * burst over 75 municipalities' dispatchers drained by one worker process, then by two.
 */
export async function clusterCompare(ctx: BenchContext, options: BenchOptions): Promise<BenchResult> {
  const wall = Date.now();
  const starts = scaled(COMPARE_STARTS, options.scale, 10);
  const reminders = scaled(BURST_FULL, options.scale, 10);
  const cityShape = (prefix: string): BurstShape => ({ boards: [Math.ceil(reminders / 10)], phases: 10, prefix });
  const scalingShape = (prefix: string): BurstShape => ({
    boards: spread(reminders, Math.max(1, Math.round(reminders / SCALING_BOARDS_PER_MUNICIPALITY))),
    phases: 1,
    prefix,
  });
  const steps: Step[] = [];
  for (const { variant } of interleaved<Store>(['cluster', 'file'], options.reps)) {
    steps.push({ kind: 'cycle', store: variant }, { kind: 'empty', store: variant }, { kind: 'burst', store: variant });
  }
  for (const { variant } of interleaved<1 | 2>([1, 2], options.reps)) {
    steps.push({ kind: 'scaling', store: 'cluster', workers: variant });
  }

  const servers = new Map<Store, BenchServer>();
  const runs: Record<string, unknown>[] = [];
  try {
    for (const store of ['cluster', 'file'] as const) servers.set(store, await startBenchServer(ctx, store, 'compare'));
    for (const [index, step] of steps.entries()) {
      const server = servers.get(step.store)!;
      const municipality = `jmf-${index + 1}`;
      const fixtures = step.kind === 'cycle' ? cycleFixtures(starts, municipality) : undefined;
      const run: StoreRun = await startStoreRun(ctx, server, `compare-${step.kind}`, {
        workers: step.kind === 'scaling' ? step.workers : 1,
        ...(fixtures && { registry: fixtures.registry }),
      });
      try {
        let outcome: Record<string, unknown>;
        if (step.kind === 'cycle') outcome = { ...(await cycleStartRate(run, fixtures!)) };
        else if (step.kind === 'empty') outcome = { ...(await emptyStartRate(run, starts)) };
        else {
          const shape = step.kind === 'burst' ? cityShape(municipality) : scalingShape(municipality);
          const burst = await seededBurst(run, await planBurst(shape));
          outcome = { ...burst, dueAt: new Date(burst.dueAt).toISOString() };
        }
        runs.push({ ...step, ...outcome });
        ctx.log(`  cluster-compare ${index + 1}/${steps.length}: ${JSON.stringify(runs[runs.length - 1])}`);
      } finally {
        await run.close();
      }
    }
  } finally {
    for (const server of servers.values()) await server.stop();
  }

  const value = (kind: Step['kind'], key: string, filter: (r: Record<string, unknown>) => boolean = () => true) =>
    median(runs.filter((r) => r.kind === kind && filter(r)).map((r) => r[key] as number));
  const on = (store: Store) => (r: Record<string, unknown>) => r.store === store;
  const withWorkers = (n: number) => (r: Record<string, unknown>) => r.workers === n;
  const figures: Figure[] = [
    {
      name: 'server start (cluster: schemas applied to fresh databases, then the four services) / dev server start',
      value: `${round(servers.get('cluster')!.startSeconds, 1)} / ${round(servers.get('file')!.startSeconds, 1)}`,
      unit: 's',
    },
  ];
  for (const [kind, label] of [
    ['cycle', `start rate, cycle → ${starts} deliverable children (each recorded in PostgreSQL)`],
    ['empty', `start rate, ${starts} empty workflows started by a client (start → last close)`],
  ] as const) {
    const cluster = value(kind, 'perSecond', on('cluster'));
    const dev = value(kind, 'perSecond', on('file'));
    figures.push(
      { name: `${label}: cluster / dev server`, value: `${cluster} / ${dev}`, unit: '/s' },
      { name: `${label}: ratio cluster / dev server`, value: round(cluster / dev, 3) },
    );
  }
  const drainCluster = value('burst', 'drainSeconds', on('cluster'));
  const drainDev = value('burst', 'drainSeconds', on('file'));
  figures.push(
    {
      name: `burst, ${reminders} reminders due at one instant, one city, one dispatcher: drain cluster / dev server`,
      value: `${drainCluster} / ${drainDev}`,
      unit: 's',
    },
    {
      name: 'burst: ratio drain time cluster / dev server (below 1: the cluster drains faster)',
      value: round(drainCluster / drainDev, 3),
    },
  );
  const drain1 = value('scaling', 'drainSeconds', withWorkers(1));
  const drain2 = value('scaling', 'drainSeconds', withWorkers(2));
  const dispatchers = scalingShape('x').boards.length;
  figures.push(
    {
      name: `worker scaling on the cluster, ${reminders} reminders over ${dispatchers} municipalities' dispatchers: drain with 1 / 2 worker processes`,
      value: `${drain1} / ${drain2}`,
      unit: 's',
    },
    {
      name: 'worker scaling: speed-up from a second worker process (drain 1 worker / drain 2 workers)',
      value: round(drain1 / drain2, 3),
    },
  );
  const lost = runs.reduce(
    (s, r) => s + ((r.lost as number | undefined) ?? 0) + ((r.lostInSendLog as number | undefined) ?? 0),
    0,
  );
  const duplicates = runs.reduce(
    (s, r) => s + ((r.duplicates as number | undefined) ?? 0) + ((r.unexpected as number | undefined) ?? 0),
    0,
  );
  figures.push(
    goal(
      'lost reminders, every burst (by Message-ID at the SMTP sink and in the send log)',
      lost,
      '',
      '= 0',
      lost === 0,
    ),
    goal('duplicate or unexpected mails, every burst', duplicates, '', '= 0', duplicates === 0),
  );
  for (const store of ['cluster', 'file'] as const) {
    const cpu = runs.find((r) => r.kind === 'burst' && r.store === store)?.cpu as Record<string, number> | undefined;
    if (cpu)
      figures.push({
        name: `burst on the ${STORE_NAMES[store]}: CPU s during the drain, worker / Temporal server / PostgreSQL / SMTP sink + client`,
        value: `${cpu.worker} / ${cpu.temporalServer} / ${cpu.postgres} / ${cpu.benchProcess}`,
      });
  }
  return {
    id: 'cluster-compare',
    title: 'Cluster stack against the dev server: start rate, burst, worker scaling',
    size: {
      'start-rate workflows': starts,
      'burst reminders': reminders,
      'issue size': BURST_FULL,
      scale: options.scale,
      reps: options.reps,
    },
    figures,
    runs,
    notes: [
      'One server of each kind for the whole benchmark, every run on its own task queue, its own Årshjul database (a copy of the migrated template) and its own loopback SMTP sink; the runs alternate between the stores. The cluster: Temporal server v1.29.1 (the version the dev server embeds), four services in one process, 4 history shards, its history and visibility databases on the benchmark\u2019s durable PostgreSQL (fsync and synchronous commit on), the same cluster as Årshjul\u2019s database. The dev server: the Temporal CLI with SQLite in WAL mode, synchronous=normal (a commit is not flushed to disk).',
      `Start rate: the cycle path as in \`start-rate\` (10 phases opening at once, ${starts} deliverables, until the last child's 'deliverable-started' row) and ${starts} empty workflows started by one client (32 in flight, until the last close by visibility).`,
      `Bursts are seeded, not started (as \`national-burst\`; bench/lib/seeded-burst.ts): each deliverable's first event and its reminder are written with the functions the deliverable workflow's recordEvent activity calls, then real reminderDispatchWorkflow instances wake at the instant and send through the real activity and send log. The city burst: one municipality of ${Math.ceil(reminders / 10)} boards × 10 phases, one dispatcher (as \`burst\`). Worker scaling: ${dispatchers} municipalities of ~${SCALING_BOARDS_PER_MUNICIPALITY} boards, one dispatcher each, on the cluster with one worker process and then two (each: pool of 10, 20 concurrent activities, SMTP pool of 5), so the dispatchers\u2019 activities can spread over both.`,
    ],
    wallSeconds: round((Date.now() - wall) / 1000, 1),
  };
}
