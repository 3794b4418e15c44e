import type { CycleCalendar } from '../../src/domain/cycle-calendar';
import { type CyclePlan, scheduledOpenings } from '../../src/domain/planner';

/**
 * The timers Årshjul's year sets (issue 16): each deliverable sleeps to its deadline and
 * escalations (not to its opening: the cycle starts it at that instant, when the opening is due
 * at once and needs no timer); its reminders go through the cycle's dispatcher, which sleeps once to each
 * distinct reminder instant; the cycle sleeps to each phase that opens on a date. The sleep-only
 * baseline sets exactly these, one workflow per deliverable plus one for the dispatcher's and
 * one for the cycle's; the run counts Årshjul's fired timers from its histories to check it.
 */
export function yearTimers(calendar: CycleCalendar, plan: CyclePlan): { workflows: string[][]; total: number } {
  const deliverables = plan.deliverables.map((d) =>
    d.actions.filter((a) => a.kind !== 'reminder' && a.kind !== 'opening').map((a) => a.instant),
  );
  const reminderInstants = [
    ...new Set(plan.deliverables.flatMap((d) => d.actions.filter((a) => a.kind === 'reminder').map((a) => a.instant))),
  ].sort((a, b) => Date.parse(a) - Date.parse(b));
  const openings = Object.values(scheduledOpenings(calendar)).sort((a, b) => Date.parse(a) - Date.parse(b));
  const workflows = [...deliverables, reminderInstants, openings];
  return { workflows, total: workflows.reduce((s, t) => s + t.length, 0) };
}
