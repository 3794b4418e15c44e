import * as openid from 'openid-client';

/**
 * Årshjul's side of OpenID Connect (issue 13): the authorization code flow with PKCE (S256),
 * state and nonce, through openid-client, against any conforming provider (Microsoft Entra ID,
 * Keycloak, the city's own, the loopback provider of `npm start` and the tests). What the flow
 * must remember between the redirect and the callback is handed to the caller, which keeps it in
 * PostgreSQL (src/db/sessions.ts), so any API process can take the callback.
 */

export interface RelyingPartySettings {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** Where the provider sends the browser back: `<public URL>/logga-in/klar`. */
  redirectUrl: string;
  /** Where the provider sends the browser after signing out there: `<public URL>/logga-in`. */
  postLogoutRedirectUrl: string;
  /** The claim that lists the person's groups (`groups` in Entra ID and Keycloak's usual mapper). */
  groupsClaim: string;
}

/** Who the provider says signed in, and the groups it says they are in. */
export interface ProviderIdentity {
  issuer: string;
  subject: string;
  name?: string;
  email?: string;
  groups: string[];
}

export interface PendingSignIn {
  state: string;
  codeVerifier: string;
  nonce: string;
}

export interface FinishedSignIn {
  identity: ProviderIdentity;
  idToken?: string;
  refreshToken?: string;
}

/** The provider refused (a grant revoked, a person disabled) or answered what the flow does not accept. */
export class SignInRefused extends Error {
  constructor(
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(`the OpenID provider refused: ${reason}`, options);
    this.name = 'SignInRefused';
  }
}

const SCOPES = ['openid', 'profile', 'email', 'offline_access'];
/** Asked for only where the provider lists it (Keycloak and the development provider; Entra ID sends groups without). */
const GROUPS_SCOPE = 'groups';

/** Plain HTTP is accepted only on loopback (the development provider); anywhere else, HTTPS. */
function isLoopbackHttp(url: URL): boolean {
  return url.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
}

function groupsOf(claims: Record<string, unknown>, claim: string): string[] {
  const value = claims[claim];
  if (Array.isArray(value)) return value.filter((g): g is string => typeof g === 'string');
  // Some providers send a single group as a string, or several separated by spaces or commas.
  if (typeof value === 'string') return value.split(/[\s,]+/).filter((g) => g !== '');
  return [];
}

function identityOf(issuer: string, claims: Record<string, unknown>, groupsClaim: string): ProviderIdentity {
  const subject = claims.sub;
  if (typeof subject !== 'string' || subject === '') throw new SignInRefused('no subject (sub) in the claims');
  const text = (key: string) => (typeof claims[key] === 'string' && claims[key] !== '' ? claims[key] : undefined);
  const name = text('name') ?? ([text('given_name'), text('family_name')].filter(Boolean).join(' ') || undefined);
  const email = text('email') ?? text('preferred_username');
  return {
    issuer,
    subject,
    ...(name && { name }),
    ...(email && { email }),
    groups: groupsOf(claims, groupsClaim),
  };
}

export function createRelyingParty(settings: RelyingPartySettings) {
  const issuerUrl = new URL(settings.issuer);
  if (issuerUrl.protocol !== 'https:' && !isLoopbackHttp(issuerUrl)) {
    throw new Error(`OIDC_ISSUER must be an https:// URL (plain http only on loopback): ${settings.issuer}`);
  }
  let discovered: Promise<openid.Configuration> | undefined;
  /** Discovery once per process; a failed one is tried again at the next sign-in, not kept. */
  const configuration = (): Promise<openid.Configuration> => {
    discovered ??= openid
      .discovery(
        issuerUrl,
        settings.clientId,
        { client_secret: settings.clientSecret },
        openid.ClientSecretBasic(settings.clientSecret),
        isLoopbackHttp(issuerUrl) ? { execute: [openid.allowInsecureRequests] } : undefined,
      )
      .catch((error: unknown) => {
        discovered = undefined;
        throw error;
      });
    return discovered;
  };
  const issuerOf = (config: openid.Configuration) => config.serverMetadata().issuer;

  /** The identity after a token response: the ID token's claims, else the userinfo endpoint's. */
  const identityAfter = async (
    config: openid.Configuration,
    tokens: openid.TokenEndpointResponse & openid.TokenEndpointResponseHelpers,
    expectedSubject?: string,
  ): Promise<ProviderIdentity> => {
    const idClaims = tokens.claims() as Record<string, unknown> | undefined;
    const subject = (idClaims?.sub as string | undefined) ?? expectedSubject;
    if (!subject) throw new SignInRefused('neither an ID token nor a known subject');
    // The userinfo endpoint has the groups as they are now even when the ID token is older or lacks them.
    let claims: Record<string, unknown> = { ...idClaims };
    if (config.serverMetadata().userinfo_endpoint) {
      const info = await openid.fetchUserInfo(config, tokens.access_token, subject);
      claims = { ...claims, ...info };
    }
    return identityOf(issuerOf(config), claims, settings.groupsClaim);
  };

  return {
    /** The provider's address to send the browser to, and what the callback must check. */
    async startSignIn(): Promise<{ url: URL; pending: PendingSignIn }> {
      const config = await configuration();
      const pending = {
        state: openid.randomState(),
        codeVerifier: openid.randomPKCECodeVerifier(),
        nonce: openid.randomNonce(),
      };
      const url = openid.buildAuthorizationUrl(config, {
        redirect_uri: settings.redirectUrl,
        scope: [
          ...SCOPES,
          ...(config.serverMetadata().scopes_supported?.includes(GROUPS_SCOPE) ? [GROUPS_SCOPE] : []),
        ].join(' '),
        code_challenge: await openid.calculatePKCECodeChallenge(pending.codeVerifier),
        code_challenge_method: 'S256',
        state: pending.state,
        nonce: pending.nonce,
      });
      return { url, pending };
    },

    /** Exchanges the callback's code (state, nonce and PKCE checked) for who signed in. */
    async finishSignIn(callbackUrl: URL, pending: PendingSignIn): Promise<FinishedSignIn> {
      const config = await configuration();
      let tokens;
      try {
        tokens = await openid.authorizationCodeGrant(config, callbackUrl, {
          pkceCodeVerifier: pending.codeVerifier,
          expectedState: pending.state,
          expectedNonce: pending.nonce,
          idTokenExpected: true,
        });
      } catch (error) {
        throw new SignInRefused(error instanceof Error ? error.message : String(error), { cause: error });
      }
      return {
        identity: await identityAfter(config, tokens),
        ...(tokens.id_token && { idToken: tokens.id_token }),
        ...(tokens.refresh_token && { refreshToken: tokens.refresh_token }),
      };
    },

    /**
     * Asks the provider again who the person is now (a refresh token grant, then the claims):
     * SignInRefused when the provider says no (person disabled, grant revoked); any other error
     * when it could not be asked.
     */
    async recheck(
      refreshToken: string,
      subject: string,
    ): Promise<{ identity: ProviderIdentity; refreshToken?: string }> {
      const config = await configuration();
      try {
        const tokens = await openid.refreshTokenGrant(config, refreshToken);
        const identity = await identityAfter(config, tokens, subject);
        if (identity.subject !== subject) throw new SignInRefused('the refreshed claims name another person');
        return { identity, ...(tokens.refresh_token && { refreshToken: tokens.refresh_token }) };
      } catch (error) {
        // An answer of the provider's saying no ends the session; a provider that does not answer
        // (network, 5xx) does not: the caller tries again at the next request.
        if (error instanceof openid.ResponseBodyError || error instanceof openid.WWWAuthenticateChallengeError) {
          throw new SignInRefused(error.message, { cause: error });
        }
        throw error;
      }
    },

    /** Where to send the browser to sign out at the provider too, when the provider supports it. */
    async signOutUrl(idToken: string | null): Promise<URL | undefined> {
      const config = await configuration();
      if (!config.serverMetadata().end_session_endpoint) return undefined;
      return openid.buildEndSessionUrl(config, {
        post_logout_redirect_uri: settings.postLogoutRedirectUrl,
        client_id: settings.clientId,
        ...(idToken && { id_token_hint: idToken }),
      });
    },

    /** The issuer as the provider names itself (sessions record it). */
    async issuer(): Promise<string> {
      return issuerOf(await configuration());
    },
  };
}

export type RelyingParty = ReturnType<typeof createRelyingParty>;
