import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { WeeklyDigestResult } from '../activities/digest';
import { ACTIVITY_RETRY } from './workflow-support';

const { sendWeeklyDigests } = proxyActivities<Activities>({
  // One activity walks all subscribers and heartbeats per address; a retry skips those already sent.
  startToCloseTimeout: '10 minutes',
  heartbeatTimeout: '1 minute',
  retry: ACTIVITY_RETRY,
});

/** Started by the weekly Schedule (Monday 08:00 Stockholm time): one digest per subscriber. */
export async function weeklyDigestWorkflow(): Promise<WeeklyDigestResult> {
  // Workflow time: the instant the Schedule started this run (deterministic on replay).
  return sendWeeklyDigests({ at: new Date().toISOString() });
}
