import { defineQuery, proxyActivities, setHandler, sleep, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { DeliverableInput } from '../domain/deliverable';
import type { DeliverableState } from '../domain/deliverable-state';
import { DeliverableWorkflowInputV2, runDeliverableV2 } from './deliverable-v2';
import { ACTIVITY_RETRY } from './workflow-support';

/**
 * One board's deliverable for one phase: it sleeps until the planned reminder, sends it (unless
 * its instant had already passed when the workflow started: no stale mail), then sleeps until the
 * deadline. Every transition is recorded in the audit log.
 */

const { recordEvent, sendReminder } = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: ACTIVITY_RETRY,
});

export type ReminderState =
  | { status: 'planned'; plannedAt: string }
  | { status: 'sent'; plannedAt: string; firedAt: string; messageId: string }
  | { status: 'skipped'; plannedAt: string; reason: 'instant-passed-before-start' };

export interface DeliverableStatus {
  workflowId: string;
  phase: string;
  board: string;
  deadline: string;
  stage: 'open' | 'deadline-passed';
  reminder: ReminderState;
}

export const deliverableStatusQuery = defineQuery<DeliverableStatus>('deliverableStatus');

/**
 * Two generations share this workflow type. The first (issue 2's vertical slice: one reminder,
 * input without `version`) stays for runs started by it and for their replay; the input decides
 * the path, so the choice is deterministic on replay without a patch marker.
 */
export async function deliverableWorkflow(
  input: DeliverableInput | DeliverableWorkflowInputV2,
): Promise<DeliverableStatus | DeliverableState> {
  if ('version' in input && input.version === 2) return runDeliverableV2(input);
  return runSingleReminder(input as DeliverableInput);
}

/** Typed views of the two generations, for clients: `client.workflow.start<…>('deliverableWorkflow', …)`. */
export type SingleReminderWorkflow = (input: DeliverableInput) => Promise<DeliverableStatus>;
export type PlannedDeliverableWorkflow = (input: DeliverableWorkflowInputV2) => Promise<DeliverableState>;

async function runSingleReminder(input: DeliverableInput): Promise<DeliverableStatus> {
  const { workflowId } = workflowInfo();
  const status: DeliverableStatus = {
    workflowId,
    phase: input.phase.id,
    board: input.board.id,
    deadline: input.deadline,
    stage: 'open',
    reminder: { status: 'planned', plannedAt: input.reminderAt },
  };
  setHandler(deliverableStatusQuery, () => status);

  const now = (): string => new Date(Date.now()).toISOString();
  await recordEvent({
    workflowId,
    kind: 'deliverable-opened',
    occurredAt: now(),
    payload: { deadline: input.deadline, reminderAt: input.reminderAt },
  });

  const untilReminder = Date.parse(input.reminderAt) - Date.now();
  if (untilReminder < 0) {
    status.reminder = { status: 'skipped', plannedAt: input.reminderAt, reason: 'instant-passed-before-start' };
    await recordEvent({
      workflowId,
      kind: 'reminder-skipped',
      occurredAt: now(),
      payload: { plannedAt: input.reminderAt },
    });
  } else {
    await sleep(untilReminder);
    const firedAt = now();
    const sent = await sendReminder({
      workflowId,
      budgetYear: input.budgetYear,
      phaseName: input.phase.name,
      boardName: input.board.name,
      recipients: [input.board.email],
      deadline: input.deadline,
      plannedAt: input.reminderAt,
      firedAt,
    });
    status.reminder = { status: 'sent', plannedAt: input.reminderAt, firedAt, messageId: sent.messageId };
  }

  const untilDeadline = Date.parse(input.deadline) - Date.now();
  if (untilDeadline > 0) await sleep(untilDeadline);
  status.stage = 'deadline-passed';
  await recordEvent({ workflowId, kind: 'deadline-passed', occurredAt: now(), payload: { deadline: input.deadline } });
  return status;
}
