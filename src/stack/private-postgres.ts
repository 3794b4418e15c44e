import { chmodSync, chownSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { ensurePostgresBinaries } from '../toolchain/postgres-binaries';
import { findOnPath, probe, run } from '../toolchain/exec';
import { MissingPrerequisiteError, stderrLogger, StepLogger } from '../toolchain/step';
import { clusterDirFor } from './cluster-location';
import { freePort } from './free-port';

export interface PrivatePostgresOptions {
  /**
   * Cluster directory; created with initdb when it holds no cluster yet. As root, when the
   * `postgres` user cannot reach it, a symlink to the cluster's place (see cluster-location.ts).
   */
  dataDir: string;
  /** Database created on first start and named in the returned URL. */
  database?: string;
  port?: number;
  /** Trade durability for speed (tests): fsync and synchronous commit off. */
  ephemeral?: boolean;
  log?: StepLogger;
}

export interface PrivatePostgres {
  url: string;
  port: number;
  /** Where the cluster really is (dataDir, or where its symlink points). */
  dataDir: string;
  /** Whether this process started the cluster (and so stops it). */
  owned: boolean;
  stop(): Promise<void>;
}

const SUPERUSER = 'arshjul';

/**
 * A PostgreSQL cluster of our own under `dataDir`, listening on loopback only, with trust
 * authentication (nothing but this machine can reach it). PostgreSQL refuses to run as root,
 * so as root the server runs as the `postgres` system user.
 */
export async function startPrivatePostgres(options: PrivatePostgresOptions): Promise<PrivatePostgres> {
  const log = options.log ?? stderrLogger;
  const binDir = await ensurePostgresBinaries(process.env, log);
  const runAs = serverUserPrefix();
  const pgCtl = join(binDir, 'pg_ctl');
  const dataDir = clusterDirFor(options.dataDir, runAs.command, pgCtl);
  const database = options.database ?? 'arshjul';

  if (!existsSync(join(dataDir, 'PG_VERSION'))) {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    chmodSync(dataDir, 0o700);
    if (runAs.uid !== undefined) chownSync(dataDir, runAs.uid, runAs.gid ?? runAs.uid);
    await exec(runAs.command, join(binDir, 'initdb'), [
      '-D',
      dataDir,
      '-U',
      SUPERUSER,
      '--auth=trust',
      '-E',
      'UTF8',
      '--no-locale',
    ]);
  }

  const running = runningPort(pgCtl, dataDir, runAs.command);
  if (running !== undefined) {
    const url = `postgres://${SUPERUSER}@127.0.0.1:${running}/${database}`;
    await ensureDatabase(running, database);
    return { url, port: running, dataDir, owned: false, stop: async () => undefined };
  }

  const port = options.port ?? (await freePort());
  const serverOptions = [
    `-p ${port}`,
    '-c listen_addresses=127.0.0.1',
    "-c unix_socket_directories=''",
    '-c max_connections=200',
    ...(options.ephemeral ? ['-c fsync=off', '-c synchronous_commit=off', '-c full_page_writes=off'] : []),
  ].join(' ');
  await exec(runAs.command, pgCtl, [
    'start',
    '-D',
    dataDir,
    '-l',
    join(dataDir, 'server.log'),
    '-w',
    '-t',
    '60',
    '-o',
    serverOptions,
  ]);
  await ensureDatabase(port, database);
  return {
    url: `postgres://${SUPERUSER}@127.0.0.1:${port}/${database}`,
    port,
    dataDir,
    owned: true,
    async stop() {
      // Already stopped (by hand, or by a signal that reached it) is what we want, not an error.
      // The pid file says so without a `pg_ctl status` in our process group, which a second
      // signal to the group could cut short and so make us skip the stop.
      const pid = postmasterPid(dataDir);
      if (pid === undefined || !isAlive(pid)) return;
      let failure = '';
      try {
        await exec(runAs.command, pgCtl, ['stop', '-D', dataDir, '-m', 'fast', '-w']);
      } catch (error) {
        // pg_ctl's own failure must not leave the server running: ask the postmaster directly
        // (SIGINT is a fast shutdown), as its owner or as root may.
        failure = String(error);
        if (isAlive(pid)) process.kill(pid, 'SIGINT');
      }
      // A stop is done when the postmaster is gone, not when a command said so.
      if (!(await exitsWithin(pid, 30_000))) {
        throw new Error(`PostgreSQL (pid ${pid}, ${dataDir}) did not stop${failure ? `: ${failure}` : ''}`);
      }
      if (failure) log(`  pg_ctl stop failed (${failure}); the server stopped on a direct signal`);
    },
  };
}

/** The postmaster's pid from its pid file, if there is one. */
function postmasterPid(dataDir: string): number | undefined {
  const pidFile = join(dataDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return undefined;
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    // EPERM: it exists but is not ours to signal (still alive).
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  // An exited server whose parent (here often an init that does not reap) has not collected
  // it yet still answers signal 0: where /proc tells, a zombie counts as gone.
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^[ZX]/.test(stat.slice(stat.lastIndexOf(')') + 2));
  } catch {
    return true;
  }
}

async function exitsWithin(pid: number, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  while (isAlive(pid)) {
    if (Date.now() > until) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
  return true;
}

/**
 * initdb and pg_ctl run in a process group of their own: a Ctrl-C or a process manager's signal
 * to our group must not cut a start or a stop of the server in half (we stop it in order).
 */
function exec(prefix: string[], binary: string, args: string[]): Promise<string> {
  const options = { ownProcessGroup: true };
  if (prefix.length === 0) return run(binary, args, options);
  return run(prefix[0] as string, [...prefix.slice(1), binary, ...args], options);
}

function isRunning(pgCtl: string, dataDir: string, prefix: string[]): boolean {
  return prefix.length
    ? probe(prefix[0] as string, [...prefix.slice(1), pgCtl, 'status', '-D', dataDir]).ok
    : probe(pgCtl, ['status', '-D', dataDir]).ok;
}

/** The port of a cluster already running on dataDir (left by an earlier start), if any. */
function runningPort(pgCtl: string, dataDir: string, prefix: string[]): number | undefined {
  if (!isRunning(pgCtl, dataDir, prefix)) return undefined;
  const pidFile = join(dataDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return undefined;
  const port = Number(readFileSync(pidFile, 'utf8').split('\n')[3]);
  return Number.isInteger(port) && port > 0 ? port : undefined;
}

async function ensureDatabase(port: number, database: string): Promise<void> {
  const client = new Client({ host: '127.0.0.1', port, user: SUPERUSER, database: 'postgres' });
  await client.connect();
  try {
    const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (exists.rowCount === 0) {
      await client.query(`CREATE DATABASE ${quoteIdentifier(database)}`);
    }
  } finally {
    await client.end();
  }
}

export function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

interface ServerUser {
  command: string[];
  uid?: number;
  gid?: number;
}

function serverUserPrefix(): ServerUser {
  if (process.getuid?.() !== 0) return { command: [] };
  const runuser = findOnPath('runuser');
  const id = probe('id', ['-u', 'postgres']);
  if (!runuser || !id.ok) {
    throw new MissingPrerequisiteError(
      'Running as root, PostgreSQL needs the `postgres` system user: install the postgresql package (apt-get install postgresql) or set DATABASE_URL.',
    );
  }
  const gid = probe('id', ['-g', 'postgres']);
  return {
    command: [runuser, '-u', 'postgres', '--'],
    uid: Number(id.output.trim()),
    gid: Number(gid.output.trim()),
  };
}
