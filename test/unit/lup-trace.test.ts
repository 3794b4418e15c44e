import { KfDecision, TraceInput, traceMeasures } from '../../src/domain/lup-trace';

const due = {
  budgetunderlag: '2026-04-30',
  'kf-beslut': '2026-12-14',
  'tertialrapport-1': '2027-05-19',
  'tertialrapport-2': '2027-09-17',
  verksamhetsberattelse: '2028-02-18',
};
const measure = { boardId: 'farsta', measureId: 'torget', title: 'Nytt torg', ownerId: 'farsta', cost: 5_000_000 };
const budget = { 'lup-atgarder': { torget: { 'atgard-kostnad': 5000, 'atgard-finansiering': 'utokad-ram' } } };
const followUp = (status: string) => ({ 'lup-atgarder': { torget: { 'atgard-status': status } } });
const decision: KfDecision = {
  boardId: 'farsta',
  measureId: 'torget',
  outcome: 'delvis-finansierad',
  reference: 'KF 2026-12-14 §5',
};

const complete = (over: Partial<TraceInput> = {}): TraceInput => ({
  today: '2028-03-01',
  due,
  measures: [measure],
  budgetunderlag: new Map([['farsta', budget]]),
  decisions: [decision],
  followUps: {
    'tertialrapport-1': new Map([['farsta', followUp('pagar')]]),
    'tertialrapport-2': new Map([['farsta', followUp('pagar')]]),
    verksamhetsberattelse: new Map([['farsta', followUp('klar')]]),
  },
  ...over,
});
const stepOf = (input: TraceInput, step: string) => traceMeasures(input)[0]!.steps.find((s) => s.step === step)!;

describe('traceMeasures', () => {
  it('shows every step done with its cost, decision and follow-up status', () => {
    const [trace] = traceMeasures(complete());
    expect(trace!.steps.map((s) => [s.step, s.state, s.gaps])).toEqual([
      ['budgetunderlag', 'klar', []],
      ['kf-beslut', 'klar', []],
      ['tertialrapport-1', 'klar', []],
      ['tertialrapport-2', 'klar', []],
      ['verksamhetsberattelse', 'klar', []],
    ]);
    expect(trace!.steps[0]!.cost).toBe(5000);
    expect(trace!.steps[1]!.decision).toEqual({ outcome: 'delvis-finansierad', reference: 'KF 2026-12-14 §5' });
    expect(trace!.steps[4]!.followUpStatus).toBe('klar');
  });

  it('budgetunderlag not submitted, measure absent, cost or financing missing', () => {
    expect(stepOf(complete({ budgetunderlag: new Map() }), 'budgetunderlag')).toMatchObject({
      state: 'saknas',
      gaps: ['underlag-ej-inlamnat'],
    });
    const other = { 'lup-atgarder': { annat: { 'atgard-kostnad': 1 } } };
    expect(stepOf(complete({ budgetunderlag: new Map([['farsta', other]]) }), 'budgetunderlag')).toMatchObject({
      state: 'saknas',
      gaps: ['atgard-saknas-i-underlag'],
    });
    const noCost = { 'lup-atgarder': { torget: { 'atgard-finansiering': 'inom-ram' } } };
    expect(stepOf(complete({ budgetunderlag: new Map([['farsta', noCost]]) }), 'budgetunderlag')).toMatchObject({
      state: 'saknas',
      gaps: ['kostnad-saknas'],
    });
    const noFinancing = { 'lup-atgarder': { torget: { 'atgard-kostnad': 10 } } };
    expect(stepOf(complete({ budgetunderlag: new Map([['farsta', noFinancing]]) }), 'budgetunderlag')).toMatchObject({
      state: 'saknas',
      gaps: ['finansiering-saknas'],
    });
  });

  it('a measure a service board carries out needs that board’s budgetunderlag too', () => {
    const owned = { ...measure, ownerId: 'trafiknamnden' };
    expect(stepOf(complete({ measures: [owned] }), 'budgetunderlag')).toMatchObject({
      state: 'saknas',
      gaps: ['agarens-underlag-ej-inlamnat'],
    });
    const both = new Map<string, unknown>([
      ['farsta', budget],
      ['trafiknamnden', {}],
    ]);
    expect(stepOf(complete({ measures: [owned], budgetunderlag: both }), 'budgetunderlag').state).toBe('klar');
  });

  it('KF decision missing; another measure’s decision does not count', () => {
    const elsewhere = { ...decision, measureId: 'parken' };
    expect(stepOf(complete({ decisions: [elsewhere] }), 'kf-beslut')).toMatchObject({
      state: 'saknas',
      gaps: ['beslut-saknas'],
    });
  });

  it.each(['tertialrapport-1', 'tertialrapport-2', 'verksamhetsberattelse'] as const)(
    '%s not submitted or not following the measure up',
    (step) => {
      const followUps = { ...complete().followUps, [step]: new Map() };
      expect(stepOf(complete({ followUps }), step)).toMatchObject({ state: 'saknas', gaps: ['rapport-ej-inlamnad'] });
      const silent = { ...complete().followUps, [step]: new Map([['farsta', followUp('')]]) };
      expect(stepOf(complete({ followUps: silent }), step)).toMatchObject({
        state: 'saknas',
        gaps: ['uppfoljning-saknas'],
      });
    },
  );

  it.each(['tertialrapport-1', 'tertialrapport-2', 'verksamhetsberattelse'] as const)(
    '%s: a measure a service board owns is followed up by the owner, whose status it shows',
    (step) => {
      const owned = { ...measure, ownerId: 'trafiknamnden' };
      const answered = (status: string) => ({
        'ansvariga-lup-atgarder': { 'farsta-torget': { 'agar-status': status, 'agar-kommentar': 'Bygget pågår' } },
      });
      const reports = (...boards: Array<[string, unknown]>) => ({ ...complete().followUps, [step]: new Map(boards) });
      // The district's report alone does not follow up a measure it does not own.
      expect(stepOf(complete({ measures: [owned] }), step)).toMatchObject({
        state: 'saknas',
        gaps: ['agarens-rapport-ej-inlamnad'],
      });
      const silent = reports(['farsta', followUp('pagar')], ['trafiknamnden', {}]);
      expect(stepOf(complete({ measures: [owned], followUps: silent }), step)).toMatchObject({
        state: 'saknas',
        gaps: ['agarens-uppfoljning-saknas'],
      });
      // Another district's measure of the same name is not this one.
      const elsewhere = reports([
        'trafiknamnden',
        { 'ansvariga-lup-atgarder': { 'skarpnack-torget': { 'agar-status': 'klar' } } },
      ]);
      expect(stepOf(complete({ measures: [owned], followUps: elsewhere }), step).gaps).toEqual([
        'agarens-uppfoljning-saknas',
      ]);
      // The owner's answer is the step, whatever the district said.
      const done = reports(['farsta', followUp('klar')], ['trafiknamnden', answered('forsenad')]);
      expect(stepOf(complete({ measures: [owned], followUps: done }), step)).toMatchObject({
        state: 'klar',
        gaps: [],
        followUpStatus: 'forsenad',
      });
      expect(
        stepOf(complete({ measures: [owned], followUps: reports(['trafiknamnden', answered('pagar')]) }), step),
      ).toMatchObject({
        state: 'klar',
        followUpStatus: 'pagar',
      });
    },
  );

  it('a step not done is not yet due up to and including its due day, missing the day after', () => {
    const early = complete({ today: '2026-12-14', decisions: [], followUps: {} });
    const states = traceMeasures(early)[0]!.steps.map((s) => s.state);
    expect(states).toEqual(['klar', 'ej-aktuell-an', 'ej-aktuell-an', 'ej-aktuell-an', 'ej-aktuell-an']);
    expect(stepOf({ ...early, today: '2026-12-15' }, 'kf-beslut').state).toBe('saknas');
    // The gaps are named before the due date too: the board sees what it still has to do.
    expect(stepOf(early, 'kf-beslut').gaps).toEqual(['beslut-saknas']);
    // A step the cycle has no date for is never missing.
    expect(stepOf({ ...early, due: {} }, 'tertialrapport-1').state).toBe('ej-aktuell-an');
  });
});
