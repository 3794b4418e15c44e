import { maxCachedWorkflowsFor } from '../../src/app/worker-process';

describe('maxCachedWorkflowsFor', () => {
  it('fits the cache in the memory budget beside the rest of the process by the measured 0.2 MiB (0.3 with a margin) per cached workflow', () => {
    // Issue 16's 1 GiB worker: (1024 − 300) / 0.3.
    expect(maxCachedWorkflowsFor()).toBe(2413);
    expect(maxCachedWorkflowsFor(1024)).toBe(2413);
    expect(maxCachedWorkflowsFor(4096)).toBe(12653);
  });
  it('keeps at least 50 on a small budget, so a burst is still served', () => {
    expect(maxCachedWorkflowsFor(512)).toBe(706);
    expect(maxCachedWorkflowsFor(310)).toBe(50);
    expect(maxCachedWorkflowsFor(314)).toBe(50);
  });
});
