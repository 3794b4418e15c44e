import { answerTables, cellOf, flattenAnswers, toCsv } from '../../src/client/exports/answer-table';

describe('a phase’s answers as tables', () => {
  const boards = [
    {
      leading: ['Farsta', 'inlämnad'],
      content: { risk: 'Låg', ekonomi: { budget: 120, prognos: 118 }, mål: ['A', 'B'], rader: [{ id: 'x', tkr: 5 }] },
    },
    { leading: ['Järva', 'öppen'], content: null },
    { leading: ['Kultur', 'inlämnad'], content: { risk: 'Hög', rader: [{ id: 'y', tkr: 7, not: 'ny' }, { id: 'z' }] } },
  ];

  it('gives one row per board, dotted columns for nested answers, and a table per list of records', () => {
    const [main, rader, ...rest] = answerTables(['Nämnd', 'Status'], boards);
    expect(rest).toEqual([]);
    expect(main!.columns).toEqual(['Nämnd', 'Status', 'risk', 'ekonomi.budget', 'ekonomi.prognos', 'mål']);
    expect(main!.rows).toEqual([
      ['Farsta', 'inlämnad', 'Låg', 120, 118, 'A; B'],
      ['Järva', 'öppen', null, null, null, null],
      ['Kultur', 'inlämnad', 'Hög', null, null, null],
    ]);
    expect(rader).toEqual({
      name: 'rader',
      columns: ['Nämnd', 'id', 'tkr', 'not'],
      rows: [
        ['Farsta', 'x', 5, null],
        ['Kultur', 'y', 7, 'ny'],
        ['Kultur', 'z', null, null],
      ],
    });
  });

  it('writes CSV with a byte-order mark, semicolons, doubled quotes and CRLF', () => {
    const csv = toCsv({
      name: 't',
      columns: ['a', 'b'],
      rows: [
        ['x;y', 'sa "hej"'],
        [true, null],
      ],
    });
    expect(csv).toBe('\uFEFFa;b\r\n"x;y";"sa ""hej"""\r\nja;\r\n');
  });

  it('keeps scalars, joins lists of scalars and writes anything else as JSON', () => {
    expect(cellOf(3)).toBe(3);
    expect(cellOf(['a', 1])).toBe('a; 1');
    expect(cellOf([[1]])).toBe('[[1]]');
    expect(cellOf(undefined)).toBeNull();
    expect(flattenAnswers({ a: { b: { c: 1 } } })).toEqual([['a.b.c', 1]]);
  });
});
