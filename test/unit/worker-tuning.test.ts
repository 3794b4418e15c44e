import { maxCachedWorkflowsFor } from '../../src/app/worker-process';

describe('maxCachedWorkflowsFor', () => {
  const MiB = 1024 * 1024;
  it('fits the cache beside the rest of the process by the measured 1.7 MiB per cached workflow', () => {
    // The compose file's 1.5 GiB heap: (1536 − 300) / 1.7.
    expect(maxCachedWorkflowsFor(1536 * MiB)).toBe(727);
    expect(maxCachedWorkflowsFor(4096 * MiB)).toBe(2232);
  });
  it('keeps at least 50 on a small heap, so a burst is still served', () => {
    expect(maxCachedWorkflowsFor(256 * MiB)).toBe(50);
  });
});
