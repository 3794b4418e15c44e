/**
 * Production entry point of a worker process (scaled horizontally): every dependency comes from
 * the environment (see .env.example). Bad configuration exits with code 2 and one line.
 */
import { runProcess } from './run-process';

runProcess('worker', { worker: true, http: false });
