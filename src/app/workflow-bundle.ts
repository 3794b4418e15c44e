import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { TRACING_WORKFLOW_MODULE } from '../worker/tracing-workflow-module';
import { workflowBundleOptions } from '../worker/workflow-bundle-options';

/**
 * Bundles the workflows (webpack, some seconds on 2 cores) into one file that workers load with
 * `workflowBundle: { codePath }`: built once (by `npm run build`, or by the cluster stack for
 * its workers) instead of by every worker at every start.
 */
export async function writeWorkflowBundle(outFile: string, options: { tracing?: boolean } = {}): Promise<void> {
  const { code } = await bundleWorkflowCode({
    ...workflowBundleOptions(),
    // A worker with tracing on loads a bundle with the tracing module; with it off, one without
    // (no spans made in the sandbox at all). `npm run build` writes both.
    workflowInterceptorModules: options.tracing ? [TRACING_WORKFLOW_MODULE] : [],
    logger: quietLogger,
  });
  mkdirSync(dirname(outFile), { recursive: true });
  // Written beside and renamed: a worker starting meanwhile never reads half a bundle.
  const staging = `${outFile}.tmp-${process.pid}`;
  writeFileSync(staging, code);
  renameSync(staging, outFile);
}

const quietLogger = {
  log: () => undefined,
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: (message: string) => void process.stderr.write(`workflow bundle: ${message}\n`),
  error: (message: string) => void process.stderr.write(`workflow bundle: ${message}\n`),
};
