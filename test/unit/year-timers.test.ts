import { planCycle } from '../../src/domain/planner';
import { yearTimers } from '../../bench/lib/year-timers';
import { shippedCalendarAhead, stockholmRegistry } from '../helpers/calendars';

describe('the year simulation’s baseline timers', () => {
  const calendar = shippedCalendarAhead(2027, Date.parse('2026-12-01T00:00:00Z'));
  const plan = planCycle(calendar, stockholmRegistry());
  const { workflows, total } = yearTimers(calendar, plan);

  it('are the timers Årshjul sets for the shipped 2027 year (894 fired, counted from its histories)', () => {
    expect(total).toBe(894);
    expect(workflows).toHaveLength(plan.deliverables.length + 2);
  });

  it('leave reminders to the dispatcher and openings to the start: one timer per distinct reminder instant, in time order', () => {
    const reminders = plan.deliverables.flatMap((d) => d.actions.filter((a) => a.kind === 'reminder'));
    const openings = plan.deliverables.flatMap((d) => d.actions.filter((a) => a.kind === 'opening'));
    const ownTimers = workflows.slice(0, plan.deliverables.length).flat();
    expect(ownTimers).toHaveLength(
      plan.actions.filter((a) => a.kind !== 'milestone').length - reminders.length - openings.length,
    );
    const dispatcher = workflows[plan.deliverables.length]!;
    expect(new Set(dispatcher).size).toBe(dispatcher.length);
    expect(new Set(dispatcher)).toEqual(new Set(reminders.map((a) => a.instant)));
    expect([...dispatcher].sort((a, b) => Date.parse(a) - Date.parse(b))).toEqual(dispatcher);
  });
});
