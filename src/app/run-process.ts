import { createServer } from 'node:net';
import { ConfigError, loadConfig } from './config';
import { installRuntime, logLevelFromEnv } from '../worker/runtime';
import { createLogger, logFormatOf, sdkLoggerOf } from './log';
import { ServiceRoles, startServices } from './services';
import { activeTracing } from './tracing';

/** Runs one production process (worker or API) until SIGINT/SIGTERM, then stops in order. */
export function runProcess(name: string, roles: ServiceRoles): void {
  // JSON lines unless LOG_FORMAT=text: production's log collectors read one object per line.
  const logger = createLogger({ format: logFormatOf(process.env, 'json') });
  const main = async (): Promise<void> => {
    const config = loadConfig(process.env);
    // A worker with a /metrics listener also gets the SDK's exporter, on loopback only: its
    // text is appended to that /metrics, so Prometheus scrapes one endpoint per worker.
    const sdkPort = roles.worker && config.metrics.workerPort !== undefined ? await freeLoopbackPort() : undefined;
    installRuntime(logLevelFromEnv(process.env), sdkLoggerOf(logger, logLevelFromEnv(process.env)), {
      ...(sdkPort && { prometheusBindAddress: `127.0.0.1:${sdkPort}` }),
    });
    const services = await startServices(config, logger.line, roles, logger, {
      ...(sdkPort && { sdkMetricsUrl: `http://127.0.0.1:${sdkPort}/metrics` }),
    });
    logger.info(
      `Årshjul ${name} started: Temporal ${config.temporal.address}, task queue ${config.temporal.taskQueue}` +
        (services.httpUrl ? `, HTTP ${services.httpUrl}` : ''),
      { process: name, ...(services.httpUrl && { url: services.httpUrl }) },
    );
    const stop = (): void => {
      // The spans still batched go out last, after the work that made them has stopped.
      const stopped = services.stop().finally(() =>
        activeTracing()
          ?.shutdown()
          .catch(() => undefined),
      );
      stopped.then(
        () => process.exit(0),
        () => process.exit(1),
      );
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    await services.workerRun;
  };
  main().catch((error: unknown) => {
    if (error instanceof ConfigError) {
      logger.error(error.message);
      process.exit(2);
    }
    logger.error(error instanceof Error ? error.message : String(error), { error });
    process.exit(1);
  });
}

/** A port free on loopback now (the SDK's exporter binds it a moment later). */
function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        address && typeof address === 'object' ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}
