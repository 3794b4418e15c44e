import type { Pool } from 'pg';
import { personPrincipal, signInPerson } from '../../../db/person-principal';
import { DEFAULT_SESSION_TIMEOUTS, SessionTimeouts } from '../../../db/sessions';
import { GroupRoles, rolesForGroups } from '../../../domain/group-roles';
import type { CycleOperations } from '../../operations/cycle-operations';
import { createRelyingParty, ProviderIdentity, RelyingPartySettings } from '../../sign-in/openid-relying-party';
import { homeOf } from '../pages/common';
import { createSessionPrincipals, SessionPrincipals } from './session-principal';
import type { SignedInPerson, SignInDeps } from './sign-in-routes';

/** Single sign-on as configured (OIDC_* and the session settings). */
export interface SignInSettings {
  provider: RelyingPartySettings;
  /** Which grant each of the provider's groups gives (OIDC_GROUP_ROLES_FILE). */
  groupRoles: GroupRoles;
  timeouts?: SessionTimeouts;
  /** How long the provider's word on a person's groups is believed (default 60 s). */
  recheckSeconds?: number;
  /**
   * How long a session goes on while the re-check cannot reach the provider, counted from the
   * first attempt that did not succeed; then it ends (`provider-unreachable`). Default 15 minutes.
   */
  recheckGraceSeconds?: number;
}

const DEFAULT_RECHECK_SECONDS = 60;
/** How long a provider that does not answer the re-check is waited for (OIDC_RECHECK_GRACE_MINUTES). */
export const DEFAULT_RECHECK_GRACE_SECONDS = 15 * 60;

/** What the sign-in routes need when no provider is configured: only signing out is served. */
export const NO_SIGN_IN: Pick<SignInDeps, 'signedIn' | 'homeOf' | 'timeouts'> = {
  signedIn: () => Promise.reject(new Error('no single sign-on configured')),
  homeOf: () => Promise.resolve(undefined),
  timeouts: DEFAULT_SESSION_TIMEOUTS,
};

/**
 * Joins the parts of single sign-on (issue 13): the relying party, the people and their grants
 * from the provider's groups (src/db/person-principal.ts), and the sessions. Undefined without
 * settings.
 */
export function createSignIn(
  pool: Pool,
  ops: CycleOperations,
  settings: SignInSettings | undefined,
): { sessions: SessionPrincipals; routes: Omit<SignInDeps, 'pool' | 'guard' | 'publicUrl'> } | undefined {
  if (!settings) return undefined;
  const relyingParty = createRelyingParty(settings.provider);
  const timeouts = settings.timeouts ?? DEFAULT_SESSION_TIMEOUTS;
  const signedIn = async (identity: ProviderIdentity): Promise<SignedInPerson> => {
    const principal = await signInPerson(
      pool,
      {
        issuer: identity.issuer,
        subject: identity.subject,
        ...(identity.name && { name: identity.name }),
        ...(identity.email && { email: identity.email }),
      },
      rolesForGroups(settings.groupRoles, identity.groups),
    );
    return { personId: principal.personId, hasRole: principal.grants.length > 0 };
  };
  const sessions = createSessionPrincipals({
    pool,
    relyingParty,
    timeouts,
    recheckSeconds: settings.recheckSeconds ?? DEFAULT_RECHECK_SECONDS,
    recheckGraceSeconds: settings.recheckGraceSeconds ?? DEFAULT_RECHECK_GRACE_SECONDS,
    signedIn,
    principalOf: async (personId) => {
      const principal = await personPrincipal(pool, personId);
      return principal.grants.length > 0 ? principal : undefined;
    },
  });
  return {
    sessions,
    routes: {
      relyingParty,
      signedIn,
      homeOf: async (personId) => homeOf(await personPrincipal(pool, personId), ops),
      timeouts,
      redirectUrl: settings.provider.redirectUrl,
    },
  };
}
