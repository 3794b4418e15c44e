/**
 * The OpenTelemetry interceptors package's workflow interceptors, bundled into the workflow code
 * only when tracing is on. Deterministic by the package's design: spans are timed by the
 * workflow's clock and leave the sandbox through a sink, which is not called during replay.
 */
export const TRACING_WORKFLOW_MODULE =
  require.resolve('@temporalio/interceptors-opentelemetry/lib/workflow-interceptors');

/**
 * A string only the tracing module puts into a bundle (its tracer's name): a worker with tracing
 * on refuses a prebuilt bundle without it rather than drop the workflows' spans without a word.
 */
export const TRACING_BUNDLE_MARK = '@temporalio/interceptor-workflow';
