import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import type { Pool } from 'pg';
import { systemClock } from '../activities/ports';
import { postgresProbe, smtpProbe, temporalProbe } from '../client/http/health';
import { ensureDigestSchedule } from '../client/digest-schedule';
import { createCycleOperations } from '../client/operations/cycle-operations';
import { MUNICIPALITY_TIME_ZONE } from '../domain/glossary';
import { localDateOf } from '../domain/zoned-time';
import { buildHttpServer } from '../client/http/server';
import { DEFAULT_UPLOAD_POLICY } from '../domain/file-types';
import { createPool } from '../db/database';
import { migrateUp } from '../db/migrate';
import { AppConfig, OidcConfig } from './config';
import { loadGroupRoles } from '../client/data-files';
import type { SignInSettings } from '../client/http/sign-in/sign-in';
import { createArshjulWorker, poolSizeFor } from './create-worker';
import { createSmtpMailer, SmtpMailer } from './mail-transport';
import { startDailyPrune } from './personal-data-prune';

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

/** Where mails link to: PUBLIC_URL, else the HTTP server's own address when its port is fixed. */
function publicUrlOf(config: AppConfig): string | undefined {
  if (config.http.publicUrl) return config.http.publicUrl;
  return config.http.port > 0 ? `http://${config.http.host}:${config.http.port}` : undefined;
}

/**
 * The composition root shared by `npm start` (both roles) and the production entry points (one
 * role each): migrate, then the worker and/or the HTTP server over one pool, one mail transport
 * and one Temporal connection.
 */
export async function startServices(
  config: AppConfig,
  log: (line: string) => void,
  roles: ServiceRoles = { worker: true, http: true },
): Promise<RunningServices> {
  await migrateUp(config.databaseUrl, log);
  const pool = createPool(config.databaseUrl, poolSizeFor(roles));
  const mailer: SmtpMailer = createSmtpMailer(config.smtp.url, config.smtp.from);
  let nativeConnection: NativeConnection | undefined;
  let worker: Worker | undefined;
  let workerRun: Promise<void> = Promise.resolve();
  if (roles.worker) {
    nativeConnection = await NativeConnection.connect({ address: config.temporal.address });
    worker = await createArshjulWorker({
      connection: nativeConnection,
      namespace: config.temporal.namespace,
      taskQueue: config.temporal.taskQueue,
      deps: { db: pool, mailer, clock: systemClock, publicUrl: publicUrlOf(config) },
    });
    workerRun = worker.run();
  }
  const connection = await Connection.connect({ address: config.temporal.address });
  const client = new Client({ connection, namespace: config.temporal.namespace });
  if (roles.worker) {
    const schedule = await ensureDigestSchedule(client, config.temporal.taskQueue);
    if (schedule === 'created') log('Veckosammanställningen är schemalagd: måndagar kl. 08:00 (Europe/Stockholm).');
  }
  const prune = roles.worker
    ? startDailyPrune({ pool, retentionDays: config.personalData.retentionDays, log })
    : undefined;
  let http: Awaited<ReturnType<typeof buildHttpServer>> | undefined;
  let httpUrl: string | undefined;
  if (roles.http) {
    const runningWorker = worker;
    const ops = createCycleOperations({
      client,
      pool,
      taskQueue: config.temporal.taskQueue,
      municipality: config.municipality,
      today: () => localDateOf(new Date(), MUNICIPALITY_TIME_ZONE),
    });
    http = await buildHttpServer({
      ...(config.http.trustProxy !== undefined && { trustProxy: config.http.trustProxy }),
      app: {
        ops,
        pool,
        publicUrl: publicUrlOf(config),
        uploads: { ...DEFAULT_UPLOAD_POLICY, maxBytes: config.uploads.maxBytes },
        ...(config.oidc && { signIn: signInSettingsOf(config.oidc) }),
      },
      probes: {
        temporal: temporalProbe(client),
        ...(runningWorker && {
          worker: async () => {
            const state = runningWorker.getState();
            if (state !== 'RUNNING') throw new Error(`worker is ${state}`);
            return `polling task queue ${config.temporal.taskQueue}`;
          },
        }),
        postgres: postgresProbe(pool),
        smtp: smtpProbe(() => mailer.verify()),
      },
    });
    httpUrl = await http.listen({ host: config.http.host, port: config.http.port });
  }

  return {
    worker,
    workerRun,
    httpUrl,
    client,
    pool,
    async stop() {
      await http?.close();
      await prune?.stop();
      if (worker?.getState() === 'RUNNING') worker.shutdown();
      await workerRun.catch(() => undefined);
      await connection.close();
      await nativeConnection?.close();
      mailer.close();
      await pool.end();
    },
  };
}

/** Single sign-on from the OIDC_* settings: back after signing out at the provider to /logga-in. */
function signInSettingsOf(oidc: OidcConfig): SignInSettings {
  return {
    provider: {
      issuer: oidc.issuer,
      clientId: oidc.clientId,
      clientSecret: oidc.clientSecret,
      redirectUrl: oidc.redirectUrl,
      postLogoutRedirectUrl: new URL('/logga-in', oidc.redirectUrl).href,
      groupsClaim: oidc.groupsClaim,
    },
    groupRoles: loadGroupRoles(oidc.groupRolesFile),
    recheckGraceSeconds: oidc.recheckGraceSeconds,
  };
}
