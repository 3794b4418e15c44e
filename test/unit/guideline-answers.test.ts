import {
  areaPartsOfPlan,
  followUpsOf,
  mainFocusOfAnalysis,
  measuresOfProgramme,
  programmeProblems,
} from '../../src/domain/guideline-answers';

describe('the guidelines’ data in a board’s answers', () => {
  const programme = {
    atgarder: {
      atgarder: [
        {
          id: 'fritidsgard',
          titel: 'Ny fritidsgård i Hökarängen',
          mal: 'sammanhallen',
          storre: 'ja',
          omrade: 'farsta',
          kostnad: 1_000_000,
        },
        { id: 'belysning', titel: 'Bättre belysning', mal: 'klimatsmart', storre: 'nej' },
        { titel: 'Utan kortnamn' },
      ],
    },
  };

  it('reads a LUP programme’s measures from its table, larger ones marked', () => {
    expect(measuresOfProgramme(programme)).toEqual([
      {
        id: 'fritidsgard',
        title: 'Ny fritidsgård i Hökarängen',
        goal: 'sammanhallen',
        larger: true,
        priorityArea: 'farsta',
        cost: 1_000_000,
      },
      { id: 'belysning', title: 'Bättre belysning', goal: 'klimatsmart', larger: false },
    ]);
    expect(measuresOfProgramme({})).toEqual([]);
  });

  it('reads a measure’s owner, cost and indicator with its target; the old free-text owner is not read', () => {
    const owned = {
      atgarder: {
        atgarder: [
          {
            id: 'fritidsgard',
            titel: 'Fritidsgård',
            storre: 'ja',
            agare: 'idrottsnamnden',
            kostnad: 2_500_000,
            indikator: 'Besökare per vecka',
            malvarde: '200',
          },
          { id: 'belysning', titel: 'Belysning', storre: 'nej', ansvarig: 'Trafiknämnden', kostnad: 0 },
        ],
      },
    };
    expect(measuresOfProgramme(owned)).toEqual([
      {
        id: 'fritidsgard',
        title: 'Fritidsgård',
        larger: true,
        ownerId: 'idrottsnamnden',
        cost: 2_500_000,
        indicators: [{ name: 'Besökare per vecka', target: '200' }],
      },
      { id: 'belysning', title: 'Belysning', larger: false, cost: 0 },
    ]);
    expect(programmeProblems(owned)).toEqual([]);
  });

  it('refuses a larger measure without its cost, and an indicator without its target, naming the cell', () => {
    const row = { id: 'fritidsgard', titel: 'Fritidsgård', storre: 'ja', kostnad: 100 };
    const table = (...rows: object[]) => ({ atgarder: { atgarder: rows } });
    expect(
      programmeProblems(table({ id: 'liten', titel: 'Liten', storre: 'nej' }, { ...row, kostnad: undefined })),
    ).toEqual([
      {
        field: 'answers.atgarder.atgarder[1].kostnad',
        problem: 'a larger measure needs its cost (the trace follows it to the council’s budget)',
        code: 'required',
      },
    ]);
    expect(programmeProblems(table({ ...row, indikator: 'Besökare' }))).toEqual([
      {
        field: 'answers.atgarder.atgarder[0].malvarde',
        problem: 'an indicator and its target go together',
        code: 'required',
      },
    ]);
    expect(programmeProblems(table({ ...row, malvarde: '200' }))[0]?.field).toBe(
      'answers.atgarder.atgarder[0].indikator',
    );
  });

  it('refuses a programme without measures, or with a malformed or repeated short name, naming the cell', () => {
    expect(programmeProblems({})).toEqual([
      { field: 'answers.atgarder.atgarder', problem: 'must name at least one measure', code: 'required' },
    ]);
    expect(programmeProblems(programme)).toEqual([
      {
        field: 'answers.atgarder.atgarder[2].id',
        problem: 'must be lower-case letters, digits and dashes',
        code: 'not-a-slug',
      },
    ]);
    const twice = {
      atgarder: {
        atgarder: [
          { id: 'a', titel: 'A' },
          { id: 'a', titel: 'B' },
        ],
      },
    };
    expect(programmeProblems(twice)).toEqual([
      { field: 'answers.atgarder.atgarder[1].id', problem: 'a appears twice', code: 'duplicate', params: { id: 'a' } },
    ]);
  });

  it('reads the analysis’s main focus, a plan’s parts per priority area and a report’s follow-ups', () => {
    expect(mainFocusOfAnalysis({ fokus: { huvudfokus: 'klimatsmart' } })).toBe('klimatsmart');
    expect(mainFocusOfAnalysis({ fokus: {} })).toBeUndefined();
    expect(
      areaPartsOfPlan({
        'prioriterade-omraden': {
          farsta: {
            'omrade-namndmal': 'Fler i arbete\nTryggare centrum',
            'omrade-aktiviteter': [{ aktivitet: 'Feriejobb' }],
          },
          jarva: { 'omrade-ingen-del': 'Ingen verksamhet där' },
        },
      }),
    ).toEqual([
      { areaId: 'farsta', nämndmål: ['Fler i arbete', 'Tryggare centrum'], aktiviteter: ['Feriejobb'] },
      { areaId: 'jarva', nämndmål: [], aktiviteter: [], ingenDel: 'Ingen verksamhet där' },
    ]);
    expect(
      followUpsOf({
        'lup-atgarder': { fritidsgard: { 'atgard-status': 'pagar', 'atgard-kommentar': 'Bygglov klart' } },
        'prioriterade-omraden': { farsta: { 'omrade-status': 'klar' }, jarva: {} },
      }),
    ).toEqual([
      { ref: 'measure:fritidsgard', status: 'pagar', comment: 'Bygglov klart' },
      { ref: 'area:farsta', status: 'klar' },
    ]);
  });

  it('reads the annual report’s results as the follow-up’s comment (its questions are named *-resultat)', () => {
    expect(
      followUpsOf({
        'lup-atgarder': { fritidsgard: { 'atgard-status': 'klar', 'atgard-resultat': 'Gården öppnade i maj' } },
        'prioriterade-omraden': { farsta: { 'omrade-status': 'pagar', 'omrade-resultat': 'Feriejobb för 40 unga' } },
      }),
    ).toEqual([
      { ref: 'measure:fritidsgard', status: 'klar', comment: 'Gården öppnade i maj' },
      { ref: 'area:farsta', status: 'pagar', comment: 'Feriejobb för 40 unga' },
    ]);
  });
});
