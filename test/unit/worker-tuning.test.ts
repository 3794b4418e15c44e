import { maxCachedWorkflowsFor } from '../../src/app/worker-process';

describe('maxCachedWorkflowsFor', () => {
  it('fits the cache in the memory budget beside the rest of the process by the measured 1.7 MiB per cached workflow', () => {
    // Issue 16's 1 GiB worker: (1024 − 300) / 1.7.
    expect(maxCachedWorkflowsFor()).toBe(425);
    expect(maxCachedWorkflowsFor(1024)).toBe(425);
    expect(maxCachedWorkflowsFor(4096)).toBe(2232);
  });
  it('keeps at least 50 on a small budget, so a burst is still served', () => {
    expect(maxCachedWorkflowsFor(512)).toBe(124);
    expect(maxCachedWorkflowsFor(320)).toBe(50);
  });
});
