import vm from 'node:vm';
import type { WorkflowInfo } from '@temporalio/workflow';
import { parseWorkflowCode } from '@temporalio/worker/lib/worker';
import { ReusableVMWorkflowCreator } from '@temporalio/worker/lib/workflow/reusable-vm';
import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { bundleWorkflows } from '../helpers/temporal';

let bundle: WorkflowBundleWithSourceMap;
beforeAll(async () => {
  bundle = await bundleWorkflows();
}, 120_000);

/**
 * The workflow cache's memory rests on zod being evaluated once per worker, not once per cached
 * workflow (src/worker/workflow-bundle-options.ts): the bundle's preload must load it, through the
 * module that readies it for the SDK's freezing, and nothing of ours that exports a schema.
 */
describe('the modules shared by every workflow in a worker', () => {
  let preload: string;
  beforeAll(() => {
    const { code } = bundle;
    preload = code.slice(code.indexOf('function preloadModules()'), code.indexOf('function importWorkflows()'));
  });

  it('are zod, loaded by the bundle’s preload before any workflow', () => {
    expect(preload).toContain('"./src/worker/shared-zod.ts"');
  });

  it('include none of the domain modules, whose zod schemas cannot be frozen', () => {
    expect(preload).not.toMatch(/src\/domain\//);
  });
});

/**
 * Counts, in the sandbox, every zod object built (a schema or a check: zod installs each one's
 * internals as `_zod` with Object.defineProperty), before the SDK freezes the sandbox's globals.
 */
const COUNT_ZOD_OBJECTS = `(() => {
  const define = Object.defineProperty;
  let built = 0;
  Object.defineProperty = function (target, key, descriptor) {
    if (key === '_zod') built++;
    return define(target, key, descriptor);
  };
  globalThis.__zodObjectsBuilt = () => built;
})();`;

/** The worker's own creator of workflows in one reusable V8 context, with the count above in it. */
class CountingWorkflowCreator extends ReusableVMWorkflowCreator {
  protected override injectGlobals(context: vm.Context): void {
    super.injectGlobals(context);
    vm.runInContext(COUNT_ZOD_OBJECTS, context);
  }

  zodObjectsBuilt(): number {
    return vm.runInContext('__zodObjectsBuilt()', this.context) as number;
  }

  /** Our modules the workflow being created evaluated for itself (not shared). */
  ownModules(): string[] {
    const cache = vm.runInContext('__TEMPORAL_ACTIVATOR__.moduleCache', this.context) as Map<string, unknown>;
    return [...cache.keys()].filter((id) => id.startsWith('./src/'));
  }
}

/**
 * The worker evaluates the workflow code's modules anew for every workflow it starts (the SDK's
 * per-workflow module isolation), so a zod schema one of them builds at load is built at every
 * start and kept by every cached workflow: the start rate and the worker's memory per cached
 * workflow (issue 16) rest on none being built. Schemas a workflow validates messages with are
 * built on first use (src/domain/lazy-schema.ts). The entry module imports every workflow, so one
 * workflow's start evaluates them all.
 */
describe('starting a workflow in the worker’s sandbox', () => {
  let creator: CountingWorkflowCreator;
  beforeAll(async () => {
    creator = await CountingWorkflowCreator.create(parseWorkflowCode(bundle.code), 10_000, new Set());
  });
  afterAll(async () => {
    await creator?.destroy();
  });

  it('counts what zod builds there (the preload’s warm-up)', () => {
    expect(creator.zodObjectsBuilt()).toBeGreaterThan(0);
  });

  it('evaluates our workflow and domain modules and builds no zod schema', async () => {
    for (const n of [1, 2]) {
      const before = creator.zodObjectsBuilt();
      const workflow = await creator.createWorkflow({
        info: {
          workflowType: 'deliverableWorkflow',
          workflowId: `bundle-test-${n}`,
          runId: `run-${n}`,
          unsafe: {},
        } as unknown as WorkflowInfo,
        randomnessSeed: [n],
        now: Date.UTC(2026, 0, 1),
        showStackTraceSources: false,
      });
      const built = creator.zodObjectsBuilt() - before;
      const modules = creator.ownModules();
      await workflow.dispose();
      expect(modules).toEqual(
        expect.arrayContaining(['./src/workflows/deliverable-workflow.ts', './src/domain/deliverable-state.ts']),
      );
      // Compared with the modules beside the count, so that a failure lists what the workflow
      // evaluated: one of those builds a schema at load.
      const evaluated = modules.join(' ');
      expect({ zodObjectsBuilt: built, evaluated }).toEqual({ zodObjectsBuilt: 0, evaluated });
    }
  });
});
