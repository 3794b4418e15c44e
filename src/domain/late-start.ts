import { CycleCalendar } from './cycle-calendar';
import { compareDates, LocalDate } from './local-date';
import { Registry } from './organisations';
import { planCycle } from './planner';

/** The first and last dates a calendar names (its cycle runs about 25 months between them). */
export function calendarSpan(calendar: CycleCalendar): { first: LocalDate; last: LocalDate } {
  const dates = calendar.phases
    .flatMap((p) => (p.kind === 'milestone' ? [p.date] : ['date' in p.opens ? p.opens.date : p.deadline, p.deadline]))
    .sort();
  return { first: dates[0]!, last: dates[dates.length - 1]! };
}

/** Calendars whose cycle is under way on `today`: the year being prepared and the one followed up. */
export function liveCalendars(calendars: CycleCalendar[], today: LocalDate): CycleCalendar[] {
  return calendars.filter((c) => {
    const { first, last } = calendarSpan(c);
    return compareDates(first, today) <= 0 && compareDates(today, last) <= 0;
  });
}

export interface LateStart {
  confirmedMilestones: Record<string, LocalDate>;
  imported: Array<{ phaseId: string; boardId: string; stage: 'approved'; at: string; documentRef: string }>;
}

/**
 * Adopting Årshjul in the middle of a cycle: milestones before `today` count as confirmed on
 * their planned dates, and deliverables whose deadline has passed count as delivered and
 * approved before Årshjul took over (no stale reminder, no false escalation). SLK corrects the
 * exceptions afterwards.
 */
export function lateStartFor(calendar: CycleCalendar, registry: Registry, today: LocalDate): LateStart {
  const confirmedMilestones: Record<string, LocalDate> = {};
  for (const phase of calendar.phases) {
    if (phase.kind === 'milestone' && compareDates(phase.date, today) < 0) confirmedMilestones[phase.id] = phase.date;
  }
  const imported = planCycle(calendar, registry)
    .deliverables.filter((d) => compareDates(d.deadline.date, today) < 0)
    .map((d) => ({
      phaseId: d.phaseId,
      boardId: d.boardId,
      stage: 'approved' as const,
      at: d.deadlineAt,
      documentRef: 'Inlämnad före Årshjul',
    }));
  return { confirmedMilestones, imported };
}
