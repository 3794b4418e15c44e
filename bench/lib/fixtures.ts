import type { PhaseDeliverable } from '../../src/activities';
import { planPhaseDeliverables } from '../../src/activities';
import { CycleCalendar, cycleCalendarSchema } from '../../src/domain/cycle-calendar';
import { addDays } from '../../src/domain/local-date';
import type { Registry } from '../../src/domain/organisations';
import { largeRegistry } from '../../test/fixtures/large-registry';
import type { PlannedAction } from '../../src/domain/planner';
import { localDateOf } from '../../src/domain/zoned-time';
import type { DeliverableWorkflowInput } from '../../src/workflows/deliverable-workflow';

/**
 * Synthetic data at national scale: a municipality with `boards` boards (a mix of district
 * councils, service boards and company boards, with the same contact roles as Stockholm's), its
 * group parent and committee, and a calendar of `phases` deliverable phases for every board.
 */
export const BENCH_MUNICIPALITY = 'bench';
const TZ = 'Europe/Stockholm';

export function syntheticRegistry(boards: number, municipality = BENCH_MUNICIPALITY): Registry {
  return largeRegistry(boards, { municipality, boardId: (i) => `board-${String(i).padStart(5, '0')}` });
}

/**
 * `phases` deliverable phases for every board, all opened `openedDaysAgo` days ago (so a cycle
 * started now opens them at once and the openings are past: no opening mail), deadline
 * `deadlineInDays` ahead (reminders and escalations lie in the future: the workflows stay open).
 */
export function syntheticCalendar(
  phases: number,
  nowMs: number,
  options: { openedDaysAgo?: number; deadlineInDays?: number; municipality?: string } = {},
): CycleCalendar {
  const today = localDateOf(new Date(nowMs), TZ);
  const opens = addDays(today, -(options.openedDaysAgo ?? 2));
  const deadline = addDays(today, options.deadlineInDays ?? 60);
  return cycleCalendarSchema.parse({
    municipality: options.municipality ?? BENCH_MUNICIPALITY,
    budgetYear: Number(today.slice(0, 4)) + 1,
    // Opened days ago, whatever weekday that was: a started cycle must open them at once.
    openingOnNonBusinessDay: 'stay',
    phases: Array.from({ length: phases }, (_, i) => ({
      id: `fas-${String(i + 1).padStart(2, '0')}`,
      kind: 'deliverable',
      name: `Leverans ${i + 1}`,
      opens: { date: opens },
      deadline,
      coversPeriod: i % 2 === 0,
    })),
  });
}

export async function phaseDeliverables(calendar: CycleCalendar, registry: Registry): Promise<PhaseDeliverable[]> {
  const all: PhaseDeliverable[] = [];
  for (const phase of calendar.phases) {
    if (phase.kind !== 'deliverable') continue;
    all.push(...planPhaseDeliverables({ calendar, phaseId: phase.id }, registry));
  }
  return all;
}

/** Boards and phases for `count` deliverables: `phases` phases (10 by default) of equal size. */
export function shapeFor(count: number, phases = 10): { boards: number; phases: number } {
  const p = Math.min(phases, Math.max(1, count));
  return { boards: Math.max(1, Math.ceil(count / p)), phases: p };
}

/**
 * Deliverable workflow inputs whose one reminder falls due at `dueAt` (the same instant for all):
 * the opening lies two days back (applied at start, no mail), the deadline two days ahead.
 * Everything else is what the planner made for the board.
 */
export function burstInputs(
  deliverables: PhaseDeliverable[],
  dueAt: number,
  budgetYear: number,
  municipality = BENCH_MUNICIPALITY,
): DeliverableWorkflowInput[] {
  const at = (ms: number) => new Date(ms).toISOString();
  const day = 86_400_000;
  return deliverables.map((d) => {
    const base = { phaseId: d.plan.phaseId, boardId: d.plan.boardId };
    const id = (suffix: string) => `${d.plan.phaseId}/${d.plan.boardId}/${suffix}`;
    const deadlineAt = at(dueAt + 2 * day);
    const actions: PlannedAction[] = [
      {
        ...base,
        id: id('opening'),
        kind: 'opening',
        instant: at(dueAt - 2 * day),
        localDate: localDateOf(new Date(dueAt - 2 * day), TZ),
        recipients: ['registrator'],
      },
      {
        ...base,
        id: id('reminder-1'),
        kind: 'reminder',
        level: 1,
        instant: at(dueAt),
        localDate: localDateOf(new Date(dueAt), TZ),
        recipients: ['registrator'],
      },
      {
        ...base,
        id: id('deadline'),
        kind: 'deadline',
        instant: deadlineAt,
        localDate: localDateOf(new Date(dueAt + 2 * day), TZ),
        recipients: [],
      },
    ];
    return {
      municipality,
      budgetYear,
      ...d,
      plan: {
        ...d.plan,
        deadline: { date: localDateOf(new Date(dueAt + 2 * day), TZ) },
        deadlineAt,
        actions,
      },
    };
  });
}

/** Timers of a burst input, for the sleep-only baseline: the same instants. */
export function timersOf(input: DeliverableWorkflowInput): string[] {
  return input.plan.actions.map((a) => a.instant);
}
