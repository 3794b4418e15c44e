/**
 * Production entry point of a worker-and-API process: every dependency comes from the
 * environment (see .env.example). Bad configuration exits with code 2 and one line.
 */
import { ConfigError, loadConfig } from './config';
import { installRuntime, logLevelFromEnv } from './runtime';
import { startServices } from './services';

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  installRuntime(logLevelFromEnv(process.env));
  const log = (line: string): void => void process.stderr.write(`${line}\n`);
  const services = await startServices(config, log);
  log(`Årshjul worker polling ${config.temporal.taskQueue} on ${config.temporal.address}; HTTP on ${services.httpUrl}`);
  const stop = (): void => {
    services.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  await services.workerRun;
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    process.stderr.write(`${error.message}\n`);
    process.exit(2);
  }
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
