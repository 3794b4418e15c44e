/**
 * `npm start`: the whole stack on embedded defaults. Every service the environment does not
 * name is started here: the Temporal dev server (file-backed, with Web UI), a private
 * PostgreSQL cluster and an SMTP sink that keeps every mail as an .eml file, all under the data
 * folder (.data/ by default), so a second start keeps the data. Then the worker and the HTTP
 * server. Ctrl-C stops everything in order.
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ensureTemporalCli } from '../toolchain/temporal-cli';
import { MissingPrerequisiteError, step } from '../toolchain/step';
import { AppConfig, ConfigError, configDefaults, loadConfig, loadOverrides } from '../worker/config';
import { installRuntime, logLevelFromEnv } from '../worker/runtime';
import { startServices } from '../worker/services';
import { ensureStartTokens } from './start-tokens';
import { loadRegistry, shippedRegistryPath } from '../client/data-files';
import { startLiveCycles } from '../client/start-cycles';
import { localDateOf } from '../domain/zoned-time';

const stockholmToday = (): string => localDateOf(new Date(), 'Europe/Stockholm');
import { freePort, preferredOrFreePort } from './free-port';
import { startPrivatePostgres } from './private-postgres';
import { SmtpSink } from './smtp-sink';
import { startDevServer } from './temporal-dev-server';

const log = (line: string): void => void process.stderr.write(`${line}\n`);

async function main(): Promise<void> {
  const started = Date.now();
  const overrides = loadOverrides(process.env);
  installRuntime(logLevelFromEnv(process.env));
  const dataDir = resolve(process.env.ARSHJUL_DATA_DIR || join(__dirname, '..', '..', '.data'));
  mkdirSync(dataDir, { recursive: true });
  // Conventional ports when free (7233, 8233, 2525, 3000); ARSHJUL_RANDOM_PORTS=1 (tests) always
  // takes free ones, so two stacks never collide.
  const randomPorts = process.env.ARSHJUL_RANDOM_PORTS === '1';
  const port = (preferred: number): Promise<number> => (randomPorts ? freePort() : preferredOrFreePort(preferred));
  const stops: Array<{ name: string; stop: () => Promise<void> }> = [];
  const urls: Array<[string, string]> = [];

  let shuttingDown = false;
  const shutdown = async (exitCode: number): Promise<void> => {
    if (shuttingDown) return;
    shuttingDown = true;
    log('Stopping Årshjul …');
    for (const { name, stop } of stops.reverse()) {
      await step(`stop ${name}`, stop, log).catch((error: unknown) => log(`  ${String(error)}`));
    }
    log('Stopped.');
    process.exit(exitCode);
  };
  process.once('SIGINT', () => void shutdown(0));
  process.once('SIGTERM', () => void shutdown(0));

  try {
    let temporalAddress = overrides.TEMPORAL_ADDRESS;
    if (!temporalAddress) {
      const cliPath = await step('Temporal CLI', () => ensureTemporalCli(process.env, log), log);
      const devServer = await step(
        'Temporal dev server (file-backed, SQLite WAL)',
        async () =>
          startDevServer({
            cliPath,
            dataDir: join(dataDir, 'temporal'),
            port: await port(7233),
            uiPort: await port(8233),
            namespace: overrides.TEMPORAL_NAMESPACE ?? configDefaults.TEMPORAL_NAMESPACE ?? 'default',
          }),
        log,
      );
      stops.push({ name: 'Temporal dev server', stop: () => devServer.stop() });
      temporalAddress = devServer.address;
      urls.push(['Temporal Web UI', devServer.uiUrl], ['Temporal gRPC', devServer.address]);
    }

    let databaseUrl = overrides.DATABASE_URL;
    if (!databaseUrl) {
      const postgres = await step(
        'PostgreSQL (private cluster)',
        () => startPrivatePostgres({ dataDir: join(dataDir, 'postgres'), log }),
        log,
      );
      if (postgres.owned) stops.push({ name: 'PostgreSQL', stop: () => postgres.stop() });
      databaseUrl = postgres.url;
      urls.push(['PostgreSQL', postgres.url]);
    }

    let smtpUrl = overrides.SMTP_URL;
    if (!smtpUrl) {
      const mailDir = join(dataDir, 'mail');
      const sink = await step('SMTP sink', async () => new SmtpSink({ port: await port(2525), mailDir }).start(), log);
      stops.push({ name: 'SMTP sink', stop: () => sink.stop() });
      smtpUrl = sink.url;
      urls.push(['SMTP sink', `${sink.url} (mails saved in ${mailDir})`]);
    }

    const config: AppConfig = loadConfig({
      ...process.env,
      TEMPORAL_ADDRESS: temporalAddress,
      DATABASE_URL: databaseUrl,
      SMTP_URL: smtpUrl,
      HTTP_PORT: String(overrides.HTTP_PORT ?? (await port(3000))),
    });
    const services = await step('worker and HTTP server', () => startServices(config, log), log);
    stops.push({ name: 'worker and HTTP server', stop: () => services.stop() });
    urls.push(['HTTP API', services.httpUrl ?? ''], ['Health', `${services.httpUrl}/healthz`]);

    if (process.env.ARSHJUL_START_CYCLES !== '0') {
      const cycles = await step(
        'budget cycles live today (Stockholm registry and calendars in data/)',
        () =>
          startLiveCycles(
            services.client,
            services.pool,
            config.temporal.taskQueue,
            loadRegistry(shippedRegistryPath()),
            stockholmToday(),
            log,
          ),
        log,
      );
      const said = { started: 'startad', 'already-running': 'körs redan' } as const;
      urls.push(['Cycles', cycles.map((c) => `${c.workflowId} (${said[c.outcome]})`).join(', ') || '—']);
    }

    if (process.env.ARSHJUL_START_CYCLES !== '0') {
      // Keys to sign in with (the registry is stored by now): SLK, the committee, one district.
      const tokens = await ensureStartTokens(services.pool, dataDir, 'farsta');
      urls.push(
        ['Sign in', `${services.httpUrl}/logga-in (keys in ${join(dataDir, 'tokens.json')})`],
        ['  SLK (admin)', tokens.admin],
        ['  Committee', tokens.committee],
        [`  Board ${tokens.board.id}`, tokens.board.secret],
        ['API (OpenAPI)', `${services.httpUrl}/api/openapi.json`],
      );
    }

    const width = Math.max(...urls.map(([name]) => name.length));
    const lines = [
      '',
      `Årshjul is running (${((Date.now() - started) / 1000).toFixed(1)} s). Ctrl-C stops it.`,
      ...urls.map(([name, url]) => `  ${name.padEnd(width)}  ${url}`),
      `  ${'Task queue'.padEnd(width)}  ${config.temporal.taskQueue} (namespace ${config.temporal.namespace})`,
      `  ${'Data'.padEnd(width)}  ${dataDir}`,
      '',
    ];
    process.stdout.write(lines.join('\n'));
    process.stdout.write('\n');

    services.workerRun.catch((error: unknown) => {
      log(`The worker stopped: ${String(error)}`);
      void shutdown(1);
    });
  } catch (error) {
    if (error instanceof ConfigError || error instanceof MissingPrerequisiteError) log(error.message);
    else log(error instanceof Error ? (error.stack ?? error.message) : String(error));
    await shutdown(error instanceof ConfigError ? 2 : 1);
  }
}

main().catch((error: unknown) => {
  log(error instanceof ConfigError ? error.message : String(error));
  process.exit(error instanceof ConfigError ? 2 : 1);
});
