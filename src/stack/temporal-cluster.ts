import { ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, openSync, closeSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time';
import { Client as PgClient } from 'pg';
import { run } from '../toolchain/exec';
import type { TemporalServerTools } from '../toolchain/temporal-server';
import { freePort, freePortBelow32768, waitForPort } from './free-port';

/**
 * Temporal's own server on PostgreSQL, as a city's IT department runs it: the two databases
 * (history and visibility) with the schemas the server's SQL tool embeds, applied idempotently on
 * every start; Årshjul's own config (4 history shards, advanced visibility on PostgreSQL, loopback
 * only, free ports); the namespace registered on first start. The four services run in one
 * process, or one process each where a test must kill or restart one of them.
 */

export const TEMPORAL_SERVICES = ['frontend', 'history', 'matching', 'worker'] as const;
export type TemporalService = (typeof TEMPORAL_SERVICES)[number];

export interface ClusterPostgres {
  port: number;
  /** A role allowed to create databases; the private cluster trusts loopback, so no password. */
  user: string;
  password?: string;
}

export interface TemporalClusterOptions {
  tools: TemporalServerTools;
  /** Config files and server logs. */
  dataDir: string;
  postgres: ClusterPostgres;
  namespace: string;
  /** The frontend's gRPC port (free when unset). */
  frontendPort?: number;
  /** One process for all services (default), or one process per service. */
  layout?: 'single-process' | 'process-per-service';
  historyShards?: number;
  /** Days a closed workflow's history is kept (the namespace's retention). */
  retentionDays?: number;
  /** The two databases; `temporal` and `temporal_visibility` unless named (tests share a cluster). */
  databases?: TemporalDatabases;
}

export interface TemporalDatabases {
  history: string;
  visibility: string;
}

export interface TemporalCluster {
  /** The frontend's gRPC address. */
  address: string;
  /** Each server process by the services it runs ('all' in the single-process layout). */
  processes: Map<string, ChildProcess>;
  /** Prometheus metrics of each server process. */
  metricsUrls: Map<string, string>;
  /** Kills one service's process with SIGKILL and starts it again (process-per-service only). */
  restart(service: TemporalService, how?: 'kill' | 'stop'): Promise<void>;
  stop(): Promise<void>;
}

export const DEFAULT_DATABASES: TemporalDatabases = { history: 'temporal', visibility: 'temporal_visibility' };
const SCHEMAS = { history: 'postgresql/v12/temporal', visibility: 'postgresql/v12/visibility' } as const;

/** Creates the two databases when missing and brings both schemas to the tool's latest version. */
export async function prepareTemporalDatabases(
  tools: TemporalServerTools,
  postgres: ClusterPostgres,
  databases: TemporalDatabases = DEFAULT_DATABASES,
): Promise<void> {
  const admin = new PgClient({
    host: '127.0.0.1',
    port: postgres.port,
    user: postgres.user,
    password: postgres.password,
    database: 'postgres',
  });
  await admin.connect();
  try {
    for (const name of [databases.history, databases.visibility]) {
      if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) throw new Error(`not a database name: ${name}`);
      const found = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
      if (found.rowCount === 0) {
        try {
          await admin.query(`CREATE DATABASE ${name}`);
        } catch (error) {
          // Another start created it at the same moment: what we wanted.
          if ((error as { code?: string }).code !== '42P04') throw error;
        }
      }
    }
  } finally {
    await admin.end();
  }
  for (const store of ['history', 'visibility'] as const) {
    const connection = [
      '--plugin',
      'postgres12',
      '--ep',
      '127.0.0.1',
      '-p',
      String(postgres.port),
      '-u',
      postgres.user,
      ...(postgres.password ? ['--pw', postgres.password] : []),
      '--db',
      databases[store],
    ];
    // Version 0.0 only creates the versioning tables (kept when there); update-schema then
    // applies each embedded version not yet applied, so a restart or an upgrade is the same step.
    await run(tools.sqlTool, [...connection, 'setup-schema', '-v', '0.0']);
    await run(tools.sqlTool, [...connection, 'update-schema', '--schema-name', SCHEMAS[store]]);
  }
}

interface ServicePorts {
  grpc: number;
  membership: number;
  http?: number;
}

/** The server's config for one process (`services` it runs, its own metrics port). */
export function serverConfigYaml(options: {
  postgres: ClusterPostgres;
  databases: TemporalDatabases;
  historyShards: number;
  ports: Record<TemporalService, ServicePorts>;
  metricsPort: number;
  dynamicConfigFile: string;
}): string {
  const { postgres, ports } = options;
  const store = (database: string, maxConns: number): string[] => [
    '      sql:',
    '        pluginName: postgres12',
    `        databaseName: ${database}`,
    `        connectAddr: "127.0.0.1:${postgres.port}"`,
    '        connectProtocol: tcp',
    `        user: ${JSON.stringify(postgres.user)}`,
    `        password: ${JSON.stringify(postgres.password ?? '')}`,
    `        maxConns: ${maxConns}`,
    `        maxIdleConns: ${maxConns}`,
    '        maxConnLifetime: 1h',
  ];
  const service = (name: TemporalService): string[] => [
    `  ${name}:`,
    '    rpc:',
    `      grpcPort: ${ports[name].grpc}`,
    `      membershipPort: ${ports[name].membership}`,
    ...(ports[name].http ? [`      httpPort: ${ports[name].http}`] : []),
    '      bindOnLocalHost: true',
  ];
  return [
    '# Written by Årshjul on every start (src/stack/temporal-cluster.ts): edits are overwritten.',
    'log:',
    '  stdout: true',
    '  level: warn',
    'persistence:',
    '  defaultStore: postgres-default',
    '  visibilityStore: postgres-visibility',
    `  numHistoryShards: ${options.historyShards}`,
    '  datastores:',
    '    postgres-default:',
    ...store(options.databases.history, 20),
    '    postgres-visibility:',
    ...store(options.databases.visibility, 4),
    'global:',
    '  membership:',
    '    maxJoinDuration: 30s',
    '    broadcastAddress: 127.0.0.1',
    '  metrics:',
    '    prometheus:',
    '      framework: tally',
    '      timerType: histogram',
    `      listenAddress: "127.0.0.1:${options.metricsPort}"`,
    'services:',
    ...TEMPORAL_SERVICES.flatMap(service),
    'clusterMetadata:',
    '  enableGlobalNamespace: false',
    '  failoverVersionIncrement: 10',
    '  masterClusterName: active',
    '  currentClusterName: active',
    '  clusterInformation:',
    '    active:',
    '      enabled: true',
    '      initialFailoverVersion: 1',
    '      rpcName: frontend',
    `      rpcAddress: "127.0.0.1:${ports.frontend.grpc}"`,
    'dcRedirectionPolicy:',
    '  policy: noop',
    'dynamicConfigClient:',
    `  filepath: ${JSON.stringify(options.dynamicConfigFile)}`,
    '  pollInterval: 10s',
    '',
  ].join('\n');
}

/**
 * Dynamic config: IDs as long as Årshjul's (municipality/year/phase/board), and a namespace
 * cache that sees a newly registered namespace within a second rather than ten.
 */
const DYNAMIC_CONFIG = [
  'limit.maxIDLength:',
  '  - value: 255',
  'system.namespaceCacheRefreshInterval:',
  '  - value: 1s',
  'system.forceSearchAttributesCacheRefreshOnRead:',
  '  - value: true',
  '',
].join('\n');

export async function startTemporalCluster(options: TemporalClusterOptions): Promise<TemporalCluster> {
  const layout = options.layout ?? 'single-process';
  const configDir = join(options.dataDir, 'config');
  mkdirSync(configDir, { recursive: true });
  const databases = options.databases ?? DEFAULT_DATABASES;
  await prepareTemporalDatabases(options.tools, options.postgres, databases);

  const ports = {} as Record<TemporalService, ServicePorts>;
  for (const name of TEMPORAL_SERVICES) {
    ports[name] = {
      grpc: name === 'frontend' && options.frontendPort ? options.frontendPort : await freePort(),
      // The membership table keeps ports in a smallint.
      membership: await freePortBelow32768(),
      ...(name === 'frontend' && { http: await freePort() }),
    };
  }
  const dynamicConfigFile = join(configDir, 'dynamic.yaml');
  writeFileSync(dynamicConfigFile, DYNAMIC_CONFIG);

  const groups: Array<{ key: string; services: readonly TemporalService[] }> =
    layout === 'single-process'
      ? [{ key: 'all', services: TEMPORAL_SERVICES }]
      : TEMPORAL_SERVICES.map((service) => ({ key: service, services: [service] }));

  const processes = new Map<string, ChildProcess>();
  const metricsUrls = new Map<string, string>();
  const spawnGroup = async (group: { key: string; services: readonly TemporalService[] }): Promise<ChildProcess> => {
    const metricsPort = await freePort();
    // One config file per process: they differ only in the metrics port, which each must own.
    writeFileSync(
      join(configDir, `${group.key}.yaml`),
      serverConfigYaml({
        postgres: options.postgres,
        databases,
        historyShards: options.historyShards ?? 4,
        ports,
        metricsPort,
        dynamicConfigFile,
      }),
    );
    metricsUrls.set(group.key, `http://127.0.0.1:${metricsPort}/metrics`);
    const logFd = openSync(join(options.dataDir, `${group.key}.log`), 'a');
    const child = spawn(
      options.tools.server,
      [
        '--root',
        options.dataDir,
        '--config',
        'config',
        '--env',
        group.key,
        '--allow-no-auth',
        'start',
        ...group.services.flatMap((service) => ['--service', service]),
      ],
      // Its own process group: Ctrl-C reaches only the stack, which stops the server last.
      { stdio: ['ignore', logFd, logFd], detached: true },
    );
    closeSync(logFd);
    processes.set(group.key, child);
    return child;
  };

  const stopProcess = async (child: ChildProcess, signal: NodeJS.Signals): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    await exited;
    clearTimeout(timer);
  };
  const stop = async (): Promise<void> => {
    // The frontend first (no new requests), the history service last (it flushes its shards).
    for (const key of ['all', 'frontend', 'worker', 'matching', 'history']) {
      const child = processes.get(key);
      if (child) await stopProcess(child, 'SIGTERM');
    }
  };

  try {
    // Start every process before waiting on any: a service opens its port only once the
    // membership ring holds the services it depends on.
    // The first process writes the cluster's metadata row on a fresh database; processes
    // starting at the same moment race to insert it and the losers exit. So the first one
    // starts alone until the row is there.
    const [first, ...rest] = groups;
    const started = [{ group: first!, child: await spawnGroup(first!) }];
    await waitForClusterMetadata(options.postgres, databases.history, started[0]!.child);
    for (const group of rest) started.push({ group, child: await spawnGroup(group) });
    await Promise.all(
      started.map(({ group, child }) => {
        const failedEarly = new Promise<never>((_, reject) =>
          child.once('exit', (code, signal) =>
            reject(
              new Error(
                `Temporal server (${group.key}) exited during start-up (${signal ?? `exit ${code}`}); see ${join(options.dataDir, `${group.key}.log`)}`,
              ),
            ),
          ),
        );
        failedEarly.catch(() => undefined);
        // Every service joins the membership ring on its port; only the frontend serves clients.
        const port = group.services.includes('frontend') ? ports.frontend.grpc : ports[group.services[0]!].membership;
        return Promise.race([waitForPort(port, '127.0.0.1', 120_000), failedEarly]);
      }),
    );
    const address = `127.0.0.1:${ports.frontend.grpc}`;
    await registerNamespace(address, options.namespace, options.retentionDays ?? 30);
    return {
      address,
      processes,
      metricsUrls,
      async restart(service, how = 'kill') {
        const child = processes.get(service);
        if (!child)
          throw new Error(`no process runs only ${service}: start the cluster with layout process-per-service`);
        await stopProcess(child, how === 'kill' ? 'SIGKILL' : 'SIGTERM');
        const started = await spawnGroup({ key: service, services: [service] });
        await waitForPort(
          service === 'frontend' ? ports.frontend.grpc : ports[service].membership,
          '127.0.0.1',
          120_000,
        ).catch((error: unknown) => {
          started.kill('SIGKILL');
          throw error;
        });
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Resolves when the server has written the cluster's metadata row (at once after a first start). */
async function waitForClusterMetadata(postgres: ClusterPostgres, database: string, child: ChildProcess): Promise<void> {
  const db = new PgClient({
    host: '127.0.0.1',
    port: postgres.port,
    user: postgres.user,
    password: postgres.password,
    database,
  });
  await db.connect();
  try {
    const deadline = Date.now() + 120_000;
    for (;;) {
      const found = await db.query('SELECT 1 FROM cluster_metadata_info LIMIT 1');
      if ((found.rowCount ?? 0) > 0) return;
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new Error('the Temporal server exited before it wrote the cluster metadata');
      }
      if (Date.now() > deadline) throw new Error('the Temporal server wrote no cluster metadata within 120 s');
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  } finally {
    await db.end();
  }
}

/**
 * Registers the namespace when it does not exist, then waits until the frontend serves it
 * (the services learn of a new namespace through their namespace cache).
 */
async function registerNamespace(address: string, namespace: string, retentionDays: number): Promise<void> {
  const connection = await connectWhenReady(address);
  try {
    try {
      await connection.workflowService.registerNamespace({
        namespace,
        workflowExecutionRetentionPeriod: msToTs(`${retentionDays} days`),
        description: 'Årshjul',
      });
    } catch (error) {
      // ALREADY_EXISTS (6): registered by an earlier start.
      if ((error as { code?: number }).code !== 6) throw error;
    }
    const deadline = Date.now() + 60_000;
    for (;;) {
      try {
        await connection.workflowService.listWorkflowExecutions({ namespace, pageSize: 1 });
        await connection.workflowService.describeTaskQueue({
          namespace,
          taskQueue: { name: 'arshjul-readiness-probe' },
        });
        return;
      } catch (error) {
        if (Date.now() > deadline) throw error;
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    }
  } finally {
    await connection.close();
  }
}

/** The frontend listens before its membership ring has formed: retry until it answers. */
async function connectWhenReady(address: string): Promise<Connection> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      const connection = await Connection.connect({ address, connectTimeout: 5_000 });
      await connection.workflowService.getSystemInfo({});
      return connection;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
}
