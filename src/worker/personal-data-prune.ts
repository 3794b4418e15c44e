import type { Pool } from 'pg';
import { prunePersonalData } from '../db/personal-data';

/** How the worker records its prune in the audit log (`person-erased` events). */
export const RETENTION_ACTOR = 'system:retention';

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * The retention rule once a day in each worker process (issue 13, personal data), the first run
 * a minute after start: what `arshjul person prune` does. Several workers at once are safe (a
 * person is erased by one of them). A failed run is logged and tried again the next time.
 */
export function startDailyPrune(options: {
  pool: Pool;
  retentionDays: number;
  log: (line: string) => void;
  firstAfterMs?: number;
  intervalMs?: number;
}): { stop(): Promise<void> } {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  let stopped = false;
  const run = async (): Promise<void> => {
    try {
      const result = await prunePersonalData(options.pool, {
        retentionDays: options.retentionDays,
        actor: RETENTION_ACTOR,
      });
      if (result.erased.length || result.sessionsRemoved || result.tokensCleared) {
        options.log(
          `Gallring (${options.retentionDays} dagar): ${result.erased.length} personer pseudonymiserade, ` +
            `${result.sessionsRemoved} sessioner borttagna, ${result.tokensCleared} sessioners nycklar rensade.`,
        );
      }
    } catch (error) {
      options.log(`Gallringen misslyckades (försöker igen): ${error instanceof Error ? error.message : String(error)}`);
    }
  };
  const schedule = (after: number): void => {
    if (stopped) return;
    timer = setTimeout(() => {
      running = run().then(() => schedule(options.intervalMs ?? DAY_MS));
    }, after);
    timer.unref();
  };
  schedule(options.firstAfterMs ?? 60_000);
  return {
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}
