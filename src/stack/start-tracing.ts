/**
 * `npm start` traces too when OTEL_EXPORTER_OTLP_ENDPOINT is set (one process, service `arshjul`):
 * imported by start.ts before anything else, so that the pg instrumentation sees `pg` required.
 */
import { startTracingOrExit } from '../app/tracing';

startTracingOrExit('arshjul');
