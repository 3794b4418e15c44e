import { createWriteStream, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createActivities, SendNotificationInput } from '../../src/activities';
import { systemClock } from '../../src/activities/ports';
import { renderNotificationMail } from '../../src/activities/reminder-mail';
import { createLogger, sdkLoggerOf } from '../../src/app/log';
import { createPool } from '../../src/db/database';
import { SmtpSink } from '../../src/stack/smtp-sink';
import { ACTIVITY_CONCURRENCY, poolSizeFor } from '../../src/worker/create-worker';
import { createSmtpMailer } from '../../src/worker/mail-transport';
import type { BenchContext } from '../lib/context';
import { childPids, cpuSecondsOf } from '../lib/processes';
import { profileThisProcess, summariseProfiles, topFunctions } from '../lib/profile';
import { burstInputs, phaseDeliverables, shapeFor, syntheticCalendar, syntheticRegistry } from '../lib/fixtures';
import { BenchOptions, BenchResult, goal, scaled } from '../lib/results';
import { interleaved, mapLimit, median, round } from '../lib/stats';

const FULL = 3_000;
/** Notifications in flight, for every variant: as many as a worker runs activities at once. */
const CONCURRENCY = ACTIVITY_CONCURRENCY;
/** The outbox's pool: a worker process's (a connection per concurrent activity). */
const POOL = poolSizeFor({ worker: true, http: false });
const PG_BATCH = 500;

type Variant = 'outbox' | 'nodemailer' | 'pg-insert';

/** CPU seconds used so far by each process of the private PostgreSQL cluster (postmaster and backends). */
function postgresCpu(ctx: BenchContext): Map<number, number> {
  const postmaster = Number(readFileSync(join(ctx.pg.dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
  return new Map([postmaster, ...childPids(postmaster)].map((pid) => [pid, cpuSecondsOf(pid)]));
}

/** PostgreSQL's CPU seconds between two readings, by the processes alive at the second (a backend that exited in between is not counted). */
function postgresCpuSince(ctx: BenchContext, before: Map<number, number>): number {
  let seconds = 0;
  for (const [pid, cpu] of postgresCpu(ctx)) seconds += cpu - (before.get(pid) ?? 0);
  return seconds;
}

/**
 * (3) Notification throughput: the reminder activity (sendNotification: recipients from the
 * registry in PostgreSQL, the send log row claimed and locked, SMTP to the loopback server, marked
 * sent, audit event and read model in the same transaction), called as the worker calls it but
 * without Temporal, vs a raw pooled nodemailer loop over the same mails and a raw batched INSERT
 * of the same rows.
 */
export async function notifyThroughput(ctx: BenchContext, options: BenchOptions): Promise<BenchResult> {
  const wall = Date.now();
  const n = scaled(FULL, options.scale, 10);
  const shape = shapeFor(n);
  const registry = syntheticRegistry(shape.boards);
  const deliverables = await phaseDeliverables(syntheticCalendar(shape.phases, Date.now()), registry);
  const total = deliverables.length;
  const db = await ctx.freshDatabase('notify', registry);
  const sink = await new SmtpSink().start();
  const mailer = createSmtpMailer(sink.url, 'Årshjul <arshjul@bench.example>');
  const rawMailer = createSmtpMailer(sink.url, 'Årshjul <arshjul@bench.example>');
  const pool = createPool(db.url, POOL);
  const activities = createActivities({
    db: pool,
    mailer,
    clock: systemClock,
    publicUrl: 'https://arshjul.bench.example',
  });
  // The activities log as in a worker process: the product's JSON lines (one per mail sent), here
  // into a file rather than standard error (the mock's default logger pretty-prints each line).
  const logFile = createWriteStream(join(ctx.runDir('notify'), 'worker.log'));
  const logger = sdkLoggerOf(createLogger({ format: 'json', write: (line) => void logFile.write(line) }), 'WARN');
  const env = new MockActivityEnvironment(undefined, { logger });
  await db.pool.query(
    `CREATE TABLE raw_send (LIKE send_log INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING INDEXES)`,
  );
  const runs: Record<string, unknown>[] = [];
  const plan = [
    // One unmeasured round first: connections opened, code warm, for every variant alike.
    ...(['outbox', 'nodemailer', 'pg-insert'] as const).map((variant) => ({ rep: -1, variant })),
    ...interleaved<Variant>(['outbox', 'nodemailer', 'pg-insert'], options.reps),
    // With --profile, one more round of each SMTP variant under the CPU profiler (not measured).
    ...(options.profile ? (['outbox', 'nodemailer'] as const).map((variant) => ({ rep: -2, variant })) : []),
  ];
  const profiles: Record<string, unknown>[] = [];
  const runVariant = async (variant: Variant, inputs: SendNotificationInput[], rep: number) => {
    if (variant === 'outbox') {
      await mapLimit(inputs, CONCURRENCY, (input) => env.run(activities.sendNotification, input));
    } else if (variant === 'nodemailer') {
      await mapLimit(inputs, CONCURRENCY, (input, i) =>
        rawMailer.send({
          to: input.to,
          ...renderNotificationMail({
            kind: 'reminder',
            level: 1,
            boardName: input.boardName,
            phaseName: input.phaseName,
            budgetYear: input.budgetYear,
            deadline: new Date(input.deadlineAt),
            link: 'https://arshjul.bench.example/namnd/x',
          }),
          messageId: `<raw-${rep}-${i}@bench>`,
        }),
      );
    } else {
      for (let i = 0; i < inputs.length; i += PG_BATCH) {
        const batch = inputs.slice(i, i + PG_BATCH);
        await db.pool.query(
          `INSERT INTO raw_send (idempotency_key, workflow_id, kind, planned_at, recipients, subject, status, sent_at, message_id)
           SELECT k, w, 'reminder', p, ARRAY[r], 'Påminnelse', 'sent', now(), m
           FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::text[], $5::text[]) AS t(k, w, p, r, m)`,
          [
            batch.map((b) => `${b.workflowId}#${b.actionId}@${b.plannedAt}`),
            batch.map((b) => b.workflowId),
            batch.map((b) => b.plannedAt),
            batch.map((b) => b.to[0]!),
            batch.map((_, j) => `<raw-${rep}-${i + j}@bench>`),
          ],
        );
      }
    }
  };
  try {
    for (const { rep, variant } of plan) {
      const dueAt = Date.now() + (rep + 3) * 1000 + 86_400_000; // a distinct planned instant per run: distinct keys
      const inputs: SendNotificationInput[] = burstInputs(deliverables, dueAt, 2030).map((d) => {
        const reminder = d.plan.actions.find((a) => a.kind === 'reminder')!;
        return {
          workflowId: `${d.municipality}/${d.budgetYear}/${d.plan.phaseId}/${d.plan.boardId}`,
          seq: 2,
          actionId: reminder.id,
          kind: 'reminder',
          level: 1,
          plannedAt: reminder.instant,
          firedAt: reminder.instant,
          budgetYear: d.budgetYear,
          phaseName: d.spec.phase.name,
          boardName: d.spec.board.name,
          deadlineAt: d.plan.deadlineAt,
          to: [`registrator.${d.spec.board.id}@bench.example`],
          roles: ['registrator'],
          snapshot: {
            seq: 2,
            municipality: d.municipality,
            budgetYear: d.budgetYear,
            phaseId: d.plan.phaseId,
            boardId: d.plan.boardId,
            answeringBoardId: d.spec.board.id,
            stage: 'open',
            late: false,
            escalationLevel: 0,
            deadline: d.plan.deadline.date,
            deadlineAt: d.plan.deadlineAt,
          },
        };
      });
      const run = () => runVariant(variant, inputs, rep);
      if (rep === -2) {
        // Profiled rounds (not measured): what a mail costs this process, the outbox's and raw nodemailer's.
        const dir = join(ctx.runDir('notify'), `profile-${variant}`);
        const t = Date.now();
        await profileThisProcess(dir, variant, run);
        const profiled = {
          variant: `${variant}, profiled (not measured)`,
          mailsPerSecond: round(total / ((Date.now() - t) / 1000), 1),
          ...summariseProfiles(dir),
          top: topFunctions(dir, undefined, 15),
        };
        profiles.push(profiled);
        ctx.log(`  notify ${variant} profiled: ${JSON.stringify(profiled)}`);
        continue;
      }
      const t0 = Date.now();
      const cpu0 = process.cpuUsage();
      const pg0 = postgresCpu(ctx);
      await run();
      const seconds = (Date.now() - t0) / 1000;
      const cpu = process.cpuUsage(cpu0);
      const pgCpu = postgresCpuSince(ctx, pg0);
      if (rep < 0) continue;
      runs.push({
        rep,
        variant,
        notifications: total,
        seconds: round(seconds, 3),
        perSecond: round(total / seconds, 1),
        // This process's CPU per mail (the SMTP server's parsing included, for every variant alike).
        cpuMsPerMail: round((cpu.user + cpu.system) / 1000 / total, 2),
        // PostgreSQL's CPU per mail (every backend of the private cluster; 10 ms clock ticks).
        pgCpuMsPerMail: round((pgCpu * 1000) / total, 2),
      });
      ctx.log(`  notify ${variant} rep ${rep + 1}: ${JSON.stringify(runs[runs.length - 1])}`);
    }
    const sent = Number(
      (await db.pool.query<{ n: string }>(`SELECT count(*) AS n FROM send_log WHERE status = 'sent'`)).rows[0]!.n,
    );
    const rounds = options.reps + 1 + (options.profile ? 1 : 0); // the warm-up round, the profiled one
    if (sent !== total * rounds) throw new Error(`outbox sent ${sent}, expected ${total * rounds}`);
  } finally {
    mailer.close();
    rawMailer.close();
    logFile.end();
    await pool.end();
    await sink.stop();
    await db.drop();
  }
  const rate = (v: Variant) => median(runs.filter((r) => r.variant === v).map((r) => r.perSecond as number));
  const ours = rate('outbox');
  const slower = Math.min(rate('nodemailer'), rate('pg-insert'));
  const ratio = round(ours / slower, 3);
  return {
    id: 'notify-throughput',
    title: 'Notification throughput: outbox → loopback SMTP',
    mode: 'none',
    size: {
      notifications: total,
      'issue size': FULL,
      scale: options.scale,
      concurrency: CONCURRENCY,
      reps: options.reps,
    },
    figures: [
      { name: 'Årshjul outbox (sendNotification activity) mails/s', value: ours, unit: '/s' },
      { name: 'baseline: raw pooled nodemailer mails/s', value: rate('nodemailer'), unit: '/s' },
      {
        name: `baseline: raw batched pg INSERT rows/s (${PG_BATCH} a statement)`,
        value: rate('pg-insert'),
        unit: '/s',
      },
      goal('ratio outbox / slower baseline', ratio, '', '≥ 0.8', ratio >= 0.8),
    ],
    runs: [...runs, ...profiles],
    notes: [
      `The activity runs in @temporalio/testing's MockActivityEnvironment (an activity context without a server), logging the product's JSON lines; ${CONCURRENCY} in flight for every variant (a worker's activity slots), the outbox over a worker's pool (${POOL} connections); both SMTP variants through the product's pooled transport (5 connections each); PostgreSQL durable (fsync, synchronous commit).`,
      "Each outbox send takes three statements here, each shared with the other mails in flight (a group commit, src/db/batcher.ts: the rows that arrive in one turn of the event loop or while the previous statement of the kind runs go as one multi-row statement; the lookup and the lease as prepared statements, the outcome planned each time so that it finds its rows by key however large the send log has grown, one batcher of each per pool): its recipients' context (the registry's board, parent and committees, the board's people and stand-ins, the preferences: src/db/recipient-context.ts), the lease (the deliverable's stage checked in it under a share lock), the SMTP send, and marked sent with its audit event and read-model snapshot (data-modifying WITH queries). None holds a transaction across SMTP.",
      "Where the time goes: the profiled rounds (runs) give this process's self time by category for the outbox and for raw nodemailer over the same mails; pgCpuMsPerMail is PostgreSQL's CPU per mail. On the busy 2-core machine a loopback round trip costs CPU on both sides and a wait for a core, whatever the statement does, so the outbox is bound by its round trips per mail and PostgreSQL's CPU beside the SMTP exchange that raw nodemailer also pays.",
      'cpuMsPerMail: CPU time of the benchmark process per mail (it also runs the loopback SMTP server, which parses every mail with mailparser); PostgreSQL runs in its own processes.',
      'The loopback SMTP server parses every mail (mailparser) in the benchmark process, for all variants alike.',
    ],
    wallSeconds: round((Date.now() - wall) / 1000, 1),
  };
}
