import type { BenchContext } from '../lib/context';
import { cpuDelta, cpuSnapshotOf, reapedChildrenCpuSeconds } from '../lib/profile';
import { BenchOptions, BenchResult, Figure, goal, scaled } from '../lib/results';
import { SeededBurstOutcome, seededBurst } from '../lib/seeded-burst-run';
import { dueAtInstant, planBurst, spread } from '../lib/seeded-burst';
import { startBenchServer, startStoreRun, Store } from '../lib/store-stack';
import { interleaved, median, round } from '../lib/stats';
import { PEER_BATCH, PEER_WORKERS, PeerOutcome, peerBurst, peerJobs } from './pgboss-peer';

export const NATIONAL_REMINDERS = 12_000;
export const NATIONAL_MUNICIPALITIES = 290;

type Variant = Store | 'peer';
const STORES: Record<'cluster' | 'file', string> = {
  cluster: 'cluster stack (Temporal server on PostgreSQL)',
  file: 'dev server (SQLite file)',
};

/**
 * (issue 16) A national burst: 12,000 reminders due at one instant, 290 municipalities of ~41
 * boards each, one reminder dispatcher per municipality (as production runs it: one cycle per
 * municipality, each cycle its own dispatcher), on the cluster stack and on the dev server,
 * against the pg-boss peer draining the same 12,000 reminders in the same run. The deliverables
 * are seeded in PostgreSQL rather than started (seeded-burst.ts says why); the dispatchers, their
 * activity, the send log and SMTP are the real ones.
 */
export async function nationalBurst(ctx: BenchContext, options: BenchOptions): Promise<BenchResult> {
  const wall = Date.now();
  const reminders = scaled(NATIONAL_REMINDERS, options.scale, 10);
  const municipalities = Math.min(reminders, scaled(NATIONAL_MUNICIPALITIES, options.scale));
  // Planned once (the due instant is set per run): 290 municipalities' registries and plans.
  const planned = await planBurst({ boards: spread(reminders, municipalities), phases: 1 });
  // The peer's jobs: the same municipalities' reminders (recipients, boards, phase, deadline).
  const budgetYear = new Date().getFullYear() + 1;
  const jobs = peerJobs(dueAtInstant(planned, Date.now() + 60_000, budgetYear).flatMap((m) => m.inputs));
  const runs: Record<string, unknown>[] = [];
  for (const { rep, variant } of interleaved<Variant>(['cluster', 'peer', 'file'], options.reps)) {
    if (variant === 'peer') {
      // The peer's process is gone when peerBurst returns: its CPU is counted once reaped.
      const before = { ...cpuSnapshotOf(ctx, { workers: [], server: 0 }), worker: reapedChildrenCpuSeconds() };
      const outcome = await peerBurst(ctx, jobs, { workers: PEER_WORKERS, batchSize: PEER_BATCH }, `national${rep}`);
      const after = { ...cpuSnapshotOf(ctx, { workers: [], server: 0 }), worker: reapedChildrenCpuSeconds() };
      const { worker, benchProcess } = cpuDelta(before, after);
      runs.push({ rep, variant, ...outcome, cpu: { worker, benchProcess } });
    } else {
      const server = await startBenchServer(ctx, variant, 'national');
      try {
        const run = await startStoreRun(ctx, server, 'national');
        try {
          const outcome = await seededBurst(run, planned);
          runs.push({
            rep,
            variant,
            serverStartSeconds: round(server.startSeconds, 1),
            ...outcome,
            dueAt: new Date(outcome.dueAt).toISOString(),
          });
        } finally {
          await run.close();
        }
      } finally {
        await server.stop();
      }
    }
    ctx.log(`  national-burst rep ${rep + 1} ${variant}: ${JSON.stringify(runs[runs.length - 1])}`);
  }

  const of = (v: Variant) => runs.filter((r) => r.variant === v);
  const pick = (v: Variant, key: keyof SeededBurstOutcome | keyof PeerOutcome) =>
    median(of(v).map((r) => r[key] as number));
  const sum = (v: Variant, key: string) => of(v).reduce((s, r) => s + ((r[key] as number | undefined) ?? 0), 0);
  const drainPeer = pick('peer', 'drainSeconds');
  /** CPU ms per reminder by process, from the last run of a variant (the peer has no Temporal server). */
  const cpuPerReminder = (v: Variant): string => {
    const cpu = of(v).at(-1)?.cpu as Record<string, number> | undefined;
    if (!cpu) return '';
    const ms = (key: string) => round((cpu[key]! * 1000) / reminders, 2);
    // The peer's PostgreSQL connections close with it, and a closed backend's CPU is gone from /proc.
    const parts =
      v === 'peer'
        ? [ms('worker'), ms('benchProcess')]
        : [ms('worker'), ms('temporalServer'), ms('postgres'), ms('benchProcess')];
    return parts.join(' / ');
  };
  const figures: Figure[] = [
    { name: 'pg-boss peer drain time (due → last mail accepted by SMTP)', value: drainPeer, unit: 's' },
    { name: 'pg-boss peer mails/s', value: pick('peer', 'perSecond'), unit: '/s' },
    { name: 'pg-boss peer p99 lateness', value: pick('peer', 'p99LatenessSeconds'), unit: 's' },
    { name: 'pg-boss peer lost / duplicate mails', value: `${sum('peer', 'lost')} / ${sum('peer', 'duplicates')}` },
  ];
  for (const store of ['cluster', 'file'] as const) {
    const label = STORES[store];
    const drain = pick(store, 'drainSeconds');
    const ratio = round(drain / drainPeer, 3);
    const lost = sum(store, 'lost') + sum(store, 'lostInSendLog');
    const duplicates = sum(store, 'duplicates') + sum(store, 'unexpected');
    figures.push(
      { name: `${label}: Årshjul drain time (due → last mail sent and committed)`, value: drain, unit: 's' },
      { name: `${label}: Årshjul reminders/s`, value: pick(store, 'perSecond'), unit: '/s' },
      {
        name: `${label}: Årshjul p50 / p99 lateness (send − planned)`,
        value: `${pick(store, 'p50LatenessSeconds')} / ${pick(store, 'p99LatenessSeconds')}`,
        unit: 's',
      },
      goal(`${label}: ratio drain time Årshjul / pg-boss peer (same run)`, ratio, '', '≤ 1', ratio <= 1),
      goal(
        `${label}: lost reminders (expected Message-IDs missing at the SMTP sink or as sent in the send log)`,
        lost,
        '',
        '= 0',
        lost === 0,
      ),
      goal(`${label}: duplicate or unexpected mails at the SMTP sink`, duplicates, '', '= 0', duplicates === 0),
      {
        name: `${label}: CPU ms per reminder during the drain, worker / Temporal server / PostgreSQL / SMTP sink + client`,
        value: cpuPerReminder(store),
      },
    );
  }
  figures.push({
    name: 'pg-boss peer: CPU ms per mail over its whole run (its start and the inserts included), peer process / SMTP sink + client (its PostgreSQL not counted)',
    value: cpuPerReminder('peer'),
  });
  return {
    id: 'national-burst',
    title: 'National burst: 12,000 reminders due at one instant, 290 municipalities, cluster and dev server',
    size: {
      reminders,
      municipalities,
      'issue size': NATIONAL_REMINDERS,
      scale: options.scale,
      reps: options.reps,
    },
    figures,
    runs,
    notes: [
      `Seeded, not started: the ${reminders} deliverables are not running workflows here. Starting 12,000 deliverable workflows takes about ten minutes on this machine (the start rate is its own benchmark), so each deliverable's first event ('deliverable-started', stage open, opening two days back, deadline two days ahead) and its reminder are written to PostgreSQL with the functions the deliverable workflow's recordEvent activity calls (appendAuditEvent, which projects the read-model row, and scheduleReminders), up to 50 of one dispatcher to a transaction, each municipality's registry stored as the cycle stores it. What the burst measures is real: ${municipalities} reminderDispatchWorkflow instances (the dispatch loop every cycle runs), started once the seeding is done (seeding beside running dispatchers, each woken by signal as a deliverable wakes it, took six times as long here: both lock the dispatcher rows), each planning its wake from the database as it does when it starts or continues as new: one timer each at the instant, one dispatchDueReminders activity each sending its municipality's reminders through the send log (lease, stage check, pooled SMTP transport) to the loopback SMTP sink.`,
      `One dispatcher per municipality, as production has it: each municipality runs its own cycle, and each cycle its own dispatcher, so the national instant is ${municipalities} timers and ${municipalities} activities spread over the worker's 20 activity slots, not one activity for the country.`,
      'Nothing lost: every reminder\u2019s Message-ID is known in advance (stable per idempotency key); each must be at the SMTP sink once and in the send log as sent. Lateness = send_log.sent_at − planned instant; drain = the latest.',
      `One worker process (pool of 10, 20 concurrent activities, pooled SMTP transport of 5) on each store; the cluster: Temporal server v1.29.1, four services in one process, 4 history shards, its two databases fresh on the benchmark's durable PostgreSQL (fsync on), beside Årshjul's database. The dev server: SQLite in WAL mode, synchronous=normal.`,
      `The pg-boss peer (as in \`burst\`): the same ${jobs.length} reminders as delayed jobs, ${PEER_WORKERS} local workers × batchSize ${PEER_BATCH}, default polling (2 s), one audit INSERT per mail; it uses no Temporal server, so one peer run is the baseline of both stores.`,
    ],
    wallSeconds: round((Date.now() - wall) / 1000, 1),
  };
}
