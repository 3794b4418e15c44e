import {
  applyConsultation,
  applyDialogue,
  applyDialoguePart,
  applyHandOver,
  applyMeasureStatus,
  applyReceive,
  applyRevision,
  applyStage,
  checkConsultation,
  checkDialogue,
  checkDialoguePart,
  checkHandOver,
  checkMeasureStatus,
  checkReceive,
  checkRevision,
  checkStage,
  initialLupState,
  LupState,
  stageOf,
} from '../../src/domain/lup-state';

const thrown = (f: () => unknown): unknown => {
  try {
    f();
  } catch (error) {
    return error;
  }
  throw new Error('expected a refusal');
};

const dialogue = {
  id: 'trygghet-2027',
  need: 'Otrygghet kring torget',
  question: 'Vad gör torget tryggare?',
  forms: ['trygghetsvandring'],
  roomForInfluence: 'Val av tre åtgärder',
  participants: [
    { group: 'invanare', count: 40 },
    { group: 'medarbetare', count: 4 },
  ],
  heldOn: '2027-02-01',
  outcome: 'Belysning först',
  feedback: 'Brev till deltagarna 2027-03-01',
  by: 'Farsta',
};
const programmeAnswers = {
  atgarder: {
    atgarder: [
      { id: 'belysning', titel: 'Bättre belysning', storre: 'ja', mal: 'trygg', kostnad: 300_000 },
      { id: 'laxhjalp', titel: 'Läxhjälp', storre: 'nej' },
    ],
  },
};
const adoptIn = (state: LupState, year: number, on: string): LupState =>
  applyStage(
    state,
    checkStage(state, {
      stage: 'programme',
      budgetYear: year,
      phaseId: 'lup-program',
      content: programmeAnswers,
      decisionDate: on,
      documentRef: `Dnr ${year}/12`,
      on,
      by: 'Farsta',
    }),
  );

const adopted = (): LupState => {
  let s = initialLupState('farsta');
  s = applyDialogue(s, checkDialogue(s, dialogue));
  return adoptIn(s, 2027, '2027-04-20');
};

describe('a district’s programme across budget years', () => {
  it('adopts version 1 with the board’s decision, the measures owned by the district and planned', () => {
    const s = adopted();
    expect(stageOf(s)).toBe('i-kraft');
    expect(s.programme).toMatchObject({
      number: 1,
      adoptedOn: '2027-04-20',
      reference: 'Dnr 2027/12',
      budgetYear: 2027,
      versions: [{ version: 1, added: ['belysning', 'laxhjalp'], changed: [], ended: [] }],
    });
    expect(s.programme!.measures[0]).toMatchObject({
      id: 'belysning',
      ownerId: 'farsta',
      goal: 'trygg',
      larger: true,
      cost: 300_000,
      status: 'planerad',
    });
  });

  it('adopts the owner, cost and indicator the programme’s table names; a larger measure needs its cost', () => {
    let s = initialLupState('farsta');
    s = applyDialogue(s, checkDialogue(s, dialogue));
    const base = { stage: 'programme', budgetYear: 2027, phaseId: 'lup-program', decisionDate: '2027-04-20' };
    const row = { id: 'gard', titel: 'Fritidsgård', storre: 'ja', agare: 'idrottsnamnden', kostnad: 2_500_000 };
    const input = (r: object) => ({
      ...base,
      content: { atgarder: { atgarder: [r] } },
      on: '2027-04-20',
      by: 'Farsta',
    });
    s = applyStage(s, checkStage(s, input({ ...row, indikator: 'Besökare per vecka', malvarde: '200' })));
    expect(s.programme!.measures[0]).toMatchObject({
      ownerId: 'idrottsnamnden',
      cost: 2_500_000,
      larger: true,
      indicators: [{ name: 'Besökare per vecka', target: '200' }],
    });
    expect(thrown(() => checkStage(s, input({ ...row, kostnad: undefined })))).toMatchObject({
      field: 'answers.atgarder.atgarder[0].kostnad',
      code: 'required',
    });
  });

  it('refuses a programme without a dialogue behind it, and a follow-up without a programme', () => {
    const s = initialLupState('farsta');
    const base = { budgetYear: 2027, phaseId: 'p', on: '2027-04-20', by: 'Farsta' };
    expect(
      thrown(() =>
        checkStage(s, { ...base, stage: 'programme', content: programmeAnswers, decisionDate: '2027-04-20' }),
      ),
    ).toMatchObject({ field: 'dialogues', code: 'dialogue-required' });
    expect(thrown(() => checkStage(s, { ...base, stage: 'follow-up', content: {} }))).toMatchObject({
      field: 'programme',
      code: 'no-programme',
    });
  });

  it('revises: each revision a version with what was added, changed and ended, and why', () => {
    let s = adopted();
    const revision = {
      basedOnVersion: 1,
      on: '2028-03-01',
      reason: 'Ny analys 2028',
      add: [
        {
          id: 'ungdomsgard',
          title: 'Ungdomsgård i Hökarängen',
          ownerId: 'idrottsnamnden',
          goal: 'trygg',
          indicators: [{ name: 'Besökare per vecka', target: '200' }],
          cost: 2_500_000,
          larger: true,
        },
      ],
      change: [{ id: 'laxhjalp', title: 'Läxhjälp på biblioteket', ownerId: 'kulturnamnden' }],
      end: ['belysning'],
      by: 'Farsta',
    };
    s = applyRevision(s, checkRevision(s, revision));
    expect(s.programme!.versions[1]).toMatchObject({
      version: 2,
      reason: 'Ny analys 2028',
      added: ['ungdomsgard'],
      changed: ['laxhjalp'],
      ended: ['belysning'],
    });
    const byId = Object.fromEntries(s.programme!.measures.map((m) => [m.id, m]));
    expect(byId.belysning).toMatchObject({ status: 'avslutad' });
    expect(byId.belysning!.statusHistory.map((h) => h.status)).toEqual(['planerad', 'avslutad']);
    expect(byId.laxhjalp).toMatchObject({
      title: 'Läxhjälp på biblioteket',
      ownerId: 'kulturnamnden',
      status: 'planerad',
    });
    expect(byId.ungdomsgard).toMatchObject({ cost: 2_500_000, larger: true, status: 'planerad' });

    // The same revision again, made from version 1: refused, nothing lost.
    expect(thrown(() => checkRevision(s, revision))).toMatchObject({
      field: 'basedOnVersion',
      code: 'programme-revised-meanwhile',
      params: { version: 2 },
    });
  });

  it('refuses revisions that name what is not there, what has ended, nothing, or one measure twice', () => {
    const s = adopted();
    const base = { on: '2028-03-01', reason: 'Skäl', by: 'Farsta' };
    const m = (id: string) => ({ id, title: 'T', ownerId: 'farsta' });
    expect(thrown(() => checkRevision(s, { ...base, change: [m('okand')] }))).toMatchObject({
      field: 'change.0.id',
      code: 'unknown-measure',
    });
    expect(thrown(() => checkRevision(s, { ...base, add: [m('belysning')] }))).toMatchObject({
      field: 'add.0.id',
      code: 'duplicate',
    });
    expect(thrown(() => checkRevision(s, { ...base, change: [m('laxhjalp')], end: ['laxhjalp'] }))).toMatchObject({
      field: 'end.0',
      code: 'duplicate',
    });
    expect(thrown(() => checkRevision(s, base))).toMatchObject({ field: 'add', code: 'revision-empty' });
    expect(thrown(() => checkRevision(s, { ...base, reason: ' ', end: ['laxhjalp'] }))).toMatchObject({
      field: 'reason',
    });
    const ended = applyRevision(s, checkRevision(s, { ...base, end: ['laxhjalp'] }));
    expect(thrown(() => checkRevision(ended, { ...base, end: ['laxhjalp'] }))).toMatchObject({
      field: 'end.0',
      code: 'measure-ended',
    });
    expect(thrown(() => checkRevision(initialLupState('farsta'), { ...base, end: ['x'] }))).toMatchObject({
      field: 'programme',
      code: 'no-programme',
    });
  });

  it('sets a measure’s status over time, refusing the same status, an ended measure and ending without a revision', () => {
    let s = adopted();
    const set = (status: string, on: string) => ({ measureId: 'belysning', status, on, by: 'Farsta' });
    s = applyMeasureStatus(s, checkMeasureStatus(s, set('pagar', '2027-06-01')));
    s = applyMeasureStatus(s, checkMeasureStatus(s, { ...set('genomford', '2027-12-01'), note: 'Klart' }));
    expect(s.programme!.measures[0]!.statusHistory).toEqual([
      { status: 'planerad', on: '2027-04-20', by: 'Farsta' },
      { status: 'pagar', on: '2027-06-01', by: 'Farsta' },
      { status: 'genomford', on: '2027-12-01', by: 'Farsta', note: 'Klart' },
    ]);
    expect(thrown(() => checkMeasureStatus(s, set('genomford', '2028-01-01')))).toMatchObject({
      field: 'status',
      code: 'unchanged',
    });
    expect(thrown(() => checkMeasureStatus(s, set('avslutad', '2028-01-01')))).toMatchObject({ field: 'status' });
    expect(thrown(() => checkMeasureStatus(s, set('klar', '2028-01-01')))).toMatchObject({ field: 'status' });
    expect(thrown(() => checkMeasureStatus(s, { ...set('pagar', '2028-01-01'), measureId: 'nej' }))).toMatchObject({
      field: 'measureId',
      code: 'unknown-measure',
    });
  });

  it('records follow-ups per budget year and phase against the programme in force; a new programme replaces the old', () => {
    let s = adopted();
    const followUp = (year: number, phaseId: string) =>
      applyStage(
        s,
        checkStage(s, {
          stage: 'follow-up',
          budgetYear: year,
          phaseId,
          content: {},
          on: `${year}-05-10`,
          by: 'Farsta',
        }),
      );
    s = followUp(2027, 'tertialrapport-1');
    s = followUp(2027, 'tertialrapport-1');
    s = followUp(2028, 'verksamhetsberattelse');
    expect(s.followUps.map((f) => [f.budgetYear, f.phaseId, f.programme])).toEqual([
      [2027, 'tertialrapport-1', 1],
      [2028, 'verksamhetsberattelse', 1],
    ]);
    s = adoptIn(s, 2029, '2029-04-22');
    expect(s.programme).toMatchObject({ number: 2, adoptedOn: '2029-04-22', versions: [{ version: 1 }] });
    expect(s.replaced.map((p) => [p.number, p.replacedOn])).toEqual([[1, '2029-04-22']]);
    s = followUp(2029, 'tertialrapport-1');
    expect(s.followUps.at(-1)).toMatchObject({ budgetYear: 2029, programme: 2 });
  });

  it('records consultations with other boards, once each', () => {
    let s = initialLupState('farsta');
    const c = {
      id: 'trafik-1',
      withBoardId: 'trafiknamnden',
      heldOn: '2027-01-20',
      said: 'Belysning 2028',
      by: 'Farsta',
    };
    s = applyConsultation(s, checkConsultation(s, c));
    expect(s.consultations).toEqual([{ ...c, boardId: 'farsta' }]);
    expect(thrown(() => checkConsultation(s, c))).toMatchObject({ field: 'id', code: 'duplicate' });
    expect(thrown(() => checkConsultation(s, { ...c, id: 'x', withBoardId: 'farsta' }))).toMatchObject({
      field: 'withBoardId',
    });
  });

  it('hands the programme to the successor on a merger; the predecessor records nothing more', () => {
    let old = adopted();
    const h = checkHandOver(old, { to: 'jarva', on: '2028-07-01', by: 'SLK' })!;
    old = applyHandOver(old, h);
    expect(stageOf(old)).toBe('overlamnat');
    // Asked again for the same successor: one hand-over.
    expect(checkHandOver(old, { to: 'jarva', on: '2028-07-02', by: 'SLK' })).toBeUndefined();
    expect(thrown(() => checkHandOver(old, { to: 'annan', on: '2028-07-02', by: 'SLK' }))).toMatchObject({
      code: 'handed-over',
    });
    expect(thrown(() => checkDialogue(old, { ...dialogue, id: 'ny' }))).toMatchObject({ code: 'handed-over' });

    let successor = initialLupState('jarva');
    expect(checkReceive(successor, old)).toBe(true);
    successor = applyReceive(successor, old);
    expect(successor.programme).toMatchObject({
      number: 1,
      boardId: 'farsta',
      measures: [{ id: 'belysning' }, { id: 'laxhjalp' }],
    });
    expect(successor.dialogues.map((d) => [d.id, d.boardId])).toEqual([['trygghet-2027', 'farsta']]);
    expect(checkReceive(successor, old)).toBe(false);
    expect(thrown(() => checkReceive(initialLupState('annan'), old))).toMatchObject({ field: 'from' });

    // A successor with its own programme keeps it; the predecessor's is kept as replaced.
    const own = adopted();
    const withOwn = applyReceive({ ...own, boardId: 'jarva' }, old);
    expect(withOwn.programme!.number).toBe(1);
    expect(withOwn.replaced.map((p) => [p.number, p.boardId])).toEqual([[2, 'farsta']]);
  });
});

describe('a service board’s part in a district’s dialogue', () => {
  const at = '2027-05-02T08:00:00.000Z';
  const part = {
    dialogueId: 'trygghet-2027',
    serviceBoardId: 'trafiknamnden',
    contribution: 'Ny belysning på gångvägen',
    by: 'person:7',
  };
  // Farsta consulted the traffic board; Kulturnämnden owns a measure after a revision.
  const concerned = (): LupState => {
    let s = adopted();
    s = applyConsultation(
      s,
      checkConsultation(s, {
        id: 'trafik',
        withBoardId: 'trafiknamnden',
        heldOn: '2027-01-10',
        said: 'Ja',
        by: 'Farsta',
      }),
    );
    return applyRevision(
      s,
      checkRevision(s, {
        on: '2027-05-01',
        reason: 'Kulturen tar över läxhjälpen',
        add: [{ id: 'kultur', title: 'Kulturskola', ownerId: 'kulturnamnden' }],
        by: 'Farsta',
      }),
    );
  };

  it('records what a consulted board or a measure’s owner contributed, by whom and when, in the order recorded', () => {
    let s = concerned();
    s = applyDialoguePart(s, checkDialoguePart(s, part, at));
    s = applyDialoguePart(
      s,
      checkDialoguePart(
        s,
        { ...part, serviceBoardId: 'kulturnamnden', contribution: 'Lokaler på kvällstid', by: 'person:9' },
        at,
      ),
    );
    expect(s.dialogues[0]!.parts).toEqual([
      { boardId: 'trafiknamnden', contribution: 'Ny belysning på gångvägen', by: 'person:7', recordedAt: at },
      { boardId: 'kulturnamnden', contribution: 'Lokaler på kvällstid', by: 'person:9', recordedAt: at },
    ]);
    // The dialogue itself is unchanged.
    expect(s.dialogues[0]).toMatchObject({ id: 'trygghet-2027', question: dialogue.question });
  });

  it('refuses an unknown dialogue, a board the record does not name, the district itself and bad input, naming the field', () => {
    const s = concerned();
    expect(thrown(() => checkDialoguePart(s, { ...part, dialogueId: 'okand' }, at))).toMatchObject({
      field: 'dialogueId',
      code: 'unknown-dialogue',
    });
    expect(thrown(() => checkDialoguePart(s, { ...part, serviceBoardId: 'idrottsnamnden' }, at))).toMatchObject({
      field: 'serviceBoardId',
      code: 'not-concerned',
    });
    expect(thrown(() => checkDialoguePart(s, { ...part, serviceBoardId: 'farsta' }, at))).toMatchObject({
      field: 'serviceBoardId',
      code: 'not-concerned',
    });
    expect(thrown(() => checkDialoguePart(s, { ...part, contribution: '  ' }, at))).toMatchObject({
      field: 'contribution',
    });
    expect(thrown(() => checkDialoguePart(s, { ...part, contribution: 'x'.repeat(4001) }, at))).toMatchObject({
      field: 'contribution',
    });
    const handed = applyHandOver(s, checkHandOver(s, { to: 'norra', on: '2027-07-01', by: 'SLK' })!);
    expect(thrown(() => checkDialoguePart(handed, part, at))).toMatchObject({ code: 'handed-over' });
  });
});
