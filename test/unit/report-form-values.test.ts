import { fingerprint, idOf, valueFromForm } from '../../src/client/http/pages/report-form';
import { join } from 'node:path';
import { loadTemplateFile } from '../../src/client/templates';
import { Question } from '../../src/domain/report-template';
import { TEST_TEMPLATES_DIR } from '../helpers/report-stack';

/** The questions of the fixture template, parsed as the page gets them (defaults filled in). */
const questions = new Map<string, Question>(
  loadTemplateFile(join(TEST_TEMPLATES_DIR, 'testrapport.yaml')).template!.sections.flatMap((s) =>
    s.questions.map((q): [string, Question] => [`${s.id}.${q.id}`, q]),
  ),
);
const value = (path: string, body: Record<string, unknown>) => valueFromForm(questions.get(path)!, path, body);

describe('answers read from a posted form', () => {
  test('numbers as written in Swedish; what is no number stays text for the check to name', () => {
    expect(value('ekonomi.prognos', { 'ekonomi.prognos': '1 250,5' })).toBe(1250.5);
    expect(value('ekonomi.prognos', { 'ekonomi.prognos': '−3' })).toBe(-3);
    expect(value('ekonomi.prognos', { 'ekonomi.prognos': ' ' })).toBeNull();
    expect(value('ekonomi.prognos', { 'ekonomi.prognos': 'tusen' })).toBe('tusen');
  });

  test('text keeps what was typed, with line breaks as LF; blank is no answer', () => {
    expect(value('ekonomi.sammanfattning', { 'ekonomi.sammanfattning': ' Rad ett\r\nrad två ' })).toBe(
      ' Rad ett\nrad två ',
    );
    expect(value('ekonomi.sammanfattning', { 'ekonomi.sammanfattning': '   ' })).toBeNull();
  });

  test('yes or no, several choices', () => {
    expect(value('ovrigt.uppfoljt', { 'ovrigt.uppfoljt': 'ja' })).toBe(true);
    expect(value('ovrigt.uppfoljt', { 'ovrigt.uppfoljt': 'nej' })).toBe(false);
    expect(value('ovrigt.uppfoljt', { 'ovrigt.uppfoljt': '' })).toBeNull();
    expect(value('ovrigt.kanaler', { 'ovrigt.kanaler': ['intranat', 'moten'] })).toEqual(['intranat', 'moten']);
    expect(value('ovrigt.kanaler', { 'ovrigt.kanaler': 'moten' })).toEqual(['moten']);
    expect(value('ovrigt.kanaler', {})).toBeNull();
  });

  test('a table keeps its filled rows, drops empty ones, and reads no more than one row past its limit', () => {
    const body = {
      'ekonomi.utfall.rader': '9',
      'ekonomi.utfall[0].omrade': 'Förskola',
      'ekonomi.utfall[0].belopp': '1 200',
      'ekonomi.utfall[1].omrade': '',
      'ekonomi.utfall[1].belopp': '',
      'ekonomi.utfall[2].belopp': '5',
      'ekonomi.utfall[6].omrade': 'För långt bort',
    };
    expect(value('ekonomi.utfall', body)).toEqual([{ omrade: 'Förskola', belopp: 1200 }, { belopp: 5 }]);
    expect(value('ekonomi.utfall', { 'ekonomi.utfall.rader': '1' })).toBeNull();
  });
});

describe('the form’s helpers', () => {
  test('ids for answer paths are plain', () => {
    expect(idOf('omraden[rinkeby-kista].insats')).toBe('svar-omraden-rinkeby-kista-insats');
    expect(idOf('ekonomi.utfall[0].belopp')).toBe('svar-ekonomi-utfall-0-belopp');
  });

  test('a fingerprint tells values apart and absent from null alike', () => {
    expect(fingerprint(undefined)).toBe(fingerprint(null));
    expect(fingerprint('a')).not.toBe(fingerprint('b'));
    expect(fingerprint([{ a: 1 }])).toBe(fingerprint([{ a: 1 }]));
  });
});
