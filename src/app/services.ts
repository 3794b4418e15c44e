import { Client, Connection } from '@temporalio/client';
import { OpenTelemetryWorkflowClientInterceptor } from '@temporalio/interceptors-opentelemetry';
import type { Worker } from '@temporalio/worker';
import type { Pool } from 'pg';
import { createPool } from '../db/database';
import { migrateUp } from '../db/migrate';
import { poolSizeFor } from '../worker/create-worker';
import { createSmtpMailer } from '../worker/mail-transport';
import { startApi, RunningApi } from './api-process';
import { AppConfig } from './config';
import type { AppLogger } from './log';
import { activeTracing } from './tracing';
import { createMetrics } from './metrics';
import { startWorker, RunningWorker } from './worker-process';

export interface ServiceRoles {
  /** Poll the task queue (scaled horizontally in production). */
  worker: boolean;
  /** Serve the HTTP API. */
  http: boolean;
}

export interface RunningServices {
  worker?: Worker;
  /** Settles when the worker stops; already resolved when this process runs no worker. */
  workerRun: Promise<void>;
  httpUrl?: string;
  client: Client;
  pool: Pool;
  stop(): Promise<void>;
}

/**
 * What every Årshjul process shares, then its roles: migrate (under an advisory lock, so
 * processes starting together take turns), one pool sized for the roles, one mail transport and
 * one Temporal client; then the worker (src/app/worker-process.ts) and/or the API
 * (src/app/api-process.ts). Production runs one role per process (worker-main.ts, api-main.ts);
 * `npm start` runs both in one, for development only.
 */
export async function startServices(
  config: AppConfig,
  log: (line: string) => void,
  roles: ServiceRoles = { worker: true, http: true },
  /** The process's logger (src/app/log.ts): the API's access and error lines go to it. */
  logger?: AppLogger,
  /** The Temporal SDK's exporter (installRuntime), appended to the worker's /metrics. */
  options: { sdkMetricsUrl?: string } = {},
): Promise<RunningServices> {
  await migrateUp(config.databaseUrl, log);
  const pool = createPool(config.databaseUrl, poolSizeFor(roles));
  const mailer = createSmtpMailer(config.smtp.url, config.smtp.from);
  const connection = await Connection.connect({ address: config.temporal.address });
  // With tracing on, the client's calls (an update from an API request) carry the request's
  // trace to the workflow in a header.
  const client = new Client({
    connection,
    namespace: config.temporal.namespace,
    ...(activeTracing() && { interceptors: { workflow: [new OpenTelemetryWorkflowClientInterceptor()] } }),
  });
  // One registry per process: with both roles (npm start) the API's /metrics shows the mails too.
  const metrics = createMetrics();
  let worker: RunningWorker | undefined;
  let api: RunningApi | undefined;
  try {
    if (roles.worker) worker = await startWorker(config, { pool, mailer, client, metrics, ...options }, log);
    if (roles.http) {
      const running = worker?.worker;
      api = await startApi(
        config,
        { pool, client, metrics, verifySmtp: () => mailer.verify() },
        running
          ? {
              worker: async () => {
                const state = running.getState();
                if (state !== 'RUNNING') throw new Error(`worker is ${state}`);
                return `polling task queue ${config.temporal.taskQueue}`;
              },
            }
          : {},
        logger,
      );
    }
  } catch (error) {
    await worker?.stop();
    await connection.close();
    mailer.close();
    await pool.end();
    throw error;
  }

  return {
    worker: worker?.worker,
    workerRun: worker?.run ?? Promise.resolve(),
    httpUrl: api?.url,
    client,
    pool,
    async stop() {
      // The API first (no new requests), then the worker (lets the activities under way finish).
      await api?.stop();
      await worker?.stop();
      await connection.close();
      mailer.close();
      await pool.end();
    },
  };
}
