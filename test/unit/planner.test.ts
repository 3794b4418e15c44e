import fc from 'fast-check';
import { isBusinessDay } from '../../src/domain/business-days';
import { CycleCalendarInput, cycleCalendarSchema } from '../../src/domain/cycle-calendar';
import { addDays } from '../../src/domain/local-date';
import { findOrganisation } from '../../src/domain/organisations';
import {
  deliverableSpecs,
  laddersFor,
  planCycle,
  planDeliverable,
  PlannedAction,
  scheduledOpenings,
} from '../../src/domain/planner';
import { localDateOf, localTimeOf } from '../../src/domain/zoned-time';
import { smallRegistry } from '../fixtures/small-registry';

const TZ = 'Europe/Stockholm';

function calendar(overrides: Partial<CycleCalendarInput> = {}) {
  return cycleCalendarSchema.parse({
    municipality: 'teststad',
    budgetYear: 2028,
    phases: [
      { id: 'kf-budget', kind: 'milestone', name: 'KF budget', owner: 'KF', date: '2027-11-23' },
      {
        id: 'tertialrapport-1',
        kind: 'deliverable',
        name: 'Tertialrapport 1',
        opens: { date: '2027-04-01' },
        deadline: '2027-05-20',
        coversPeriod: true,
        groupDeadlines: [{ kinds: ['bolagsstyrelse'], businessDaysAfter: 3 }],
      },
      {
        id: 'verksamhetsplan',
        kind: 'deliverable',
        name: 'Verksamhetsplan',
        opens: { afterMilestone: 'kf-budget' },
        deadline: '2028-01-28',
        ladderOverrides: [
          {
            priorityAreas: ['rinkeby-kista'],
            reminders: [{ daysBefore: 14 }, { daysBefore: 7 }, { lastBusinessDayBefore: true }],
          },
        ],
      },
    ],
    ...overrides,
  });
}

const of = (actions: PlannedAction[], board: string, phase: string) =>
  actions
    .filter((a) => a.boardId === board && a.phaseId === phase)
    .map((a) => [a.kind, a.level ?? null, a.instant, a.recipients.join(',')]);

describe('planCycle', () => {
  const plan = planCycle(calendar(), smallRegistry);

  it('plans the default ladder for a district council: 28 days, last business day, deadline day, escalations 1 and 3', () => {
    expect(of(plan.actions, 'farsta', 'tertialrapport-1')).toEqual([
      ['opening', null, '2027-04-01T08:00:00+02:00', 'registrator'],
      ['reminder', 1, '2027-04-22T08:00:00+02:00', 'registrator'],
      ['reminder', 2, '2027-05-19T08:00:00+02:00', 'registrator'],
      ['reminder', 3, '2027-05-20T08:00:00+02:00', 'registrator'], // the deadline day's morning
      ['deadline', null, '2027-05-20T23:59:00+02:00', ''],
      ['escalation', 1, '2027-05-21T08:00:00+02:00', 'forvaltningschef,vd,ordforande'],
      ['escalation', 3, '2027-05-27T08:00:00+02:00', 'utskott'],
    ]);
  });

  it('gives a company board its staggered deadline and the Stadshus step', () => {
    expect(of(plan.actions, 'stokab', 'tertialrapport-1')).toEqual([
      ['opening', null, '2027-04-01T08:00:00+02:00', 'registrator'],
      ['reminder', 1, '2027-04-27T08:00:00+02:00', 'registrator'], // 28 days before 25 May
      ['reminder', 2, '2027-05-24T08:00:00+02:00', 'registrator'],
      ['reminder', 3, '2027-05-25T08:00:00+02:00', 'registrator'],
      ['deadline', null, '2027-05-25T23:59:00+02:00', ''],
      ['escalation', 1, '2027-05-26T08:00:00+02:00', 'forvaltningschef,vd,ordforande'],
      ['escalation', 2, '2027-05-28T08:00:00+02:00', 'koncernmoder'],
      ['escalation', 3, '2027-06-01T08:00:00+02:00', 'utskott'],
    ]);
  });

  it('addresses the boards that exist on the opening date, with the successor after a merger', () => {
    const boards = [
      ...new Set(plan.deliverables.filter((d) => d.phaseId === 'tertialrapport-1').map((d) => d.boardId)),
    ];
    expect(boards).toEqual(['farsta', 'jarva', 'kulturnamnden', 'stokab']);
  });

  it('opens a phase that waits for a milestone at the milestone’s planned date, and marks it', () => {
    const opening = plan.actions.find((a) => a.id === 'verksamhetsplan/farsta/opening');
    expect(opening).toMatchObject({ instant: '2027-11-23T08:00:00+01:00', afterMilestone: 'kf-budget' });
  });

  it('gives boards of a priority area their stricter ladder', () => {
    const reminders = (board: string) =>
      plan.actions
        .filter((a) => a.boardId === board && a.phaseId === 'verksamhetsplan' && a.kind === 'reminder')
        .map((a) => a.localDate);
    // The override names its reminders; it leaves out the deadline day's, the default has it.
    expect(reminders('jarva')).toEqual(['2028-01-14', '2028-01-21', '2028-01-27']);
    expect(reminders('farsta')).toEqual(['2028-01-21', '2028-01-27', '2028-01-28']);
  });

  it('moves a deadline that falls on midsommarafton and plans around it', () => {
    const moved = planCycle(
      calendar({
        phases: [
          {
            id: 'x',
            kind: 'deliverable',
            name: 'X',
            opens: { date: '2027-05-03' },
            deadline: '2027-06-25',
            audience: { boards: ['farsta'] },
          },
        ],
      }),
      smallRegistry,
    );
    expect(moved.deliverables[0]?.deadline).toEqual({
      date: '2027-06-28',
      shiftedFrom: { date: '2027-06-25', reason: 'midsommarafton' },
    });
    expect(of(moved.actions, 'farsta', 'x').map((a) => a[2])).toEqual([
      '2027-05-03T08:00:00+02:00',
      '2027-06-21T08:00:00+02:00', // 7 days before 28 June
      '2027-06-24T08:00:00+02:00', // last business day before: midsommarafton is not one
      '2027-06-28T08:00:00+02:00', // the shifted deadline's own morning
      '2027-06-28T23:59:00+02:00',
      '2027-06-29T08:00:00+02:00',
      '2027-07-05T08:00:00+02:00',
    ]);
  });
});

describe('openings on days nobody works', () => {
  const onePhase = (phase: Record<string, unknown>, milestoneDate = '2027-11-23') =>
    planCycle(
      calendar({
        phases: [
          { id: 'kf-budget', kind: 'milestone', name: 'KF budget', owner: 'KF', date: milestoneDate },
          { id: 'x', kind: 'deliverable', name: 'X', audience: { boards: ['farsta'] }, ...phase } as never,
        ],
      }),
      smallRegistry,
    );

  it('moves an opening on midsommardagen to the next business day and plans the reminders from there', () => {
    const plan = onePhase({ opens: { date: '2027-06-26' }, deadline: '2027-07-05' });
    expect(plan.deliverables[0]?.opensOn).toBe('2027-06-28');
    expect(of(plan.actions, 'farsta', 'x').map((a) => `${a[0]} ${a[2]}`)).toEqual([
      'opening 2027-06-28T08:00:00+02:00',
      // 7 days before the deadline is the opening day itself: no reminder then.
      'reminder 2027-07-02T08:00:00+02:00', // the last business day before
      'reminder 2027-07-05T08:00:00+02:00',
      'deadline 2027-07-05T23:59:00+02:00',
      'escalation 2027-07-06T08:00:00+02:00',
      'escalation 2027-07-12T08:00:00+02:00',
    ]);
  });

  it('keeps an opening on midsommardagen when the phase says stay, with the reminder that day allows', () => {
    const plan = onePhase({ opens: { date: '2027-06-26' }, deadline: '2027-07-05', openingOnNonBusinessDay: 'stay' });
    expect(plan.deliverables[0]?.opensOn).toBe('2027-06-26');
    expect(
      of(plan.actions, 'farsta', 'x')
        .map((a) => `${a[0]} ${a[2]}`)
        .slice(0, 3),
    ).toEqual([
      'opening 2027-06-26T08:00:00+02:00',
      'reminder 2027-06-28T08:00:00+02:00', // 7 days before the deadline
      'reminder 2027-07-02T08:00:00+02:00',
    ]);
  });

  it('opens a phase whose milestone falls on a Sunday on the Monday, still marked as waiting for it', () => {
    const plan = onePhase({ opens: { afterMilestone: 'kf-budget' }, deadline: '2028-01-28' }, '2027-11-21');
    expect(plan.actions.find((a) => a.id === 'x/farsta/opening')).toMatchObject({
      instant: '2027-11-22T08:00:00+01:00',
      afterMilestone: 'kf-budget',
    });
  });
});

describe('planner properties', () => {
  const registry = smallRegistry;
  const farsta = findOrganisation(registry, 'farsta')!;
  const stokab = findOrganisation(registry, 'stokab')!;
  const dateArb = fc.integer({ min: 0, max: 3 * 365 }).map((offset) => addDays('2026-01-01', offset));
  const phaseArb = fc.record({
    opensOn: dateArb,
    length: fc.integer({ min: 1, max: 120 }),
    coversPeriod: fc.boolean(),
    company: fc.boolean(),
  });

  const planFor = (
    p: { opensOn: string; length: number; coversPeriod: boolean; company: boolean },
    deadline?: string,
  ) => {
    const cal = calendar();
    const phase = cycleCalendarSchema.shape.phases.element.parse({
      id: 'p',
      kind: 'deliverable',
      name: 'P',
      opens: { date: p.opensOn },
      deadline: deadline ?? addDays(p.opensOn, p.length),
      coversPeriod: p.coversPeriod,
    });
    if (phase.kind !== 'deliverable') throw new Error('unreachable');
    const board = p.company ? stokab : farsta;
    return planDeliverable({
      calendar: cal,
      phase,
      board,
      opensOn: p.opensOn,
      deadline: deadline ?? phase.deadline,
      ...laddersFor(registry, phase, board, p.opensOn),
    });
  };

  it('puts every notification on a business day at 08:00 Stockholm time, and the deadline on a business day', () => {
    fc.assert(
      fc.property(phaseArb, (p) => {
        const plan = planFor(p);
        for (const action of plan.actions) {
          const instant = new Date(action.instant);
          expect(localDateOf(instant, TZ)).toBe(action.localDate);
          if (action.kind === 'deadline') {
            expect(isBusinessDay(action.localDate)).toBe(true);
            expect(localTimeOf(instant, TZ)).toBe('23:59');
          } else if (action.kind !== 'opening') {
            expect(isBusinessDay(action.localDate)).toBe(true);
            expect(localTimeOf(instant, TZ)).toBe('08:00');
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it('sends reminders after opening and before the deadline, escalations after it, in time order', () => {
    fc.assert(
      fc.property(phaseArb, (p) => {
        const plan = planFor(p);
        const deadline = Date.parse(plan.deadlineAt);
        const opening = Date.parse(plan.actions[0]!.instant);
        for (const action of plan.actions) {
          const t = Date.parse(action.instant);
          if (action.kind === 'reminder') expect(t > opening && t < deadline).toBe(true);
          if (action.kind === 'escalation') expect(t).toBeGreaterThan(deadline);
        }
        const times = plan.actions.map((a) => Date.parse(a.instant));
        expect(times).toEqual([...times].sort((a, b) => a - b));
      }),
      { numRuns: 300 },
    );
  });

  it('opens every phase at 08:00 on the first business day on or after its given day, unless it says stay, and the cycle wakes then', () => {
    const ruleArb = fc.constantFrom(undefined, 'move' as const, 'stay' as const);
    fc.assert(
      fc.property(
        dateArb,
        fc.boolean(),
        fc.integer({ min: 1, max: 120 }),
        ruleArb,
        ruleArb,
        (given, byMilestone, length, phaseRule, calendarRule) => {
          const cal = calendar({
            ...(calendarRule && { openingOnNonBusinessDay: calendarRule }),
            phases: [
              { id: 'm', kind: 'milestone', name: 'M', owner: 'KF', date: given },
              {
                id: 'p',
                kind: 'deliverable',
                name: 'P',
                audience: { boards: ['farsta'] },
                opens: byMilestone ? { afterMilestone: 'm' } : { date: given },
                deadline: addDays(given, length + 7),
                ...(phaseRule && { openingOnNonBusinessDay: phaseRule }),
              },
            ],
          });
          const opening = planCycle(cal, registry).actions.find((a) => a.kind === 'opening')!;
          expect(localTimeOf(new Date(opening.instant), TZ)).toBe('08:00');
          expect(localDateOf(new Date(opening.instant), TZ)).toBe(opening.localDate);
          if ((phaseRule ?? calendarRule) === 'stay') {
            expect(opening.localDate).toBe(given);
          } else {
            expect(opening.localDate >= given).toBe(true);
            expect(isBusinessDay(opening.localDate)).toBe(true);
            // No business day was skipped between the given day and the opening.
            for (let day = given; day < opening.localDate; day = addDays(day, 1)) {
              expect([day, isBusinessDay(day)]).toEqual([day, false]);
            }
          }
          // The cycle sleeps until the instant the opening mail is planned for, not the given day.
          if (!byMilestone) expect(Date.parse(scheduledOpenings(cal).p!)).toBe(Date.parse(opening.instant));
        },
      ),
      { numRuns: 400 },
    );
  });

  it('replans a moved deadline exactly as planning the cycle from scratch with the new deadline', () => {
    // The workflow keeps its spec and replans with another deadline; the result must equal what
    // planCycle makes of a calendar that had the new deadline from the start.
    fc.assert(
      fc.property(phaseArb, fc.integer({ min: -30, max: 60 }), (p, shift) => {
        const cal = (deadline: string) =>
          calendar({
            phases: [
              {
                id: 'p',
                kind: 'deliverable',
                name: 'P',
                opens: { date: p.opensOn },
                deadline,
                coversPeriod: p.coversPeriod,
              },
            ],
          });
        const oldDeadline = addDays(p.opensOn, p.length);
        const newDeadline = addDays(oldDeadline, shift);
        fc.pre(newDeadline > p.opensOn);
        const board = p.company ? 'stokab' : 'farsta';
        const spec = deliverableSpecs(cal(oldDeadline), registry).find((s) => s.board.id === board)!;
        const replanned = planDeliverable({ ...spec, deadline: newDeadline });
        const fresh = planCycle(cal(newDeadline), registry).deliverables.find((d) => d.boardId === board)!;
        expect(replanned).toEqual(fresh);
      }),
      { numRuns: 200 },
    );
  });
});
