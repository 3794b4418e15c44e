import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker, WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { systemClock } from '../../src/activities/ports';
import { SmtpSink } from '../../src/stack/smtp-sink';
import { createArshjulWorker } from '../../src/worker/create-worker';
import { createSmtpMailer, SmtpMailer } from '../../src/worker/mail-transport';
import { createTestDatabase, TestDatabase } from './database';
import { bundleWorkflows } from './temporal';

export interface WorkerHarness {
  /** A Worker runs once: each test takes a new one over the same database and SMTP server. */
  newWorker(): Promise<Worker>;
  db: TestDatabase;
  sink: SmtpSink;
  mailer: SmtpMailer;
  taskQueue: string;
  close(): Promise<void>;
}

/**
 * A real worker over a real database and a real SMTP server on loopback, attached to the given
 * Temporal test environment: what production wires, minus the production addresses.
 */
export async function startWorkerHarness(
  env: TestWorkflowEnvironment,
  bundle: WorkflowBundleWithSourceMap,
  label: string,
): Promise<WorkerHarness> {
  const db = await createTestDatabase(label);
  // Addresses at nowhere.invalid are refused with 550, as a relay refuses a mailbox that does not exist.
  const sink = await new SmtpSink({ refuseRecipient: (address) => address.endsWith('@nowhere.invalid') }).start();
  const mailer = createSmtpMailer(sink.url, 'Årshjul <arshjul@test.example>');
  const taskQueue = `test-${label}`;
  const newWorker = (): Promise<Worker> =>
    createArshjulWorker({
      connection: env.nativeConnection,
      namespace: env.namespace ?? 'default',
      taskQueue,
      deps: { db: db.pool, mailer, clock: systemClock, publicUrl: 'https://arshjul.test.example' },
      workflowBundle: bundle,
    });
  return {
    newWorker,
    db,
    sink,
    mailer,
    taskQueue,
    async close() {
      mailer.close();
      await sink.stop();
      await db.drop();
    },
  };
}

export interface RunningWorkerContext {
  env: TestWorkflowEnvironment;
  harness: WorkerHarness;
}

/**
 * For a test file whose tests share one Temporal server and one worker running throughout:
 * registers beforeAll/afterAll and returns a context filled once they have run.
 */
export function useRunningWorker(
  startEnv: () => Promise<TestWorkflowEnvironment>,
  label: string,
): RunningWorkerContext {
  const context = {} as RunningWorkerContext;
  let worker: Worker | undefined;
  let workerRun: Promise<void> | undefined;
  beforeAll(async () => {
    const [env, bundle] = await Promise.all([startEnv(), bundleWorkflows()]);
    context.env = env;
    context.harness = await startWorkerHarness(env, bundle, label);
    worker = await context.harness.newWorker();
    workerRun = worker.run();
  });
  afterAll(async () => {
    worker?.shutdown();
    await workerRun;
    await context.harness?.close();
    await context.env?.teardown();
  });
  return context;
}
