import type { Client } from '@temporalio/client';
import { tsToMs } from '@temporalio/common/lib/time';
import { temporal } from '@temporalio/proto';
import { mapLimit, median, round } from './stats';

const E = temporal.api.enums.v1.EventType;

/**
 * What starting one workflow cost, from the histories of a sample: events, workflow tasks and
 * activities per workflow, history bytes, and where its first seconds went (waiting for a worker
 * to take its first task, then its first activity queued and run).
 */
export interface StartShape {
  sampled: number;
  /** Medians over the sample. */
  events: number;
  workflowTasks: number;
  activities: number;
  signalsSent: number;
  historyBytes: number;
  /** Milliseconds, medians: first task queued (start → task started), its run, the first activity queued, run. */
  firstTaskQueuedMs: number;
  firstTaskRunMs: number;
  firstActivityQueuedMs: number;
  firstActivityRunMs: number;
}

export async function startShape(client: Client, workflowIds: string[]): Promise<StartShape> {
  const rows = await mapLimit(workflowIds, 8, async (id) => {
    const history = await client.workflow.getHandle(id).fetchHistory();
    const events = history.events ?? [];
    const of = (type: number) => events.filter((e) => e.eventType === type);
    const first = (type: number) => events.find((e) => e.eventType === type);
    const at = (e: (typeof events)[number] | undefined) => (e ? tsToMs(e.eventTime) : NaN);
    return {
      events: events.length,
      workflowTasks: of(E.EVENT_TYPE_WORKFLOW_TASK_COMPLETED).length,
      activities: of(E.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED).length,
      signalsSent: of(E.EVENT_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED).length,
      historyBytes: temporal.api.history.v1.History.encode(history).finish().length,
      firstTaskQueuedMs: at(first(E.EVENT_TYPE_WORKFLOW_TASK_STARTED)) - at(events[0]),
      firstTaskRunMs: at(first(E.EVENT_TYPE_WORKFLOW_TASK_COMPLETED)) - at(first(E.EVENT_TYPE_WORKFLOW_TASK_STARTED)),
      firstActivityQueuedMs:
        at(first(E.EVENT_TYPE_ACTIVITY_TASK_STARTED)) - at(first(E.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED)),
      firstActivityRunMs:
        at(first(E.EVENT_TYPE_ACTIVITY_TASK_COMPLETED)) - at(first(E.EVENT_TYPE_ACTIVITY_TASK_STARTED)),
    };
  });
  const med = (k: keyof (typeof rows)[number]) => round(median(rows.map((r) => r[k]).filter(Number.isFinite)), 0);
  return {
    sampled: rows.length,
    events: med('events'),
    workflowTasks: med('workflowTasks'),
    activities: med('activities'),
    signalsSent: med('signalsSent'),
    historyBytes: med('historyBytes'),
    firstTaskQueuedMs: med('firstTaskQueuedMs'),
    firstTaskRunMs: med('firstTaskRunMs'),
    firstActivityQueuedMs: med('firstActivityQueuedMs'),
    firstActivityRunMs: med('firstActivityRunMs'),
  };
}
