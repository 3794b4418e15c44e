import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { exited, rssOf, stopChild, track } from './processes';

const TSX_CJS = require.resolve('tsx/cjs');
const WORKER_MAIN = join(__dirname, 'worker-main.ts');

export interface WorkerConfig {
  temporalAddress: string;
  taskQueue: string;
  databaseUrl: string;
  smtpUrl: string;
  bundlePath: string;
  /** maxCachedWorkflows; the SDK's default when unset (as in production). */
  maxCached?: number;
  /** Write a V8 CPU profile into this folder when the worker stops (SIGTERM). */
  cpuProfileDir?: string;
}

export interface WorkerProcess {
  child: ChildProcess;
  pid: number;
  /** RSS after a full GC in the worker, in bytes; the kernel's figure (VmRSS). */
  rss(): Promise<{ rss: number; vmRss: number; heapUsed: number; external: number; workflowThreadHeapUsed: number }>;
  /** The worker's monotonic clock in µs (the time base of its CPU profiles). */
  mark(): Promise<number>;
  kill(): Promise<void>;
  stop(): Promise<void>;
  stderr(): string;
}

/** Starts a worker process (node with tsx's loader: the PID is the worker itself) and waits until it polls. */
export async function startWorkerProcess(config: WorkerConfig, timeoutMs = 120_000): Promise<WorkerProcess> {
  const flags = ['--require', TSX_CJS, '--expose-gc'];
  if (config.cpuProfileDir) flags.push('--cpu-prof', `--cpu-prof-dir=${config.cpuProfileDir}`);
  const child = track(
    spawn(process.execPath, [...flags, WORKER_MAIN], {
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        BENCH_TEMPORAL_ADDRESS: config.temporalAddress,
        BENCH_TASK_QUEUE: config.taskQueue,
        BENCH_DATABASE_URL: config.databaseUrl,
        BENCH_SMTP_URL: config.smtpUrl,
        BENCH_BUNDLE_PATH: config.bundlePath,
        ...(config.maxCached !== undefined && { BENCH_MAX_CACHED: String(config.maxCached) }),
      },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    }),
  );
  let out = '';
  let err = '';
  let ready = (): void => undefined;
  child.stderr!.on('data', (chunk: Buffer) => {
    err = (err + chunk.toString()).slice(-20_000);
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`bench worker not ready in ${timeoutMs} ms:\n${err}`)), timeoutMs);
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('bench worker ready')) {
        clearTimeout(timer);
        resolve();
      }
    });
    const early = (code: number | null, signal: string | null): void => {
      clearTimeout(timer);
      reject(new Error(`bench worker exited (${code ?? signal}) before it was ready:\n${err}`));
    };
    child.once('exit', early);
    ready = () => child.off('exit', early);
  });
  ready();
  const pid = child.pid!;
  return {
    child,
    pid,
    stderr: () => err,
    rss() {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('bench worker did not answer rss')), 30_000);
        const onMessage = (m: { rss?: number; heapUsed: number; external: number; workflowThreadHeapUsed: number }) => {
          if (m.rss === undefined) return;
          clearTimeout(timer);
          child.off('message', onMessage);
          resolve({
            rss: m.rss,
            heapUsed: m.heapUsed,
            external: m.external,
            workflowThreadHeapUsed: m.workflowThreadHeapUsed,
            vmRss: rssOf(pid),
          });
        };
        child.on('message', onMessage);
        child.send('rss');
      });
    },
    mark() {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('bench worker did not answer mark')), 30_000);
        const onMessage = (m: { mark?: number }) => {
          if (m.mark === undefined) return;
          clearTimeout(timer);
          child.off('message', onMessage);
          resolve(m.mark);
        };
        child.on('message', onMessage);
        child.send('mark');
      });
    },
    async kill() {
      child.kill('SIGKILL');
      await exited(child);
    },
    stop: () => stopChild(child, 30_000),
  };
}
