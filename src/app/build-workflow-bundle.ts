/**
 * `npm run build`'s last step: dist/workflow-bundle.js, which a production worker loads
 * (prebuiltWorkflowBundle in worker-process.ts) instead of running webpack at start.
 */
import { join } from 'node:path';
import { writeWorkflowBundle } from './workflow-bundle';

writeWorkflowBundle(join(__dirname, '..', 'workflow-bundle.js')).catch((error: unknown) => {
  process.stderr.write(`${String(error)}\n`);
  process.exit(1);
});
