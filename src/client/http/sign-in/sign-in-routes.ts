import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Pool } from 'pg';
import {
  createSession,
  endSession,
  hashSessionSecret,
  insertSignInAttempt,
  SessionTimeouts,
  takeSignInAttempt,
} from '../../../db/sessions';
import type { ProviderIdentity, RelyingParty } from '../../sign-in/openid-relying-party';
import { SignInRefused } from '../../sign-in/openid-relying-party';
import { PERSON_SESSION_COOKIE, readCookie, refuseTooManyFailures, SESSION_COOKIE } from '../auth';
import type { AuthGuard } from '../auth-guard';
import { clearCookie, setCookie } from '../cookies';
import { isSameOrigin, queryValue, sendPage } from '../pages/common';
import { messagePage } from '../pages/layout';

/** Binds a sign-in under way to the browser that started it (login CSRF): holds its state. */
const SIGN_IN_COOKIE = 'arshjul_sign_in';
/** How long a person may take at the provider before the sign-in must start again. */
export const SIGN_IN_MAX_AGE_SECONDS = 600;

/** Who signed in, as Årshjul keeps them: the person's ID, and whether any role came with them. */
export interface SignedInPerson {
  personId: string;
  hasRole: boolean;
}

export interface SignInDeps {
  pool: Pool;
  /** Absent: no single sign-on configured; only signing out is served here. */
  relyingParty?: RelyingParty;
  /** Keeps the person and their memberships in step with the provider's groups. */
  signedIn(identity: ProviderIdentity): Promise<SignedInPerson>;
  /** Where a person goes after signing in when the sign-in did not start from a page. */
  homeOf(personId: string): Promise<string | undefined>;
  timeouts: SessionTimeouts;
  guard: AuthGuard;
  publicUrl?: string;
  /** The redirect URL registered at the provider: the callback's URL is read against it. */
  redirectUrl?: string;
}

const cookie = (name: string, value: string, secure: boolean, maxAge?: number): string =>
  setCookie(name, value, { sameSite: 'Lax', secure, ...(maxAge !== undefined && { maxAge }) });

/** A path on this site to go back to; anything else (another site, `//host`, `/\host`) is dropped. */
export function localPath(value: string): string | undefined {
  if (!value.startsWith('/') || value.startsWith('//') || value.startsWith('/\\')) return undefined;
  if (value.length > 2000 || [...value].some((c) => c.charCodeAt(0) < 0x20)) return undefined;
  return value;
}

const failed = (reply: FastifyReply, status: number, text: string) =>
  sendPage(reply, status, messagePage('Inloggningen misslyckades', text));

/**
 * Single sign-on (issue 13): `/logga-in/sso` sends the browser to the OpenID provider, which
 * sends it back to `/logga-in/klar`; the person is then kept in step with the provider's groups
 * and gets a session. `/logga-ut` ends it here and, where the provider supports it, there too.
 */
export function registerSignInRoutes(app: FastifyInstance, deps: SignInDeps): void {
  const secure = (deps.publicUrl ?? '').startsWith('https:');
  registerSignOut(app, deps, secure);
  const relyingParty = deps.relyingParty;
  if (!relyingParty) return;

  app.get('/logga-in/sso', async (request, reply) => {
    const wait = deps.guard.retryAfterSeconds(request.ip);
    if (wait > 0) return refuseTooManyFailures(request, reply, wait);
    const returnTo = localPath(queryValue(request.query, 'till')) ?? '';
    let started;
    try {
      started = await relyingParty.startSignIn();
    } catch {
      return failed(reply, 503, 'Inloggningstjänsten svarar inte just nu. Försök igen om en stund.');
    }
    await insertSignInAttempt(deps.pool, { ...started.pending, returnTo });
    reply.header('set-cookie', cookie(SIGN_IN_COOKIE, started.pending.state, secure, SIGN_IN_MAX_AGE_SECONDS));
    return reply.redirect(started.url.href, 303);
  });

  app.get('/logga-in/klar', async (request, reply) => {
    const wait = deps.guard.retryAfterSeconds(request.ip);
    if (wait > 0) return refuseTooManyFailures(request, reply, wait);
    reply.header('set-cookie', cookie(SIGN_IN_COOKIE, '', secure, 0));
    const state = queryValue(request.query, 'state');
    const providerError = queryValue(request.query, 'error');
    // The state must be the one this browser started with, and not used before.
    const attempt =
      state !== '' && readCookie(request.headers.cookie, SIGN_IN_COOKIE) === state
        ? await takeSignInAttempt(deps.pool, state, SIGN_IN_MAX_AGE_SECONDS)
        : undefined;
    if (providerError === 'access_denied') {
      return failed(reply, 403, 'Inloggningen avbröts hos inloggningstjänsten.');
    }
    if (!attempt) {
      await deps.guard.failed(request.ip);
      return failed(
        reply,
        400,
        'Inloggningen gick inte att slutföra: den har gått ut eller startades i en annan webbläsare. Börja om från inloggningssidan.',
      );
    }
    let finished;
    try {
      finished = await relyingParty.finishSignIn(callbackUrlOf(request, deps.redirectUrl ?? deps.publicUrl), {
        state,
        codeVerifier: attempt.codeVerifier,
        nonce: attempt.nonce,
      });
    } catch (error) {
      if (!(error instanceof SignInRefused)) throw error;
      await deps.guard.failed(request.ip);
      return failed(reply, 400, 'Inloggningstjänsten godkände inte inloggningen. Börja om från inloggningssidan.');
    }
    const person = await deps.signedIn(finished.identity);
    if (!person.hasRole) {
      return failed(
        reply,
        403,
        'Du är inloggad hos staden men har ingen roll i Årshjul. Be Stadsledningskontoret om behörighet.',
      );
    }
    const secret = await createSession(
      deps.pool,
      {
        personId: person.personId,
        issuer: finished.identity.issuer,
        subject: finished.identity.subject,
        ...(finished.idToken && { idToken: finished.idToken }),
        ...(finished.refreshToken && { refreshToken: finished.refreshToken }),
      },
      deps.timeouts,
    );
    reply.header('set-cookie', [cookie(SIGN_IN_COOKIE, '', secure, 0), cookie(PERSON_SESSION_COOKIE, secret, secure)]);
    return reply.redirect(attempt.returnTo || ((await deps.homeOf(person.personId)) ?? '/'), 303);
  });
}

/** `/logga-ut`: ends the person's session here and, where the provider supports it, there too. */
function registerSignOut(app: FastifyInstance, deps: SignInDeps, secure: boolean): void {
  app.post('/logga-ut', async (request, reply) => {
    if (!isSameOrigin(request, deps.publicUrl)) {
      return sendPage(reply, 403, messagePage('Åtkomst nekad', 'Utloggning från en annan webbplats tas inte emot.'));
    }
    // Both cookies go: a person's session, and a key's (the pages' token sign-in).
    reply.header('set-cookie', [
      cookie(PERSON_SESSION_COOKIE, '', secure, 0),
      clearCookie(SESSION_COOKIE, 'Strict', secure),
    ]);
    const secret = readCookie(request.headers.cookie, PERSON_SESSION_COOKIE);
    const ended = secret ? await endSession(deps.pool, hashSessionSecret(secret), 'signed-out') : undefined;
    if (ended) {
      const atProvider = await deps.relyingParty?.signOutUrl(ended.idToken).catch(() => undefined);
      if (atProvider) return reply.redirect(atProvider.href, 303);
    }
    return reply.redirect('/logga-in', 303);
  });
}

/** The callback's URL as the provider saw it (the registered address, not the socket's). */
function callbackUrlOf(request: FastifyRequest, registered?: string): URL {
  const base = registered ?? `${request.protocol}://${request.host}`;
  return new URL(request.url, base);
}
