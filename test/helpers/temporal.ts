import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { workflowBundleOptions } from '../../src/worker/workflow-bundle-options';
import { zonedInstant } from '../../src/domain/zoned-time';
import { installRuntime } from '../../src/worker/runtime';

function requiredEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is unset: run the tests through jest (global setup).`);
  return value;
}

/**
 * The time-skipping test server (Java). The SDK gives the JVM a few seconds to listen; on a
 * loaded machine the first start can miss that window, so it is retried.
 */
export async function startTimeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  installRuntime('WARN');
  const path = requiredEnv('ARSHJUL_TEST_SERVER');
  // The SDK gives the server's JVM 5 s to listen; on a loaded 2-core machine that is not always
  // enough, so a start that timed out is tried again after a pause that grows.
  let lastError: unknown;
  for (let attempt = 1; attempt <= 6; attempt++) {
    try {
      return await TestWorkflowEnvironment.createTimeSkipping({
        server: { executable: { type: 'existing-path', path } },
      });
    } catch (error) {
      lastError = error;
      await new Promise((resolve) => setTimeout(resolve, 1_000 * attempt));
    }
  }
  throw lastError;
}

/** The Temporal CLI dev server, in memory, one per test file. */
export async function startDevServerEnv(): Promise<TestWorkflowEnvironment> {
  installRuntime('WARN');
  return TestWorkflowEnvironment.createLocal({
    server: { executable: { type: 'existing-path', path: requiredEnv('ARSHJUL_TEMPORAL_CLI') } },
  });
}

/**
 * Bundles the workflow code once per test file, quietly. On a machine loaded by other runs,
 * webpack has failed once while hashing a module (an internal error, not our code's); the
 * bundle is then built once more before the test file gives up.
 */
export async function bundleWorkflows(): Promise<WorkflowBundleWithSourceMap> {
  const bundle = () =>
    bundleWorkflowCode({
      ...workflowBundleOptions(),
      logger: { trace() {}, debug() {}, info() {}, warn() {}, error() {}, log() {} },
    });
  try {
    return await bundle();
  } catch (error) {
    process.stderr.write(`Bundling the workflows failed once, trying again: ${String(error)}\n`);
    return bundle();
  }
}

/**
 * Moves the time-skipping server's clock to a Stockholm date and time (never back) and returns
 * the server's time afterwards.
 */
export async function sleepUntilStockholm(env: TestWorkflowEnvironment, date: string, time = '12:00'): Promise<number> {
  const target = zonedInstant(date, time, 'Europe/Stockholm').getTime();
  const now = await env.currentTimeMs();
  if (target > now) await env.sleep(target - now);
  return env.currentTimeMs();
}
