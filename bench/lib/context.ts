import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client as PgClient, Pool } from 'pg';
import { bundleWorkflowCode } from '@temporalio/worker';
import { workflowBundleOptions } from '../../src/worker/workflow-bundle-options';
import { createPool } from '../../src/db/database';
import { migrateUp } from '../../src/db/migrate';
import { replaceRegistry } from '../../src/db/registry';
import type { Registry } from '../../src/domain/organisations';
import { startPrivatePostgres, PrivatePostgres, quoteIdentifier } from '../../src/stack/private-postgres';
import { ensurePostgresBinaries } from '../../src/toolchain/postgres-binaries';
import { ensureTemporalCli } from '../../src/toolchain/temporal-cli';
import { ensureTimeSkippingServer } from '../../src/toolchain/time-skipping-server';

export interface BenchDatabase {
  name: string;
  url: string;
  pool: Pool;
  drop(): Promise<void>;
}

/** What every benchmark shares: the tools, one private PostgreSQL cluster, the workflow bundle, a scratch folder. */
export interface BenchContext {
  scratch: string;
  temporalCli: string;
  testServer: string;
  pg: PrivatePostgres;
  pgVersion: string;
  /** The bench workflow bundle (production workflows + baselines), written once to a file. */
  bundlePath: string;
  /** A fresh, migrated database (a copy of a migrated template), optionally with a registry stored. */
  freshDatabase(label: string, registry?: Registry): Promise<BenchDatabase>;
  /** Folder for one run's server data and logs. */
  runDir(label: string): string;
  log(line: string): void;
  close(): Promise<void>;
}

const quiet = { trace() {}, debug() {}, info() {}, warn() {}, error() {}, log() {} };

export async function createBenchContext(log: (line: string) => void): Promise<BenchContext> {
  const scratch = mkdtempSync(join(tmpdir(), 'arshjul-bench-'));
  // As root, PostgreSQL runs as `postgres`, which must reach the cluster folder.
  chmodSync(scratch, 0o755);
  const [temporalCli, testServer, pgBin] = await Promise.all([
    ensureTemporalCli(),
    ensureTimeSkippingServer(),
    ensurePostgresBinaries(),
  ]);
  const pgVersion = execFileSync(join(pgBin, 'postgres'), ['--version']).toString().trim();
  // Durable, as in production (fsync and synchronous commit on): the outbox commits per mail.
  const pg = await startPrivatePostgres({ dataDir: join(scratch, 'pg'), database: 'postgres', ephemeral: false });
  const templateUrl = databaseUrl(pg.url, 'bench_template');
  await adminQuery(pg.url, `CREATE DATABASE bench_template`);
  await migrateUp(templateUrl);
  // The benchmark's own workflows beside the product's, with the product's shared modules.
  const bundle = await bundleWorkflowCode({
    ...workflowBundleOptions(),
    workflowsPath: require.resolve('../workflows'),
    logger: quiet,
  });
  const bundlePath = join(scratch, 'workflow-bundle.js');
  writeFileSync(bundlePath, bundle.code);
  let counter = 0;
  return {
    scratch,
    temporalCli,
    testServer,
    pg,
    pgVersion,
    bundlePath,
    log,
    runDir(label: string) {
      const dir = join(scratch, 'runs', `${String(++counter).padStart(3, '0')}-${label}`);
      mkdirSync(dir, { recursive: true });
      return dir;
    },
    async freshDatabase(label: string, registry?: Registry) {
      const name = `bench_${label.replace(/[^a-z0-9]/gi, '_').toLowerCase()}_${++counter}`;
      await adminQuery(pg.url, `CREATE DATABASE ${quoteIdentifier(name)} TEMPLATE bench_template`);
      const url = databaseUrl(pg.url, name);
      const pool = createPool(url, 10);
      if (registry) await replaceRegistry(pool, registry);
      return {
        name,
        url,
        pool,
        async drop() {
          await pool.end();
          await adminQuery(pg.url, `DROP DATABASE IF EXISTS ${quoteIdentifier(name)} WITH (FORCE)`);
        },
      };
    },
    async close() {
      await pg.stop();
    },
  };
}

function databaseUrl(serverUrl: string, name: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

async function adminQuery(serverUrl: string, sql: string): Promise<void> {
  const client = new PgClient({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}
