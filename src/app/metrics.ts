import { createServer, Server } from 'node:http';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Pool } from 'pg';
import type { MailMetrics, MailOutcome } from '../activities/ports';
import type { HttpMetrics } from '../client/http/server';

/**
 * Årshjul's metrics in Prometheus' text format, one registry per process (issue 15). A worker
 * counts mails (its activities send them), an API process times its requests and reads the
 * deliverables' states from the read model at each scrape; both export the Node.js process
 * metrics. The Temporal SDK's own worker metrics come from the SDK's exporter (src/worker/runtime.ts)
 * and are appended to the worker's /metrics (startMetricsListener).
 */

/** Seconds after the planned instant: a minute's delay is normal, hours mean the relay or the worker was down. */
export const LATENESS_BUCKETS = [1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600, 7200, 21600, 86400];

/** Seconds per request: pages and the API answer in milliseconds; exports and uploads take longer. */
export const HTTP_DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** The label of a request that matched no route (404s for guessed URLs): one series, not one per URL. */
export const UNMATCHED_ROUTE = 'unmatched';

export interface ArshjulMetrics extends MailMetrics, HttpMetrics {
  registry: Registry;
}

export function createMetrics(): ArshjulMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const mails = new Counter({
    name: 'arshjul_mails_total',
    help: 'Mails whose outcome a worker recorded in the send log, by outcome (sent, failed, expired) and kind.',
    labelNames: ['outcome', 'kind'] as const,
    registers: [registry],
  });
  const lateness = new Histogram({
    name: 'arshjul_reminder_lateness_seconds',
    help: 'Seconds from the instant a mail was planned for to the moment the relay accepted it, by kind.',
    labelNames: ['kind'] as const,
    buckets: LATENESS_BUCKETS,
    registers: [registry],
  });
  const httpDuration = new Histogram({
    name: 'arshjul_http_request_duration_seconds',
    help: 'Seconds an HTTP request took, by method, route pattern and status code.',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: HTTP_DURATION_BUCKETS,
    registers: [registry],
  });
  return {
    registry,
    mailRecorded(outcome: MailOutcome, kind: string, latenessSeconds?: number) {
      mails.inc({ outcome, kind });
      if (outcome === 'sent' && latenessSeconds !== undefined) lateness.observe({ kind }, latenessSeconds);
    },
    requestDone(method: string, route: string | undefined, status: number, seconds: number) {
      httpDuration.observe({ method, route: route ?? UNMATCHED_ROUTE, status: String(status) }, seconds);
    },
    async render() {
      return { contentType: registry.contentType, body: await registry.metrics() };
    },
  };
}

/** The deliverables still waiting for their board, and of them the late and the escalated ones. */
export const DELIVERABLE_COUNTS_SQL = `
  SELECT count(*)::int AS open,
         count(*) FILTER (WHERE late)::int AS late,
         count(*) FILTER (WHERE escalation_level > 0)::int AS escalated
    FROM deliverable_status
   WHERE stage IN ('open', 'returned')`;

/**
 * arshjul_deliverables{state}: counted from the read model at each scrape, with one query. Only
 * the API processes register it, so that the workers (scaled out) do not all query the same.
 * When PostgreSQL does not answer, the gauge is left out of that scrape instead of repeating an
 * old count (and the rest of the scrape still answers).
 */
export function registerDeliverableGauge(metrics: ArshjulMetrics, pool: Pool): void {
  new Gauge({
    name: 'arshjul_deliverables',
    help: 'Deliverables waiting for their board (state="open"), and of them the late and the escalated, from the read model.',
    labelNames: ['state'] as const,
    registers: [metrics.registry],
    async collect() {
      this.reset();
      try {
        const { rows } = await pool.query<{ open: number; late: number; escalated: number }>(DELIVERABLE_COUNTS_SQL);
        const counts = rows[0]!;
        this.set({ state: 'open' }, counts.open);
        this.set({ state: 'late' }, counts.late);
        this.set({ state: 'escalated' }, counts.escalated);
      } catch {
        // Left empty: a scrape without the gauge shows that the read model could not be read.
      }
    },
  });
}

export interface MetricsListener {
  url: string;
  close(): Promise<void>;
}

/**
 * A worker's own /metrics (it has no HTTP server otherwise): Årshjul's registry, followed by the
 * SDK's exporter's text when `sdkMetricsUrl` names one, so that Prometheus scrapes one endpoint
 * per worker. The two never share a name (the SDK's begin with temporal_).
 */
export async function startMetricsListener(options: {
  host: string;
  port: number;
  metrics: ArshjulMetrics;
  sdkMetricsUrl?: string;
}): Promise<MetricsListener> {
  const server: Server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    if (request.method !== 'GET' || path !== '/metrics') {
      response.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('Not found: try /metrics\n');
      return;
    }
    void (async () => {
      const own = await options.metrics.render();
      const sdk = options.sdkMetricsUrl ? await sdkText(options.sdkMetricsUrl) : '';
      response.writeHead(200, { 'content-type': own.contentType }).end(own.body + sdk);
    })().catch((error: unknown) => {
      response.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end(`${String(error)}\n`);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(new Error(`cannot answer /metrics on ${options.host}:${options.port} (${error.code ?? error.message})`)),
    );
    server.listen(options.port, options.host, () => resolve());
  });
  const address = server.address();
  const port = address && typeof address === 'object' ? address.port : options.port;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    url: `http://${host}:${port}/metrics`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The SDK's exposition; a comment instead when its exporter does not answer (ours still does). */
async function sdkText(url: string): Promise<string> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
    if (!response.ok) return `# Temporal SDK metrics at ${url} answered ${response.status}\n`;
    const text = await response.text();
    return text.endsWith('\n') || text === '' ? text : `${text}\n`;
  } catch (error) {
    return `# Temporal SDK metrics at ${url} unavailable: ${String((error as Error)?.message ?? error)}\n`;
  }
}
