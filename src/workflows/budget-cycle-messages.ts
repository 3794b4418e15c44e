import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { CycleCalendar } from '../domain/cycle-calendar';

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

/** What a cycle's phase statuses follow from: the workflow holds it, the record holds it too. */
export interface CycleProgress {
  /** Milestones confirmed, with the day they happened. */
  confirmed: ReadonlyMap<string, string>;
  /** Phases whose deadline SLK moved for all boards. */
  movedDeadlines: ReadonlyMap<string, string>;
  /** Phases opened: whether all their deliverables finished, and (live only) which boards. */
  opened: ReadonlyMap<string, { closed: boolean; boards?: string[] }>;
  /** Planned opening instants, when the live workflow knows them. */
  openings?: Record<string, string>;
}

/**
 * Each phase's status, in calendar order: one function for budgetCycleWorkflow's status query and
 * for the pages, which derive the same from the record (src/client/operations/cycle-progress.ts).
 */
export function phaseStatusesOf(calendar: CycleCalendar, progress: CycleProgress): PhaseStatus[] {
  const { confirmed, movedDeadlines, opened, openings } = progress;
  return calendar.phases.map((phase): PhaseStatus => {
    if (phase.kind === 'milestone') {
      const on = confirmed.get(phase.id);
      return {
        id: phase.id,
        name: phase.name,
        kind: 'milestone',
        stage: on ? 'confirmed' : 'planned',
        plannedDate: phase.date,
        ...(on && { confirmedOn: on }),
      };
    }
    const open = opened.get(phase.id);
    const waitsFor = 'afterMilestone' in phase.opens ? phase.opens.afterMilestone : undefined;
    const milestone = calendar.phases.find((p) => p.id === waitsFor && p.kind === 'milestone');
    return {
      id: phase.id,
      name: phase.name,
      kind: 'deliverable',
      stage: open
        ? open.closed
          ? 'closed'
          : 'open'
        : waitsFor && !confirmed.has(waitsFor)
          ? 'waiting-for-milestone'
          : 'waiting',
      plannedDate: 'date' in phase.opens ? phase.opens.date : milestone?.kind === 'milestone' ? milestone.date : '',
      ...(openings?.[phase.id] && { opensAt: openings[phase.id] }),
      deadline: movedDeadlines.get(phase.id) ?? phase.deadline,
      ...(open?.boards && { boards: open.boards }),
    };
  });
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

/**
 * The committee asks one board for a supplementary report (komplettering), issue 14. The caller
 * chooses `requestId` (a retried request names the same one, so it starts one deliverable).
 */
export interface RequestSupplementInput {
  requestId: string;
  boardId: string;
  /** What the committee asks for, in its words. */
  what: string;
  /** The deadline as written (a day after today); the law moves a non-business day as for any deadline. */
  deadline: string;
  by: string;
}

/** The deliverable a supplement request started (or had started, when the request is repeated). */
export interface SupplementRequested {
  requestId: string;
  phaseId: string;
  name: string;
  boardId: string;
  workflowId: string;
  /** The deadline in force: the written one, or the next business day after it. */
  deadline: string;
  deadlineAt: string;
  by: string;
}

/** The prefix of a supplement's phase id: `komplettering-<requestId>`. */
export const SUPPLEMENT_PHASE_PREFIX = 'komplettering-';

export const cycleStatusQuery = defineQuery<CycleStatus>('cycleStatus');
export const confirmMilestoneUpdate = defineUpdate<CycleStatus, [ConfirmMilestoneInput]>('confirmMilestone');
export const moveDeadlineUpdate = defineUpdate<CycleStatus, [MoveDeadlineInput]>('moveDeadline');
export const requestSupplementUpdate = defineUpdate<SupplementRequested, [RequestSupplementInput]>('requestSupplement');
/** Cancels a cycle started by mistake: its deliverables and the districts' LUPs stop; the cycle ends. */
export const cancelCycleUpdate = defineUpdate<CycleStatus, [CancelCycleInput]>('cancelCycle');

/** From a deliverable to its cycle, when it needs nothing more (approved, submitted, exempt). */
export const deliverableFinishedSignal =
  defineSignal<[{ phaseId: string; boardId: string; stage: string }]>('deliverableFinished');

/**
 * From a phase's group (phaseGroupWorkflow) to its cycle: the boards whose deliverables finished
 * since the group last said, in one signal.
 */
export const deliverablesFinishedSignal =
  defineSignal<[{ phaseId: string; boardIds: string[] }]>('deliverablesFinished');
