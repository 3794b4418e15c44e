import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { CitizenDialogue, LupStageInput, LupState } from '../domain/lup-state';

/** Messages of lupWorkflow; clients import them from here. */

export interface LupView {
  workflowId: string;
  municipality: string;
  budgetYear: number;
  boardId: string;
  state: LupState;
}

export const lupViewQuery = defineQuery<LupView>('lupView');
export const recordDialogueUpdate = defineUpdate<LupState, [CitizenDialogue]>('recordDialogue');
/**
 * From the district's deliverable: the board handed in a LUP stage (its content was checked
 * against the LUP's state when the submission was taken). A signal: a workflow reaches another
 * through an external handle, which cannot update.
 */
export const lupStageSubmittedSignal = defineSignal<[LupStageInput]>('lupStageSubmitted');

/** From the cycle: the cycle was cancelled; the LUP records who cancelled it and why, and ends. */
export const cancelLupSignal = defineSignal<[{ by: string; reason: string }]>('cancelLup');

/** The LUP workflow of a district in a cycle: `<cycle workflow ID>/lup/<board>`. */
export function lupWorkflowId(cycleWorkflowId: string, boardId: string): string {
  return `${cycleWorkflowId}/lup/${boardId}`;
}
