import { printableAnswers, templateTables } from '../../src/client/exports/template-answers';
import { parseReportTemplate } from '../../src/domain/report-template';

/** A report with a plain section (text, choice from the goals, a table) and one per priority area. */
const template = parseReportTemplate({
  id: 'rapport',
  version: 1,
  title: 'Rapport',
  sections: [
    {
      id: 'ekonomi',
      title: 'Ekonomi',
      questions: [
        { id: 'prognos', kind: 'number', label: 'Prognos', unit: 'tkr' },
        { id: 'fokus', kind: 'choice', label: 'Fokus', optionsFrom: 'goals' },
        { id: 'klart', kind: 'yes-no', label: 'Klart?' },
        {
          id: 'utfall',
          kind: 'table',
          label: 'Utfall',
          columns: [
            { id: 'omrade', kind: 'short-text', label: 'Område' },
            { id: 'belopp', kind: 'number', label: 'Belopp', unit: 'tkr' },
          ],
        },
      ],
    },
    {
      id: 'omraden',
      title: 'Prioriterade områden',
      generate: 'priority-areas',
      questions: [{ id: 'insats', kind: 'short-text', label: 'Insats' }],
    },
  ],
}).template!;
const goals = [{ id: 'klimatsmart', name: 'Ett klimatsmart Stockholm' }];

describe('a phase’s answers in the template’s structure', () => {
  const boards = [
    {
      leading: ['Järva'],
      answers: {
        ekonomi: { prognos: -150, fokus: 'klimatsmart', klart: false, utfall: [{ omrade: 'Skola', belopp: 10 }] },
        omraden: { 'rinkeby-kista': { insats: 'Feriejobb' } },
      },
      context: { goals, 'priority-areas': [{ id: 'rinkeby-kista', name: 'Rinkeby-Kista' }] },
    },
    { leading: ['Farsta'], answers: null, context: { goals } },
  ];

  it('gives a row per board with a column per question, and a sheet per table and per generated section', () => {
    const [main, utfall, omraden] = templateTables(template, ['Nämnd'], boards);
    expect(main).toEqual({
      name: 'Svar',
      columns: ['Nämnd', 'Ekonomi: Prognos (tkr)', 'Ekonomi: Fokus', 'Ekonomi: Klart?'],
      rows: [
        ['Järva', -150, 'Ett klimatsmart Stockholm', 'nej'],
        ['Farsta', null, null, null],
      ],
    });
    expect(utfall).toEqual({
      name: 'Utfall',
      columns: ['Nämnd', 'Område', 'Belopp (tkr)'],
      rows: [['Järva', 'Skola', 10]],
    });
    expect(omraden).toEqual({
      name: 'Prioriterade områden',
      columns: ['Nämnd', 'Avser', 'Insats'],
      rows: [['Järva', 'Rinkeby-Kista', 'Feriejobb']],
    });
  });

  it('prints the sections in order, a generated one per item, tables as rows', () => {
    expect(printableAnswers(template, boards[0]!.context, boards[0]!.answers)).toEqual([
      {
        title: 'Ekonomi',
        entries: [
          { label: 'Prognos (tkr)', text: '-150' },
          { label: 'Fokus', text: 'Ett klimatsmart Stockholm' },
          { label: 'Klart?', text: 'nej' },
          { label: 'Utfall', columns: ['Område', 'Belopp (tkr)'], rows: [['Skola', '10']] },
        ],
      },
      { title: 'Prioriterade områden: Rinkeby-Kista', entries: [{ label: 'Insats', text: 'Feriejobb' }] },
    ]);
  });
});
