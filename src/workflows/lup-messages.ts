import { defineQuery, defineUpdate } from '@temporalio/workflow';
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
export const recordLupStageUpdate = defineUpdate<LupState, [LupStageInput]>('recordLupStage');

/** The LUP workflow of a district in a cycle: `<cycle workflow ID>/lup/<board>`. */
export function lupWorkflowId(cycleWorkflowId: string, boardId: string): string {
  return `${cycleWorkflowId}/lup/${boardId}`;
}
