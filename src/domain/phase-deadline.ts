import type { CycleCalendar } from './cycle-calendar';

// Apart from cycle-calendar.ts, whose schemas the cycle workflow must not build when it loads.

/** The calendar with one deliverable phase's deadline replaced (a moved deadline, replanned). */
export function withPhaseDeadline(calendar: CycleCalendar, phaseId: string, deadline: string): CycleCalendar {
  return {
    ...calendar,
    phases: calendar.phases.map((p) => (p.id === phaseId && p.kind === 'deliverable' ? { ...p, deadline } : p)),
  };
}
