import { DefaultLogger, Logger, LogLevel, Runtime } from '@temporalio/worker';

/**
 * Installs the SDK runtime once per process. We own signal handling (shutdownSignals: []) so that
 * Ctrl-C stops the services in order instead of the SDK stopping only the worker behind our back.
 * A process's composition root passes its own logger (src/app/log.ts: JSON lines in production).
 */
export function installRuntime(level: LogLevel = 'WARN', logger: Logger = new DefaultLogger(level)): void {
  try {
    Runtime.install({ logger, shutdownSignals: [] });
  } catch {
    // Already installed in this process (the SDK allows one install): keep the first.
  }
}

export function logLevelFromEnv(env: NodeJS.ProcessEnv): LogLevel {
  const value = (env.LOG_LEVEL ?? '').toUpperCase();
  return (['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR'] as const).find((l) => l === value) ?? 'WARN';
}
