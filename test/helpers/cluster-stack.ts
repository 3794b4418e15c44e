import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { writeWorkflowBundle } from '../../src/app/workflow-bundle';
import { AppProcess, startAppProcess } from '../../src/stack/app-process';
import { freePort } from '../../src/stack/free-port';
import { SmtpSink } from '../../src/stack/smtp-sink';
import { startTemporalCluster, TemporalCluster } from '../../src/stack/temporal-cluster';
import { ensureTemporalServer } from '../../src/toolchain/temporal-server';
import { createTestDatabase, TestDatabase } from './database';

/**
 * The production shape for one test file: Temporal's own server on the run's PostgreSQL (its two
 * databases named for this file), the SMTP sink, and Årshjul's worker and API processes each
 * started as production starts them (src/app/worker-main.ts, api-main.ts), over a migrated
 * database of its own. The workflow bundle is built once and loaded by every worker.
 */
export interface ClusterStack {
  temporal: TemporalCluster;
  db: TestDatabase;
  sink: SmtpSink;
  client: Client;
  taskQueue: string;
  /** Each with its /metrics (WORKER_METRICS_PORT, a free port per worker). */
  workers: WorkerProcess[];
  apis: Array<AppProcess & { url: string }>;
  /** The environment every Årshjul process gets (for starting another worker). */
  env: NodeJS.ProcessEnv;
  dir: string;
  startWorker(name: string): Promise<WorkerProcess>;
  stop(): Promise<void>;
}

export type WorkerProcess = AppProcess & { metricsUrl: string };

export async function startClusterStack(
  label: string,
  options: {
    workers?: number;
    apis?: number;
    layout?: 'single-process' | 'process-per-service';
    /** The municipality the API processes serve (MUNICIPALITY). */
    municipality?: string;
    /**
     * More environment for every Årshjul process (e.g. OTEL_EXPORTER_OTLP_ENDPOINT); with tracing
     * on, the workers' bundle is built with the tracing interceptors.
     */
    env?: NodeJS.ProcessEnv;
  } = {},
): Promise<ClusterStack> {
  const dir = mkdtempSync(join(tmpdir(), `arshjul-cluster-${label}-`));
  chmodSync(dir, 0o755);
  const suffix = randomBytes(4).toString('hex');
  const adminUrl = new URL(process.env.ARSHJUL_TEST_DATABASE_URL!);
  const [tools, db, sink] = await Promise.all([
    ensureTemporalServer(),
    createTestDatabase(label),
    new SmtpSink().start(),
  ]);
  const bundlePath = join(dir, 'workflow-bundle.js');
  const [temporal] = await Promise.all([
    startTemporalCluster({
      tools,
      dataDir: join(dir, 'temporal'),
      postgres: { port: Number(adminUrl.port), user: decodeURIComponent(adminUrl.username) },
      namespace: 'default',
      layout: options.layout ?? 'single-process',
      databases: { history: `temporal_${suffix}`, visibility: `temporal_visibility_${suffix}` },
    }),
    writeWorkflowBundle(bundlePath, { tracing: Boolean(options.env?.OTEL_EXPORTER_OTLP_ENDPOINT) }),
  ]);
  const taskQueue = `cluster-${label}`;
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    TEMPORAL_ADDRESS: temporal.address,
    TEMPORAL_NAMESPACE: 'default',
    TEMPORAL_TASK_QUEUE: taskQueue,
    DATABASE_URL: db.url,
    SMTP_URL: sink.url,
    MAIL_FROM: 'Årshjul <arshjul@test.example>',
    WORKFLOW_BUNDLE_PATH: bundlePath,
    PUBLIC_URL: 'http://127.0.0.1:1',
    ...(options.municipality && { MUNICIPALITY: options.municipality }),
    ...options.env,
  };
  const startWorker = async (name: string): Promise<WorkerProcess> => {
    const metricsPort = await freePort();
    const worker = await startAppProcess({
      name,
      entry: 'worker-main',
      env: { ...env, WORKER_METRICS_PORT: String(metricsPort) },
      logFile: join(dir, `${name}.log`),
    });
    return Object.assign(worker, { metricsUrl: `http://127.0.0.1:${metricsPort}/metrics` });
  };
  const workers: WorkerProcess[] = [];
  const apis: ClusterStack['apis'] = [];
  const connection = await Connection.connect({ address: temporal.address });
  const client = new Client({ connection, namespace: 'default' });
  const stop = async () => {
    for (const api of apis) await api.stop();
    for (const worker of workers) await worker.stop();
    await connection.close();
    await temporal.stop();
    await sink.stop();
    await db.drop();
    if (process.env.ARSHJUL_KEEP_CLUSTER_LOGS !== '1') rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (let i = 1; i <= (options.workers ?? 2); i += 1) workers.push(await startWorker(`worker-${i}`));
    for (let i = 1; i <= (options.apis ?? 2); i += 1) {
      const port = await freePort();
      const api = await startAppProcess({
        name: `api-${i}`,
        entry: 'api-main',
        env: { ...env, HTTP_PORT: String(port) },
        logFile: join(dir, `api-${i}.log`),
      });
      apis.push(Object.assign(api, { url: `http://127.0.0.1:${port}` }));
    }
  } catch (error) {
    await stop().catch(() => undefined);
    throw error;
  }
  return { temporal, db, sink, client, taskQueue, workers, apis, env, dir, startWorker, stop };
}
