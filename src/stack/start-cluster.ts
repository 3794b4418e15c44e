/**
 * `npm run start:cluster`: Årshjul in its production shape on this machine. A private PostgreSQL,
 * Temporal's own server on it (src/stack/temporal-cluster.ts: all services in one process, or one
 * process per service with ARSHJUL_TEMPORAL_LAYOUT=process-per-service), the SMTP sink, the
 * development OpenID provider, then two worker processes and two API processes on their own
 * ports, each started as production starts it (src/app/worker-main.ts, api-main.ts). Data under
 * <data folder>/cluster, apart from `npm start`'s. Ctrl-C stops all in order: the APIs, the
 * workers (the activities under way finish), then the servers.
 *
 * Run as `exec node --require tsx/cjs src/stack/start-cluster.ts` for the reason start.ts gives.
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { loadRegistry, shippedRegistryPath } from '../client/data-files';
import { startLiveCycles } from '../client/start-cycles';
import { createPool } from '../db/database';
import { migrateUp } from '../db/migrate';
import { localDateOf } from '../domain/zoned-time';
import { ConfigError, configDefaults, loadOverrides } from '../app/config';
import { writeWorkflowBundle } from '../app/workflow-bundle';
import { MissingPrerequisiteError } from '../toolchain/step';
import { ensureTemporalServer } from '../toolchain/temporal-server';
import { installRuntime } from '../worker/runtime';
import { startAppProcess } from './app-process';
import { redirectUrlFor, startDevSignIn } from './dev-sign-in';
import { freePort, preferredOrFreePort } from './free-port';
import { startPrivatePostgres } from './private-postgres';
import { SmtpSink } from './smtp-sink';
import { ensureStartTokens } from './start-tokens';
import { StopRequested, StopSequence, stopOnSignals } from './stop-sequence';
import { startTemporalCluster } from './temporal-cluster';

const log = (line: string): void => void process.stderr.write(`${line}\n`);

/** How many of each process; two each unless the environment says otherwise (1–8). */
function countOf(variable: string, fallback: number): number {
  const raw = process.env[variable];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > 8) {
    throw new ConfigError([{ variable, problem: 'must be a whole number from 1 to 8' }]);
  }
  return value;
}

async function main(): Promise<void> {
  const started = Date.now();
  const overrides = loadOverrides(process.env);
  installRuntime('WARN');
  const layout = process.env.ARSHJUL_TEMPORAL_LAYOUT || 'single-process';
  if (layout !== 'single-process' && layout !== 'process-per-service') {
    throw new ConfigError([
      { variable: 'ARSHJUL_TEMPORAL_LAYOUT', problem: 'must be single-process or process-per-service' },
    ]);
  }
  const workers = countOf('ARSHJUL_CLUSTER_WORKERS', 2);
  const apis = countOf('ARSHJUL_CLUSTER_APIS', 2);
  const dataDir = join(resolve(process.env.ARSHJUL_DATA_DIR || join(__dirname, '..', '..', '.data')), 'cluster');
  const logDir = join(dataDir, 'logs');
  mkdirSync(logDir, { recursive: true });
  const randomPorts = process.env.ARSHJUL_RANDOM_PORTS === '1';
  const port = (preferred: number): Promise<number> => (randomPorts ? freePort() : preferredOrFreePort(preferred));
  const urls: Array<[string, string] | string> = [];
  const namespace = overrides.TEMPORAL_NAMESPACE ?? configDefaults.TEMPORAL_NAMESPACE ?? 'default';
  const taskQueue = overrides.TEMPORAL_TASK_QUEUE ?? configDefaults.TEMPORAL_TASK_QUEUE ?? 'arshjul';
  const municipality = overrides.MUNICIPALITY ?? configDefaults.MUNICIPALITY ?? 'stockholm';

  const stops = new StopSequence(log);
  const shutdown = stopOnSignals(stops);

  try {
    const postgres = await stops.step(
      'PostgreSQL (private cluster)',
      () => startPrivatePostgres({ dataDir: join(dataDir, 'postgres'), log }),
      (server) => (server.owned ? { name: 'PostgreSQL', stop: () => server.stop() } : undefined),
    );
    urls.push(['PostgreSQL', postgres.url]);

    const tools = await stops.step('Temporal server and SQL tool', () => ensureTemporalServer(process.env, log));
    const temporal = await stops.step(
      `Temporal server on PostgreSQL (${layout === 'single-process' ? 'all services in one process' : 'one process per service'}, 4 history shards)`,
      async () =>
        startTemporalCluster({
          tools,
          dataDir: join(dataDir, 'temporal'),
          postgres: { port: postgres.port, user: 'arshjul' },
          namespace,
          frontendPort: await port(7233),
          layout,
        }),
      (cluster) => ({ name: 'Temporal server', stop: () => cluster.stop() }),
    );
    urls.push(
      ['Temporal gRPC', `${temporal.address} (namespace ${namespace})`],
      ...[...temporal.metricsUrls].map(([key, url]): [string, string] => [`Temporal metrics (${key})`, url]),
    );

    const mailDir = join(dataDir, 'mail');
    const sink = await stops.step(
      'SMTP sink',
      async () => new SmtpSink({ port: await port(2525), mailDir }).start(),
      (s) => ({ name: 'SMTP sink', stop: () => s.stop() }),
    );
    urls.push(['SMTP sink', `${sink.url} (mails saved in ${mailDir})`]);

    // Migrations and the workflow bundle once, before the processes that need them.
    await stops.step('database migrations', () => migrateUp(postgres.url, log));
    const bundlePath = join(dataDir, 'workflow-bundle.js');
    // With OTEL_EXPORTER_OTLP_ENDPOINT set the processes trace, and the workers' bundle must carry
    // the tracing interceptors.
    await stops.step('workflow bundle (built once, loaded by every worker)', () =>
      writeWorkflowBundle(bundlePath, { tracing: overrides.OTEL_EXPORTER_OTLP_ENDPOINT !== undefined }),
    );

    const apiPorts: number[] = [];
    for (let i = 0; i < apis; i += 1) apiPorts.push(await port(3000 + i));
    const apiUrls = apiPorts.map((p) => `http://127.0.0.1:${p}`);
    let oidc: Record<string, string> = {};
    if (!overrides.OIDC_ISSUER) {
      const signIn = await stops.step(
        'OpenID provider (development only: the people of data/)',
        async () => startDevSignIn({ municipality, port: await port(3010), baseUrls: apiUrls, dataDir }),
        (s) => ({ name: 'OpenID provider', stop: () => s.stop() }),
      );
      oidc = signIn.env;
      urls.push(...signIn.printout);
    }

    const common: NodeJS.ProcessEnv = {
      ...process.env,
      TEMPORAL_ADDRESS: temporal.address,
      TEMPORAL_NAMESPACE: namespace,
      TEMPORAL_TASK_QUEUE: taskQueue,
      DATABASE_URL: postgres.url,
      SMTP_URL: sink.url,
      // Mails link to the first API process (a load balancer's address in production).
      PUBLIC_URL: overrides.PUBLIC_URL ?? apiUrls[0],
      WORKFLOW_BUNDLE_PATH: bundlePath,
      ...oidc,
    };
    for (let i = 1; i <= workers; i += 1) {
      const name = `worker-${i}`;
      // Each worker's /metrics (its own and the Temporal SDK's) on a port of its own.
      const metricsPort = await port(9464 + i - 1);
      await stops.step(
        `${name} (src/app/worker-main.ts)`,
        () =>
          startAppProcess({
            name,
            entry: 'worker-main',
            env: { ...common, WORKER_METRICS_PORT: String(metricsPort) },
            logFile: join(logDir, `${name}.log`),
          }),
        (p) => ({ name, stop: () => p.stop() }),
      );
      urls.push([name, `metrics http://127.0.0.1:${metricsPort}/metrics, log ${join(logDir, `${name}.log`)}`]);
    }
    for (let i = 1; i <= apis; i += 1) {
      const name = `api-${i}`;
      const url = apiUrls[i - 1]!;
      await stops.step(
        `${name} (src/app/api-main.ts)`,
        () =>
          startAppProcess({
            name,
            entry: 'api-main',
            env: {
              ...common,
              HTTP_PORT: String(apiPorts[i - 1]),
              ...(oidc.OIDC_ISSUER && { OIDC_REDIRECT_URL: redirectUrlFor(url) }),
            },
            logFile: join(logDir, `${name}.log`),
          }),
        (p) => ({ name, stop: () => p.stop() }),
      );
      urls.push([name, `${url} (health ${url}/healthz, metrics ${url}/metrics, log ${join(logDir, `${name}.log`)})`]);
    }

    if (process.env.ARSHJUL_START_CYCLES !== '0') {
      const connection = await Connection.connect({ address: temporal.address });
      const pool = createPool(postgres.url, 2);
      try {
        const client = new Client({ connection, namespace });
        const cycles = await stops.step('budget cycles live today (Stockholm registry and calendars in data/)', () =>
          startLiveCycles(
            client,
            pool,
            taskQueue,
            loadRegistry(shippedRegistryPath()),
            localDateOf(new Date(), 'Europe/Stockholm'),
            log,
          ),
        );
        const said = { started: 'startad', 'already-running': 'körs redan' } as const;
        urls.push(['Cycles', cycles.map((c) => `${c.workflowId} (${said[c.outcome]})`).join(', ') || '—']);
        const tokens = await ensureStartTokens(pool, dataDir, 'farsta');
        urls.push(
          ['Sign in', `${apiUrls[0]}/logga-in (keys in ${join(dataDir, 'tokens.json')})`],
          ['  SLK (admin)', tokens.admin],
          ['  Committee', tokens.committee],
          [`  Board ${tokens.board.id}`, tokens.board.secret],
        );
      } finally {
        await pool.end();
        await connection.close();
      }
    }

    const width = Math.max(...urls.map((row) => (typeof row === 'string' ? 0 : row[0].length)));
    process.stdout.write(
      [
        '',
        `Årshjul (cluster) is running (${((Date.now() - started) / 1000).toFixed(1)} s). Ctrl-C stops it.`,
        ...urls.map((row) => (typeof row === 'string' ? row : `  ${row[0].padEnd(width)}  ${row[1]}`)),
        `  ${'Task queue'.padEnd(width)}  ${taskQueue}`,
        `  ${'Data'.padEnd(width)}  ${dataDir}`,
        '',
        '',
      ].join('\n'),
    );
  } catch (error) {
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
