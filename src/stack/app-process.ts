import { ChildProcess, spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';

const REPO_ROOT = join(__dirname, '..', '..');

export interface AppProcess {
  name: string;
  child: ChildProcess;
  logFile: string;
  stop(): Promise<void>;
}

/**
 * Starts one Årshjul process (src/app/worker-main.ts or api-main.ts) as production runs it, one
 * role per process, from source through tsx's loader (node itself runs it, so the PID we hold is
 * the process). Its output goes to `logFile`; it counts as started when it says so (run-process.ts
 * prints "Årshjul <role> started"), and a process that exits first fails the start with the end
 * of its log.
 */
export async function startAppProcess(options: {
  name: string;
  entry: 'worker-main' | 'api-main';
  env: NodeJS.ProcessEnv;
  logFile: string;
  timeoutMs?: number;
}): Promise<AppProcess> {
  const child = spawn(
    process.execPath,
    ['--require', require.resolve('tsx/cjs'), join(REPO_ROOT, 'src', 'app', `${options.entry}.ts`)],
    // Its own process group: Ctrl-C reaches only the stack, which stops the processes in order.
    { cwd: REPO_ROOT, env: options.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true },
  );
  const log = createWriteStream(options.logFile, { flags: 'a' });
  let tail = '';
  let startedSeen = false;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      // Not started in time: it must not keep running behind a start that failed.
      child.kill('SIGKILL');
      reject(
        new Error(
          `${options.name} did not start within ${(options.timeoutMs ?? 120_000) / 1000} s; see ${options.logFile}`,
        ),
      );
    }, options.timeoutMs ?? 120_000);
    const watch = (chunk: Buffer): void => {
      log.write(chunk);
      tail = (tail + chunk.toString()).slice(-4000);
      if (!startedSeen && /Årshjul (worker|api) started/.test(tail)) {
        startedSeen = true;
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on('data', watch);
    child.stderr!.on('data', watch);
    void exited.then(() => {
      clearTimeout(timer);
      reject(
        new Error(`${options.name} exited during start-up (${child.signalCode ?? `exit ${child.exitCode}`}):\n${tail}`),
      );
    });
  });
  return {
    name: options.name,
    child,
    logFile: options.logFile,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      // A worker's grace time for the activities under way, and a margin.
      const timer = setTimeout(() => child.kill('SIGKILL'), 45_000);
      await exited;
      clearTimeout(timer);
      log.end();
    },
  };
}
