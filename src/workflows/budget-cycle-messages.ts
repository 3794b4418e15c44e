import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';

/** Messages of budgetCycleWorkflow; clients import them from here. */

/** Workflow ID of a cycle: one per municipality and budget year, so a second start is refused. */
export function cycleWorkflowId(municipality: string, budgetYear: number): string {
  return `${municipality}/${budgetYear}`;
}

export interface PhaseStatus {
  id: string;
  name: string;
  kind: 'milestone' | 'deliverable';
  /** Milestones: planned or confirmed. Deliverables: waiting (for a date or a milestone), open, closed (all done). */
  stage: 'planned' | 'confirmed' | 'waiting' | 'waiting-for-milestone' | 'open' | 'closed';
  plannedDate: string;
  confirmedOn?: string;
  opensAt?: string;
  deadline?: string;
  boards?: string[];
}

export interface CycleStatus {
  workflowId: string;
  municipality: string;
  budgetYear: number;
  phases: PhaseStatus[];
  openDeliverables: number;
  finishedDeliverables: number;
  /** Set once the cycle was cancelled: who, why, when, and how many deliverables it stopped. */
  cancelled?: CycleCancellation;
}

export interface CycleCancellation {
  by: string;
  reason: string;
  at: string;
  /** Deliverables still running when the cycle was cancelled, each told to stop. */
  stoppedDeliverables: number;
}

export interface CancelCycleInput {
  reason: string;
  by: string;
}

export interface ConfirmMilestoneInput {
  milestoneId: string;
  /** The day it actually happened (Stockholm date). */
  date: string;
  by: string;
}

export interface MoveDeadlineInput {
  phaseId: string;
  deadline: string;
  /** Only these boards (a group); all boards of the phase when absent. */
  boards?: string[];
  by: string;
  reason: string;
}

export const cycleStatusQuery = defineQuery<CycleStatus>('cycleStatus');
export const confirmMilestoneUpdate = defineUpdate<CycleStatus, [ConfirmMilestoneInput]>('confirmMilestone');
export const moveDeadlineUpdate = defineUpdate<CycleStatus, [MoveDeadlineInput]>('moveDeadline');
/** Cancels a cycle started by mistake: its deliverables and the districts' LUPs stop; the cycle ends. */
export const cancelCycleUpdate = defineUpdate<CycleStatus, [CancelCycleInput]>('cancelCycle');

/** From a deliverable to its cycle, when it needs nothing more (approved, submitted, exempt). */
export const deliverableFinishedSignal =
  defineSignal<[{ phaseId: string; boardId: string; stage: string }]>('deliverableFinished');
