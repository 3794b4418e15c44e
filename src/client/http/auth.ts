import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Pool } from 'pg';
import { authenticateBearer, bearerSecret } from '../../db/api-tokens';
import type { Principal } from '../../domain/principal';
import type { AuthGuard } from './auth-guard';
import { clearCookie } from './cookies';
import type { SessionPrincipals } from './sign-in/session-principal';

/** The cookie of a person's session (issue 13, single sign-on); the token cookie stays for keys. */
export const PERSON_SESSION_COOKIE = 'arshjul_session';

export { actorOf } from '../../domain/principal';

/** The cookie that carries a token for the web pages (set by the sign-in form). */
export const SESSION_COOKIE = 'arshjul_token';

declare module 'fastify' {
  interface FastifyRequest {
    /** The caller, when a valid token came with the request (bearer header or session cookie). */
    principal?: Principal;
  }
}

/** Reads one cookie from the Cookie header (no dependency for one value). */
export function readCookie(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const at = part.indexOf('=');
    if (at > 0 && part.slice(0, at).trim() === name) return decodeURIComponent(part.slice(at + 1).trim());
  }
  return undefined;
}

/**
 * Resolves the caller on every request: the API takes `Authorization: Bearer <token>`, the pages
 * a person's session (single sign-on) or a cookie holding a token. Routes decide what the caller may do. A wrong
 * secret counts against the client's address (see auth-guard.ts); a client past the limit is
 * refused with 429 before its secret is looked at.
 */
export function registerAuthentication(
  app: FastifyInstance,
  pool: Pool,
  guard: AuthGuard,
  sessions?: SessionPrincipals,
): void {
  app.decorateRequest('principal', undefined);
  app.addHook('onRequest', async (request, reply) => {
    const bearer = bearerSecret(request.headers.authorization);
    // A person's session (single sign-on) comes before a key in a cookie; a bearer token before both.
    const session = bearer ? undefined : readCookie(request.headers.cookie, PERSON_SESSION_COOKIE);
    if (session && sessions) {
      // A session that ended or timed out is no guess: it is not counted as a failure, and its
      // cookie is cleared so that the next request does not look it up again.
      request.principal = await sessions.principalOf(session);
      if (request.principal) return;
      void reply.header('set-cookie', clearCookie(PERSON_SESSION_COOKIE, 'Lax'));
    }
    const secret = bearer ?? readCookie(request.headers.cookie, SESSION_COOKIE);
    if (!secret) return;
    const wait = guard.retryAfterSeconds(request.ip);
    if (wait > 0) return refuseTooManyFailures(request, reply, wait);
    request.principal = await authenticateBearer(pool, secret);
    if (request.principal) return;
    await guard.failed(request.ip);
    // A key in a cookie that stopped working (revoked, expired) is cleared, so that browsing on
    // with it counts once, not at every page: colleagues behind one address are not blocked.
    if (!bearer) void reply.header('set-cookie', clearCookie(SESSION_COOKIE, 'Strict'));
  });
}

/** 429 to a client past the failure limit: JSON for the API, a short Swedish page otherwise. */
export function refuseTooManyFailures(request: FastifyRequest, reply: FastifyReply, retryAfterSeconds: number) {
  const minutes = Math.ceil(retryAfterSeconds / 60);
  void reply.code(429).header('retry-after', String(retryAfterSeconds)).header('cache-control', 'no-store');
  if (request.url.startsWith('/api/')) {
    return reply.send({
      error: 'too-many-requests',
      message: `too many failed sign-ins or wrong tokens from this address; try again in ${retryAfterSeconds} s`,
    });
  }
  return reply
    .type('text/plain; charset=utf-8')
    .send(
      `För många misslyckade inloggningar från den här adressen. Försök igen om ${minutes} ${minutes === 1 ? 'minut' : 'minuter'}.`,
    );
}

/** 401 unless a valid token came with the request; the principal otherwise. */
export function requirePrincipal(request: FastifyRequest, reply: FastifyReply): Principal | undefined {
  if (request.principal) return request.principal;
  void reply
    .code(401)
    .header('www-authenticate', 'Bearer realm="arshjul"')
    .send({ error: 'unauthorized', message: 'a valid bearer token is required' });
  return undefined;
}
