import {
  areaPartsOfPlan,
  focusOfAnalysis,
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

  it('reads an analysis’s focus: the main goal, the focus areas with their indicators, the indicators per goal', () => {
    const analysis = {
      analys: {
        sammanhallen: {
          'mal-analys': 'Trångboddhet och låg valdeltagande.',
          indikatorer: [
            { indikator: 'Valdeltagande', utgangsvarde: 61.5, ar: 2026, kalla: 'Valmyndigheten' },
            { utgangsvarde: 3 },
          ],
        },
        klimatsmart: { 'mal-analys': 'Få laddplatser.', indikatorer: [] },
        ekonomiskt: { 'mal-analys': 'Utan tabell.' },
      },
      fokus: {
        huvudfokus: 'sammanhallen',
        fokusomraden: [
          { omrade: 'Hökarängen', behov: 'Otrygghet kring centrum', indikator: 'Känner sig trygga', utgangsvarde: 54 },
          { omrade: 'Fagersjö', indikator: 'Andel i arbete', utgangsvarde: 62, ar: 2025 },
          { omrade: ' hökarängen ', behov: 'Annat behov', indikator: 'Besök på fritidsgården', utgangsvarde: 0 },
          { omrade: 'Fagersjö', behov: 'Hög arbetslöshet', indikator: '  ' },
          { behov: 'Rad utan område', indikator: 'Bortglömd', utgangsvarde: 1 },
        ],
      },
    };
    expect(focusOfAnalysis(analysis)).toEqual({
      mainFocus: 'sammanhallen',
      areas: [
        {
          name: 'Hökarängen',
          needs: 'Otrygghet kring centrum',
          indicators: [
            { name: 'Känner sig trygga', baseline: 54 },
            { name: 'Besök på fritidsgården', baseline: 0 },
          ],
        },
        {
          name: 'Fagersjö',
          needs: 'Hög arbetslöshet',
          indicators: [{ name: 'Andel i arbete', baseline: 62, year: 2025 }],
        },
      ],
      indicatorsByGoal: [
        {
          goal: 'sammanhallen',
          indicators: [{ name: 'Valdeltagande', baseline: 61.5, year: 2026, source: 'Valmyndigheten' }],
        },
      ],
    });
    // Version 1's free text, or nothing at all, yields no areas rather than a failure.
    expect(focusOfAnalysis({ fokus: { 'geografiskt-fokus': 'Hökarängen' } })).toEqual({
      areas: [],
      indicatorsByGoal: [],
    });
    expect(focusOfAnalysis(undefined)).toEqual({ areas: [], indicatorsByGoal: [] });
  });
});
