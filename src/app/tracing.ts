/**
 * Traces (issue 15): where OTEL_EXPORTER_OTLP_ENDPOINT names an OTLP/HTTP collector, a tracer
 * provider batches this process's spans to it; unset, nothing is installed and the OpenTelemetry
 * API stays the no-op it is by default (the HTTP hooks, the Temporal interceptors and the
 * workflow interceptor module are then left out too).
 *
 * This module imports nothing of Årshjul's but the configuration: it is loaded first by the
 * entry points (worker-main.ts, api-main.ts), before anything requires `pg`, because the pg
 * instrumentation patches `pg` through a require hook when it is first required.
 */
import { trace, Tracer } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { Resource } from '@opentelemetry/resources';
import { BatchSpanProcessor, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import { ConfigError, tracingEndpointOf } from './config';

export type ServiceName = 'arshjul-api' | 'arshjul-worker' | 'arshjul';

export interface Tracing {
  serviceName: ServiceName;
  resource: Resource;
  /** The batch processor: the worker hands it the workflow sandbox's spans (the sink). */
  spanProcessor: SpanProcessor;
  /** Sends what is still batched and stops; the process calls it last when it stops. */
  shutdown(): Promise<void>;
}

let active: Tracing | undefined;

/** The process's tracing, when it was started (by startTracing); undefined means off. */
export function activeTracing(): Tracing | undefined {
  return active;
}

/** Årshjul's own spans (HTTP requests, SMTP sends): a no-op tracer while tracing is off. */
export function arshjulTracer(): Tracer {
  return trace.getTracer('arshjul');
}

/** OTLP/HTTP's traces path under the endpoint, as the specification's environment variable means it. */
export function tracesUrlOf(endpoint: string): string {
  return new URL('v1/traces', endpoint.endsWith('/') ? endpoint : `${endpoint}/`).href;
}

/**
 * Installs tracing for this process if the endpoint is set: the global tracer provider (its
 * AsyncLocalStorage context manager and the W3C trace-context propagator, which the Temporal
 * interceptors use for their headers) and the pg instrumentation.
 */
export function startTracing(serviceName: ServiceName, env: NodeJS.ProcessEnv = process.env): Tracing | undefined {
  if (active) return active;
  const endpoint = tracingEndpointOf(env);
  if (!endpoint) return undefined;
  const resource = new Resource({ [ATTR_SERVICE_NAME]: serviceName });
  const spanProcessor = new BatchSpanProcessor(new OTLPTraceExporter({ url: tracesUrlOf(endpoint) }), {
    // Short enough that a trace is at the collector within seconds of the request.
    scheduledDelayMillis: 1_000,
  });
  const provider = new NodeTracerProvider({ resource, spanProcessors: [spanProcessor] });
  provider.register();
  const unregister = registerInstrumentations({
    tracerProvider: provider,
    // Statements outside a request or an activity (the daily prune, migrations) are traced too.
    instrumentations: [new PgInstrumentation({ requireParentSpan: false })],
  });
  active = {
    serviceName,
    resource,
    spanProcessor,
    async shutdown() {
      unregister();
      await provider.shutdown();
      active = undefined;
    },
  };
  return active;
}

/**
 * For the entry points, before anything else is required: starts tracing, or ends the process
 * with code 2 and one line naming the variable when the endpoint is not a URL.
 */
export function startTracingOrExit(serviceName: ServiceName): Tracing | undefined {
  try {
    return startTracing(serviceName);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(2);
  }
}
