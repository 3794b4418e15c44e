import type { Client } from '@temporalio/client';
import type { Pool } from 'pg';

export interface HealthCheck {
  ok: boolean;
  detail: string;
  latencyMs: number;
}

export type HealthProbe = () => Promise<string>;

/** Runs each probe with a time limit; a probe that throws or hangs reports not ok. */
export async function checkHealth(
  probes: Record<string, HealthProbe>,
  timeoutMs = 3000,
): Promise<{ ok: boolean; checks: Record<string, HealthCheck> }> {
  const entries = await Promise.all(
    Object.entries(probes).map(async ([name, probe]) => {
      const started = Date.now();
      let timer: NodeJS.Timeout | undefined;
      try {
        const detail = await Promise.race([
          probe(),
          new Promise<never>((_, reject) => {
            timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
          }),
        ]);
        return [name, { ok: true, detail, latencyMs: Date.now() - started }] as const;
      } catch (error) {
        const detail = error instanceof Error ? error.message : String(error);
        return [name, { ok: false, detail, latencyMs: Date.now() - started }] as const;
      } finally {
        clearTimeout(timer);
      }
    }),
  );
  const checks = Object.fromEntries(entries);
  return { ok: entries.every(([, check]) => check.ok), checks };
}

export function temporalProbe(client: Client): HealthProbe {
  return async () => {
    // The cluster's stores tell Temporal's own server (postgres12) from the dev server (sqlite).
    const info = await client.workflowService.getClusterInfo({});
    const stores = info.persistenceStore
      ? ` on ${info.persistenceStore} (visibility ${info.visibilityStore || 'unknown'})`
      : '';
    return `server ${info.serverVersion || 'unknown version'}${stores}, namespace ${client.options.namespace}`;
  };
}

export function postgresProbe(pool: Pool): HealthProbe {
  return async () => {
    const result = await pool.query<{ version: string }>('SELECT current_setting($1) AS version', ['server_version']);
    return `PostgreSQL ${result.rows[0]?.version ?? 'unknown'}`;
  };
}

export function smtpProbe(verify: () => Promise<void>): HealthProbe {
  return async () => {
    await verify();
    return 'relay accepts connections';
  };
}
