/**
 * Production entry point of the HTTP API process. Bad configuration exits with code 2 and one
 * line naming the variable.
 */
import { startTracingOrExit } from './tracing';

// Tracing first, before run-process (and through it `pg`) is loaded: see worker-main.ts.
startTracingOrExit('arshjul-api');
// A require, not an import: imports are hoisted above the line before (and tsx keeps a dynamic
// import() an ES import, which does not resolve extensionless TypeScript paths).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { runProcess } = require('./run-process') as typeof import('./run-process');
runProcess('api', { worker: false, http: true });
