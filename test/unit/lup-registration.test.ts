import {
  applyHandOver,
  applyRegistration,
  applyStage,
  checkHandOver,
  checkRegistration,
  checkStage,
  checkStageAfter,
  initialLupState,
  LupState,
  progressOf,
  stageOf,
} from '../../src/domain/lup-state';

/**
 * Registering a programme the board adopted before Årshjul: in force as version 1, marked as
 * registered, no dialogue asked for; refused in the future, when a programme is in force, after a
 * hand-over; bad input names its field.
 */
const TODAY = '2026-12-01';
const registration = {
  decisionDate: '2023-11-16',
  reference: 'SDN 2023/412',
  measures: [
    { id: 'trygga-parker', title: 'Tryggare parker', ownerId: 'farsta' },
    {
      id: 'ungdomsgard',
      title: 'Ungdomsgård',
      ownerId: 'idrottsnamnden',
      goal: 'trygg',
      indicators: [{ name: 'Besökare per vecka', target: '200' }],
      cost: 2_500_000,
      larger: true,
    },
  ],
  period: { from: '2024-01-01', to: '2027-12-31' },
  by: 'Farsta',
};

const refusalOf = (f: () => unknown) => {
  try {
    f();
  } catch (error) {
    const e = error as { name?: string; field?: string; code?: string; params?: unknown };
    return { name: e.name, field: e.field, code: e.code, params: e.params };
  }
  throw new Error('expected a refusal');
};

const registered = (state: LupState = initialLupState('farsta')) =>
  applyRegistration(state, checkRegistration(state, registration, TODAY));

describe('registering a programme adopted before Årshjul', () => {
  it('puts it in force as version 1, marked as registered, with no dialogue recorded', () => {
    const state = registered();
    expect(state.dialogues).toHaveLength(0);
    expect(stageOf(state)).toBe('i-kraft');
    expect(state.programme).toMatchObject({
      number: 1,
      boardId: 'farsta',
      adoptedOn: '2023-11-16',
      reference: 'SDN 2023/412',
      period: { from: '2024-01-01', to: '2027-12-31' },
      registered: { on: TODAY, by: 'Farsta' },
    });
    expect(state.programme!.budgetYear).toBeUndefined();
    expect(state.programme!.versions).toEqual([
      {
        version: 1,
        on: '2023-11-16',
        by: 'Farsta',
        reference: 'SDN 2023/412',
        reason: 'Antaget av nämnden före Årshjul, registrerat i efterhand',
        added: ['trygga-parker', 'ungdomsgard'],
        changed: [],
        ended: [],
      },
    ]);
    expect(state.programme!.measures.map((m) => [m.id, m.ownerId, m.larger, m.status])).toEqual([
      ['trygga-parker', 'farsta', false, 'planerad'],
      ['ungdomsgard', 'idrottsnamnden', true, 'planerad'],
    ]);
  });

  it('lets the follow-up through that was refused before', () => {
    const followUp = {
      stage: 'follow-up',
      budgetYear: 2026,
      phaseId: 'lup-uppfoljning',
      content: {},
      on: TODAY,
      by: 'Farsta',
    };
    const before = initialLupState('farsta');
    expect(refusalOf(() => checkStageAfter(progressOf(before), followUp))).toMatchObject({ code: 'no-programme' });
    const after = registered(before);
    const state = applyStage(after, checkStage(after, followUp));
    expect(state.followUps).toMatchObject([{ budgetYear: 2026, programme: 1, version: 1 }]);
  });

  it('accepts a decision taken today, and no period', () => {
    const withoutPeriod = { ...registration, period: undefined };
    const state = initialLupState('farsta');
    const checked = checkRegistration(state, { ...withoutPeriod, decisionDate: TODAY }, TODAY);
    expect(applyRegistration(state, checked).programme!.period).toBeUndefined();
  });

  it('refuses a decision date after today', () => {
    expect(
      refusalOf(() =>
        checkRegistration(initialLupState('farsta'), { ...registration, decisionDate: '2026-12-02' }, TODAY),
      ),
    ).toEqual({ name: 'TransitionRefused', field: 'decisionDate', code: 'in-future', params: { today: TODAY } });
  });

  it('refuses when a programme is in force, whether registered or adopted in a phase', () => {
    expect(refusalOf(() => checkRegistration(registered(), registration, TODAY))).toMatchObject({
      field: 'programme',
      code: 'programme-in-force',
      params: { number: 1 },
    });
    let adopted = applyStage(initialLupState('farsta'), {
      stage: 'analysis',
      budgetYear: 2027,
      phaseId: 'lup-analys',
      content: {},
      on: '2026-03-01',
      by: 'Farsta',
    });
    adopted = { ...adopted, dialogues: [{ ...dialogueStub, boardId: 'farsta' }] };
    adopted = applyStage(
      adopted,
      checkStage(adopted, {
        stage: 'programme',
        budgetYear: 2027,
        phaseId: 'lup-program',
        content: { atgarder: { atgarder: [{ id: 'belysning', titel: 'Belysning', storre: 'nej' }] } },
        decisionDate: '2026-04-21',
        on: '2026-04-21',
        by: 'Farsta',
      }),
    );
    expect(refusalOf(() => checkRegistration(adopted, registration, TODAY))).toMatchObject({
      code: 'programme-in-force',
    });
  });

  it('refuses once the district has handed its programme over', () => {
    const state = initialLupState('farsta');
    const handed = applyHandOver(state, checkHandOver(state, { to: 'sodra', on: '2026-07-01', by: 'SLK' })!);
    expect(refusalOf(() => checkRegistration(handed, registration, TODAY))).toMatchObject({
      field: 'board',
      code: 'handed-over',
    });
  });

  it.each([
    ['decisionDate', { decisionDate: '16 november 2023' }, 'bad-date'],
    ['reference', { reference: '  ' }, 'required'],
    ['measures', { measures: [] }, undefined],
    ['measures.0.title', { measures: [{ id: 'a', title: '', ownerId: 'farsta' }] }, undefined],
    ['measures.0.id', { measures: [{ id: 'Stora Åtgärden', title: 'A', ownerId: 'farsta' }] }, undefined],
    ['measures.1.id', { measures: [registration.measures[0], registration.measures[0]] }, 'duplicate'],
    ['measures.0.cost', { measures: [{ id: 'a', title: 'A', ownerId: 'farsta', cost: -1 }] }, undefined],
    ['period.to', { period: { from: '2024-01-01', to: '2023-12-31' } }, 'before-from'],
    ['period.to', { period: { from: '2024-01-01' } }, undefined],
    ['oops', { oops: 1 }, undefined],
  ])('names the field %s for bad input', (field, change, code) => {
    const refusal = refusalOf(() =>
      checkRegistration(initialLupState('farsta'), { ...registration, ...change }, TODAY),
    );
    expect(refusal.field).toBe(field);
    expect(refusal.code).toEqual(code ?? expect.any(String));
  });
});

const dialogueStub = {
  id: 'd1',
  need: 'Behov',
  question: 'Fråga',
  forms: ['möte'],
  roomForInfluence: 'Stort',
  participants: [{ group: 'invanare' as const, count: 3 }],
  heldOn: '2026-02-01',
  by: 'Farsta',
};
