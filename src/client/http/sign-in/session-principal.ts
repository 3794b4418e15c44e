import type { Pool } from 'pg';
import {
  ActiveSession,
  claimClaimsCheck,
  endSession,
  endSessionIfRecheckOverdue,
  recordClaimsCheck,
  resumeSession,
  SessionTimeouts,
} from '../../../db/sessions';
import type { Principal } from '../../../domain/principal';
import type { ProviderIdentity, RelyingParty } from '../../sign-in/openid-relying-party';
import { SignInRefused } from '../../sign-in/openid-relying-party';
import type { SignedInPerson } from './sign-in-routes';

export interface SessionPrincipalDeps {
  pool: Pool;
  relyingParty?: RelyingParty;
  timeouts: SessionTimeouts;
  /** How long the groups the provider gave are believed before it is asked again. */
  recheckSeconds: number;
  /**
   * How long a re-check may stay pending (the provider not answering) before the session ends as
   * `provider-unreachable` and the person must sign in again.
   */
  recheckGraceSeconds: number;
  signedIn(identity: ProviderIdentity): Promise<SignedInPerson>;
  principalOf(personId: string, session: ActiveSession): Promise<Principal | undefined>;
}

/**
 * The principal a session cookie stands for (issue 13). A session lives in PostgreSQL
 * (src/db/sessions.ts); the person's memberships there are the groups the provider gave at
 * sign-in, believed for `recheckSeconds`. After that one request (the one that claims the check)
 * asks the provider again with the session's refresh token: a person the provider no longer
 * grants, or who lost every role, loses the session at that request; the others go on with
 * what is known until the check is done. A provider that does not answer is asked again when the
 * claim runs out; an attempt that fails `recheckGraceSeconds` or more after the first one ends the
 * session (`provider-unreachable`). That end is decided in PostgreSQL under the session's row
 * lock, and a re-check that succeeds after the session ended does not let its request through.
 */
export function createSessionPrincipals(deps: SessionPrincipalDeps) {
  const recheck = async (session: ActiveSession): Promise<boolean> => {
    if (!deps.relyingParty) return true;
    if (Date.now() - session.claimsCheckedAt.getTime() < deps.recheckSeconds * 1000) return true;
    const claim = await claimClaimsCheck(deps.pool, session.idHash, deps.recheckSeconds);
    if (!claim) return true;
    if (!claim.refreshToken) {
      // A provider that gave no refresh token cannot be asked: the person signs in again.
      await endSession(deps.pool, session.idHash, 'provider-refused');
      return false;
    }
    try {
      const again = await deps.relyingParty.recheck(claim.refreshToken, session.subject);
      const person = await deps.signedIn(again.identity);
      if (!person.hasRole || person.personId !== session.personId) {
        await endSession(deps.pool, session.idHash, 'role-lost');
        return false;
      }
      return await recordClaimsCheck(deps.pool, session.idHash, again.refreshToken ?? null);
    } catch (error) {
      if (error instanceof SignInRefused) {
        await endSession(deps.pool, session.idHash, 'provider-refused');
        return false;
      }
      // Not answered: go on with the groups known while the grace lasts (counted from the first
      // claim since the last success); an attempt that fails after it ends the session.
      return endSessionIfRecheckOverdue(deps.pool, session.idHash, deps.recheckGraceSeconds);
    }
  };

  return {
    async principalOf(secret: string): Promise<Principal | undefined> {
      const session = await resumeSession(deps.pool, secret, deps.timeouts);
      if (!session) return undefined;
      if (!(await recheck(session))) return undefined;
      return deps.principalOf(session.personId, session);
    },
  };
}

export type SessionPrincipals = ReturnType<typeof createSessionPrincipals>;
