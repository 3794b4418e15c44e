/**
 * `npm start`: the whole stack on embedded defaults. Every service the environment does not
 * name is started here: the Temporal dev server (file-backed, with Web UI), a private
 * PostgreSQL cluster and an SMTP sink that keeps every mail as an .eml file, all under the data
 * folder (.data/ by default), so a second start keeps the data. Then the worker and the HTTP
 * server. Ctrl-C (or SIGTERM, or the terminal closing) stops everything in order.
 *
 * package.json runs it as `exec node --require tsx/cjs src/stack/start.ts`, so that npm's child
 * is this process itself. Not with the `tsx` command: it keeps us as its child, relays every
 * signal, and SIGKILLs us when we do not acknowledge one within some 60 ms (a stop on a busy
 * machine). Not without `exec`: the `sh -c` npm runs scripts in dies at once when the group gets
 * SIGINT, and npm then ends too, before we have stopped.
 */
// First: tracing (when configured) before anything requires `pg`.
import './start-tracing';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ensureTemporalCli } from '../toolchain/temporal-cli';
import { MissingPrerequisiteError } from '../toolchain/step';
import { AppConfig, ConfigError, configDefaults, loadConfig, loadOverrides } from '../app/config';
import { installRuntime, logLevelFromEnv } from '../worker/runtime';
import { startServices } from '../app/services';
import { createLogger, sdkLoggerOf } from '../app/log';
import { ensureStartTokens } from './start-tokens';
import { loadRegistry, shippedRegistryPath } from '../client/data-files';
import { startDevSignIn } from './dev-sign-in';
import { startLiveCycles } from '../client/start-cycles';
import { localDateOf } from '../domain/zoned-time';

const stockholmToday = (): string => localDateOf(new Date(), 'Europe/Stockholm');
import { freePort, preferredOrFreePort } from './free-port';
import { startPrivatePostgres } from './private-postgres';
import { SmtpSink } from './smtp-sink';
import { StopRequested, StopSequence, stopOnSignals } from './stop-sequence';
import { startDevServer } from './temporal-dev-server';

const log = (line: string): void => void process.stderr.write(`${line}\n`);

async function main(): Promise<void> {
  const started = Date.now();
  const overrides = loadOverrides(process.env);
  // The stack's printout stays human; the worker's and the API's lines are text too unless LOG_FORMAT=json.
  const processLog = createLogger({ format: overrides.LOG_FORMAT ?? 'text' });
  installRuntime(logLevelFromEnv(process.env), sdkLoggerOf(processLog, logLevelFromEnv(process.env)));
  const dataDir = resolve(process.env.ARSHJUL_DATA_DIR || join(__dirname, '..', '..', '.data'));
  mkdirSync(dataDir, { recursive: true });
  // Conventional ports when free (7233, 8233, 2525, 3000); ARSHJUL_RANDOM_PORTS=1 (tests) always
  // takes free ones, so two stacks never collide.
  const randomPorts = process.env.ARSHJUL_RANDOM_PORTS === '1';
  const port = (preferred: number): Promise<number> => (randomPorts ? freePort() : preferredOrFreePort(preferred));
  // A row of the printout: a name and its value in two columns, or a line as it is.
  const urls: Array<[string, string] | string> = [];

  const stops = new StopSequence(log);
  const shutdown = stopOnSignals(stops);

  try {
    let temporalAddress = overrides.TEMPORAL_ADDRESS;
    if (!temporalAddress) {
      const cliPath = await stops.step('Temporal CLI', () => ensureTemporalCli(process.env, log));
      const devServer = await stops.step(
        'Temporal dev server (file-backed, SQLite WAL)',
        async () =>
          startDevServer({
            cliPath,
            dataDir: join(dataDir, 'temporal'),
            port: await port(7233),
            uiPort: await port(8233),
            namespace: overrides.TEMPORAL_NAMESPACE ?? configDefaults.TEMPORAL_NAMESPACE ?? 'default',
          }),
        (server) => ({ name: 'Temporal dev server', stop: () => server.stop() }),
      );
      temporalAddress = devServer.address;
      urls.push(['Temporal Web UI', devServer.uiUrl], ['Temporal gRPC', devServer.address]);
    }

    let databaseUrl = overrides.DATABASE_URL;
    if (!databaseUrl) {
      const postgres = await stops.step(
        'PostgreSQL (private cluster)',
        () => startPrivatePostgres({ dataDir: join(dataDir, 'postgres'), log }),
        (server) => (server.owned ? { name: 'PostgreSQL', stop: () => server.stop() } : undefined),
      );
      databaseUrl = postgres.url;
      urls.push(['PostgreSQL', postgres.url]);
    }

    let smtpUrl = overrides.SMTP_URL;
    if (!smtpUrl) {
      const mailDir = join(dataDir, 'mail');
      const sink = await stops.step(
        'SMTP sink',
        async () => new SmtpSink({ port: await port(2525), mailDir }).start(),
        (started) => ({ name: 'SMTP sink', stop: () => started.stop() }),
      );
      smtpUrl = sink.url;
      urls.push(['SMTP sink', `${sink.url} (mails saved in ${mailDir})`]);
    }

    const httpPort = overrides.HTTP_PORT ?? (await port(3000));
    let oidc: Record<string, string> = {};
    if (!overrides.OIDC_ISSUER) {
      // No provider named: the development one, with the people of data/<municipality>/.
      const signIn = await stops.step(
        'OpenID provider (development only: the people of data/)',
        async () =>
          startDevSignIn({
            municipality: overrides.MUNICIPALITY ?? configDefaults.MUNICIPALITY ?? 'stockholm',
            port: await port(3001),
            baseUrls: [overrides.PUBLIC_URL ?? `http://127.0.0.1:${httpPort}`],
            dataDir,
          }),
        (started) => ({ name: 'OpenID provider', stop: () => started.stop() }),
      );
      oidc = signIn.env;
      urls.push(...signIn.printout);
    }

    const config: AppConfig = loadConfig({
      ...process.env,
      TEMPORAL_ADDRESS: temporalAddress,
      DATABASE_URL: databaseUrl,
      SMTP_URL: smtpUrl,
      HTTP_PORT: String(httpPort),
      ...oidc,
    });
    const services = await stops.step(
      'worker and HTTP server',
      () => startServices(config, processLog.line, undefined, processLog),
      (started) => ({ name: 'worker and HTTP server', stop: () => started.stop() }),
    );
    urls.push(['HTTP API', services.httpUrl ?? ''], ['Health', `${services.httpUrl}/healthz`]);
    if (config.metrics.enabled) urls.push(['Metrics', `${services.httpUrl}/metrics`]);

    if (process.env.ARSHJUL_START_CYCLES !== '0') {
      const cycles = await stops.step('budget cycles live today (Stockholm registry and calendars in data/)', () =>
        startLiveCycles(
          services.client,
          services.pool,
          config.temporal.taskQueue,
          loadRegistry(shippedRegistryPath()),
          stockholmToday(),
          log,
        ),
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

    const width = Math.max(...urls.map((row) => (typeof row === 'string' ? 0 : row[0].length)));
    const lines = [
      '',
      `Årshjul is running (${((Date.now() - started) / 1000).toFixed(1)} s). Ctrl-C stops it.`,
      ...urls.map((row) => (typeof row === 'string' ? row : `  ${row[0].padEnd(width)}  ${row[1]}`)),
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
    // Start-up cut short by a stop (a step's child may have had the signal too): already said.
    if (error instanceof StopRequested || stops.requested) return;
    if (error instanceof ConfigError || error instanceof MissingPrerequisiteError) log(error.message);
    else log(error instanceof Error ? (error.stack ?? error.message) : String(error));
    await shutdown(error instanceof ConfigError ? 2 : 1);
  }
}

main().catch((error: unknown) => {
  log(error instanceof ConfigError ? error.message : String(error));
  process.exit(error instanceof ConfigError ? 2 : 1);
});
