import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { FastifyInstance } from 'fastify';
import { actorId } from '../../domain/principal';

/** Where the server writes its access and error lines (src/app/log.ts's logger fits). */
export interface RequestLogger {
  info(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

export const REQUEST_ID_HEADER = 'x-request-id';

/**
 * A request ID a proxy or client sent is kept when it is a plain token (a UUID, a load
 * balancer's trace id), so one ID follows the request through every hop; anything else (too
 * long, spaces, line breaks that would forge log lines) is replaced by our own.
 */
const SANE_REQUEST_ID = /^[A-Za-z0-9._:@+=/-]{1,128}$/;

/** Fastify's genReqId: the incoming X-Request-Id when sane, else a fresh UUID. */
export function requestIdOf(request: IncomingMessage): string {
  const sent = request.headers[REQUEST_ID_HEADER];
  return typeof sent === 'string' && SANE_REQUEST_ID.test(sent) ? sent : randomUUID();
}

/**
 * Every answer carries its request's ID (X-Request-Id), so a user's report of a failure can be
 * found in the log; with a logger, one access line per request (method, route pattern — never
 * the URL, which may hold a feed's key —, status, milliseconds, request ID, and the caller's id
 * when signed in: ids only, never names or addresses) and an error line for a failure that
 * answered 5xx.
 */
export function registerRequestLog(app: FastifyInstance, log?: RequestLogger): void {
  app.addHook('onRequest', async (request, reply) => {
    void reply.header(REQUEST_ID_HEADER, request.id);
  });
  if (!log) return;
  app.addHook('onError', async (request, reply, error) => {
    // Runs before the error handler sets the status: an error without one answers 500.
    const status = (error as { statusCode?: number }).statusCode ?? (reply.statusCode >= 400 ? reply.statusCode : 500);
    if (status < 500) return;
    log.error('request failed', {
      requestId: request.id,
      method: request.method,
      route: request.routeOptions.url ?? null,
      error,
    });
  });
  app.addHook('onResponse', async (request, reply) => {
    log.info('request', {
      requestId: request.id,
      method: request.method,
      route: request.routeOptions.url ?? null,
      status: reply.statusCode,
      ms: Math.round(reply.elapsedTime * 10) / 10,
      ...(request.principal && { actor: actorId(request.principal) }),
    });
  });
}
