import { NativeConnection, Worker, WorkerOptions } from '@temporalio/worker';
import { createActivities } from '../activities';
import type { ActivityDeps } from '../activities/ports';

export interface ArshjulWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  deps: ActivityDeps;
  /** A pre-built bundle (tests bundle once per file); otherwise the worker bundles the source. */
  workflowBundle?: WorkerOptions['workflowBundle'];
  /** Cache, concurrency and shutdown settings; the SDK's defaults where unset (tests). */
  tuning?: Pick<WorkerOptions, 'maxCachedWorkflows' | 'maxConcurrentActivityTaskExecutions' | 'shutdownGraceTime'>;
}

/**
 * How many activities one worker runs at once. Each holds a database connection only for short
 * transactions (a send takes its lease, lets go during the SMTP exchange, records the outcome),
 * so the pool is sized from this number (`poolSizeFor`) and no activity waits on the pool while
 * the HTTP server in the same process needs a connection.
 */
export const ACTIVITY_CONCURRENCY = 20;

/** The pool a process needs: a connection per concurrent activity plus room for the HTTP server. */
export function poolSizeFor(roles: { worker: boolean; http: boolean }): number {
  return (roles.worker ? ACTIVITY_CONCURRENCY : 0) + (roles.http ? 10 : 0) || 2;
}

export function createArshjulWorker(options: ArshjulWorkerOptions): Promise<Worker> {
  return Worker.create({
    maxConcurrentActivityTaskExecutions: ACTIVITY_CONCURRENCY,
    ...options.tuning,
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    activities: createActivities(options.deps),
    ...(options.workflowBundle
      ? { workflowBundle: options.workflowBundle }
      : { workflowsPath: require.resolve('../workflows') }),
  });
}
