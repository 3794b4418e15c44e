import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lupTracePdf } from '../../src/client/exports/lup-trace-pdf';
import type { LupTrace } from '../../src/client/operations/lup-trace';

/**
 * The trace's PDF read back with Debian's pdftotext (a reader sharing no code with pdfkit): the
 * heading with the budget year and the day it was made, each measure's five steps in words, and
 * what is missing where a step is not done.
 */
const trace: LupTrace = {
  budgetYear: 2090,
  due: { budgetunderlag: '2089-04-30', 'kf-beslut': '2089-11-25' },
  districts: [
    {
      boardId: 'farsta',
      boardName: 'Farsta stadsdelsnämnd',
      measures: [
        {
          boardId: 'farsta',
          measureId: 'torget',
          title: 'Nytt torg i Hökarängen',
          ownerId: 'trafiknamnden',
          ownerName: 'Trafiknämnden',
          cost: 5_000_000,
          steps: [
            { step: 'budgetunderlag', state: 'klar', due: '2089-04-30', gaps: [], cost: 5000 },
            { step: 'kf-beslut', state: 'saknas', due: '2089-11-25', gaps: ['beslut-saknas'] },
            { step: 'tertialrapport-1', state: 'ej-aktuell-an', gaps: ['rapport-ej-inlamnad'] },
            { step: 'tertialrapport-2', state: 'ej-aktuell-an', gaps: ['rapport-ej-inlamnad'] },
            { step: 'verksamhetsberattelse', state: 'ej-aktuell-an', gaps: ['rapport-ej-inlamnad'] },
          ],
        },
      ],
    },
  ],
};

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'lup-trace-pdf-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const textOf = (pdf: Buffer): string => {
  const file = join(dir, `${Math.random().toString(36).slice(2)}.pdf`);
  writeFileSync(file, pdf);
  const text = execFileSync(process.env.ARSHJUL_PDFTOTEXT ?? 'pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
  // One space between words: the layout's columns are not what is asserted.
  return text.replace(/\s+/g, ' ');
};

describe('lupTracePdf', () => {
  it('reads back with the year, the day it was made, each step in words and what is missing', async () => {
    const text = textOf(await lupTracePdf(trace, { scope: 'Hela staden', printedAt: '2089-12-01' }));
    expect(text).toContain('Spårning av större LUP-åtgärder budgetår 2090');
    expect(text).toContain('Hela staden');
    expect(text).toContain('Framtagen: 2089-12-01');
    expect(text).toContain('Farsta stadsdelsnämnd');
    expect(text).toContain('Nytt torg i Hökarängen');
    expect(text).toContain('Ansvarig nämnd: Trafiknämnden');
    expect(text).toContain('Beräknad kostnad: 5 000 000 kr');
    expect(text).toContain('Budgetunderlag (senast 2089-04-30): Klar — Kostnad: 5 000 tkr');
    // The missing KF decision: its state, then what is missing.
    expect(text).toContain('KF:s budgetbeslut (senast 2089-11-25): Saknas Fattas: Inget KF-beslut registrerat');
    expect(text).toContain('Tertialrapport 1: Inte aktuell än Fattas: Rapporten är inte inlämnad');
    expect(text).toContain('Tertialrapport 2: Inte aktuell än');
    expect(text).toContain('Verksamhetsberättelse: Inte aktuell än');
  });

  it('names what is done without what was missing, and says so when no district has a larger measure', async () => {
    const decided: LupTrace = structuredClone(trace);
    decided.districts[0]!.measures[0]!.steps[1] = {
      step: 'kf-beslut',
      state: 'klar',
      gaps: [],
      decision: { outcome: 'delvis-finansierad', reference: 'KF 2089-11-25 §3', amount: 2_000_000 },
    };
    const text = textOf(await lupTracePdf(decided, { scope: 'Farsta stadsdelsnämnd', printedAt: '2089-12-01' }));
    expect(text).toContain('KF:s budgetbeslut: Klar — Delvis finansierad, KF 2089-11-25 §3, 2 000 000 kr');
    expect(text).not.toContain('Inget KF-beslut registrerat');
    const empty = textOf(
      await lupTracePdf({ ...trace, districts: [] }, { scope: 'Hela staden', printedAt: '2089-12-01' }),
    );
    expect(empty).toContain('Inga stadsdelsnämnder har större åtgärder');
  });
});
