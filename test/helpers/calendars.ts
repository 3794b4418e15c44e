import { loadRegistry, readDataFile, shippedCalendarPath, shippedRegistryPath } from '../../src/client/data-files';
import { CycleCalendar, CycleCalendarInput, cycleCalendarSchema } from '../../src/domain/cycle-calendar';
import { addDays, daysBetween } from '../../src/domain/local-date';
import { Registry } from '../../src/domain/organisations';
import { localDateOf } from '../../src/domain/zoned-time';

export const stockholmRegistry = (): Registry => loadRegistry(shippedRegistryPath());

/**
 * A shipped calendar moved forward by whole 52-week steps (weekdays stay the same) until its
 * first date lies at least `marginDays` after `nowMs`: the time-skipping server's clock starts at
 * the real present and only moves forward, so tests must not depend on today's date.
 */
export function shippedCalendarAhead(budgetYear: number, nowMs: number, marginDays = 14): CycleCalendar {
  const input = readDataFile(shippedCalendarPath(budgetYear)) as CycleCalendarInput;
  const dates = input.phases.flatMap((p) =>
    p.kind === 'milestone' ? [p.date] : ['date' in p.opens ? p.opens.date : p.deadline, p.deadline],
  );
  const first = dates.sort()[0]!;
  const earliestAllowed = addDays(localDateOf(new Date(nowMs), 'Europe/Stockholm'), marginDays);
  const steps = Math.max(0, Math.ceil(daysBetween(first, earliestAllowed) / 364));
  return shiftCalendar(cycleCalendarSchema.parse(input), steps * 364);
}

export function shiftCalendar(calendar: CycleCalendar, days: number): CycleCalendar {
  if (days === 0) return calendar;
  const years = Math.round(days / 364);
  return {
    ...calendar,
    budgetYear: calendar.budgetYear + years,
    phases: calendar.phases.map((p) =>
      p.kind === 'milestone'
        ? { ...p, date: addDays(p.date, days) }
        : {
            ...p,
            opens: 'date' in p.opens ? { date: addDays(p.opens.date, days) } : p.opens,
            deadline: addDays(p.deadline, days),
          },
    ),
  };
}
