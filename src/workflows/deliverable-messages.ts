import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type {
  ApproveInput,
  DeliverableState,
  ExemptInput,
  ExtensionInput,
  ReturnInput,
  SubmitInput,
} from '../domain/deliverable-state';
import type { PlannedAction } from '../domain/planner';
import type { Refusal } from '../domain/refusals';

/** Messages of deliverableWorkflow; clients import them from here. */

export interface ActionRecord {
  actionId: string;
  kind: PlannedAction['kind'];
  level?: number;
  plannedAt: string;
  /**
   * `expired`: the mail could not be delivered before the next step made it moot; never sent.
   * `cancelled`: still pending when the cycle was cancelled; never sent.
   * `dispatched`: a reminder the cycle's dispatcher sends (or finds moot); the send log has its outcome.
   */
  outcome:
    'sent' | 'failed' | 'expired' | 'applied' | 'moot' | 'skipped-stale' | 'superseded' | 'cancelled' | 'dispatched';
  at: string;
}

export interface DeliverableView {
  workflowId: string;
  phaseId: string;
  boardId: string;
  /** The board that answers for it now: the successor after a merger. */
  answeringBoardId: string;
  deadline: string;
  deadlineAt: string;
  state: DeliverableState;
  /** Planned actions still to come. */
  pending: PlannedAction[];
  /** What happened to each action that came due or fell away. */
  history: ActionRecord[];
}

export const deliverableViewQuery = defineQuery<DeliverableView>('deliverableView');

/** A submission's answer: the new state, with the content rules' warnings if any. */
export type SubmitResult = DeliverableState & { warnings?: Refusal[] };

export const submitUpdate = defineUpdate<SubmitResult, [SubmitInput]>('submit');
export const approveUpdate = defineUpdate<DeliverableState, [ApproveInput]>('approve');
export const returnForCompletionUpdate = defineUpdate<DeliverableState, [ReturnInput]>('returnForCompletion');
export const grantExtensionUpdate = defineUpdate<DeliverableState, [ExtensionInput]>('grantExtension');
export const exemptUpdate = defineUpdate<DeliverableState, [ExemptInput]>('exempt');
/**
 * From the cycle: the phase deadline moved; `deadline` is this board's new written deadline. A
 * signal, because a parent reaches its children through external handles, which cannot update.
 */
export const setDeadlineSignal = defineSignal<[{ deadline: string; by: string; reason: string }]>('setDeadline');

/** Why a cycle was cancelled and who cancelled it: the cycle passes it on to each deliverable. */
export interface CancelDeliverableInput {
  by: string;
  reason: string;
}

/**
 * From the cycle: the cycle was cancelled (started by mistake). The deliverable records it, drops
 * its pending actions and ends without telling the cycle. A signal, like `setDeadline`.
 */
export const cancelDeliverableSignal = defineSignal<[CancelDeliverableInput]>('cancelDeliverable');
