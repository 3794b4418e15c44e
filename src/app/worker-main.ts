/**
 * Production entry point of a worker process (scaled horizontally): every dependency comes from
 * the environment (see .env.example). Bad configuration exits with code 2 and one line.
 */
import { startTracingOrExit } from './tracing';

// Tracing first, before run-process (and through it `pg`) is loaded: the pg instrumentation
// patches `pg` when it is first required.
startTracingOrExit('arshjul-worker');
// A require, not an import: imports are hoisted above the line before (and tsx keeps a dynamic
// import() an ES import, which does not resolve extensionless TypeScript paths).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { runProcess } = require('./run-process') as typeof import('./run-process');
runProcess('worker', { worker: true, http: false });
