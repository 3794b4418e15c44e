import fc from 'fast-check';
import { diffAnswers, flattenAnswers } from '../../src/domain/answer-diff';

describe('what changed between two versions of a report', () => {
  const v1 = {
    ekonomi: {
      sammanfattning: 'Enligt plan.',
      prognos: -350,
      utfall: [{ omrade: 'Förskola', belopp: 1200 }],
      bedomning: 'god',
    },
    omraden: { 'rinkeby-kista': { insats: 'Fritidsgårdar' } },
    ovrigt: { uppfoljt: true },
  };

  test('names added, changed and removed answers by path, generated items included', () => {
    const v2 = {
      ekonomi: {
        sammanfattning: 'Enligt plan, med en avvikelse.',
        prognos: -350,
        utfall: [{ omrade: 'Förskola', belopp: 1300 }],
      },
      omraden: { 'rinkeby-kista': { insats: 'Fritidsgårdar' }, tensta: { insats: 'Ny' } },
      ovrigt: { uppfoljt: true, kanaler: ['intranat'] },
    };
    expect(diffAnswers(v1, v2)).toEqual([
      { path: 'ekonomi.bedomning', change: 'removed', before: 'god' },
      {
        path: 'ekonomi.sammanfattning',
        change: 'changed',
        before: 'Enligt plan.',
        after: 'Enligt plan, med en avvikelse.',
      },
      {
        path: 'ekonomi.utfall',
        change: 'changed',
        before: [{ omrade: 'Förskola', belopp: 1200 }],
        after: [{ omrade: 'Förskola', belopp: 1300 }],
      },
      { path: 'omraden[tensta].insats', change: 'added', after: 'Ny' },
      { path: 'ovrigt.kanaler', change: 'added', after: ['intranat'] },
    ]);
  });

  test('a table is compared whole: the order of its rows counts, the order of keys does not', () => {
    const a = { e: { t: [{ x: 'A', n: 1 }, { x: 'B' }] } };
    expect(diffAnswers(a, { e: { t: [{ n: 1, x: 'A' }, { x: 'B' }] } })).toEqual([]);
    expect(diffAnswers(a, { e: { t: [{ x: 'B' }, { x: 'A', n: 1 }] } }).map((c) => c.change)).toEqual(['changed']);
  });

  test('an empty answer counts as none; the first version has nothing changed', () => {
    expect(diffAnswers({ e: { q: 'x', l: [] } }, { e: { q: null, l: [] } })).toEqual([
      { path: 'e.q', change: 'removed', before: 'x' },
    ]);
    expect(diffAnswers(undefined, v1)).toEqual([]);
    expect(flattenAnswers(v1).get('omraden[rinkeby-kista].insats')).toBe('Fritidsgårdar');
  });

  test('a version compared with itself changes nothing; swapping the versions swaps added and removed', () => {
    const answers = fc.dictionary(
      fc.constantFrom('a', 'b', 'c'),
      fc.dictionary(
        fc.constantFrom('q', 'r', 's'),
        fc.oneof(fc.string({ minLength: 1 }), fc.integer(), fc.boolean(), fc.array(fc.integer(), { minLength: 1 })),
      ),
    );
    fc.assert(
      fc.property(answers, answers, (x, y) => {
        expect(diffAnswers(x, x)).toEqual([]);
        const forth = diffAnswers(x, y);
        const back = diffAnswers(y, x);
        const flip = { added: 'removed', removed: 'added', changed: 'changed' } as const;
        expect(back.map((c) => [c.path, c.change])).toEqual(forth.map((c) => [c.path, flip[c.change]]));
      }),
    );
  });
});
