import { createActivities, planPhaseDeliverables } from '../../src/activities';
import type { ActivityDeps } from '../../src/activities/ports';
import { cycleCalendarSchema } from '../../src/domain/cycle-calendar';
import { smallRegistry } from '../fixtures/small-registry';

/**
 * The activities through which the cycle workflow plans (they need no ports): the instant the
 * cycle wakes to open a phase, and the plan made when it opens, follow the same opening rule.
 */
const { cycleSchedule } = createActivities({} as ActivityDeps);
/** What planPhase stores for each board (the activity itself writes to PostgreSQL). */
const planPhase = async (input: { calendar: ReturnType<typeof calendar>; phaseId: string; opensOn?: string }) =>
  planPhaseDeliverables(input, smallRegistry);

const calendar = (options: Record<string, unknown> = {}) =>
  cycleCalendarSchema.parse({
    municipality: 'teststad',
    budgetYear: 2028,
    ...options,
    phases: [
      { id: 'kf-budget', kind: 'milestone', name: 'KF budget', owner: 'KF', date: '2027-11-23' },
      {
        id: 'tertialrapport-1',
        kind: 'deliverable',
        name: 'Tertialrapport 1',
        audience: { boards: ['farsta'] },
        opens: { date: '2027-06-26' }, // midsommardagen
        deadline: '2027-08-31',
      },
      {
        id: 'verksamhetsplan',
        kind: 'deliverable',
        name: 'Verksamhetsplan',
        audience: { boards: ['farsta'] },
        opens: { afterMilestone: 'kf-budget' },
        deadline: '2028-01-31',
      },
    ],
  });

const openingOf = async (cal: ReturnType<typeof calendar>, phaseId: string, opensOn?: string) => {
  const [deliverable] = await planPhase({ calendar: cal, phaseId, ...(opensOn && { opensOn }) });
  return deliverable!.plan.actions.find((a) => a.kind === 'opening')!.instant;
};

describe('cycleSchedule and planPhase', () => {
  it('wake the cycle and send the opening mail on the business day after a holiday opening', async () => {
    const { openings } = await cycleSchedule({ calendar: calendar() });
    expect(openings).toEqual({ 'tertialrapport-1': '2027-06-28T06:00:00.000Z' });
    // The cycle plans a date-opened phase with its given date when it wakes.
    expect(await openingOf(calendar(), 'tertialrapport-1', '2027-06-26')).toBe('2027-06-28T08:00:00+02:00');
  });

  it('move the opening mail of a milestone confirmed on a Saturday to the Monday, unless the calendar says stay', async () => {
    expect(await openingOf(calendar(), 'verksamhetsplan', '2027-11-27')).toBe('2027-11-29T08:00:00+01:00');
    const stay = calendar({ openingOnNonBusinessDay: 'stay' });
    expect(await openingOf(stay, 'verksamhetsplan', '2027-11-27')).toBe('2027-11-27T08:00:00+01:00');
    expect((await cycleSchedule({ calendar: stay })).openings).toEqual({
      'tertialrapport-1': '2027-06-26T06:00:00.000Z',
    });
  });
});
