/**
 * Production entry point of the HTTP API process. Bad configuration exits with code 2 and one
 * line naming the variable.
 */
import { runProcess } from './run-process';

runProcess('api', { worker: false, http: true });
