/**
 * The pg-boss peer's worker process (issue 16): what a city's IT department would otherwise run
 * for deadline reminders. pg-boss 10 workers (each `work()` call is one local worker polling with
 * its own batch size), each job rendering one reminder and sending it through the product's pooled
 * nodemailer transport, then one audit INSERT. Its own process, as Årshjul's worker is, so neither
 * shares an event loop with the SMTP sink in the benchmark process.
 *
 * Environment: BENCH_DATABASE_URL, BENCH_SMTP_URL, BENCH_PEER_QUEUE, BENCH_PEER_WORKERS,
 * BENCH_PEER_BATCH, BENCH_PEER_POLLING_SECONDS (unset: pg-boss's default, 2 s).
 */
import PgBoss from 'pg-boss';
import { renderNotificationMail } from '../../src/activities/reminder-mail';
import { createPool } from '../../src/db/database';
import { createSmtpMailer } from '../../src/worker/mail-transport';

export interface PeerJob {
  to: string;
  boardName: string;
  phaseName: string;
  budgetYear: number;
  deadlineAt: string;
  messageId: string;
}

/** The peer's audit log: a table of its own in the benchmark's database, one row per mail sent. */
const PEER_AUDIT_TABLE = 'peer_audit';

const env = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};

async function main(): Promise<void> {
  const databaseUrl = env('BENCH_DATABASE_URL');
  const queue = env('BENCH_PEER_QUEUE');
  const workers = Number(env('BENCH_PEER_WORKERS'));
  const batchSize = Number(env('BENCH_PEER_BATCH'));
  const polling = process.env.BENCH_PEER_POLLING_SECONDS;
  // The same pool size as Årshjul's worker (10) for the audit INSERTs; pg-boss keeps its own (10).
  const pool = createPool(databaseUrl, 10);
  const mailer = createSmtpMailer(env('BENCH_SMTP_URL'), 'Årshjul <arshjul@bench.example>');
  await pool.query(
    `CREATE TABLE IF NOT EXISTS ${PEER_AUDIT_TABLE} (
       id bigserial PRIMARY KEY, job_id uuid NOT NULL, message_id text NOT NULL, recipient text NOT NULL,
       recorded_at timestamptz NOT NULL DEFAULT now())`,
  );
  const boss = new PgBoss({ connectionString: databaseUrl });
  boss.on('error', (error) => process.stderr.write(`pg-boss: ${error.message}\n`));
  await boss.start();
  await boss.createQueue(queue);
  const options = { batchSize, ...(polling && { pollingIntervalSeconds: Number(polling) }) };
  for (let i = 0; i < workers; i++) {
    await boss.work<PeerJob>(queue, options, async (jobs) => {
      // The batch's mails go out together, as far as the transport's 5 pooled connections allow.
      await Promise.all(
        jobs.map(async (job) => {
          const d = job.data;
          const mail = renderNotificationMail({
            kind: 'reminder',
            level: 1,
            boardName: d.boardName,
            phaseName: d.phaseName,
            budgetYear: d.budgetYear,
            deadline: new Date(d.deadlineAt),
            link: 'https://arshjul.bench.example/namnd/x',
          });
          await mailer.send({ to: [d.to], ...mail, messageId: d.messageId });
          await pool.query(`INSERT INTO ${PEER_AUDIT_TABLE} (job_id, message_id, recipient) VALUES ($1, $2, $3)`, [
            job.id,
            d.messageId,
            d.to,
          ]);
        }),
      );
    });
  }
  process.stdout.write('pgboss peer ready\n');
  const stop = async (): Promise<void> => {
    await boss.stop({ graceful: true, wait: true, timeout: 10_000 }).catch(() => undefined);
    mailer.close();
    await pool.end().catch(() => undefined);
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop());
  process.once('SIGINT', () => void stop());
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
