import type { CycleProgressEvent, PhaseStageCount } from '../../db/cycle-record';
import type { CycleCalendar } from '../../domain/cycle-calendar';
import { DeliverableStage, isFinishedStage } from '../../domain/deliverable-state';
import { scheduledOpenings } from '../../domain/planner';
import { CycleStatus, phaseStatusesOf } from '../../workflows/budget-cycle-messages';

/**
 * The planned opening instants of a calendar, worked out once per calendar object: the pages get
 * the same (kept) calendar on every request, and each instant costs time-zone arithmetic.
 */
const openings = new WeakMap<CycleCalendar, Record<string, string>>();
function openingsOf(calendar: CycleCalendar): Record<string, string> {
  let found = openings.get(calendar);
  if (!found) {
    found = scheduledOpenings(calendar);
    openings.set(calendar, found);
  }
  return found;
}

/**
 * The cycle's status as budgetCycleWorkflow's status query gives it, derived from the record:
 * its own events (milestones confirmed, deadlines moved, phases opened, the cancellation) and
 * the read model's deliverable stages. Pure, so the derivation is tested without servers.
 *
 * `opensAt`, the planned instant of an opening, comes from the calendar as the workflow's own
 * schedule activity computes it (scheduledOpenings, pure). Differences from the live query, on
 * purpose: a phase's `boards` are left out (the read model lists them, per deliverable); a phase
 * counts as closed when the read model shows every deliverable finished, a moment before the
 * workflow hears of it.
 */
export function cycleStatusFromRecord(
  workflowId: string,
  calendar: CycleCalendar,
  recorded: CycleProgressEvent[],
  stages: PhaseStageCount[],
): CycleStatus {
  // A cycle cancelled and started again keeps one workflow ID: only the latest start counts.
  const lastStart = recorded.map((e) => e.kind).lastIndexOf('cycle-started');
  const events = lastStart > 0 ? recorded.slice(lastStart) : recorded;

  const confirmed = new Map<string, string>();
  const movedDeadlines = new Map<string, string>();
  const openedBoards = new Map<string, number>();
  let cancelled: CycleStatus['cancelled'];
  for (const e of events) {
    const p = e.payload;
    switch (e.kind) {
      case 'cycle-started':
        for (const [id, on] of Object.entries((p.confirmedMilestones ?? {}) as Record<string, string>)) {
          confirmed.set(id, on);
        }
        break;
      case 'milestone-confirmed':
        confirmed.set(String(p.milestoneId), String(p.date));
        break;
      case 'deadline-moved':
        // A group's move changes those boards' deadlines, not the phase's.
        if (p.boards === 'all' || p.boards === undefined) movedDeadlines.set(String(p.phaseId), String(p.deadline));
        break;
      case 'phase-opened':
        openedBoards.set(String(p.phaseId), Number(p.boards ?? 0));
        break;
      case 'cycle-cancelled':
        cancelled = {
          by: e.actor,
          reason: String(p.reason ?? ''),
          at: e.occurred_at.toISOString(),
          stoppedDeliverables: Number(p.deliverables ?? 0),
        };
        break;
    }
  }

  const reviewRequired = new Map(
    calendar.phases.map((p) => [p.id, p.kind === 'deliverable' && p.reviewRequired === true]),
  );
  // A cancelled deliverable never tells its cycle it finished: it does not close its phase.
  const finishes = (phaseId: string, stage: string) =>
    stage !== 'cancelled' && isFinishedStage(stage as DeliverableStage, reviewRequired.get(phaseId) ?? false);
  const finishedIn = new Map<string, number>();
  let total = 0;
  let finished = 0;
  for (const s of stages) {
    total += s.count;
    if (!finishes(s.phase_id, s.stage)) continue;
    finished += s.count;
    finishedIn.set(s.phase_id, (finishedIn.get(s.phase_id) ?? 0) + s.count);
  }

  const opened = new Map(
    [...openedBoards].map(([id, boards]) => [id, { closed: (finishedIn.get(id) ?? 0) >= boards }]),
  );
  const phases = phaseStatusesOf(calendar, { confirmed, movedDeadlines, opened, openings: openingsOf(calendar) });

  return {
    ...(cancelled && { cancelled }),
    workflowId,
    municipality: calendar.municipality,
    budgetYear: calendar.budgetYear,
    phases,
    openDeliverables: total - finished,
    finishedDeliverables: finished,
  };
}
