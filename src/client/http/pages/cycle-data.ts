import type { StoredCycle } from '../../../db/cycles';
import type { DeliverablePhase, MilestonePhase } from '../../../domain/cycle-calendar';
import { openingDate } from '../../../domain/planner';
import type { CycleStatus, PhaseStatus } from '../../../workflows/budget-cycle-messages';
import type { CycleOperations, DeliverableSummary } from '../../operations/cycle-operations';
import type { ReadSnapshot } from '../../operations/read-cache';
import { formatDate } from './format';
import type { TimelineItem } from './timeline';

/** A cycle as the pages show it: the stored calendar and its status, both from PostgreSQL. */
export interface CycleView {
  cycle: StoredCycle;
  status: CycleStatus;
  deliverablePhases: DeliverablePhase[];
  milestones: MilestonePhase[];
}

/** A cycle's view with every deliverable of it, and the snapshot the page read them beside. */
export interface CycleWithDeliverables {
  at: ReadSnapshot;
  view: CycleView;
  rows: DeliverableSummary[];
}

/**
 * The cycle's view and deliverables, or undefined when no such cycle was started (the page is
 * then a 404): the registry and calendar from the snapshot, the rows and the cycle's events
 * from PostgreSQL, the phases' stage counts from the rows.
 */
export async function loadCycleWithDeliverables(
  ops: CycleOperations,
  year: number,
): Promise<CycleWithDeliverables | undefined> {
  const at = await ops.snapshot();
  const cycle = at.cycles.find((c) => c.budgetYear === year);
  if (!cycle) return undefined;
  const rows = await ops.deliverablesOf(cycle, {}, at);
  return { at, rows, view: await cycleViewOf(ops, cycle, rows) };
}

/**
 * The status comes from the record (moved deadlines, confirmed milestones, phases opened), never
 * from the cycle workflow: the pages answer under load and while Temporal is away.
 */
export async function cycleViewOf(
  ops: CycleOperations,
  cycle: StoredCycle,
  /** Every deliverable of the cycle, when the caller read them (their stages are counted). */
  rows?: readonly DeliverableSummary[],
): Promise<CycleView> {
  return {
    cycle,
    status: await ops.cycleProgress(cycle, rows),
    deliverablePhases: cycle.calendar.phases.filter((p): p is DeliverablePhase => p.kind === 'deliverable'),
    milestones: cycle.calendar.phases.filter((p): p is MilestonePhase => p.kind === 'milestone'),
  };
}

export function phaseStatus(view: CycleView, phaseId: string): PhaseStatus | undefined {
  return view.status.phases.find((p) => p.id === phaseId);
}

/** A phase's current deadline: moved by SLK, or as written in the calendar. */
export function phaseDeadline(view: CycleView, phase: DeliverablePhase): string {
  return phaseStatus(view, phase.id)?.deadline ?? phase.deadline;
}

export function phaseOpening(view: CycleView, phase: DeliverablePhase): string | undefined {
  return phaseStatus(view, phase.id)?.plannedDate || openingDate(view.cycle.calendar, phase);
}

/** The phase's state in words. */
export function phaseStateWords(view: CycleView, phaseId: string): string {
  const s = phaseStatus(view, phaseId);
  if (!s) return 'okänt';
  switch (s.stage) {
    case 'planned':
      return 'planerad';
    case 'confirmed':
      return s.confirmedOn ? `bekräftad ${formatDate(s.confirmedOn)}` : 'bekräftad';
    case 'waiting':
      return 'ej öppnad';
    case 'waiting-for-milestone':
      return 'väntar på milstolpe';
    case 'open':
      return 'öppen';
    case 'closed':
      return 'klar';
  }
}

export function timelineItems(view: CycleView): TimelineItem[] {
  return view.cycle.calendar.phases.map((phase): TimelineItem => {
    const s = phaseStatus(view, phase.id);
    const state = phaseStateWords(view, phase.id);
    if (phase.kind === 'milestone') {
      return {
        id: phase.id,
        name: phase.name,
        kind: 'milestone',
        end: s?.confirmedOn ?? phase.date,
        state,
        tone: s?.stage === 'confirmed' ? 'done' : 'waiting',
        owner: phase.owner,
      };
    }
    const start = phaseOpening(view, phase);
    return {
      id: phase.id,
      name: phase.name,
      kind: 'deliverable',
      ...(start && { start }),
      end: phaseDeadline(view, phase),
      state,
      tone: s?.stage === 'open' ? 'open' : s?.stage === 'closed' ? 'done' : 'waiting',
    };
  });
}
