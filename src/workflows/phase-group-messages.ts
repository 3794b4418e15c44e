import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { CancelDeliverableInput } from './deliverable-messages';

/** Messages of phaseGroupWorkflow (from its cycle); clients and tests import them from here. */

/** The workflow ID of group `group` (from 1) of a phase: beside the phase's deliverables. */
export function phaseGroupWorkflowId(cycleWorkflowId: string, phaseId: string, group: number): string {
  return `${cycleWorkflowId}/${phaseId}/group-${group}`;
}

/** From the cycle: a moved deadline, each open board of the group with its new written deadline. */
export interface GroupDeadlinesInput {
  deadlines: Record<string, string>;
  by: string;
  reason: string;
}
export const groupDeadlinesSignal = defineSignal<[GroupDeadlinesInput]>('groupDeadlines');

/** From the cycle: the cycle was cancelled; the group tells each of its running deliverables. */
export const cancelGroupSignal = defineSignal<[CancelDeliverableInput]>('cancelGroup');

export interface PhaseGroupStatus {
  phaseId: string;
  group: number;
  boards: number;
  started: number;
  finished: number;
  /** Finished boards the cycle has not yet been told of. */
  unreported: number;
  cancelled: boolean;
}
export const phaseGroupStatusQuery = defineQuery<PhaseGroupStatus>('phaseGroupStatus');
