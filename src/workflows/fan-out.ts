import { ParentClosePolicy, startChild } from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import type { StoredPlanKey } from '../db/phase-plans';
import { deliverableWorkflow, type StoredDeliverableInput } from './deliverable-workflow';

/**
 * How a cycle reaches thousands of deliverables (issue 16): children are started and signalled
 * through sliding windows, each handed the key of its plan in PostgreSQL (it reads the plan
 * itself), and a phase past GROUP_SIZE boards opens through phaseGroupWorkflows so that no
 * workflow's history or pending children grow with the city.
 */

/** Boards per phaseGroupWorkflow; a phase of at most this many is started by the cycle itself. */
export const GROUP_SIZE = 250;
/**
 * Child starts (or signals) in flight at once: far below the server's 2,000 pending children
 * (`limit.numPendingChildExecutions.error`), enough to keep a worker busy.
 */
export const WINDOW = 100;

/**
 * Runs `work` on every item with at most `size` running at once, taking items in order: a
 * sliding window (a slot is refilled as soon as it frees), not batches that wait for their
 * slowest member. Deterministic: promises only.
 */
export async function inWindow<T>(items: readonly T[], size: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next++]!;
      await work(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(size, items.length) }, lane));
}

/** The balanced split of a phase's boards into groups of at most GROUP_SIZE, in order. */
export function groupsOf<T>(boards: readonly T[], size = GROUP_SIZE): T[][] {
  const count = Math.ceil(boards.length / size);
  const each = Math.ceil(boards.length / Math.max(1, count));
  return Array.from({ length: count }, (_, g) => boards.slice(g * each, (g + 1) * each));
}

export interface ImportedDeliverable {
  phaseId: string;
  boardId: string;
  stage: 'submitted' | 'approved';
  at: string;
  documentRef: string;
}

export interface StartDeliverablesInput {
  cycleWorkflowId: string;
  municipality: string;
  budgetYear: number;
  phaseId: string;
  boards: readonly StoredPlanKey[];
  imported?: readonly ImportedDeliverable[];
  /** Checked before each start: true once the cycle was cancelled, so no more start. */
  stop: () => boolean;
  onStarted: (boardId: string) => void;
}

/** The workflow ID of one board's deliverable in a phase of a cycle. */
export const deliverableId = (cycleWorkflowId: string, phaseId: string, boardId: string): string =>
  `${cycleWorkflowId}/${phaseId}/${boardId}`;

/**
 * Starts one deliverableWorkflow per board in a sliding window. A child's input is its plan's key
 * and hash (a few hundred bytes): the child reads the plan from PostgreSQL in its first task, so
 * no plan passes through this workflow's history, neither read nor handed on. The children
 * outlive their parent's run (ParentClosePolicy.ABANDON) and report back to it by signal.
 */
export async function startDeliverables(input: StartDeliverablesInput): Promise<void> {
  await inWindow(input.boards, WINDOW, async ({ boardId, hash }) => {
    if (input.stop()) return; // cancelled: the boards not yet started never will be
    const imported = input.imported?.find((d) => d.phaseId === input.phaseId && d.boardId === boardId);
    const childInput: StoredDeliverableInput = {
      municipality: input.municipality,
      budgetYear: input.budgetYear,
      storedPlan: { cycleWorkflowId: input.cycleWorkflowId, phaseId: input.phaseId, boardId, hash },
      ...(imported && { imported: { stage: imported.stage, at: imported.at, documentRef: imported.documentRef } }),
      // The cycle sends every deliverable's reminders per instant (startReminderDispatch).
      reminderDispatcher: input.cycleWorkflowId,
    };
    try {
      await startChild(deliverableWorkflow, {
        workflowId: deliverableId(input.cycleWorkflowId, input.phaseId, boardId),
        args: [childInput],
        // Children outlive a parent run that continues as new; they report back by signal.
        parentClosePolicy: ParentClosePolicy.ABANDON,
      });
    } catch (error) {
      // Already running (a reset or an earlier attempt): it will report to us all the same.
      if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
    }
    input.onStarted(boardId);
  });
}
