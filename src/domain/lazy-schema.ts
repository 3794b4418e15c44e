/**
 * A schema built on its first use instead of when its module loads, then kept. The worker
 * evaluates the workflow bundle's modules anew for every workflow it starts (the SDK's
 * per-workflow module isolation), so a schema built at load would cost every workflow start its
 * construction and its heap, used or not; built lazily, a workflow builds only the schemas of the
 * messages it receives. Modules the workflows import build theirs this way (see
 * test/workflows/workflow-bundle.test.ts).
 */
export function lazySchema<T>(build: () => T): () => T {
  let built: T | undefined;
  return () => (built ??= build());
}
