import type { Resource } from '@opentelemetry/resources';
import type { SpanProcessor } from '@opentelemetry/sdk-trace-base';
import {
  makeWorkflowExporter,
  OpenTelemetryActivityInboundInterceptor,
  OpenTelemetryActivityOutboundInterceptor,
} from '@temporalio/interceptors-opentelemetry';
import { NativeConnection, Worker, WorkerOptions } from '@temporalio/worker';
import { createActivities } from '../activities';
import { TRACING_WORKFLOW_MODULE } from './tracing-workflow-module';
import { workflowBundleOptions } from './workflow-bundle-options';
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
  /**
   * Traces: the activities' spans continue the workflow's trace, and the workflows' own spans
   * (made in the sandbox, which cannot export) reach the process's span processor through a
   * sink. A prebuilt bundle must have been built with the tracing module (see workflow-bundle.ts).
   */
  tracing?: { spanProcessor: SpanProcessor; resource: Resource };
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
    ...(options.tracing && {
      interceptors: {
        // A prebuilt bundle has its modules already (the SDK warns when given them again).
        ...(!options.workflowBundle && { workflowModules: [TRACING_WORKFLOW_MODULE] }),
        activity: [
          (ctx) => ({
            inbound: new OpenTelemetryActivityInboundInterceptor(ctx),
            outbound: new OpenTelemetryActivityOutboundInterceptor(ctx),
          }),
        ],
      },
      sinks: { exporter: makeWorkflowExporter(options.tracing.spanProcessor, options.tracing.resource) },
    }),
    ...(options.workflowBundle ? { workflowBundle: options.workflowBundle } : fromSource()),
  });
}

/** A worker without a pre-built bundle bundles the source, with the same shared modules as a build. */
function fromSource(): Pick<WorkerOptions, 'workflowsPath' | 'bundlerOptions'> {
  const { workflowsPath, preloadModules } = workflowBundleOptions();
  return { workflowsPath, bundlerOptions: { preloadModules } };
}
