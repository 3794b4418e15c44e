import { spawn } from 'node:child_process';
import { join } from 'node:path';
import PgBoss from 'pg-boss';
import { SmtpSink } from '../../src/stack/smtp-sink';
import type { BenchContext } from '../lib/context';
import { burstInputs, phaseDeliverables, shapeFor, syntheticCalendar, syntheticRegistry } from '../lib/fixtures';
import type { PeerJob } from '../lib/pgboss-peer-main';
import { stopChild, track } from '../lib/processes';
import { BenchOptions, BenchResult, Figure, scaled } from '../lib/results';
import { interleaved, median, percentile, round, sleepMs, waitUntil } from '../lib/stats';

const TSX_CJS = require.resolve('tsx/cjs');
const PEER_MAIN = join(__dirname, '..', 'lib', 'pgboss-peer-main.ts');

/** The peer as issue 16 describes it: 4 local workers, each fetching 100 jobs at a time. */
/** The burst's issue size (burst.ts's BURST_FULL; not imported: burst.ts imports this module). */
const BURST_FULL = 3_000;
export const PEER_WORKERS = 4;
export const PEER_BATCH = 100;
/** pg-boss's own minimum polling interval (its default is 2 s): the peer tuned for latency. */
export const PEER_FAST_POLLING_SECONDS = 0.5;

export interface PeerConfig {
  workers: number;
  batchSize: number;
  /** pg-boss's default (2 s) when unset. */
  pollingSeconds?: number;
}

export interface PeerOutcome {
  reminders: number;
  /** Lead between inserting the jobs and their common due instant. */
  insertSeconds: number;
  insertOverran: boolean;
  dueAt: string;
  /** Last mail accepted by the SMTP server minus the due instant. */
  drainSeconds: number;
  perSecond: number;
  p50LatenessSeconds: number;
  p99LatenessSeconds: number;
  received: number;
  duplicates: number;
  lost: number;
  audited: number;
  /** p50 / p99 of a job's fetch by a worker (pg-boss's started_on) minus its startAfter, s. */
  fetchedLatenessSeconds: string;
  /** p50 / p99 of a job's completion (mail sent and audited) minus its startAfter, s. */
  completedLatenessSeconds: string;
}

/**
 * One burst through the pg-boss peer: a fresh database and SMTP sink, the peer's worker process,
 * N delayed jobs (startAfter the due instant) inserted ahead of it; waits until every mail is at
 * the SMTP server and audited. Lateness is the SMTP server's acceptance minus the due instant.
 */
export async function peerBurst(
  ctx: BenchContext,
  jobs: Omit<PeerJob, 'messageId'>[],
  config: PeerConfig,
  label: string,
): Promise<PeerOutcome> {
  const db = await ctx.freshDatabase(`peer_${label}`);
  const sink = await new SmtpSink().start();
  const queue = 'deadline-reminders';
  const child = track(
    spawn(process.execPath, ['--require', TSX_CJS, PEER_MAIN], {
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        BENCH_DATABASE_URL: db.url,
        BENCH_SMTP_URL: sink.url,
        BENCH_PEER_QUEUE: queue,
        BENCH_PEER_WORKERS: String(config.workers),
        BENCH_PEER_BATCH: String(config.batchSize),
        ...(config.pollingSeconds !== undefined && { BENCH_PEER_POLLING_SECONDS: String(config.pollingSeconds) }),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
  let err = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    err = (err + chunk.toString()).slice(-20_000);
  });
  const sender = new PgBoss({ connectionString: db.url, supervise: false, schedule: false, migrate: false });
  let senderStarted = false;
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`pg-boss peer not ready in 120 s:\n${err}`)), 120_000);
      let out = '';
      child.stdout!.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes('pgboss peer ready')) {
          clearTimeout(timer);
          child.off('exit', early);
          resolve();
        }
      });
      const early = (code: number | null, signal: string | null): void => {
        clearTimeout(timer);
        reject(new Error(`pg-boss peer exited (${code ?? signal}) before it was ready:\n${err}`));
      };
      child.once('exit', early);
    });
    sender.on('error', (error) => ctx.log(`  pg-boss sender: ${error.message}`));
    await sender.start();
    senderStarted = true;
    // Inserting 3,000 jobs takes well under a second here; the lead leaves room on a busy machine.
    const dueAt = Date.now() + 5_000 + jobs.length * 2;
    const t0 = Date.now();
    const messageIds = jobs.map((_, i) => `<peer-${label}-${i}@bench.example>`);
    const startAfter = new Date(dueAt).toISOString();
    for (let i = 0; i < jobs.length; i += 1_000) {
      await sender.insert(
        jobs.slice(i, i + 1_000).map((data, j) => ({
          name: queue,
          data: { ...data, messageId: messageIds[i + j]! } satisfies PeerJob,
          startAfter,
        })),
      );
    }
    const insertSeconds = (Date.now() - t0) / 1000;
    const insertOverran = Date.now() > dueAt;
    const audited = async (): Promise<number> =>
      Number((await db.pool.query<{ n: string }>(`SELECT count(*) AS n FROM peer_audit`)).rows[0]!.n);
    await waitUntil(
      async () => ({ received: sink.received.length, audited: await audited() }),
      (c) => c.received >= jobs.length && c.audited >= jobs.length,
      Math.max(0, dueAt - Date.now()) + 900_000,
      `${jobs.length} peer mails received and audited`,
    );
    // A moment for a late duplicate (a job fetched twice) to show up at the server.
    await sleepMs(1_000);
    const firstAccepted = new Map<string, number>();
    for (const mail of sink.received) {
      const id = mail.parsed.messageId ?? '';
      const at = mail.receivedAt.getTime();
      if (!firstAccepted.has(id) || firstAccepted.get(id)! > at) firstAccepted.set(id, at);
    }
    const expected = messageIds.filter((id) => firstAccepted.has(id));
    const lateness = expected.map((id) => firstAccepted.get(id)! - dueAt);
    const drain = Math.max(...lateness) / 1000;
    // Where the lateness goes: fetched by a worker (started_on) vs completed (after send and audit).
    const stages = (
      await db.pool.query<{ started: number[]; completed: number[] }>(
        `SELECT array_agg(extract(epoch FROM started_on - start_after) * 1000) AS started,
                array_agg(extract(epoch FROM completed_on - start_after) * 1000) AS completed
         FROM pgboss.job WHERE name = $1`,
        [queue],
      )
    ).rows[0]!;
    const p50p99 = (ms: number[] | null) =>
      `${round(percentile((ms ?? []).map(Number), 50) / 1000, 3)} / ${round(percentile((ms ?? []).map(Number), 99) / 1000, 3)}`;
    return {
      reminders: jobs.length,
      insertSeconds: round(insertSeconds, 2),
      insertOverran,
      dueAt: new Date(dueAt).toISOString(),
      drainSeconds: round(drain, 3),
      perSecond: round(jobs.length / Math.max(drain, 0.001), 1),
      p50LatenessSeconds: round(percentile(lateness, 50) / 1000, 3),
      p99LatenessSeconds: round(percentile(lateness, 99) / 1000, 3),
      received: sink.received.length,
      duplicates: sink.received.length - firstAccepted.size,
      lost: jobs.length - expected.length,
      audited: await audited(),
      fetchedLatenessSeconds: p50p99(stages.started),
      completedLatenessSeconds: p50p99(stages.completed),
    };
  } finally {
    if (senderStarted) await sender.stop({ graceful: false, wait: true }).catch(() => undefined);
    await stopChild(child, 15_000);
    await sink.stop();
    await db.drop();
  }
}

/** The peer's jobs for the burst's deliverable inputs: the same recipients, boards, phases and deadline. */
export function peerJobs(inputs: ReturnType<typeof burstInputs>): Omit<PeerJob, 'messageId'>[] {
  return inputs.map((d) => ({
    to: `registrator.${d.spec.board.id}@bench.example`,
    boardName: d.spec.board.name,
    phaseName: d.spec.phase.name,
    budgetYear: d.budgetYear,
    deadlineAt: d.plan.deadlineAt,
  }));
}

/** The burst's N reminders as the peer's jobs (the same fixtures as the burst benchmark). */
export async function burstPeerJobs(n: number): Promise<Omit<PeerJob, 'messageId'>[]> {
  const shape = shapeFor(n);
  const registry = syntheticRegistry(shape.boards);
  const deliverables = await phaseDeliverables(syntheticCalendar(shape.phases, Date.now()), registry);
  return peerJobs(burstInputs(deliverables, Date.now() + 60_000, new Date().getFullYear() + 1));
}

type Variant = 'default' | 'fast';

/**
 * (issue 16) The peer to beat, on its own: the deadline-day burst's N reminders as pg-boss delayed
 * jobs, drained by 4 local workers fetching 100 at a time, with pg-boss's default polling (2 s,
 * the peer as the issue measured it) and with its minimum (0.5 s), interleaved.
 */
export async function burstPeer(ctx: BenchContext, options: BenchOptions, full = BURST_FULL): Promise<BenchResult> {
  const wall = Date.now();
  const jobs = await burstPeerJobs(scaled(full, options.scale, 10));
  const runs: Record<string, unknown>[] = [];
  for (const { rep, variant } of interleaved<Variant>(['default', 'fast'], options.reps)) {
    const outcome = await peerBurst(
      ctx,
      jobs,
      {
        workers: PEER_WORKERS,
        batchSize: PEER_BATCH,
        ...(variant === 'fast' && { pollingSeconds: PEER_FAST_POLLING_SECONDS }),
      },
      `${variant}${rep}`,
    );
    runs.push({ rep, variant, ...outcome });
    ctx.log(`  burst-peer rep ${rep + 1} ${variant}: ${JSON.stringify(runs[runs.length - 1])}`);
  }
  const pick = (v: Variant, key: keyof PeerOutcome) =>
    median(runs.filter((r) => r.variant === v).map((r) => r[key] as number));
  const sum = (key: 'duplicates' | 'lost') => runs.reduce((s, r) => s + (r[key] as number), 0);
  const figures: Figure[] = [];
  for (const [v, label] of [
    ['default', 'pg-boss peer (default polling, 2 s)'],
    ['fast', `pg-boss peer (polling ${PEER_FAST_POLLING_SECONDS} s, its minimum)`],
  ] as const) {
    figures.push(
      { name: `${label}: drain time (due → last mail accepted by SMTP)`, value: pick(v, 'drainSeconds'), unit: 's' },
      { name: `${label}: mails/s`, value: pick(v, 'perSecond'), unit: '/s' },
      {
        name: `${label}: p50 / p99 lateness`,
        value: `${pick(v, 'p50LatenessSeconds')} / ${pick(v, 'p99LatenessSeconds')}`,
        unit: 's',
      },
    );
  }
  figures.push(
    { name: 'duplicate mails (all runs, by Message-ID at the SMTP server)', value: sum('duplicates') },
    { name: 'lost mails (all runs)', value: sum('lost') },
  );
  return {
    id: 'burst-peer',
    title: 'Deadline-day burst through the pg-boss peer (issue 16)',
    mode: 'none',
    size: {
      reminders: jobs.length,
      'issue size': full,
      scale: options.scale,
      reps: options.reps,
      workers: PEER_WORKERS,
      'batch size': PEER_BATCH,
    },
    figures,
    runs,
    notes: [
      `pg-boss (version under Machine) in its own process: ${PEER_WORKERS} local workers (one work() call each; pg-boss 10 has no teamSize), batchSize ${PEER_BATCH}; each job renders the reminder mail (renderNotificationMail), sends it through the product's pooled nodemailer transport (createSmtpMailer, 5 connections) and does one audit INSERT (table peer_audit, a pool of 10); a batch's jobs run together.`,
      'A pg-boss worker waits out its polling interval after every fetch, even a full one, so with the default 2 s polling 4 workers × 100 jobs bound the peer at about 200 jobs/s; at its 0.5 s minimum the bound is 800/s and the SMTP transport limits instead.',
      'Jobs are inserted (boss.insert, 1,000 a call) with startAfter the due instant, a few seconds ahead; lateness = SMTP acceptance at the loopback server (in the benchmark process) − due instant. The same durable PostgreSQL cluster as every benchmark, a fresh database per run.',
    ],
    wallSeconds: round((Date.now() - wall) / 1000, 1),
  };
}
