import { ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { waitForPort } from './free-port';

export interface DevServerOptions {
  cliPath: string;
  /** Folder for the SQLite file and the server log; the data survives restarts. */
  dataDir: string;
  port: number;
  uiPort: number;
  namespace: string;
}

export interface DevServer {
  address: string;
  uiUrl: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

/**
 * The Temporal CLI dev server, file-backed (SQLite in WAL mode, so a crash loses no committed
 * history and readers do not block the writer), with its Web UI.
 */
export async function startDevServer(options: DevServerOptions): Promise<DevServer> {
  mkdirSync(options.dataDir, { recursive: true });
  const pidFile = join(options.dataDir, 'server.pid');
  await stopLeftover(pidFile);
  const logFd = openSync(join(options.dataDir, 'server.log'), 'a');
  const child = spawn(
    options.cliPath,
    [
      'server',
      'start-dev',
      '--ip',
      '127.0.0.1',
      '--port',
      String(options.port),
      '--ui-port',
      String(options.uiPort),
      '--db-filename',
      join(options.dataDir, 'temporal.db'),
      '--sqlite-pragma',
      'journal_mode=wal',
      '--sqlite-pragma',
      'synchronous=normal',
      '--namespace',
      options.namespace,
      '--log-level',
      'warn',
    ],
    // Its own process group: Ctrl-C reaches only us, and we stop the server after the worker.
    { stdio: ['ignore', logFd, logFd], detached: true },
  );
  if (child.pid) writeFileSync(pidFile, String(child.pid));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const failedEarly = exited.then(() => {
    throw new Error(`Temporal dev server exited during start-up; see ${join(options.dataDir, 'server.log')}`);
  });
  await Promise.race([waitForPort(options.port, '127.0.0.1', 60_000), failedEarly]);
  failedEarly.catch(() => undefined);
  return {
    address: `127.0.0.1:${options.port}`,
    uiUrl: `http://127.0.0.1:${options.uiPort}`,
    process: child,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
      rmSync(pidFile, { force: true });
    },
  };
}

/**
 * A dev server left running by a start that was killed (SIGKILL gives no chance to clean up)
 * still holds the SQLite file: stop it before starting a new one on the same data.
 */
async function stopLeftover(pidFile: string): Promise<void> {
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8'));
  rmSync(pidFile, { force: true });
  if (!Number.isInteger(pid) || pid <= 0 || !isTemporalProcess(pid)) return;
  process.kill(pid, 'SIGTERM');
  for (let i = 0; i < 100 && isAlive(pid); i++) await new Promise((r) => setTimeout(r, 100));
  if (isAlive(pid)) process.kill(pid, 'SIGKILL');
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function isTemporalProcess(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('start-dev');
  } catch {
    return false;
  }
}
