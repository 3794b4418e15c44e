import {
  answersWith,
  assembleAnswers,
  formatAnswerPath,
  parseAnswerPath,
  relativeField,
} from '../../src/domain/answer-paths';
import { namndmalOf } from '../../src/db/template-context';

describe('answer paths', () => {
  test('parses both forms and formats them back', () => {
    expect(parseAnswerPath('ekonomi.prognos')).toEqual({ section: 'ekonomi', question: 'prognos' });
    expect(parseAnswerPath('omraden[rinkeby-kista].insats')).toEqual({
      section: 'omraden',
      item: 'rinkeby-kista',
      question: 'insats',
    });
    for (const path of ['ekonomi.prognos', 'omraden[rinkeby-kista].insats']) {
      expect(formatAnswerPath(parseAnswerPath(path)!)).toBe(path);
    }
  });

  test('refuses what is not a path to one answer', () => {
    for (const path of [
      'ekonomi',
      'ekonomi.',
      '.prognos',
      'a.b.c',
      'a[b]',
      'a[].b',
      'A.b',
      'a[b][c].d',
      'a.b[0]',
      '',
    ]) {
      expect(parseAnswerPath(path)).toBeUndefined();
    }
  });

  test('builds the answers object checkAnswers reads, one answer or many', () => {
    expect(answersWith({ section: 's', question: 'q' }, 1)).toEqual({ s: { q: 1 } });
    expect(
      assembleAnswers([
        { path: 's.q', value: 1 },
        { path: 'g[a].q', value: 'x' },
        { path: 'g[b].q', value: 'y' },
        { path: 'broken', value: 'ignored' },
      ]),
    ).toEqual({ s: { q: 1 }, g: { a: { q: 'x' }, b: { q: 'y' } } });
  });

  test('findings become paths relative to the answers', () => {
    expect(relativeField('answers.ekonomi.utfall[2].belopp')).toBe('ekonomi.utfall[2].belopp');
    expect(relativeField('answers')).toBe('');
  });
});

describe('the nämndmål of a verksamhetsplan', () => {
  test('are the named rows of the goal tables, numbered per goal in the order written', () => {
    expect(
      namndmalOf([
        {
          path: 'kf-mal[sammanhallen].namndmal',
          value: [{ mal: 'Trygg skola ' }, { mal: '' }, { mal: 'Fler i arbete' }],
        },
        { path: 'kf-mal[klimatsmart].namndmal', value: [{ indikator: 'utan mål' }, { mal: 'Mindre utsläpp' }] },
        { path: 'kf-mal[klimatsmart].aktiviteter', value: [{ mal: 'not a nämndmål' }] },
        { path: 'inledning.inledning', value: 'text' },
      ]),
    ).toEqual([
      { id: 'sammanhallen-1', name: 'Trygg skola' },
      { id: 'sammanhallen-3', name: 'Fler i arbete' },
      { id: 'klimatsmart-2', name: 'Mindre utsläpp' },
    ]);
  });
});
