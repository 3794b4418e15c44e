import type { StoredCycle } from '../../../db/cycles';
import type { DeliverablePhase, MilestonePhase } from '../../../domain/cycle-calendar';
import { openingDate } from '../../../domain/planner';
import type { CycleStatus, PhaseStatus } from '../../../workflows/budget-cycle-messages';
import type { CycleOperations } from '../../operations/cycle-operations';
import { formatDate } from './format';
import type { TimelineItem } from './timeline';

/** A cycle as the pages show it: the stored calendar, and the workflow's live status when it answers. */
export interface CycleView {
  cycle: StoredCycle;
  status?: CycleStatus;
  deliverablePhases: DeliverablePhase[];
  milestones: MilestonePhase[];
}

export async function loadCycleView(ops: CycleOperations, year: number): Promise<CycleView> {
  const cycle = await ops.cycle(year);
  // The overview reads PostgreSQL; the workflow adds live detail (moved deadlines, confirmed
  // milestones) and the page still renders when Temporal does not answer.
  const status = await ops.cycleStatus(year).catch(() => undefined);
  return {
    cycle,
    ...(status && { status }),
    deliverablePhases: cycle.calendar.phases.filter((p): p is DeliverablePhase => p.kind === 'deliverable'),
    milestones: cycle.calendar.phases.filter((p): p is MilestonePhase => p.kind === 'milestone'),
  };
}

export function phaseStatus(view: CycleView, phaseId: string): PhaseStatus | undefined {
  return view.status?.phases.find((p) => p.id === phaseId);
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
  if (!s) return 'okänt (cykelns arbetsflöde svarar inte)';
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
