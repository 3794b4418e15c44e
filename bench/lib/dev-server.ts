import { ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, openSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { Connection } from '@temporalio/client';
import { freePort, waitForPort } from '../../src/stack/free-port';
import { exited, track } from './processes';

export type ServerMode = 'file' | 'memory';

export interface BenchDevServer {
  mode: ServerMode;
  address: string;
  port: number;
  pid(): number;
  /** Hard stop (SIGKILL) and start again on the same port and, file-backed, the same data. */
  restart(): Promise<{ downMs: number }>;
  stop(): Promise<void>;
}

/**
 * The Temporal CLI dev server as the stack runs it (src/stack/temporal-dev-server.ts): file-backed
 * with SQLite in WAL mode, or in memory; headless (no Web UI) in both modes, so both modes differ
 * only in the store.
 */
export async function startBenchDevServer(cliPath: string, mode: ServerMode, dir: string): Promise<BenchDevServer> {
  mkdirSync(dir, { recursive: true });
  const port = await freePort();
  const args = [
    'server',
    'start-dev',
    '--ip',
    '127.0.0.1',
    '--port',
    String(port),
    '--headless',
    '--log-level',
    'error',
    ...(mode === 'file'
      ? [
          '--db-filename',
          join(dir, 'temporal.db'),
          '--sqlite-pragma',
          'journal_mode=wal',
          '--sqlite-pragma',
          'synchronous=normal',
        ]
      : []),
  ];
  let child: ChildProcess;
  const launch = async (): Promise<void> => {
    const log = openSync(join(dir, 'server.log'), 'a');
    child = track(spawn(cliPath, args, { stdio: ['ignore', log, log] }));
    closeSync(log);
    const died = exited(child).then(() => {
      throw new Error(`Temporal dev server exited during start-up; see ${join(dir, 'server.log')}`);
    });
    await Promise.race([waitForPort(port, '127.0.0.1', 60_000), died]);
    died.catch(() => undefined);
    await waitForFrontend(`127.0.0.1:${port}`);
  };
  await launch();
  return {
    mode,
    port,
    address: `127.0.0.1:${port}`,
    pid: () => child.pid ?? 0,
    async restart() {
      const t0 = Date.now();
      child.kill('SIGKILL');
      await exited(child);
      await launch();
      return { downMs: Date.now() - t0 };
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited(child);
      clearTimeout(timer);
    },
  };
}

/** The port opens before the frontend serves: wait until the default namespace answers. */
async function waitForFrontend(address: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      const connection = await Connection.connect({ address, connectTimeout: 2_000 });
      try {
        await connection.workflowService.describeNamespace({ namespace: 'default' });
        return;
      } finally {
        await connection.close();
      }
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}
