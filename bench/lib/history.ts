import type { Client } from '@temporalio/client';
import { tsToMs } from '@temporalio/common/lib/time';
import { temporal } from '@temporalio/proto';
import { mapLimit, median, percentile, round } from './stats';

const E = temporal.api.enums.v1.EventType;

/**
 * Where a burst reminder's lateness goes, from the workflow histories of a sample: the server
 * firing the timer, the workflow task waiting and running (Temporal's queue, then the SDK and
 * our workflow code), and the activity waiting and running (our PostgreSQL and SMTP work).
 */
export interface LatenessBreakdown {
  sampled: number;
  /** Median and p95 in milliseconds of each stage. */
  stages: Record<string, { p50: number; p95: number }>;
}

export async function latenessBreakdown(
  client: Client,
  workflowIds: string[],
  dueAt: number,
): Promise<LatenessBreakdown> {
  const stages: Record<string, number[]> = {
    'timer fired − due (server timer queue)': [],
    'workflow task queued (schedule → start)': [],
    'workflow task run by the worker (start → complete)': [],
    'activity queued (schedule → start)': [],
    'activity run (start → complete: our PostgreSQL + SMTP)': [],
  };
  const keys = Object.keys(stages);
  await mapLimit(workflowIds, 8, async (id) => {
    const history = await client.workflow.getHandle(id).fetchHistory();
    const events = history.events ?? [];
    const fired = events.findIndex((e) => e.eventType === E.EVENT_TYPE_TIMER_FIRED && tsToMs(e.eventTime) >= dueAt - 1);
    if (fired < 0) return;
    const at = (i: number) => tsToMs(events[i]!.eventTime);
    const next = (from: number, type: number) => events.findIndex((e, i) => i > from && e.eventType === type);
    stages[keys[0]!]!.push(at(fired) - dueAt);
    const wfts = next(fired - 1, E.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED);
    const wftStart = next(wfts, E.EVENT_TYPE_WORKFLOW_TASK_STARTED);
    const wftDone = next(wftStart, E.EVENT_TYPE_WORKFLOW_TASK_COMPLETED);
    if (wfts >= 0 && wftStart >= 0) stages[keys[1]!]!.push(at(wftStart) - at(wfts));
    if (wftStart >= 0 && wftDone >= 0) stages[keys[2]!]!.push(at(wftDone) - at(wftStart));
    const actSched = next(wftDone, E.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED);
    if (actSched < 0) return;
    const actStart = next(actSched, E.EVENT_TYPE_ACTIVITY_TASK_STARTED);
    const actDone = next(actStart, E.EVENT_TYPE_ACTIVITY_TASK_COMPLETED);
    if (actStart >= 0) stages[keys[3]!]!.push(at(actStart) - at(actSched));
    if (actStart >= 0 && actDone >= 0) stages[keys[4]!]!.push(at(actDone) - at(actStart));
  });
  const out: LatenessBreakdown['stages'] = {};
  for (const [name, values] of Object.entries(stages)) {
    if (values.length > 0) out[name] = { p50: round(median(values), 0), p95: round(percentile(values, 95), 0) };
  }
  return { sampled: workflowIds.length, stages: out };
}

/** An evenly spread sample of `k` items. */
export function sample<T>(items: T[], k: number): T[] {
  if (items.length <= k) return items;
  const step = items.length / k;
  return Array.from({ length: k }, (_, i) => items[Math.floor(i * step)]!);
}
