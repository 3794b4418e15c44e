import { maxCachedWorkflowsFor } from '../../src/app/worker-process';

describe('maxCachedWorkflowsFor', () => {
  it('fits the cache in the memory budget beside the rest of the process by the measured 0.77 MiB (0.85 with a margin) per cached workflow', () => {
    // Issue 16's 1 GiB worker: (1024 − 300) / 0.85.
    expect(maxCachedWorkflowsFor()).toBe(851);
    expect(maxCachedWorkflowsFor(1024)).toBe(851);
    expect(maxCachedWorkflowsFor(4096)).toBe(4465);
  });
  it('keeps at least 50 on a small budget, so a burst is still served', () => {
    expect(maxCachedWorkflowsFor(512)).toBe(249);
    expect(maxCachedWorkflowsFor(310)).toBe(50);
  });
});
