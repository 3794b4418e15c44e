import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { LupStage, LupState } from '../domain/lup-state';

/** Messages of lupWorkflow; clients import them from here. */

export interface LupView {
  workflowId: string;
  municipality: string;
  boardId: string;
  stage: LupStage;
  state: LupState;
}

export const lupViewQuery = defineQuery<LupView>('lupView');
/** Each takes the input of its check in src/domain/lup-state.ts (with `by`) and returns the new state. */
export const recordDialogueUpdate = defineUpdate<LupState, [unknown]>('recordDialogue');
export const recordConsultationUpdate = defineUpdate<LupState, [unknown]>('recordConsultation');
export const reviseProgrammeUpdate = defineUpdate<LupState, [unknown]>('reviseProgramme');
/** A programme the board adopted before Årshjul, registered as in force (checkRegistration). */
export const registerProgrammeUpdate = defineUpdate<LupState, [unknown]>('registerProgramme');
export const setMeasureStatusUpdate = defineUpdate<LupState, [unknown]>('setMeasureStatus');
/** A service board's or company's part in one of the district's dialogues (checkDialoguePart). */
export const recordDialoguePartUpdate = defineUpdate<LupState, [unknown]>('recordDialoguePart');
/** A merger: this board's programme goes to its successor (the predecessor's side). */
export const handOverProgrammeUpdate = defineUpdate<LupState, [unknown]>('handOverProgramme');
/** A merger: the successor takes the predecessor's record, as the predecessor's workflow has it after handing it over. */
export const receiveProgrammeUpdate = defineUpdate<LupState, [{ predecessor: LupState; by: string }]>(
  'receiveProgramme',
);
/**
 * From a district's deliverable: the board handed in a LUP phase (analysis, programme, follow-up)
 * of some budget year; its content was checked against the record when the submission was taken.
 * A signal: a workflow reaches another through an external handle, which cannot update.
 */
export const lupStageSubmittedSignal = defineSignal<[unknown]>('lupStageSubmitted');

/**
 * A district's programme workflow: `lup/<municipality>/<board>`, one per district across budget
 * years (no year in it: the programme outlives the cycles that follow it up).
 */
export function lupWorkflowId(municipality: string, boardId: string): string {
  return `lup/${municipality}/${boardId}`;
}
