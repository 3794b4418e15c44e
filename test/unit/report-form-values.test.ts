import { fingerprint, idOf, savedByLabel, valueFromForm } from '../../src/client/http/pages/report-form';
import { parseReportTemplate, Question } from '../../src/domain/report-template';

/** The questions of a small template, parsed so that defaults are filled in as on the page. */
const questions = new Map<string, Question>(
  parseReportTemplate({
    id: 'formular',
    version: 1,
    title: 'Formulär',
    sections: [
      {
        id: 's',
        title: 'S',
        questions: [
          { id: 'text', kind: 'long-text', label: 'Text', maxLength: 100 },
          { id: 'tal', kind: 'number', label: 'Tal' },
          { id: 'janej', kind: 'yes-no', label: 'Ja eller nej' },
          {
            id: 'flera',
            kind: 'choices',
            label: 'Flera',
            options: [
              { id: 'a', label: 'A' },
              { id: 'b', label: 'B' },
            ],
          },
          {
            id: 'tabell',
            kind: 'table',
            label: 'Tabell',
            maxRows: 2,
            columns: [
              { id: 'namn', label: 'Namn', kind: 'short-text' },
              { id: 'belopp', label: 'Belopp', kind: 'number' },
            ],
          },
        ],
      },
    ],
  }).template!.sections[0]!.questions.map((q) => [q.id, q]),
);
const value = (id: string, body: Record<string, unknown>) => valueFromForm(questions.get(id)!, `s.${id}`, body);

describe('answers read from a posted form', () => {
  test('numbers as written in Swedish; what is no number stays text for the check to name', () => {
    expect(value('tal', { 's.tal': '1 250,5' })).toBe(1250.5);
    expect(value('tal', { 's.tal': '−3' })).toBe(-3);
    expect(value('tal', { 's.tal': ' ' })).toBeNull();
    expect(value('tal', { 's.tal': 'tusen' })).toBe('tusen');
  });

  test('text keeps what was typed, with line breaks as LF; blank is no answer', () => {
    expect(value('text', { 's.text': ' Rad ett\r\nrad två ' })).toBe(' Rad ett\nrad två ');
    expect(value('text', { 's.text': '   ' })).toBeNull();
  });

  test('yes or no, several choices', () => {
    expect(value('janej', { 's.janej': 'ja' })).toBe(true);
    expect(value('janej', { 's.janej': 'nej' })).toBe(false);
    expect(value('janej', { 's.janej': '' })).toBeNull();
    expect(value('flera', { 's.flera': ['a', 'b'] })).toEqual(['a', 'b']);
    expect(value('flera', { 's.flera': 'b' })).toEqual(['b']);
    expect(value('flera', {})).toBeNull();
  });

  test('a table keeps its filled rows, drops empty ones, and reads no more than one row past its limit', () => {
    const body = {
      's.tabell.rader': '9',
      's.tabell[0].namn': 'Förskola',
      's.tabell[0].belopp': '1 200',
      's.tabell[1].namn': '',
      's.tabell[1].belopp': '',
      's.tabell[2].belopp': '5',
      's.tabell[3].namn': 'För långt bort',
    };
    expect(value('tabell', body)).toEqual([{ namn: 'Förskola', belopp: 1200 }, { belopp: 5 }]);
    expect(value('tabell', { 's.tabell.rader': '1' })).toBeNull();
  });
});

describe('the form’s helpers', () => {
  test('ids for answer paths are plain', () => {
    expect(idOf('omraden[rinkeby-kista].insats')).toBe('svar-omraden-rinkeby-kista-insats');
    expect(idOf('s.tabell[0].belopp')).toBe('svar-s-tabell-0-belopp');
  });

  test('who saved: the token’s label, or the record as it stands', () => {
    expect(savedByLabel('board:farsta (Anna Andersson, tok_123)')).toBe('Anna Andersson');
    expect(savedByLabel('cli')).toBe('cli');
  });

  test('a fingerprint tells values apart and absent from null alike', () => {
    expect(fingerprint(undefined)).toBe(fingerprint(null));
    expect(fingerprint('a')).not.toBe(fingerprint('b'));
    expect(fingerprint([{ a: 1 }])).toBe(fingerprint([{ a: 1 }]));
  });
});
