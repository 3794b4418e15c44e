import { Client, Connection } from '@temporalio/client';
import { Client as PgClient } from 'pg';
import { quoteIdentifier } from '../../src/stack/private-postgres';
import { SmtpSink } from '../../src/stack/smtp-sink';
import { startTemporalCluster } from '../../src/stack/temporal-cluster';
import { ensureTemporalServer } from '../../src/toolchain/temporal-server';
import type { Registry } from '../../src/domain/organisations';
import type { BenchContext, BenchDatabase } from './context';
import { ServerMode, startBenchDevServer } from './dev-server';
import { track } from './processes';
import { CpuSnapshot, cpuSnapshotOf } from './profile';
import { workerConfigFor } from './stack';
import { startWorkerProcess, WorkerProcess } from './worker-process';

/**
 * Where the benchmark's Temporal state lives: the CLI dev server (SQLite file or memory), or
 * Temporal's own server on PostgreSQL (the cluster stack: src/stack/temporal-cluster.ts, on the
 * benchmark's private PostgreSQL cluster, beside Årshjul's own database).
 */
export type Store = ServerMode | 'cluster';

/** A Temporal server the benchmark started, whichever store. */
export interface BenchServer {
  store: Store;
  address: string;
  /** The server process (the cluster's four services run in one process here). */
  pid(): number;
  /** Seconds from launch until the frontend served the namespace (cluster: schema setup included). */
  startSeconds: number;
  stop(): Promise<void>;
}

let clusterCounter = 0;

/**
 * Temporal's own server (v1.29.1, the version the dev server embeds) on the benchmark's private
 * PostgreSQL: its two databases created fresh for this server and dropped when it stops, the
 * schemas applied by its SQL tool, all four services in one process, 4 history shards (the
 * stack's configuration).
 */
export async function startBenchCluster(ctx: BenchContext, dir: string): Promise<BenchServer> {
  const t0 = Date.now();
  const tools = await ensureTemporalServer(process.env, (line) => ctx.log(`  ${line}`));
  const suffix = `${process.pid}_${++clusterCounter}`;
  const databases = { history: `bench_temporal_${suffix}`, visibility: `bench_temporal_visibility_${suffix}` };
  const user = decodeURIComponent(new URL(ctx.pg.url).username);
  const dropDatabases = async (): Promise<void> => {
    const admin = new PgClient({ connectionString: ctx.pg.url });
    await admin.connect();
    try {
      for (const name of Object.values(databases)) {
        await admin.query(`DROP DATABASE IF EXISTS ${quoteIdentifier(name)} WITH (FORCE)`);
      }
    } finally {
      await admin.end();
    }
  };
  try {
    const cluster = await startTemporalCluster({
      tools,
      dataDir: dir,
      postgres: { port: ctx.pg.port, user },
      namespace: 'default',
      databases,
    });
    for (const child of cluster.processes.values()) track(child);
    return {
      store: 'cluster',
      address: cluster.address,
      pid: () => cluster.processes.get('all')?.pid ?? 0,
      startSeconds: (Date.now() - t0) / 1000,
      async stop() {
        await cluster.stop();
        await dropDatabases();
      },
    };
  } catch (error) {
    await dropDatabases().catch(() => undefined);
    throw error;
  }
}

export async function startBenchServer(ctx: BenchContext, store: Store, label: string): Promise<BenchServer> {
  const dir = ctx.runDir(`${label}-${store}`);
  if (store === 'cluster') return startBenchCluster(ctx, dir);
  const t0 = Date.now();
  const server = await startBenchDevServer(ctx.temporalCli, store, dir);
  return { store, address: server.address, pid: server.pid, startSeconds: (Date.now() - t0) / 1000, stop: server.stop };
}

/**
 * One run on a server: a fresh database (with registries stored, when given), a loopback SMTP
 * sink, a task queue of its own, and one or more worker processes (each the production
 * composition: pool of 10, pooled SMTP transport, 20 concurrent activities). The server is the
 * caller's: one cluster serves several runs, each on its own task queue and database.
 */
export interface StoreRun {
  server: BenchServer;
  db: BenchDatabase;
  sink: SmtpSink;
  client: Client;
  taskQueue: string;
  workers: WorkerProcess[];
  cpu(): CpuSnapshot;
  close(): Promise<void>;
}

let runCounter = 0;

export async function startStoreRun(
  ctx: BenchContext,
  server: BenchServer,
  label: string,
  options: { workers?: number; registry?: Registry } = {},
): Promise<StoreRun> {
  const db = await ctx.freshDatabase(label, options.registry);
  const sink = await new SmtpSink().start();
  const taskQueue = `bench-${label}-${++runCounter}`;
  const connection = await Connection.connect({ address: server.address });
  const client = new Client({ connection, namespace: 'default' });
  const workers: WorkerProcess[] = [];
  const close = async (): Promise<void> => {
    for (const worker of workers) await worker.stop().catch(() => undefined);
    await connection.close().catch(() => undefined);
    await sink.stop();
    await db.drop();
  };
  try {
    const config = workerConfigFor(ctx, { address: server.address, taskQueue, db, sink });
    // One at a time: each worker registers its pollers before the next starts.
    for (let i = 0; i < (options.workers ?? 1); i++) workers.push(await startWorkerProcess(config));
  } catch (error) {
    await close();
    throw error;
  }
  return {
    server,
    db,
    sink,
    client,
    taskQueue,
    workers,
    cpu: () => cpuSnapshotOf(ctx, { workers: workers.map((w) => w.pid), server: server.pid() }),
    close,
  };
}
