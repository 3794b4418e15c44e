import type { Client } from '@temporalio/client';
import type { Pool } from 'pg';
import { loadGroupRoles } from '../client/data-files';
import { postgresProbe, smtpProbe, temporalProbe } from '../client/http/health';
import { buildHttpServer } from '../client/http/server';
import type { SignInSettings } from '../client/http/sign-in/sign-in';
import { createCycleOperations } from '../client/operations/cycle-operations';
import { DEFAULT_UPLOAD_POLICY } from '../domain/file-types';
import { MUNICIPALITY_TIME_ZONE } from '../domain/glossary';
import { localDateOf } from '../domain/zoned-time';
import { AppConfig, OidcConfig, publicUrlOf } from './config';
import type { AppLogger } from './log';
import { activeTracing } from './tracing';
import { ArshjulMetrics, registerDeliverableGauge } from './metrics';

export interface RunningApi {
  url: string;
  stop(): Promise<void>;
}

/**
 * The API's part of a process: the HTTP server (API, pages, sign-in) over the process's pool,
 * Temporal client and mail transport (probed by /healthz, never used to send).
 */
export async function startApi(
  config: AppConfig,
  shared: { pool: Pool; client: Client; verifySmtp: () => Promise<void>; metrics?: ArshjulMetrics },
  extraProbes: Record<string, () => Promise<string>> = {},
  logger?: AppLogger,
): Promise<RunningApi> {
  const ops = createCycleOperations({
    client: shared.client,
    pool: shared.pool,
    taskQueue: config.temporal.taskQueue,
    municipality: config.municipality,
    today: () => localDateOf(new Date(), MUNICIPALITY_TIME_ZONE),
  });
  const metrics = config.metrics.enabled ? shared.metrics : undefined;
  if (metrics) registerDeliverableGauge(metrics, shared.pool);
  const http = await buildHttpServer({
    traceRequests: activeTracing() !== undefined,
    ...(metrics && { metrics }),
    ...(config.http.trustProxy !== undefined && { trustProxy: config.http.trustProxy }),
    ...(logger && { log: logger }),
    app: {
      ...(logger && { warn: (line: string) => logger.warn(line) }),
      ops,
      pool: shared.pool,
      publicUrl: publicUrlOf(config),
      uploads: { ...DEFAULT_UPLOAD_POLICY, maxBytes: config.uploads.maxBytes },
      ...(config.oidc && { signIn: signInSettingsOf(config.oidc) }),
    },
    probes: {
      temporal: temporalProbe(shared.client),
      ...extraProbes,
      postgres: postgresProbe(shared.pool),
      smtp: smtpProbe(shared.verifySmtp),
    },
  });
  const url = await http.listen({ host: config.http.host, port: config.http.port });
  return { url, stop: () => http.close() };
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
