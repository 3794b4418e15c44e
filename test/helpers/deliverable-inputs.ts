import {
  BENCH_MUNICIPALITY,
  burstInputs,
  phaseDeliverables,
  syntheticCalendar,
  syntheticRegistry,
} from '../../bench/lib/fixtures';
import type { PlannedAction } from '../../src/domain/planner';
import { localDateOf } from '../../src/domain/zoned-time';
import type { DeliverableWorkflowInput } from '../../src/workflows/deliverable-workflow';

const TZ = 'Europe/Stockholm';
const DAY = 24 * 60 * 60 * 1000;

/** The workflow ID the cycle gives a deliverable: `<municipality>/<year>/<phase>/<board>`. */
export function deliverableIdOf(input: DeliverableWorkflowInput): string {
  return `${input.municipality}/${input.budgetYear}/${input.plan.phaseId}/${input.plan.boardId}`;
}

/**
 * `count` deliverables as the cycle starts them (the planner's output for a synthetic registry),
 * their one reminder due at `dueAt` (ms): the opening at `openingAt` (two days before the reminder
 * unless given; a past opening is applied at start without a mail), then the deadline,
 * `deadlineAfterMs` after the reminder (two days unless given). The workflow
 * run is the one production runs, with every action the plan holds.
 */
export async function deliverablesDueAt(
  count: number,
  dueAt: number,
  options: { budgetYear?: number; municipality?: string; deadlineAfterMs?: number; openingAt?: number } = {},
): Promise<DeliverableWorkflowInput[]> {
  const municipality = options.municipality ?? BENCH_MUNICIPALITY;
  const calendar = syntheticCalendar(1, dueAt, { municipality });
  const deliverables = await phaseDeliverables(calendar, syntheticRegistry(count, municipality));
  const inputs = burstInputs(deliverables, dueAt, options.budgetYear ?? calendar.budgetYear, municipality);
  const deadlineAt = new Date(dueAt + (options.deadlineAfterMs ?? 2 * DAY)).toISOString();
  const deadline = localDateOf(new Date(deadlineAt), TZ);
  const openingAt = new Date(options.openingAt ?? dueAt - 2 * DAY).toISOString();
  const moved = (a: PlannedAction): PlannedAction =>
    a.kind === 'deadline'
      ? { ...a, instant: deadlineAt, localDate: deadline }
      : a.kind === 'opening'
        ? { ...a, instant: openingAt, localDate: localDateOf(new Date(openingAt), TZ) }
        : a;
  return inputs.map((input) => ({
    ...input,
    plan: { ...input.plan, deadline: { date: deadline }, deadlineAt, actions: input.plan.actions.map(moved) },
  }));
}
