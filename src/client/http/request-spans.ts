import { context, Span, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { FastifyInstance, FastifyRequest } from 'fastify';

const spans = new WeakMap<FastifyRequest, Span>();

/**
 * A span per request, named by the route's pattern (`POST /api/cycles/:year/...`, never the
 * concrete path: one name per route, and no board or person in it). The span is made active for
 * the hooks and the handler, so that what they call (SQL through the pg instrumentation, the
 * Temporal client's interceptor) continues its trace. Installed only when tracing is on.
 */
export function registerRequestSpans(app: FastifyInstance): void {
  const tracer = trace.getTracer('arshjul');
  app.addHook('onRequest', (request, _reply, done) => {
    const route = request.routeOptions.url;
    const span = tracer.startSpan(`${request.method} ${route ?? '(no route)'}`, {
      kind: SpanKind.SERVER,
      attributes: {
        'http.request.method': request.method,
        // The route, never the path: a calendar feed's path holds its secret.
        ...(route && { 'http.route': route }),
      },
    });
    spans.set(request, span);
    context.with(trace.setSpan(context.active(), span), done);
  });
  // The body is parsed from the socket's events, outside the context set above: the handler is
  // entered again within the span.
  app.addHook('preHandler', (request, _reply, done) => {
    const span = spans.get(request);
    if (span) context.with(trace.setSpan(context.active(), span), done);
    else done();
  });
  app.addHook('onResponse', (request, reply, done) => {
    const span = spans.get(request);
    if (span) {
      span.setAttribute('http.response.status_code', reply.statusCode);
      if (reply.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    }
    done();
  });
}
