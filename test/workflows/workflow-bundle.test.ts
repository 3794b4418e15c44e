import { bundleWorkflows } from '../helpers/temporal';

/**
 * The workflow cache's memory rests on zod being evaluated once per worker, not once per cached
 * workflow (src/worker/workflow-bundle-options.ts): the bundle's preload must load it, through the
 * module that readies it for the SDK's freezing, and nothing of ours that exports a schema.
 */
describe('the modules shared by every workflow in a worker', () => {
  let preload: string;
  beforeAll(async () => {
    const { code } = await bundleWorkflows();
    preload = code.slice(code.indexOf('function preloadModules()'), code.indexOf('function importWorkflows()'));
  }, 120_000);

  it('are zod, loaded by the bundle’s preload before any workflow', () => {
    expect(preload).toContain('"./src/worker/shared-zod.ts"');
  });

  it('include none of the domain modules, whose zod schemas cannot be frozen', () => {
    expect(preload).not.toMatch(/src\/domain\//);
  });
});
