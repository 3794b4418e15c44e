import Fastify, { FastifyInstance } from 'fastify';
import { checkHealth, HealthProbe } from './health';

export interface HttpServerDeps {
  probes: Record<string, HealthProbe>;
}

/** The HTTP API. Today: /healthz, which reports every dependency's state (503 when one is down). */
export function buildHttpServer(deps: HttpServerDeps): FastifyInstance {
  const app = Fastify({ logger: false });
  app.get('/healthz', async (_request, reply) => {
    const health = await checkHealth(deps.probes);
    return reply.code(health.ok ? 200 : 503).send({ status: health.ok ? 'ok' : 'degraded', ...health });
  });
  return app;
}
