import {
  allHandlersFinished,
  condition,
  continueAsNew,
  getExternalWorkflowHandle,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { StoredPlanKey } from '../db/phase-plans';
import { deliverableFinishedSignal, deliverablesFinishedSignal } from './budget-cycle-messages';
import { cancelDeliverableSignal, type CancelDeliverableInput, setDeadlineSignal } from './deliverable-messages';
import { deliverableId, type ImportedDeliverable, inWindow, startDeliverables, WINDOW } from './fan-out';
import {
  cancelGroupSignal,
  GroupDeadlinesInput,
  groupDeadlinesSignal,
  PhaseGroupStatus,
  phaseGroupStatusQuery,
} from './phase-group-messages';
import { createLock } from './workflow-support';

export interface PhaseGroupInput {
  cycleWorkflowId: string;
  municipality: string;
  budgetYear: number;
  phaseId: string;
  /** Its number in the phase, from 1. */
  group: number;
  /** The group's boards with their stored plans' hashes (the plans are in PostgreSQL). */
  boards: StoredPlanKey[];
  /** Starting late: the group's boards' deliverables handed in before Årshjul took over. */
  imported?: ImportedDeliverable[];
  /**
   * History length after which the run continues as new (default 3,000 events: each moved
   * deadline adds two events per open board, so a phase moved often would pass the server's
   * suggestion of 4,096).
   */
  continueAsNewAfterEvents?: number;
  /** Set by the run before, when the group continued as new: its children are all started. */
  carried?: { started: string[]; finished: string[] };
}

/**
 * A part of a large phase (issue 16): starts its boards' deliverables in a sliding window, takes
 * their finished signals (a deliverable signals its parent, this group), and passes them on to
 * the cycle in batches, so the cycle's history grows with its groups rather than with the city.
 * Moved deadlines and a cancellation come from the cycle and go on to the deliverables, also in
 * windows. Records nothing itself: the record stays the cycle's and the deliverables'. Ends when
 * each of its deliverables has finished, or once it has told them all of a cancellation.
 */
export async function phaseGroupWorkflow(input: PhaseGroupInput): Promise<PhaseGroupStatus> {
  const { cycleWorkflowId, phaseId } = input;
  const started = new Set<string>(input.carried?.started);
  const finished = new Set<string>(input.carried?.finished);
  /** Finished, not yet passed on to the cycle. */
  let unreported: string[] = [];
  let opening = !input.carried;
  let cancelled: CancelDeliverableInput | undefined;
  /** Moves are applied one at a time, in the order they came. */
  const exclusive = createLock();
  const childId = (boardId: string): string => deliverableId(cycleWorkflowId, phaseId, boardId);
  const open = (): string[] => [...started].filter((b) => !finished.has(b));

  const status = (): PhaseGroupStatus => ({
    phaseId,
    group: input.group,
    boards: input.boards.length,
    started: started.size,
    finished: finished.size,
    unreported: unreported.length,
    cancelled: cancelled !== undefined,
  });
  setHandler(phaseGroupStatusQuery, status);

  setHandler(deliverableFinishedSignal, ({ boardId }) => {
    if (finished.has(boardId)) return;
    finished.add(boardId);
    unreported.push(boardId);
  });

  /** Sends to each board in a window; a deliverable closed meanwhile needs nothing more. */
  const tellEach = (boards: string[], send: (boardId: string) => Promise<void>): Promise<void> =>
    inWindow(boards, WINDOW, (boardId) => send(boardId).catch(() => undefined));

  setHandler(groupDeadlinesSignal, (move: GroupDeadlinesInput) =>
    exclusive(async () => {
      // Every child of the group is started first, so none misses the move.
      await condition(() => !opening);
      const boards = open().filter((b) => move.deadlines[b] !== undefined);
      await tellEach(boards, (b) =>
        getExternalWorkflowHandle(childId(b)).signal(setDeadlineSignal, {
          deadline: move.deadlines[b]!,
          by: move.by,
          reason: move.reason,
        }),
      );
    }),
  );

  setHandler(cancelGroupSignal, (tell: CancelDeliverableInput) => {
    cancelled ??= tell;
  });

  if (opening) {
    await startDeliverables({
      cycleWorkflowId,
      municipality: input.municipality,
      budgetYear: input.budgetYear,
      phaseId,
      boards: input.boards,
      ...(input.imported && { imported: input.imported }),
      stop: () => cancelled !== undefined,
      onStarted: (boardId) => started.add(boardId),
    });
  }
  opening = false;

  const cycle = getExternalWorkflowHandle(cycleWorkflowId);
  const allFinished = (): boolean => open().length === 0;
  const limit = input.continueAsNewAfterEvents ?? 3_000;
  const historyTooLong = (): boolean => workflowInfo().historyLength > limit || workflowInfo().continueAsNewSuggested;
  for (;;) {
    await condition(() => unreported.length > 0 || allFinished() || cancelled !== undefined || historyTooLong());
    if (unreported.length > 0) {
      // Whatever finished meanwhile goes in one signal: a city submitting at once is a few signals.
      const boardIds = unreported;
      unreported = [];
      try {
        await cycle.signal(deliverablesFinishedSignal, { phaseId, boardIds });
      } catch {
        // The cycle has ended (or was terminated): nobody left to tell.
      }
      continue;
    }
    if (cancelled) {
      const tell = cancelled;
      await tellEach(open(), (b) => getExternalWorkflowHandle(childId(b)).signal(cancelDeliverableSignal, tell));
      break;
    }
    if (allFinished()) break;
    // A long history (many moves): carry the boards into a fresh run once the moves under way are
    // done. The children signal this group by workflow ID, so the next run hears them.
    await condition(allHandlersFinished);
    if (unreported.length > 0 || cancelled) continue;
    await continueAsNew<typeof phaseGroupWorkflow>({
      ...input,
      carried: { started: [...started], finished: [...finished] },
    });
  }
  // A move still telling its boards finishes first.
  await condition(allHandlersFinished);
  return status();
}
