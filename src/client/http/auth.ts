import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Pool } from 'pg';
import { authenticateBearer, bearerSecret } from '../../db/api-tokens';
import type { Principal } from '../../domain/principal';

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
 * a session cookie holding the same kind of token. Routes decide what the caller may do.
 */
export function registerAuthentication(app: FastifyInstance, pool: Pool): void {
  app.decorateRequest('principal', undefined);
  app.addHook('onRequest', async (request) => {
    const secret = bearerSecret(request.headers.authorization) ?? readCookie(request.headers.cookie, SESSION_COOKIE);
    if (secret) request.principal = await authenticateBearer(pool, secret);
  });
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
