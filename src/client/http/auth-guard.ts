import type { Pool } from 'pg';
import { recordAuthFailure } from '../../db/auth-failures';

/**
 * Brute-force and token-guessing protection (issue 13). Wrong tokens and refused sign-ins are
 * counted per client address in PostgreSQL (src/db/auth-failures.ts); a client past the limit in
 * a window is refused (429, Retry-After) until the window ends, valid secret or not, so a guesser
 * cannot go on until one works. A secret has 256 random bits, so guessing is hopeless anyway:
 * this keeps the log quiet and the database unbothered.
 *
 * Only failures cost a write. Whether a client is blocked is known from the count the last
 * failure returned, kept in this process's memory until the window ends: a blocked client is
 * refused without a query, and another process learns of the block at its first failure from
 * that client (each process lets at most one more failure through).
 */
export interface AuthGuardPolicy {
  /** Failures allowed per client and window before it is refused. */
  limit: number;
  windowSeconds: number;
}

export const DEFAULT_AUTH_GUARD: AuthGuardPolicy = { limit: 20, windowSeconds: 600 };

/** Blocks remembered per process; beyond this many, expired ones are dropped first. */
const MAX_REMEMBERED = 10_000;

export function createAuthGuard(pool: Pool, policy: AuthGuardPolicy = DEFAULT_AUTH_GUARD) {
  const blockedUntil = new Map<string, number>();

  const forget = (now: number) => {
    for (const [key, until] of blockedUntil) if (until <= now) blockedUntil.delete(key);
    // Still full: the oldest entries go (a Map iterates in insertion order).
    for (const key of blockedUntil.keys()) {
      if (blockedUntil.size < MAX_REMEMBERED) break;
      blockedUntil.delete(key);
    }
  };

  return {
    policy,
    /** Seconds the client must wait, or 0 when it may try. */
    retryAfterSeconds(clientKey: string, now = Date.now()): number {
      const until = blockedUntil.get(clientKey);
      if (until === undefined) return 0;
      if (until <= now) {
        blockedUntil.delete(clientKey);
        return 0;
      }
      return Math.ceil((until - now) / 1000);
    },
    /** Counts a failure; true when the client is now past the limit. */
    async failed(clientKey: string): Promise<boolean> {
      const { failures, windowEnds } = await recordAuthFailure(pool, clientKey, policy.windowSeconds);
      if (failures < policy.limit) return false;
      if (blockedUntil.size >= MAX_REMEMBERED) forget(Date.now());
      blockedUntil.set(clientKey, windowEnds.getTime());
      return true;
    },
  };
}

export type AuthGuard = ReturnType<typeof createAuthGuard>;
