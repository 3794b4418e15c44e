import { DefaultLogger, Logger, LogLevel, Runtime } from '@temporalio/worker';

/**
 * Installs the SDK runtime once per process. We own signal handling (shutdownSignals: []) so that
 * Ctrl-C stops the services in order instead of the SDK stopping only the worker behind our back.
 * A process's composition root passes its own logger (src/app/log.ts: JSON lines in production).
 * With `prometheusBindAddress` (host:port) the SDK's own worker metrics (task slots, poll and
 * schedule-to-start latencies, sticky cache) are exported there, at /metrics; a worker process
 * binds it on loopback and appends it to its own /metrics (src/app/metrics.ts).
 */
export function installRuntime(
  level: LogLevel = 'WARN',
  logger: Logger = new DefaultLogger(level),
  options: { prometheusBindAddress?: string } = {},
): void {
  try {
    Runtime.install({
      logger,
      shutdownSignals: [],
      ...(options.prometheusBindAddress && {
        telemetryOptions: {
          metrics: { prometheus: { bindAddress: options.prometheusBindAddress, useSecondsForDurations: true } },
        },
      }),
    });
  } catch {
    // Already installed in this process (the SDK allows one install): keep the first.
  }
}

export function logLevelFromEnv(env: NodeJS.ProcessEnv): LogLevel {
  const value = (env.LOG_LEVEL ?? '').toUpperCase();
  return (['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR'] as const).find((l) => l === value) ?? 'WARN';
}
