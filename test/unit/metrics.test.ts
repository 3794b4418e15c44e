import { createMetrics, startMetricsListener, UNMATCHED_ROUTE } from '../../src/app/metrics';
import { latenessSeconds } from '../../src/activities/send-once';

/** One sample's value from the exposition, by name and exact label set; undefined when absent. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('latenessSeconds', () => {
  it('is the seconds from the planned instant to the send', () => {
    expect(latenessSeconds('2026-03-02T07:00:00.000Z', new Date('2026-03-02T07:01:30.500Z'))).toBe(90.5);
  });

  it('is never below zero (a planned instant in workflow time ahead of the clock)', () => {
    expect(latenessSeconds('2026-03-02T07:00:00.000Z', new Date('2026-03-02T06:00:00.000Z'))).toBe(0);
  });
});

describe('createMetrics', () => {
  it('counts mails by outcome and kind, and observes the lateness of those sent only', async () => {
    const metrics = createMetrics();
    metrics.mailRecorded('sent', 'reminder', 42);
    metrics.mailRecorded('sent', 'reminder', 4000);
    metrics.mailRecorded('failed', 'escalation-2');
    metrics.mailRecorded('expired', 'reminder');
    const { body, contentType } = await metrics.render();
    expect(contentType).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(sample(body, 'arshjul_mails_total{outcome="sent",kind="reminder"}')).toBe(2);
    expect(sample(body, 'arshjul_mails_total{outcome="failed",kind="escalation-2"}')).toBe(1);
    expect(sample(body, 'arshjul_mails_total{outcome="expired",kind="reminder"}')).toBe(1);
    expect(sample(body, 'arshjul_reminder_lateness_seconds_count{kind="reminder"}')).toBe(2);
    expect(sample(body, 'arshjul_reminder_lateness_seconds_sum{kind="reminder"}')).toBe(4042);
    expect(sample(body, 'arshjul_reminder_lateness_seconds_bucket{le="60",kind="reminder"}')).toBe(1);
    expect(sample(body, 'arshjul_reminder_lateness_seconds_count{kind="escalation-2"}')).toBeUndefined();
  });

  it('labels request durations by route pattern, and requests that matched no route as one series', async () => {
    const metrics = createMetrics();
    metrics.requestDone('GET', '/namnd/:boardId', 200, 0.02);
    metrics.requestDone('GET', '/namnd/:boardId', 200, 0.3);
    metrics.requestDone('GET', undefined, 404, 0.001);
    const { body } = await metrics.render();
    const series = 'arshjul_http_request_duration_seconds_count';
    expect(sample(body, `${series}{method="GET",route="/namnd/:boardId",status="200"}`)).toBe(2);
    expect(sample(body, `${series}{method="GET",route="${UNMATCHED_ROUTE}",status="404"}`)).toBe(1);
  });

  it('keeps each process’s registry apart, with the Node.js process metrics in each', async () => {
    const a = createMetrics();
    const b = createMetrics();
    a.mailRecorded('sent', 'reminder', 1);
    const bText = (await b.render()).body;
    expect(sample(bText, 'arshjul_mails_total{outcome="sent",kind="reminder"}')).toBeUndefined();
    expect(bText).toContain('process_cpu_user_seconds_total');
    expect(bText).toContain('nodejs_heap_size_used_bytes');
  });
});

describe('startMetricsListener', () => {
  it('names the address it could not listen on', async () => {
    const first = await startMetricsListener({ host: '127.0.0.1', port: 0, metrics: createMetrics() });
    const port = Number(new URL(first.url).port);
    try {
      await expect(startMetricsListener({ host: '127.0.0.1', port, metrics: createMetrics() })).rejects.toThrow(
        `cannot answer /metrics on 127.0.0.1:${port} (EADDRINUSE)`,
      );
    } finally {
      await first.close();
    }
  });
});
