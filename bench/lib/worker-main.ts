/**
 * A benchmark worker process: the production composition (src/app/worker-process.ts: one pg
 * pool, one pooled SMTP transport, createArshjulWorker with the production tuning — the workflow
 * cache sized for a 1 GiB worker, 20 activities at once) over a pre-built workflow bundle, so a
 * restart after SIGKILL takes seconds, not a bundling. Configured by environment variables
 * (BENCH_MAX_CACHED overrides the cache, as WORKER_MAX_CACHED_WORKFLOWS does); answers `rss` over
 * IPC (after a full GC) for the memory figures.
 */
import { Session } from 'node:inspector';
import { NativeConnection } from '@temporalio/worker';
import { systemClock } from '../../src/activities/ports';
import { createPool } from '../../src/db/database';
import { maxCachedWorkflowsFor } from '../../src/app/worker-process';
import { ACTIVITY_CONCURRENCY, createArshjulWorker, poolSizeFor } from '../../src/worker/create-worker';
import { createSmtpMailer } from '../../src/worker/mail-transport';
import { installRuntime } from '../../src/worker/runtime';

function need(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is unset`);
  return value;
}

async function main(): Promise<void> {
  installRuntime('ERROR');
  const connection = await NativeConnection.connect({ address: need('BENCH_TEMPORAL_ADDRESS') });
  const pool = createPool(need('BENCH_DATABASE_URL'), poolSizeFor({ worker: true, http: false }));
  const mailer = createSmtpMailer(need('BENCH_SMTP_URL'), 'Årshjul <arshjul@bench.example>');
  const deps = { db: pool, mailer, clock: systemClock, publicUrl: 'https://arshjul.bench.example' };
  const workflowBundle = { codePath: need('BENCH_BUNDLE_PATH') };
  const taskQueue = need('BENCH_TASK_QUEUE');
  const maxCachedWorkflows = process.env.BENCH_MAX_CACHED
    ? Number(process.env.BENCH_MAX_CACHED)
    : maxCachedWorkflowsFor();
  const worker = await createArshjulWorker({
    connection,
    namespace: 'default',
    taskQueue,
    deps,
    workflowBundle,
    tuning: { maxCachedWorkflows, maxConcurrentActivityTaskExecutions: ACTIVITY_CONCURRENCY },
  });
  const run = worker.run();
  process.on('message', (message: unknown) => {
    // The monotonic clock in µs, the time base of V8's CPU profiles: marks a window of a profile.
    if (message === 'mark') process.send?.({ mark: Number(process.hrtime.bigint() / 1000n) });
    if (message !== 'rss') return;
    void collectEverywhere().then((threads) => {
      const m = process.memoryUsage();
      process.send?.({ rss: m.rss, heapUsed: m.heapUsed, external: m.external, workflowThreadHeapUsed: threads });
    });
  });
  const stop = (): void => {
    if (worker.getState() === 'RUNNING') worker.shutdown();
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  process.stdout.write('bench worker ready\n');
  await run;
  mailer.close();
  await pool.end();
  await connection.close();
  process.exit(0);
}

/**
 * A full GC in the main thread and in the SDK's workflow thread (where every cached workflow
 * lives, in its own V8 isolate) through the inspector's NodeWorker domain; returns the workflow
 * threads' used heap afterwards.
 */
async function collectEverywhere(): Promise<number> {
  (globalThis as { gc?: () => void }).gc?.();
  const session = new Session();
  session.connect();
  const post = (method: string, params: object = {}) =>
    new Promise<unknown>((resolve, reject) =>
      session.post(method, params, (error, result) => (error ? reject(error) : resolve(result))),
    );
  const workers: string[] = [];
  session.on('NodeWorker.attachedToWorker', (m: { params: { sessionId: string } }) => workers.push(m.params.sessionId));
  let used = 0;
  try {
    await post('NodeWorker.enable', { waitForDebuggerOnStart: false });
    await new Promise((r) => setTimeout(r, 200));
    let nextId = 1;
    const pending = new Map<number, (result: { usedSize?: number }) => void>();
    session.on('NodeWorker.receivedMessageFromWorker', (m: { params: { message: string } }) => {
      const reply = JSON.parse(m.params.message) as { id?: number; result?: { usedSize?: number } };
      if (reply.id !== undefined) pending.get(reply.id)?.(reply.result ?? {});
    });
    const inWorker = (sessionId: string, method: string) =>
      new Promise<{ usedSize?: number }>((resolve) => {
        const id = nextId++;
        pending.set(id, resolve);
        void post('NodeWorker.sendMessageToWorker', { sessionId, message: JSON.stringify({ id, method }) });
        setTimeout(() => resolve({}), 10_000);
      });
    for (const sessionId of workers) {
      await inWorker(sessionId, 'HeapProfiler.enable');
      await inWorker(sessionId, 'HeapProfiler.collectGarbage');
      used += (await inWorker(sessionId, 'Runtime.getHeapUsage')).usedSize ?? 0;
    }
    await post('NodeWorker.disable');
  } finally {
    session.disconnect();
  }
  (globalThis as { gc?: () => void }).gc?.();
  return used;
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
