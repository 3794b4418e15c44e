import type { BundleOptions } from '@temporalio/worker';

/**
 * Modules loaded once into the worker's reusable V8 context and shared by every cached workflow,
 * instead of evaluated again for each one (the SDK's per-workflow module isolation): zod, through
 * a module that warms what zod keeps on its own module objects before the SDK freezes them
 * (naming 'zod' itself does nothing: webpack drops a bare require of a package without side
 * effects). Measured (bench, worker-memory): 1.4 MiB of workflow heap per cached workflow
 * without, 0.68 MiB with. Our domain modules (most of the rest) stay per workflow: they export zod
 * schemas, which memoise their methods on themselves and so cannot be frozen.
 */
export function sharedWorkflowModules(): string[] {
  return [require.resolve('./shared-zod')];
}

/** Options for every bundle of the workflows: the production build, a worker bundling from source, the tests and the benchmarks. */
export function workflowBundleOptions(): Pick<BundleOptions, 'workflowsPath' | 'preloadModules'> {
  return { workflowsPath: require.resolve('../workflows'), preloadModules: sharedWorkflowModules() };
}
