import { ParentClosePolicy, proxyActivities, startChild } from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import type { Activities } from '../activities';
import type { StoredPlanKey } from '../db/phase-plans';
import { deliverableWorkflow, type DeliverableWorkflowInput } from './deliverable-workflow';
import { ACTIVITY_RETRY } from './workflow-support';

/**
 * How a cycle reaches thousands of deliverables (issue 16): children are started and signalled
 * through sliding windows, plans come from PostgreSQL a page at a time, and a phase past
 * GROUP_SIZE boards opens through phaseGroupWorkflows so that no workflow's history or pending
 * children grow with the city.
 */

/** Boards per phaseGroupWorkflow; a phase of at most this many is started by the cycle itself. */
export const GROUP_SIZE = 250;
/**
 * Child starts (or signals) in flight at once: far below the server's 2,000 pending children
 * (`limit.numPendingChildExecutions.error`), enough to keep a worker busy.
 */
export const WINDOW = 100;
/** Plans read per activity: about 3 KB each, so a page stays far below the 2 MB payload limit. */
export const PLAN_PAGE = 50;

const { loadPhasePlans } = proxyActivities<Activities>({
  startToCloseTimeout: '2 minutes',
  retry: ACTIVITY_RETRY,
});

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
 * Starts one deliverableWorkflow per board in a sliding window, its plan read from PostgreSQL a
 * page at a time (the next page read while this one's children start). The children outlive
 * their parent's run (ParentClosePolicy.ABANDON) and report back to it by signal.
 */
export async function startDeliverables(input: StartDeliverablesInput): Promise<void> {
  const pages = new Map<number, ReturnType<typeof loadPhasePlans>>();
  const page = (p: number): ReturnType<typeof loadPhasePlans> => {
    let loaded = pages.get(p);
    if (!loaded) {
      loaded = loadPhasePlans({
        cycleWorkflowId: input.cycleWorkflowId,
        phaseId: input.phaseId,
        boards: input.boards.slice(p * PLAN_PAGE, (p + 1) * PLAN_PAGE),
      });
      pages.set(p, loaded);
    }
    return loaded;
  };
  const indices = input.boards.map((_, i) => i);
  await inWindow(indices, WINDOW, async (i) => {
    if (input.stop()) return; // cancelled: not even the plans of the rest are read
    const p = Math.floor(i / PLAN_PAGE);
    const plans = await page(p);
    // Read ahead: the next page comes while this one's children start.
    if ((p + 1) * PLAN_PAGE < input.boards.length) void page(p + 1);
    // The last of a page frees its memory: the plans are in the children's inputs now.
    if (i === Math.min(input.boards.length, (p + 1) * PLAN_PAGE) - 1) pages.delete(p);
    if (input.stop()) return; // cancelled meanwhile: the boards not yet started never will be
    const deliverable = plans[i - p * PLAN_PAGE]!;
    const boardId = deliverable.spec.board.id;
    const imported = input.imported?.find((d) => d.phaseId === input.phaseId && d.boardId === boardId);
    const childInput: DeliverableWorkflowInput = {
      municipality: input.municipality,
      budgetYear: input.budgetYear,
      ...deliverable,
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
