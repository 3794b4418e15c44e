import { ConfigError, loadConfig } from './config';
import { installRuntime, logLevelFromEnv } from '../worker/runtime';
import { ServiceRoles, startServices } from './services';
import { activeTracing } from './tracing';

/** Runs one production process (worker or API) until SIGINT/SIGTERM, then stops in order. */
export function runProcess(name: string, roles: ServiceRoles): void {
  const log = (line: string): void => void process.stderr.write(`${line}\n`);
  const main = async (): Promise<void> => {
    const config = loadConfig(process.env);
    installRuntime(logLevelFromEnv(process.env));
    const services = await startServices(config, log, roles);
    log(
      `Årshjul ${name} started: Temporal ${config.temporal.address}, task queue ${config.temporal.taskQueue}` +
        (services.httpUrl ? `, HTTP ${services.httpUrl}` : ''),
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
      log(error.message);
      process.exit(2);
    }
    log(error instanceof Error ? (error.stack ?? error.message) : String(error));
    process.exit(1);
  });
}
