/**
 * `npm run build`'s last step: dist/workflow-bundle.js, which a production worker loads
 * (prebuiltWorkflowBundle in worker-process.ts) instead of running webpack at start, and
 * dist/workflow-bundle-traced.js, the same with the tracing interceptors, for a worker with
 * OTEL_EXPORTER_OTLP_ENDPOINT set.
 */
import { join } from 'node:path';
import { writeWorkflowBundle } from './workflow-bundle';

Promise.all([
  writeWorkflowBundle(join(__dirname, '..', 'workflow-bundle.js')),
  writeWorkflowBundle(join(__dirname, '..', 'workflow-bundle-traced.js'), { tracing: true }),
]).catch((error: unknown) => {
  process.stderr.write(`${String(error)}\n`);
  process.exit(1);
});
