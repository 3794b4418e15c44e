import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker, WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { HISTORIES_DIR, RecordedHistory } from '../helpers/histories';
import { installRuntime } from '../../src/worker/runtime';
import { bundleWorkflows } from '../helpers/temporal';

/**
 * Recorded histories of our workflows replay against today's code without non-determinism:
 * workflows that were running when the code changed keep running. A failure here means a change
 * needs a patch (workflow.patched) rather than an edit.
 */
const files = readdirSync(HISTORIES_DIR).filter((f) => f.endsWith('.json'));

let bundle: WorkflowBundleWithSourceMap;
beforeAll(async () => {
  installRuntime('WARN');
  bundle = await bundleWorkflows();
});

describe('replay of recorded histories', () => {
  it('has histories to replay', () => {
    expect(files.length).toBeGreaterThan(0);
  });

  it.each(files)('%s replays deterministically', async (file) => {
    const recorded = JSON.parse(readFileSync(join(HISTORIES_DIR, file), 'utf8')) as RecordedHistory;
    await expect(
      Worker.runReplayHistory({ workflowBundle: bundle }, recorded.history, recorded.workflowId),
    ).resolves.toBeUndefined();
  });
});
