import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import type { Pool } from 'pg';
import { systemClock } from '../activities/ports';
import { ensureDigestSchedule } from '../client/digest-schedule';
import { createArshjulWorker, ACTIVITY_CONCURRENCY } from '../worker/create-worker';
import { SmtpMailer } from '../worker/mail-transport';
import { startDailyPrune } from '../worker/personal-data-prune';
import { TRACING_BUNDLE_MARK } from '../worker/tracing-workflow-module';
import { AppConfig, ConfigError, publicUrlOf } from './config';
import { ArshjulMetrics, MetricsListener, startMetricsListener } from './metrics';
import { activeTracing } from './tracing';

/**
 * Measured memory of one cached workflow (bench/results/summary.md, worker-memory: about 0.2 MiB
 * of resident memory per cached deliverable since zod is shared by every workflow,
 * src/worker/workflow-bundle-options.ts, and a workflow's start builds no schema,
 * src/domain/lazy-schema.ts; 1.7 MiB before either, 0.8 with the first), with a margin, and what
 * the rest of a worker process needs under a deadline-day burst (the runtime, the pg pool, the
 * SMTP pool, a dispatch activity's page of mails): 300 MiB.
 */
const MIB_PER_CACHED_WORKFLOW = 0.3;
const MIB_FOR_THE_REST = 300;
/** Issue 16's budget for a worker with 3,000 open deliverables. */
export const DEFAULT_WORKER_MEMORY_MIB = 1024;

/**
 * How many workflows the worker keeps cached: as many as fit in its memory budget beside the rest
 * of the process by the measured cost of one (1 GiB: 2,413); at least 50, so that a small budget
 * still serves a burst. Not every open deliverable needs a place: reminders go through the
 * cycle's dispatcher (one activity per instant), so a deliverable's workflow wakes only when
 * someone acts on it or a deadline passes, and an evicted one replays its short history then.
 */
export function maxCachedWorkflowsFor(memoryBudgetMiB = DEFAULT_WORKER_MEMORY_MIB): number {
  return Math.max(50, Math.floor((memoryBudgetMiB - MIB_FOR_THE_REST) / MIB_PER_CACHED_WORKFLOW));
}

/**
 * The workflow bundle built by `npm run build` (dist/workflow-bundle.js, or with tracing on
 * dist/workflow-bundle-traced.js, see src/app/build-workflow-bundle.ts), or WORKFLOW_BUNDLE_PATH:
 * a production worker loads it instead of running webpack at every start; from source
 * (development, tests) there is none and the worker bundles the workflows itself.
 */
export function prebuiltWorkflowBundle(env: NodeJS.ProcessEnv = process.env, tracing = false): string | undefined {
  if (env.WORKFLOW_BUNDLE_PATH) {
    if (tracing && !readFileSync(env.WORKFLOW_BUNDLE_PATH, 'utf8').includes(TRACING_BUNDLE_MARK)) {
      throw new ConfigError([
        {
          variable: 'WORKFLOW_BUNDLE_PATH',
          problem:
            'names a workflow bundle built without the tracing interceptors, but OTEL_EXPORTER_OTLP_ENDPOINT is set (use dist/workflow-bundle-traced.js)',
        },
      ]);
    }
    return env.WORKFLOW_BUNDLE_PATH;
  }
  const besideDist = join(__dirname, '..', tracing ? 'workflow-bundle-traced.js' : 'workflow-bundle.js');
  return __filename.endsWith('.js') && existsSync(besideDist) ? besideDist : undefined;
}

export interface RunningWorker {
  worker: Worker;
  /** Settles when the worker stops. */
  run: Promise<void>;
  /** The worker's /metrics, when WORKER_METRICS_PORT asked for one. */
  metricsUrl?: string;
  stop(): Promise<void>;
}

/**
 * The worker's part of a process: polls the task queue with the activities over the process's
 * pool and mail transport, makes sure the weekly digest's Schedule exists, runs the daily prune.
 */
export async function startWorker(
  config: AppConfig,
  shared: { pool: Pool; mailer: SmtpMailer; client: Client; metrics?: ArshjulMetrics; sdkMetricsUrl?: string },
  log: (line: string) => void,
): Promise<RunningWorker> {
  const nativeConnection = await NativeConnection.connect({ address: config.temporal.address });
  const tracing = activeTracing();
  const bundlePath = prebuiltWorkflowBundle(process.env, tracing !== undefined);
  const worker = await createArshjulWorker({
    connection: nativeConnection,
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueue,
    deps: {
      db: shared.pool,
      mailer: shared.mailer,
      clock: systemClock,
      publicUrl: publicUrlOf(config),
      ...(shared.metrics && { metrics: shared.metrics }),
    },
    ...(bundlePath && { workflowBundle: { codePath: bundlePath } }),
    ...(tracing && { tracing: { spanProcessor: tracing.spanProcessor, resource: tracing.resource } }),
    tuning: {
      maxCachedWorkflows: config.worker.maxCachedWorkflows ?? maxCachedWorkflowsFor(config.worker.memoryMiB),
      maxConcurrentActivityTaskExecutions: ACTIVITY_CONCURRENCY,
      // An activity under way (a mail being sent) gets this long to finish on a stop; after it,
      // it is cancelled and retried by another worker (the send log keeps it exactly once).
      shutdownGraceTime: `${config.worker.shutdownGraceSeconds}s`,
    },
  });
  const run = worker.run();
  // Several workers may start at the same moment: the Schedule's creation is idempotent.
  const schedule = await ensureDigestSchedule(shared.client, config.temporal.taskQueue);
  if (schedule === 'created') log('Veckosammanställningen är schemalagd: måndagar kl. 08:00 (Europe/Stockholm).');
  const prune = startDailyPrune({ pool: shared.pool, retentionDays: config.personalData.retentionDays, log });
  const stopWorker = async (): Promise<void> => {
    await prune.stop();
    if (worker.getState() === 'RUNNING') worker.shutdown();
    await run.catch(() => undefined);
    await nativeConnection.close();
  };
  let listener: MetricsListener | undefined;
  if (shared.metrics && config.metrics.workerPort !== undefined) {
    try {
      listener = await startMetricsListener({
        host: config.http.host,
        port: config.metrics.workerPort,
        metrics: shared.metrics,
        ...(shared.sdkMetricsUrl && { sdkMetricsUrl: shared.sdkMetricsUrl }),
      });
    } catch (error) {
      // A port taken fails the start (with its address), leaving nothing running behind.
      await stopWorker();
      throw error;
    }
    log(`Arbetarens mätvärden: ${listener.url}`);
  }
  return {
    worker,
    run,
    ...(listener && { metricsUrl: listener.url }),
    async stop() {
      await stopWorker();
      await listener?.close();
    },
  };
}
