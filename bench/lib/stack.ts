import { Client, Connection } from '@temporalio/client';
import type { Registry } from '../../src/domain/organisations';
import { SmtpSink } from '../../src/stack/smtp-sink';
import type { BenchContext, BenchDatabase } from './context';
import { BenchDevServer, ServerMode, startBenchDevServer } from './dev-server';
import { startWorkerProcess, WorkerConfig, WorkerProcess } from './worker-process';

/** One run's stack: a fresh dev server, a fresh database, a loopback SMTP server, a worker process. */
export interface RunStack {
  server: BenchDevServer;
  db: BenchDatabase;
  sink: SmtpSink;
  worker: WorkerProcess;
  client: Client;
  taskQueue: string;
  dir: string;
  /** Starts a new worker process with the same configuration (after a SIGKILL). */
  restartWorker(): Promise<WorkerProcess>;
  close(): Promise<void>;
}

export interface RunStackOptions {
  registry?: Registry;
  maxCached?: number;
  cpuProfileDir?: string;
}

/**
 * The configuration of a run's worker processes: the run's server, task queue, database and SMTP
 * sink, the benchmark's workflow bundle, and the cache size or profiling the run asks for.
 */
export function workerConfigFor(
  ctx: BenchContext,
  run: { address: string; taskQueue: string; db: BenchDatabase; sink: SmtpSink },
  options: Pick<RunStackOptions, 'maxCached' | 'cpuProfileDir'> = {},
): WorkerConfig {
  return {
    temporalAddress: run.address,
    taskQueue: run.taskQueue,
    databaseUrl: run.db.url,
    smtpUrl: run.sink.url,
    bundlePath: ctx.bundlePath,
    ...(options.maxCached !== undefined && { maxCached: options.maxCached }),
    ...(options.cpuProfileDir && { cpuProfileDir: options.cpuProfileDir }),
  };
}

export async function startRunStack(
  ctx: BenchContext,
  mode: ServerMode,
  label: string,
  options: RunStackOptions = {},
): Promise<RunStack> {
  const dir = ctx.runDir(`${label}-${mode}`);
  const server = await startBenchDevServer(ctx.temporalCli, mode, dir);
  const db = await ctx.freshDatabase(label, options.registry);
  const sink = await new SmtpSink().start();
  const taskQueue = `bench-${label}`;
  const config = workerConfigFor(ctx, { address: server.address, taskQueue, db, sink }, options);
  const connection = await Connection.connect({ address: server.address });
  const client = new Client({ connection, namespace: 'default' });
  const stack: RunStack = {
    server,
    db,
    sink,
    worker: await startWorkerProcess(config),
    client,
    taskQueue,
    dir,
    async restartWorker() {
      stack.worker = await startWorkerProcess(config);
      return stack.worker;
    },
    async close() {
      await stack.worker.stop().catch(() => undefined);
      await connection.close().catch(() => undefined);
      await server.stop();
      await sink.stop();
      await db.drop();
    },
  };
  return stack;
}

/** Counts of one kind of audit event, and when the last was recorded (database clock). */
export async function auditCount(db: BenchDatabase, kind: string): Promise<{ n: number; last: number }> {
  const r = await db.pool.query<{ n: string; last: Date | null }>(
    'SELECT count(*) AS n, max(recorded_at) AS last FROM audit_log WHERE kind = $1',
    [kind],
  );
  return { n: Number(r.rows[0]!.n), last: r.rows[0]!.last?.getTime() ?? 0 };
}

/** Workflows of a type by status, from the server's visibility store. */
export async function countWorkflows(client: Client, type: string, status: 'Running' | 'Completed'): Promise<number> {
  const r = await client.workflow.count(`WorkflowType = '${type}' AND ExecutionStatus = '${status}'`);
  return r.count;
}

/** Close times (ms) of every completed workflow of a type. */
export async function closeTimes(client: Client, type: string): Promise<number[]> {
  const out: number[] = [];
  for await (const w of client.workflow.list({ query: `WorkflowType = '${type}' AND ExecutionStatus = 'Completed'` })) {
    if (w.closeTime) out.push(w.closeTime.getTime());
  }
  return out;
}
