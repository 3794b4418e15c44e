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
      },
      { id: 'belysning', title: 'Bättre belysning', goal: 'klimatsmart', larger: false },
    ]);
    expect(measuresOfProgramme({})).toEqual([]);
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
