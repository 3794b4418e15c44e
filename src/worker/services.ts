import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import type { Pool } from 'pg';
import { systemClock } from '../activities/ports';
import { postgresProbe, smtpProbe, temporalProbe } from '../client/http/health';
import { buildHttpServer } from '../client/http/server';
import { createPool } from '../db/database';
import { migrateUp } from '../db/migrate';
import { AppConfig } from './config';
import { createArshjulWorker } from './create-worker';
import { createSmtpMailer, SmtpMailer } from './mail-transport';

export interface RunningServices {
  worker: Worker;
  workerRun: Promise<void>;
  httpUrl: string;
  client: Client;
  pool: Pool;
  stop(): Promise<void>;
}

/**
 * The composition root shared by `npm start` and the production entry points: migrate, then
 * the worker and the HTTP server over one pool, one mail transport and one Temporal connection.
 */
export async function startServices(config: AppConfig, log: (line: string) => void): Promise<RunningServices> {
  await migrateUp(config.databaseUrl, log);
  const pool = createPool(config.databaseUrl);
  const mailer: SmtpMailer = createSmtpMailer(config.smtp.url, config.smtp.from);
  const nativeConnection = await NativeConnection.connect({ address: config.temporal.address });
  const worker = await createArshjulWorker({
    connection: nativeConnection,
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueue,
    deps: { db: pool, mailer, clock: systemClock },
  });
  const workerRun = worker.run();
  const connection = await Connection.connect({ address: config.temporal.address });
  const client = new Client({ connection, namespace: config.temporal.namespace });
  const http = buildHttpServer({
    probes: {
      temporal: temporalProbe(client),
      worker: async () => {
        const state = worker.getState();
        if (state !== 'RUNNING') throw new Error(`worker is ${state}`);
        return `polling task queue ${config.temporal.taskQueue}`;
      },
      postgres: postgresProbe(pool),
      smtp: smtpProbe(() => mailer.verify()),
    },
  });
  const httpUrl = await http.listen({ host: config.http.host, port: config.http.port });

  return {
    worker,
    workerRun,
    httpUrl,
    client,
    pool,
    async stop() {
      await http.close();
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await workerRun.catch(() => undefined);
      await connection.close();
      await nativeConnection.close();
      mailer.close();
      await pool.end();
    },
  };
}
