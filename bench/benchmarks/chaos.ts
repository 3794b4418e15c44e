import type { BenchContext } from '../lib/context';
import { drainBurst, startBurst } from '../lib/burst';
import { phaseDeliverables, shapeFor, syntheticCalendar, syntheticRegistry } from '../lib/fixtures';
import { BenchOptions, BenchResult, Figure, goal, scaled } from '../lib/results';
import { RunStack, startRunStack } from '../lib/stack';
import { interleaved, median, round, seededRandom, sleepMs, waitUntil } from '../lib/stats';
import { BURST_FULL, leadFor } from './burst';

const KILLS = 5;

type Variant = 'faults' | 'no-faults';

interface Fault {
  kind: 'worker SIGKILL' | 'dev server SIGKILL + restart';
  at: number;
  /** The fault's end: the worker process ready again, or the server listening again. */
  backAt: number;
  /** Reminders already sent when the fault came (fewer than the burst: it hit the burst). */
  sentBefore: number;
}

/**
 * (7) Chaos: the burst of (2) on the file-backed dev server while the worker process is killed
 * with SIGKILL five times at random moments (each time restarted at once) and the dev server is
 * killed and restarted once on the same SQLite file. Counts workflows lost, mails lost and sent
 * twice, and how long the burst stalls after each fault. Baseline: the same burst without faults.
 */
export async function chaos(ctx: BenchContext, options: BenchOptions, full = BURST_FULL): Promise<BenchResult> {
  const wall = Date.now();
  const n = scaled(full, options.scale, 10);
  const shape = shapeFor(n);
  const registry = syntheticRegistry(shape.boards);
  const deliverables = await phaseDeliverables(syntheticCalendar(shape.phases, Date.now()), registry);
  const total = deliverables.length;
  const budgetYear = new Date().getFullYear() + 1;
  const random = seededRandom(options.seed);
  const runs: Record<string, unknown>[] = [];
  let setupMs: number | undefined;
  for (const { rep, variant } of interleaved<Variant>(['no-faults', 'faults'], options.reps)) {
    const stack = await startRunStack(ctx, 'file', `chaos-${variant}`, { registry });
    try {
      const dueAt = Date.now() + leadFor(total, setupMs);
      const started = await startBurst(stack, deliverables, dueAt, budgetYear);
      setupMs = Math.max(setupMs ?? 0, started.setupMs);
      await sleepMs(dueAt - Date.now());
      const faults: Fault[] = [];
      let chaosDone: Promise<void> = Promise.resolve();
      if (variant === 'faults') {
        // Each fault comes a random 0.2–1.5 s after the worker is back from the one before (the
        // first: 0–1 s after the due instant), so the faults fall while the burst is being sent.
        const delays = Array.from({ length: KILLS }, (_, i) => (i === 0 ? random() * 1_000 : 200 + random() * 1_300));
        const serverAfter = Math.floor(random() * KILLS); // the server restart comes after this kill
        const serverDelay = 200 + random() * 1_300;
        chaosDone = runFaults(stack, dueAt, delays, serverAfter, serverDelay, faults);
      }
      const outcome = await drainBurst(stack, total, dueAt, started.setupMs).catch((error: Error) => error);
      await chaosDone;
      const counts = await countOutcome(stack, total);
      const lateness = outcome instanceof Error ? undefined : outcome;
      const recovery = recoveryTimes(stack, faults);
      // A duplicate is expected only from the window we cannot close: the relay accepted the mail
      // and the worker died before COMMIT. Then its first copy arrived before a kill, the second after.
      const copies = new Map<string, number[]>();
      for (const m of stack.sink.received) {
        const id = m.parsed.messageId ?? '';
        copies.set(id, [...(copies.get(id) ?? []), m.receivedAt.getTime()]);
      }
      const duplicated = [...copies.values()].filter((times) => times.length > 1);
      const inCrashWindow = duplicated.filter((times) =>
        faults.some((f) => f.kind === 'worker SIGKILL' && Math.min(...times) <= f.at && Math.max(...times) > f.at),
      ).length;
      runs.push({
        rep,
        variant,
        workflows: total,
        ...counts,
        drainSeconds: lateness?.drainSeconds ?? 'did not drain',
        p99LatenessSeconds: lateness?.p99LatenessSeconds,
        duplicatesFromCrashWindow: inCrashWindow,
        faults: faults.length,
        medianRecoverySeconds: recovery.length ? round(median(recovery) / 1000, 2) : undefined,
        maxRecoverySeconds: recovery.length ? round(Math.max(...recovery) / 1000, 2) : undefined,
        faultsDuringBurst: faults.filter((f) => f.sentBefore < total).length,
        faultLog: faults.map((f) => ({
          kind: f.kind,
          atSeconds: round((f.at - dueAt) / 1000, 2),
          downSeconds: round((f.backAt - f.at) / 1000, 2),
          sentBefore: f.sentBefore,
        })),
        recoverySeconds: recovery.map((r) => round(r / 1000, 2)),
      });
      ctx.log(`  chaos rep ${rep + 1} ${variant}: ${JSON.stringify(runs[runs.length - 1])}`);
    } finally {
      await stack.close();
    }
  }
  const faulted = runs.filter((r) => r.variant === 'faults');
  const clean = runs.filter((r) => r.variant === 'no-faults');
  const sum = (rows: Record<string, unknown>[], key: string) => rows.reduce((s, r) => s + ((r[key] as number) ?? 0), 0);
  const lostWorkflows = sum(faulted, 'workflowsLost');
  const lostMails = sum(faulted, 'mailsLost');
  const duplicates = sum(faulted, 'duplicateMails');
  const drain = (rows: Record<string, unknown>[]) =>
    median(rows.map((r) => r.drainSeconds).filter((d): d is number => typeof d === 'number'));
  const allRecovery = faulted.flatMap((r) => r.recoverySeconds as number[]);
  const figures: Figure[] = [
    goal('workflows lost (all fault runs)', lostWorkflows, '', '0', lostWorkflows === 0),
    goal('reminders never sent (all fault runs)', lostMails, '', '0', lostMails === 0),
    goal('duplicate mails (all fault runs; same Message-ID resent)', duplicates, '', '0', duplicates === 0),
    {
      name: 'of which resends of a mail accepted just before a SIGKILL (the crash window, same Message-ID)',
      value: sum(faulted, 'duplicatesFromCrashWindow'),
    },
    { name: 'duplicate mails without faults', value: sum(clean, 'duplicateMails') },
    {
      name: 'recovery after a fault, median / max (fault → next mail accepted)',
      value: `${round(median(allRecovery), 2)} / ${round(Math.max(...allRecovery), 2)}`,
      unit: 's',
    },
    {
      name: 'faults that hit the burst (reminders still unsent) / all faults',
      value: `${sum(faulted, 'faultsDuringBurst')} / ${sum(faulted, 'faults')}`,
    },
    { name: 'drain time with faults', value: drain(faulted), unit: 's' },
    { name: 'baseline: drain time without faults', value: drain(clean), unit: 's' },
    { name: 'ratio drain without / with faults', value: round(drain(clean) / drain(faulted), 3) },
    { name: 'p99 lateness with faults', value: median(faulted.map((r) => r.p99LatenessSeconds as number)), unit: 's' },
  ];
  return {
    id: 'chaos',
    title: 'Chaos: burst with worker SIGKILLs and a dev-server restart',
    mode: 'file',
    size: {
      reminders: total,
      'issue size': full,
      scale: options.scale,
      workerKills: KILLS,
      serverRestarts: 1,
      reps: options.reps,
      seed: options.seed,
    },
    figures,
    runs,
    notes: [
      'A worker is a separate process (the production composition over a pre-built bundle); after each SIGKILL a new one starts at once. The dev server (SQLite, WAL, synchronous=normal) is killed with SIGKILL once and started again on the same file and port; the worker and the client reconnect by themselves.',
      'Lost workflows: deliverable workflows not Running afterwards (visibility). Lost mails: reminders without a mail at the SMTP server. Duplicates: mails received minus distinct Message-IDs (the send log holds one row per reminder, so a duplicate can only be a resend in the window between SMTP accept and COMMIT).',
      'Each fault comes a random 0.2–1.5 s after the worker (or server) is back from the previous one, the first 0–1 s after the due instant. Recovery: from the fault until the SMTP server next accepts a mail. An activity in flight on a killed worker is retried only after its start-to-close timeout (1 minute for sendNotification): that is the long tail of the drain with faults.',
      `Fault times come from a seeded PRNG (--seed ${options.seed}).`,
    ],
    wallSeconds: round((Date.now() - wall) / 1000, 1),
  };
}

async function runFaults(
  stack: RunStack,
  dueAt: number,
  delays: number[],
  serverAfter: number,
  serverDelay: number,
  log: Fault[],
): Promise<void> {
  const sent = async () =>
    Number(
      (await stack.db.pool.query<{ n: string }>(`SELECT count(*) AS n FROM send_log WHERE status = 'sent'`)).rows[0]!.n,
    );
  let readyAt = dueAt;
  for (const [i, delay] of delays.entries()) {
    await sleepMs(readyAt + delay - Date.now());
    const at = Date.now();
    const sentBefore = await sent();
    await stack.worker.kill();
    await stack.restartWorker();
    readyAt = Date.now();
    log.push({ kind: 'worker SIGKILL', at, backAt: readyAt, sentBefore });
    if (i === serverAfter) {
      await sleepMs(serverDelay);
      const sat = Date.now();
      const sentBeforeRestart = await sent();
      await stack.server.restart();
      readyAt = Date.now();
      log.push({ kind: 'dev server SIGKILL + restart', at: sat, backAt: readyAt, sentBefore: sentBeforeRestart });
    }
  }
}

/** After each fault: time until the SMTP server accepted the next mail (none: until the end of the burst). */
function recoveryTimes(stack: RunStack, faults: Fault[]): number[] {
  const received = stack.sink.received.map((m) => m.receivedAt.getTime()).sort((a, b) => a - b);
  return faults
    .map((f) => {
      const next = received.find((t) => t > f.backAt);
      return next === undefined ? undefined : next - f.at;
    })
    .filter((x): x is number => x !== undefined);
}

async function countOutcome(stack: RunStack, total: number) {
  const running = await waitUntil(
    async () =>
      (await stack.client.workflow.count(`WorkflowType = 'deliverableWorkflow' AND ExecutionStatus = 'Running'`)).count,
    (c) => c >= total,
    30_000,
    'deliverable workflows running',
    1_000,
  ).catch(
    async () =>
      (await stack.client.workflow.count(`WorkflowType = 'deliverableWorkflow' AND ExecutionStatus = 'Running'`)).count,
  );
  const sentRows = Number(
    (await stack.db.pool.query<{ n: string }>(`SELECT count(*) AS n FROM send_log WHERE status = 'sent'`)).rows[0]!.n,
  );
  const ids = stack.sink.received.map((m) => m.parsed.messageId);
  const distinct = new Set(ids).size;
  return {
    workflowsRunning: running,
    workflowsLost: total - running,
    sentRows,
    mailsReceived: ids.length,
    mailsLost: total - distinct,
    duplicateMails: ids.length - distinct,
  };
}
