import {
  allHandlersFinished,
  ApplicationFailure,
  condition,
  continueAsNew,
  getExternalWorkflowHandle,
  ParentClosePolicy,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  startChild,
  workflowInfo,
} from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import type { Activities } from '../activities';
import type { StoredPlanKey } from '../db/phase-plans';
import type { CycleCalendar, DeliverablePhase } from '../domain/cycle-calendar';
import { withPhaseDeadline } from '../domain/phase-deadline';
import { isLocalDate } from '../domain/local-date';
import { deliversReports, isValidOn, type Registry } from '../domain/organisations';
import {
  CancelCycleInput,
  cancelCycleUpdate,
  confirmMilestoneUpdate,
  CycleCancellation,
  ConfirmMilestoneInput,
  cycleStatusQuery,
  CycleStatus,
  deliverableFinishedSignal,
  deliverablesFinishedSignal,
  moveDeadlineUpdate,
  MoveDeadlineInput,
  phaseStatusesOf,
  RequestSupplementInput,
  requestSupplementUpdate,
  SUPPLEMENT_PHASE_PREFIX,
  SupplementRequested,
} from './budget-cycle-messages';
import { cancelDeliverableSignal, setDeadlineSignal } from './deliverable-messages';
import { deliverableWorkflow, type DeliverableWorkflowInput } from './deliverable-workflow';
import {
  deliverableId,
  GROUP_SIZE,
  groupsOf,
  type ImportedDeliverable,
  inWindow,
  startDeliverables,
  WINDOW,
} from './fan-out';
import { cancelGroupSignal, groupDeadlinesSignal, phaseGroupWorkflowId } from './phase-group-messages';
import { phaseGroupWorkflow } from './phase-group-workflow';
import { ACTIVITY_RETRY, createLock, refuseWith } from './workflow-support';
import { localDateOf } from '../domain/zoned-time';
import { startReminderDispatch } from './reminder-dispatch-loop';

const { retireReminders } = proxyActivities<Activities>({
  startToCloseTimeout: '2 minutes',
  retry: ACTIVITY_RETRY,
});
/**
 * Planning, storing plans and recording events run as local activities, inside the workflow task
 * that needs them: a phase opens in one task (planned, recorded, its children started) instead of
 * one task per activity result. Each is short and idempotent (plans and the registry are stored
 * by content hash, an event by its key), so a task retried after a lost worker runs them again
 * harmlessly.
 */
const { recordEvent, cycleSchedule, planPhase, phaseDeadlines, storeRegistry, loadPhasePlans } =
  proxyLocalActivities<Activities>({
    startToCloseTimeout: '2 minutes',
    retry: ACTIVITY_RETRY,
  });

export type { ImportedDeliverable } from './fan-out';

/** A phase opened: its boards, which finished, and (a large phase) the size of its groups. */
interface OpenedPhase {
  opensOn: string;
  boards: string[];
  finishedBoards: Set<string>;
  /** Set when the phase opened through phaseGroupWorkflows: boards split by groupsOf(boards, groupSize). */
  groupSize?: number;
  /**
   * True while the cycle still starts the phase's deliverables or groups: a move waits for them,
   * so no board is started with the old plan after the move was passed on.
   */
  starting?: boolean;
}

/** What a run hands to the next when it continues as new. */
export interface CarriedCycleState {
  confirmed: Record<string, string>;
  movedDeadlines: Record<string, string>;
  opened: Record<string, { opensOn: string; boards: string[]; finishedBoards: string[]; groupSize?: number }>;
  /** The registry as stored by the first run (storeRegistry): planning activities read it by hash. */
  registryHash?: string;
  /**
   * What the workflow itself reads of the registry (the supplement request's check): the boards
   * that deliver reports, with their validity. The registry is not carried (issue 16).
   */
  reportingBoards?: ReportingBoard[];
  /** The sequence number of the last event recorded: the next run goes on from it. */
  seq: number;
  /** Supplements the committee requested, by request id (absent when none were). */
  supplements?: Record<string, SupplementRequested>;
}

/** A board that delivers reports, and when it exists. */
export interface ReportingBoard {
  id: string;
  validFrom: string;
  validTo?: string;
}

/** A registry stored in PostgreSQL (registry_snapshots), as a workflow carries it. */
export interface StoredRegistryRef {
  hash: string;
  reportingBoards: ReportingBoard[];
}

/** What the cycle workflow itself reads of a registry: the boards that deliver reports. */
export function reportingBoardsOf(registry: Registry): ReportingBoard[] {
  return registry.organisations
    .filter((o) => deliversReports(o))
    .map((o) => ({ id: o.id, validFrom: o.validFrom, ...(o.validTo && { validTo: o.validTo }) }));
}

export interface BudgetCycleInput {
  calendar: CycleCalendar;
  /**
   * The registry as the client stored it before the start (`startCycle`): its content hash and
   * the boards that deliver reports. The cycle's input stays small however large the city.
   */
  storedRegistry?: StoredRegistryRef;
  /**
   * The organisation registry itself, for a start without a stored one (tests, tools): the first
   * run stores it in PostgreSQL by content hash, and a run continued as new gets the hash instead
   * (`carried`), not the registry again.
   */
  registry?: Registry;
  /** Starting late: milestones that already happened, with their dates. */
  confirmedMilestones?: Record<string, string>;
  /** Starting late: deliverables already handed in before Årshjul took over. */
  imported?: ImportedDeliverable[];
  /** Set by the run before, when the cycle continued as new. */
  carried?: CarriedCycleState;
  /** History length after which the run continues as new (default 10,000 events). */
  continueAsNewAfterEvents?: number;
  /** The same for a large phase's groups (default 3,000 events; see phaseGroupWorkflow). */
  groupContinueAsNewAfterEvents?: number;
}

export { cycleWorkflowId } from './budget-cycle-messages';

/**
 * One budget year of one municipality, about 25 months: opens each deliverable phase on its
 * date (or when SLK confirms the milestone it waits for), starts one deliverableWorkflow per
 * board, forwards moved deadlines, and answers for the whole cycle's status. Children report
 * back by signal, so the cycle can continue as new when its history grows long.
 */
export async function budgetCycleWorkflow(input: BudgetCycleInput): Promise<CycleStatus> {
  const { workflowId } = workflowInfo();
  const { calendar, registry, storedRegistry } = input;
  const carried = input.carried;
  if (!registry && !storedRegistry && !carried?.registryHash) {
    throw ApplicationFailure.nonRetryable('registry: required when the cycle starts', 'InvalidInput', {
      field: 'registry',
      code: 'required',
    });
  }
  const reportingBoards: ReportingBoard[] =
    carried?.reportingBoards ?? storedRegistry?.reportingBoards ?? reportingBoardsOf(registry!);
  const confirmed = new Map<string, string>(Object.entries(carried?.confirmed ?? input.confirmedMilestones ?? {}));
  const movedDeadlines = new Map<string, string>(Object.entries(carried?.movedDeadlines ?? {}));
  const opened = new Map<string, OpenedPhase>(
    Object.entries(carried?.opened ?? {}).map(([id, o]) => [id, { ...o, finishedBoards: new Set(o.finishedBoards) }]),
  );
  // The registry goes to PostgreSQL once (by content hash); the activities that plan read it there.
  const knownHash = carried?.registryHash ?? storedRegistry?.hash;
  const registryHash: Promise<string> = knownHash
    ? Promise.resolve(knownHash)
    : storeRegistry({ registry: registry! }).then((stored) => stored.registryHash);
  // Filled by an activity once the run starts; the status query may come before that.
  const known: { schedule?: { openings: Record<string, string> } } = {};
  let openingNow = 0;
  /** Set when SLK cancels the cycle: no phase opens any more and the cycle ends. */
  let cancelled: CycleCancellation | undefined;
  /** The sequence number of the last event recorded, carried across continue-as-new. */
  let seq = carried?.seq ?? 0;
  /** Deadline moves are applied one at a time, in the order they came. */
  const exclusive = createLock();
  const nowIso = (): string => new Date(Date.now()).toISOString();
  const stockholmToday = (): string => localDateOf(new Date(Date.now()), calendar.timeZone);
  const record = (kind: string, payload: Record<string, unknown>, actor = 'system') =>
    recordEvent({ workflowId, seq: ++seq, kind, occurredAt: nowIso(), actor, payload });
  const childId = (phaseId: string, boardId: string): string => deliverableId(workflowId, phaseId, boardId);
  /** The calendar a phase is planned with: its milestones and the phase (not the other phases' templates). */
  const phaseCalendar = (from: CycleCalendar, phaseId: string): CycleCalendar => ({
    ...from,
    phases: from.phases.filter((p) => p.kind === 'milestone' || p.id === phaseId),
  });
  /** The groups of a phase opened through phaseGroupWorkflows, with their workflow IDs. */
  const groupsOfPhase = (phaseId: string, o: OpenedPhase): Array<{ id: string; boards: string[] }> =>
    groupsOf(o.boards, o.groupSize).map((boards, g) => ({
      id: phaseGroupWorkflowId(workflowId, phaseId, g + 1),
      boards,
    }));
  /** The cycle sends its deliverables' reminders per instant itself (see startReminderDispatch). */
  const reminderDispatcher = workflowId;

  const deliverablePhases = calendar.phases.filter((p): p is DeliverablePhase => p.kind === 'deliverable');
  const counts = () => {
    let started = 0;
    let finished = 0;
    for (const o of opened.values()) {
      started += o.boards.length;
      finished += o.finishedBoards.size;
    }
    return { started, finished };
  };
  const status = (): CycleStatus => ({
    ...(cancelled && { cancelled }),
    workflowId,
    municipality: calendar.municipality,
    budgetYear: calendar.budgetYear,
    openDeliverables: counts().started - counts().finished,
    finishedDeliverables: counts().finished,
    phases: phaseStatusesOf(calendar, {
      confirmed,
      movedDeadlines,
      opened: new Map(
        [...opened].map(([id, o]) => [id, { closed: o.finishedBoards.size === o.boards.length, boards: o.boards }]),
      ),
      ...(known.schedule && { openings: known.schedule.openings }),
    }),
  });
  setHandler(cycleStatusQuery, status);

  setHandler(deliverableFinishedSignal, ({ phaseId, boardId }) => {
    opened.get(phaseId)?.finishedBoards.add(boardId);
  });
  // A large phase's groups pass their deliverables' finished signals on in batches.
  setHandler(deliverablesFinishedSignal, ({ phaseId, boardIds }) => {
    const open = opened.get(phaseId);
    for (const boardId of boardIds) open?.finishedBoards.add(boardId);
  });

  setHandler(
    confirmMilestoneUpdate,
    async (update: ConfirmMilestoneInput) => {
      confirmed.set(update.milestoneId, update.date);
      await record('milestone-confirmed', { milestoneId: update.milestoneId, date: update.date }, update.by);
      return status();
    },
    {
      validator: (update: ConfirmMilestoneInput) => {
        if (cancelled) refuseWith('budgetYear', 'the cycle was cancelled', 'cycle-cancelled');
        if (!calendar.phases.some((p) => p.kind === 'milestone' && p.id === update?.milestoneId)) {
          refuseWith('milestoneId', `unknown milestone ${String(update?.milestoneId)}`, 'unknown-milestone', {
            id: String(update?.milestoneId),
          });
        }
        if (typeof update.date !== 'string' || !isLocalDate(update.date)) {
          refuseWith('date', 'must be a date YYYY-MM-DD', 'bad-date');
        }
        if (!update.by) refuseWith('by', 'must name who confirms', 'required');
        if (confirmed.has(update.milestoneId)) {
          const date = confirmed.get(update.milestoneId)!;
          refuseWith('milestoneId', `${update.milestoneId} was already confirmed on ${date}`, 'already-confirmed', {
            date,
          });
        }
      },
    },
  );

  /** Moves a phase's deadline (or a group's) and tells each open deliverable its new one. */
  const moveDeadline = async (update: MoveDeadlineInput): Promise<CycleStatus> => {
    const phase = deliverablePhases.find((p) => p.id === update.phaseId)!;
    if (!update.boards) movedDeadlines.set(phase.id, update.deadline);
    const open = opened.get(phase.id);
    await record(
      'deadline-moved',
      { phaseId: phase.id, deadline: update.deadline, boards: update.boards ?? 'all', reason: update.reason },
      update.by,
    );
    if (open) {
      // Each board's new written deadline (a staggered group keeps its offset), planned outside.
      const replanned = await phaseDeadlines({
        calendar: phaseCalendar(withPhaseDeadline(calendar, phase.id, update.deadline), phase.id),
        registryHash: await registryHash,
        phaseId: phase.id,
        opensOn: open.opensOn,
      });
      const only = update.boards && new Set(update.boards);
      const deadlines: Record<string, string> = {};
      for (const board of open.boards) {
        const planned = replanned[board];
        if (planned === undefined || (only && !only.has(board)) || open.finishedBoards.has(board)) continue;
        deadlines[board] = only ? update.deadline : planned;
      }
      const tell = { by: update.by, reason: update.reason };
      await condition(() => !open.starting);
      if (open.groupSize) {
        // A large phase: each group tells its own boards (in windows), the cycle one signal a group.
        const groups = groupsOfPhase(phase.id, open).flatMap(({ id, boards }) => {
          const own = Object.fromEntries(boards.flatMap((b) => (b in deadlines ? [[b, deadlines[b]!]] : [])));
          return Object.keys(own).length > 0 ? [{ id, deadlines: own }] : [];
        });
        await Promise.all(
          groups.map(({ id, deadlines: own }) =>
            getExternalWorkflowHandle(id)
              .signal(groupDeadlinesSignal, { deadlines: own, ...tell })
              // A group closes once all its boards finished (its last report still on the way).
              .catch(() => undefined),
          ),
        );
      } else {
        await inWindow(Object.keys(deadlines), WINDOW, (board) =>
          getExternalWorkflowHandle(childId(phase.id, board))
            .signal(setDeadlineSignal, { deadline: deadlines[board]!, ...tell })
            // Closed meanwhile (finished, its signal to us still on the way): nothing to move.
            .catch(() => undefined),
        );
      }
    }
    return status();
  };

  setHandler(moveDeadlineUpdate, (update: MoveDeadlineInput) => exclusive(() => moveDeadline(update)), {
    validator: (update: MoveDeadlineInput) => {
      if (cancelled) refuseWith('budgetYear', 'the cycle was cancelled', 'cycle-cancelled');
      const phase = deliverablePhases.find((p) => p.id === update?.phaseId);
      if (!phase) {
        refuseWith('phaseId', `unknown deliverable phase ${String(update?.phaseId)}`, 'unknown-phase', {
          id: String(update?.phaseId),
        });
      }
      if (typeof update.deadline !== 'string' || !isLocalDate(update.deadline)) {
        refuseWith('deadline', 'must be a date YYYY-MM-DD', 'bad-date');
      }
      const today = stockholmToday();
      if (update.deadline <= today) refuseWith('deadline', 'must be in the future', 'not-in-future', { today });
      if (!update.by) refuseWith('by', 'must name who moves the deadline', 'required');
      if (!update.reason) refuseWith('reason', 'must say why', 'required');
      if (update.boards) {
        const open = opened.get(phase.id);
        if (!open) refuseWith('boards', 'a group’s deadline can be moved once the phase has opened', 'phase-not-open');
        update.boards.forEach((id, i) => {
          if (!open.boards.includes(id)) {
            refuseWith(`boards.${i}`, `${id} has no deliverable in ${phase.id}`, 'no-deliverable', {
              board: id,
              phase: phase.id,
            });
          }
        });
      }
    },
  });

  /**
   * Cancels a cycle started by mistake. The children were started with ParentClosePolicy.ABANDON
   * (they outlive continue-as-new), so the cycle ending does not stop them: each running one is
   * told by signal (a large phase's through its groups) and records its own
   * `deliverable-cancelled`, with its sequence number and snapshot, so the record and the read
   * model stay complete (see deliverableWorkflow). The districts' programmes (lupWorkflow) are not
   * the cycle's and go on. No phase opens afterwards.
   */
  const cancelCycle = async (update: CancelCycleInput, cancellation: CycleCancellation): Promise<CycleStatus> => {
    // A phase being opened stops before its next child; wait for it so every child started is told.
    await condition(() => openingNow === 0);
    let running = 0;
    /** Whom the cycle tells: a small phase's deliverables, and a large phase's groups (which tell theirs). */
    const told: Array<{ id: string; group: boolean }> = [];
    for (const [phaseId, o] of opened) {
      const own = o.boards.filter((board) => !o.finishedBoards.has(board));
      running += own.length;
      if (o.groupSize) {
        if (own.length > 0) told.push(...groupsOfPhase(phaseId, o).map((g) => ({ id: g.id, group: true })));
      } else {
        told.push(...own.map((board) => ({ id: childId(phaseId, board), group: false })));
      }
    }
    cancellation.stoppedDeliverables = running;
    await record(
      'cycle-cancelled',
      { reason: update.reason, deliverables: running, finishedDeliverables: counts().finished },
      update.by,
    );
    const tell = { by: update.by, reason: update.reason };
    // In windows: a few workflow tasks for a whole city, never more signals in flight than WINDOW.
    await inWindow(told, WINDOW, ({ id, group }) =>
      getExternalWorkflowHandle(id)
        .signal(group ? cancelGroupSignal : cancelDeliverableSignal, tell)
        // Closed meanwhile (finished, its signal to us still on the way): nothing left to stop.
        .catch(() => undefined),
    );
    return status();
  };

  setHandler(
    cancelCycleUpdate,
    (update: CancelCycleInput) => {
      // Set at once, so a second cancellation is refused and no phase opens from now on.
      const cancellation: CycleCancellation = {
        by: update.by,
        reason: update.reason,
        at: nowIso(),
        stoppedDeliverables: 0,
      };
      cancelled = cancellation;
      return exclusive(() => cancelCycle(update, cancellation));
    },
    {
      validator: (update: CancelCycleInput) => {
        if (typeof update?.reason !== 'string' || !update.reason.trim())
          refuseWith('reason', 'must say why', 'required');
        if (!update.by) refuseWith('by', 'must name who cancels', 'required');
        if (cancelled) {
          refuseWith(
            'budgetYear',
            `the cycle was already cancelled by ${cancelled.by}: ${cancelled.reason}`,
            'already-cancelled',
            { by: cancelled.by, reason: cancelled.reason },
          );
        }
      },
    },
  );

  /**
   * The committee's supplement requests by request id: a request repeated (a retry, a second
   * click) gets the answer of the first, in flight or done, and starts nothing more.
   */
  const supplements = new Map<string, { boardId: string; answer: SupplementRequested | Promise<SupplementRequested> }>(
    Object.entries(carried?.supplements ?? {}).map(([id, answer]) => [id, { boardId: answer.boardId, answer }]),
  );

  /**
   * Plans and starts a supplement's deliverable: a phase of one board, opening today (kept on a
   * weekend: the request is the opening) with the deadline the committee set, the default
   * ladders, planned by the same activity as any phase so the law's shift and the reminder
   * ladder are the planner's. It sits in `opened` like a phase, so it finishes, is cancelled
   * and continues as new with the others.
   */
  const requestSupplement = async (update: RequestSupplementInput): Promise<SupplementRequested> => {
    const today = stockholmToday();
    const what = update.what.trim();
    const phase: DeliverablePhase = {
      id: `${SUPPLEMENT_PHASE_PREFIX}${update.requestId}`,
      kind: 'deliverable',
      name: `Komplettering: ${what.length > 80 ? `${what.slice(0, 79)}…` : what}`,
      audience: { boards: [update.boardId] },
      opens: { date: today },
      openingOnNonBusinessDay: 'stay',
      deadline: update.deadline,
      reviewRequired: false,
      coversPeriod: false,
    };
    const entry: OpenedPhase = { opensOn: today, boards: [update.boardId], finishedBoards: new Set<string>() };
    // Known at once, so a cancellation coming while this is planned waits for it and tells it.
    opened.set(phase.id, entry);
    openingNow++;
    try {
      const planned = await planPhase({
        cycleWorkflowId: workflowId,
        calendar: { ...calendar, phases: [phase] },
        registryHash: await registryHash,
        phaseId: phase.id,
      });
      const [deliverable] = await loadPhasePlans({
        cycleWorkflowId: workflowId,
        phaseId: phase.id,
        boards: planned.boards,
      });
      if (!deliverable || cancelled) {
        entry.boards = [];
        if (cancelled) refuseWith('budgetYear', 'the cycle was cancelled', 'cycle-cancelled');
        refuseWith('boardId', `${update.boardId} delivers no reports today`, 'not-in-registry', {
          board: update.boardId,
        });
      }
      const deliverableWorkflowId = childId(phase.id, update.boardId);
      const result: SupplementRequested = {
        requestId: update.requestId,
        phaseId: phase.id,
        name: phase.name,
        boardId: update.boardId,
        workflowId: deliverableWorkflowId,
        deadline: deliverable.plan.deadline.date,
        deadlineAt: deliverable.plan.deadlineAt,
        by: update.by,
      };
      await record(
        'supplement-requested',
        {
          requestId: update.requestId,
          phaseId: phase.id,
          boardId: update.boardId,
          what,
          deadline: result.deadline,
          ...(result.deadline !== update.deadline && { writtenDeadline: update.deadline }),
          deliverable: deliverableWorkflowId,
        },
        update.by,
      );
      const childInput: DeliverableWorkflowInput = {
        municipality: calendar.municipality,
        budgetYear: calendar.budgetYear,
        ...deliverable,
        reminderDispatcher,
      };
      try {
        await startChild(deliverableWorkflow, {
          workflowId: deliverableWorkflowId,
          args: [childInput],
          parentClosePolicy: ParentClosePolicy.ABANDON,
        });
      } catch (error) {
        if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
      }
      return result;
    } finally {
      openingNow--;
    }
  };

  setHandler(
    requestSupplementUpdate,
    (update: RequestSupplementInput) => {
      const known = supplements.get(update.requestId);
      if (known) return Promise.resolve(known.answer);
      const started = requestSupplement(update);
      supplements.set(update.requestId, { boardId: update.boardId, answer: started });
      started.then(
        (answer) => supplements.set(update.requestId, { boardId: update.boardId, answer }),
        () => supplements.delete(update.requestId),
      );
      return started;
    },
    {
      validator: (update: RequestSupplementInput) => {
        const requestId: unknown = update?.requestId;
        if (typeof requestId !== 'string' || !/^[a-z0-9]+(?:-[a-z0-9]+)*$/.test(requestId) || requestId.length > 64) {
          refuseWith('requestId', 'must be lower-case letters, digits and dashes, at most 64', 'not-a-slug');
        }
        const known = supplements.get(requestId);
        if (known) {
          // The same request again: answered with the first (below); another board under the same id is an error.
          const board = known.boardId;
          if (board !== update.boardId) {
            refuseWith('requestId', `${requestId} was used for a request to ${board}`, 'duplicate', { board });
          }
          return;
        }
        if (cancelled) refuseWith('budgetYear', 'the cycle was cancelled', 'cycle-cancelled');
        const today = stockholmToday();
        if (
          typeof update.boardId !== 'string' ||
          !reportingBoards.some((b) => b.id === update.boardId && isValidOn(b, today))
        ) {
          refuseWith(
            'boardId',
            `unknown board ${String(update.boardId)}, or one that delivers no reports`,
            'not-in-registry',
            {
              board: String(update.boardId),
            },
          );
        }
        if (typeof update.what !== 'string' || !update.what.trim()) {
          refuseWith('what', 'must say what is asked', 'required');
        }
        if (update.what.length > 4000) refuseWith('what', 'must be at most 4000 characters', 'too-long', { max: 4000 });
        if (typeof update.deadline !== 'string' || !isLocalDate(update.deadline)) {
          refuseWith('deadline', 'must be a date YYYY-MM-DD', 'bad-date');
        }
        if (update.deadline <= today) refuseWith('deadline', 'must be after today', 'not-in-future', { today });
        if (!update.by) refuseWith('by', 'must name who asks', 'required');
      },
    },
  );

  const schedule = await cycleSchedule({ calendar });
  known.schedule = schedule;
  if (!carried) {
    await record('cycle-started', {
      phases: calendar.phases.length,
      confirmedMilestones: Object.fromEntries(confirmed),
    });
  }
  const dispatch = startReminderDispatch(reminderDispatcher);
  /**
   * The cycle ends: the dispatch stops, and every reminder still planned is moot (each deliverable
   * has finished, or was told to cancel and sends nothing more).
   */
  const endDispatch = async () => {
    await dispatch.stop();
    await retireReminders({ dispatcherId: reminderDispatcher });
  };

  /**
   * Opens a large phase through phaseGroupWorkflows (issue 16): each starts and follows at most
   * GROUP_SIZE deliverables, so neither the cycle's history nor any workflow's pending children
   * grow with the city. A group's input is its boards' keys and hashes, never plans or registry.
   * A cancellation that comes meanwhile reaches the groups already started, and they stop.
   */
  const startGroups = async (phaseId: string, entry: OpenedPhase, boards: StoredPlanKey[]): Promise<void> => {
    const groups = groupsOf(boards, entry.groupSize);
    await Promise.all(
      groups.map(async (own, g) => {
        const mine = new Set(own.map((b) => b.boardId));
        const imported = input.imported?.filter((d) => d.phaseId === phaseId && mine.has(d.boardId));
        try {
          await startChild(phaseGroupWorkflow, {
            workflowId: phaseGroupWorkflowId(workflowId, phaseId, g + 1),
            args: [
              {
                cycleWorkflowId: workflowId,
                municipality: calendar.municipality,
                budgetYear: calendar.budgetYear,
                phaseId,
                group: g + 1,
                boards: own,
                ...(imported?.length && { imported }),
                ...(input.groupContinueAsNewAfterEvents && {
                  continueAsNewAfterEvents: input.groupContinueAsNewAfterEvents,
                }),
              },
            ],
            // Like the deliverables: a group outlives a cycle run that continues as new.
            parentClosePolicy: ParentClosePolicy.ABANDON,
          });
        } catch (error) {
          if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
        }
      }),
    );
  };

  const openPhase = async (phase: DeliverablePhase): Promise<void> => {
    if (opened.has(phase.id)) return; // opened by an earlier run of this cycle
    let opensOn: string;
    if ('afterMilestone' in phase.opens) {
      const milestoneId = phase.opens.afterMilestone;
      await condition(() => confirmed.has(milestoneId) || cancelled !== undefined);
      opensOn = confirmed.get(milestoneId)!;
    } else {
      const wait = Date.parse(schedule.openings[phase.id]!) - Date.now();
      if (wait > 0) await condition(() => cancelled !== undefined, wait);
      opensOn = phase.opens.date;
    }
    if (cancelled) return;
    openingNow++;
    try {
      const moved = movedDeadlines.get(phase.id);
      // Planned and stored by the activity: what comes back is each board's plan's key and hash.
      const planned = await planPhase({
        cycleWorkflowId: workflowId,
        calendar: phaseCalendar(moved ? withPhaseDeadline(calendar, phase.id, moved) : calendar, phase.id),
        registryHash: await registryHash,
        phaseId: phase.id,
        opensOn,
      });
      const large = planned.boards.length > GROUP_SIZE;
      const entry: OpenedPhase = {
        opensOn,
        boards: planned.boards.map((b) => b.boardId),
        finishedBoards: new Set<string>(),
        starting: true,
        ...(large && { groupSize: GROUP_SIZE }),
      };
      opened.set(phase.id, entry);
      // `opensOn` is the day given (or the milestone's); the opening mail goes on the first business
      // day from it unless the calendar says the opening stays (the planner decides, per board).
      const mailedOn = planned.opensOn;
      await record('phase-opened', {
        phaseId: phase.id,
        opensOn,
        ...(mailedOn && mailedOn !== opensOn && { openingMailOn: mailedOn }),
        boards: planned.boards.length,
      });
      if (large) {
        await startGroups(phase.id, entry, planned.boards);
      } else {
        const started = new Set<string>();
        await startDeliverables({
          cycleWorkflowId: workflowId,
          municipality: calendar.municipality,
          budgetYear: calendar.budgetYear,
          phaseId: phase.id,
          boards: planned.boards,
          ...(input.imported && { imported: input.imported }),
          stop: () => cancelled !== undefined,
          onStarted: (boardId) => started.add(boardId),
        });
        // Cancelled while this phase opened: the boards not yet started never will be.
        if (started.size < entry.boards.length) entry.boards = entry.boards.filter((b) => started.has(b));
      }
      delete entry.starting;
    } finally {
      openingNow--;
    }
  };

  let allOpened = false;
  void Promise.all(deliverablePhases.map(openPhase)).then(() => (allOpened = true));
  const done = (): boolean => allOpened && counts().finished === counts().started;
  const limit = input.continueAsNewAfterEvents ?? 10_000;
  const historyTooLong = (): boolean => workflowInfo().historyLength > limit || workflowInfo().continueAsNewSuggested;
  await condition(() => done() || cancelled !== undefined || (historyTooLong() && openingNow === 0));
  if (cancelled) {
    // Ends once the cancellation has told every deliverable, with its last event as always (an
    // activity after the update's reply: the time-skipping test server stops skipping time for
    // good when a workflow completes in the same task as an update's reply).
    await condition(allHandlersFinished);
    await endDispatch();
    await record('cycle-finished', { deliverables: counts().started, cancelled: true });
    return status();
  }
  if (!done()) {
    // Let updates that are being handled finish, then carry the state into a fresh run.
    await condition(allHandlersFinished);
    // A dispatch under way finishes first; the next run starts the loop again.
    await dispatch.stop();
    // A cancellation that came meanwhile ends the cycle instead.
    if (cancelled) {
      await record('cycle-finished', { deliverables: counts().started, cancelled: true });
      await endDispatch();
      return status();
    }
    // Not the registry again: the next run reads it by hash (and checks boards against reportingBoards).
    const next: BudgetCycleInput = { ...input };
    delete next.registry;
    delete next.storedRegistry;
    const storedRegistry = await registryHash;
    await continueAsNew<typeof budgetCycleWorkflow>({
      ...next,
      carried: {
        confirmed: Object.fromEntries(confirmed),
        movedDeadlines: Object.fromEntries(movedDeadlines),
        opened: Object.fromEntries(
          [...opened].map(([id, o]) => [
            id,
            {
              opensOn: o.opensOn,
              boards: o.boards,
              finishedBoards: [...o.finishedBoards],
              ...(o.groupSize && { groupSize: o.groupSize }),
            },
          ]),
        ),
        seq,
        registryHash: storedRegistry,
        reportingBoards,
        // Every handler finished above: each request holds its answer, not a promise.
        ...(supplements.size > 0 && {
          supplements: Object.fromEntries(
            [...supplements].flatMap(([id, { answer }]) => (answer instanceof Promise ? [] : [[id, answer]])),
          ),
        }),
      },
    });
  }
  // A message still being handled (a deadline move telling its boards) finishes before the end.
  await condition(allHandlersFinished);
  await endDispatch();
  await record('cycle-finished', { deliverables: counts().started });
  return status();
}
