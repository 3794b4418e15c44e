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
});
