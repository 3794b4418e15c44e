import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';

export const HISTORIES_DIR = join(__dirname, '..', 'workflows', 'histories');

/**
 * With RECORD_HISTORIES=1, saves a finished workflow's history for the replay tests. Record when
 * a workflow's code changes on purpose, and keep the old files: running workflows started by
 * the old code must still replay.
 */
export async function recordHistoryIfAsked(handle: WorkflowHandle, name: string): Promise<void> {
  if (process.env.RECORD_HISTORIES !== '1') return;
  const history = await handle.fetchHistory();
  mkdirSync(HISTORIES_DIR, { recursive: true });
  // The workflow ID is kept with the history: children's IDs derive from it, and replay checks them.
  const recorded: RecordedHistory = { workflowId: handle.workflowId, history: JSON.parse(historyToJSON(history)) };
  writeFileSync(join(HISTORIES_DIR, `${name}.json`), `${JSON.stringify(recorded)}\n`);
}

export interface RecordedHistory {
  workflowId: string;
  history: unknown;
}
