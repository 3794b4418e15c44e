import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import type { Browser } from 'playwright-core';
import { accessibilityViolations } from '../helpers/accessibility';
import { launchBrowser, screenshot, signInWithKey, structureProblems } from '../helpers/browser';
import { STACK_YEAR, useHttpStack } from '../helpers/http-stack';
import { httpCalls } from '../helpers/http-calls';

/**
 * SLK's record of the KF budget decision on each larger LUP measure (issue 14, the trace), over
 * real HTTP on a real stack: one row per measure and year, replaced by a new recording, every
 * recording in the audit log; bad input names its field and changes nothing; only SLK records;
 * two recordings at once keep the one that came last, and the audit log has both, in that order.
 */
// The shipped templates' phases, so the trace finds its steps by template.
const stack = useHttpStack('lup_kf_decisions', {
  phases: (d) => [
    {
      id: 'budgetunderlag',
      kind: 'deliverable',
      name: 'Budgetunderlag',
      template: 'budgetunderlag',
      opens: { date: d(1) },
      deadline: d(40),
    },
    { id: 'kf-budget', kind: 'milestone', name: 'Kommunfullmäktige beslutar budget', owner: 'KF', date: d(50) },
    {
      id: 'tertialrapport-1',
      kind: 'deliverable',
      name: 'Tertialrapport 1',
      template: 'tertialrapport-1',
      opens: { date: d(60) },
      deadline: d(90),
    },
  ],
});
const y = STACK_YEAR;
const { call } = httpCalls(stack);
const url = (board: string, measure: string) => `/api/cycles/${y}/kf-decisions/${board}/${measure}`;
const WORKFLOW = 'lup/teststad/farsta';

const rows = async () =>
  (
    await stack.harness.db.pool.query<{
      measure_id: string;
      outcome: string;
      reference: string;
      amount: string | null;
    }>('SELECT measure_id, outcome, reference, amount FROM lup_kf_decisions ORDER BY measure_id')
  ).rows;
const events = async () =>
  (
    await stack.harness.db.pool.query<{ payload: { measureId: string; outcome: string; reference: string } }>(
      "SELECT payload FROM audit_log WHERE kind = 'lup-kf-decision' AND workflow_id = $1 ORDER BY id",
      [WORKFLOW],
    )
  ).rows.map((r) => r.payload);

beforeAll(async () => {
  // Farsta's programme in force as the programme workflow projects it: one larger measure, one not.
  const pool = stack.harness.db.pool;
  await pool.query(
    `INSERT INTO lup_programmes (workflow_id, municipality, board_id, stage, programme_number, adopted_on, reference,
       version, replaced, main_focus, dialogues, consultations, follow_ups, last_event_id, last_seq, updated_at)
     VALUES ($1, 'teststad', 'farsta', 'i-kraft', 1, '2089-03-20', 'SDN 2089/12', 1, '[]', '{}', 0, 0, '[]', 0, 0, now())`,
    [WORKFLOW],
  );
  await pool.query(
    `INSERT INTO lup_measures (workflow_id, programme_number, measure_id, position, board_id, title, owner_id,
       indicators, cost, larger, status, status_history)
     VALUES ($1, 1, 'torget', 1, 'farsta', 'Nytt torg', 'farsta', '[]', 5000000, true, 'planerad', '[]'),
            ($1, 1, 'belysning', 2, 'farsta', 'Belysning', 'farsta', '[]', 20000, false, 'planerad', '[]')`,
    [WORKFLOW],
  );
  // Farsta's submitted budgetunderlag names the measure with its cost (the submission's projection).
  await pool.query(
    `INSERT INTO submission_content (workflow_id, municipality, budget_year, phase_id, board_id, content, submitted_at, last_event_id)
     VALUES ('teststad/2090/budgetunderlag/farsta', 'teststad', $1, 'budgetunderlag', 'farsta', $2, now(), 0)`,
    [
      y,
      JSON.stringify({ 'lup-atgarder': { torget: { 'atgard-kostnad': 5000, 'atgard-finansiering': 'utokad-ram' } } }),
    ],
  );
});

describe('PUT /api/cycles/:year/kf-decisions/:boardId/:measureId', () => {
  it('refuses anyone but SLK, bad input by field, and what is no larger measure of a district; nothing changes', async () => {
    const good = { outcome: 'finansierad', reference: 'KF 2089-11-25 §3' };
    expect((await call('farsta', 'PUT', url('farsta', 'torget'), good)).status).toBe(403);
    expect((await call('committee', 'PUT', url('farsta', 'torget'), good)).status).toBe(403);
    const badOutcome = await call('admin', 'PUT', url('farsta', 'torget'), { ...good, outcome: 'kanske' });
    expect(badOutcome.status).toBe(400);
    expect(badOutcome.body).toMatchObject({ field: 'outcome' });
    const emptyReference = await call('admin', 'PUT', url('farsta', 'torget'), { ...good, reference: ' ' });
    expect(emptyReference.body).toMatchObject({ field: 'reference' });
    const negative = await call('admin', 'PUT', url('farsta', 'torget'), { ...good, amount: -1 });
    expect(negative.body).toMatchObject({ field: 'amount' });
    const extra = await call('admin', 'PUT', url('farsta', 'torget'), { ...good, note: 'x' });
    expect(extra.status).toBe(400);
    const smaller = await call('admin', 'PUT', url('farsta', 'belysning'), good);
    expect(smaller.status).toBe(404);
    expect(smaller.body).toMatchObject({ field: 'measure' });
    expect((await call('admin', 'PUT', url('kulturnamnden', 'torget'), good)).body).toMatchObject({ field: 'board' });
    expect(await rows()).toEqual([]);
    expect(await events()).toEqual([]);
  });

  it('records the decision once per measure and year; a new recording replaces it and both are in the audit log', async () => {
    const first = await call('admin', 'PUT', url('farsta', 'torget'), {
      outcome: 'delvis-finansierad',
      reference: 'KF 2089-11-25 §3',
      amount: 2_000_000,
    });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({
      boardId: 'farsta',
      measureId: 'torget',
      outcome: 'delvis-finansierad',
      amount: 2_000_000,
    });
    // The same recording again (a retry) leaves one row.
    await call('admin', 'PUT', url('farsta', 'torget'), {
      outcome: 'delvis-finansierad',
      reference: 'KF 2089-11-25 §3',
      amount: 2_000_000,
    });
    expect(await rows()).toEqual([
      { measure_id: 'torget', outcome: 'delvis-finansierad', reference: 'KF 2089-11-25 §3', amount: '2000000' },
    ]);
    const corrected = await call('admin', 'PUT', url('farsta', 'torget'), {
      outcome: 'finansierad',
      reference: 'KF 2089-11-26 §1',
    });
    expect(corrected.status).toBe(200);
    expect(await rows()).toEqual([
      { measure_id: 'torget', outcome: 'finansierad', reference: 'KF 2089-11-26 §1', amount: null },
    ]);
    expect((await events()).map((e) => e.outcome)).toEqual(['delvis-finansierad', 'delvis-finansierad', 'finansierad']);
  });

  it('two recordings at once: the last one wins, and the audit log has both in that order', async () => {
    for (let round = 0; round < 5; round++) {
      const before = (await events()).length;
      const [a, b] = await Promise.all([
        call('admin', 'PUT', url('farsta', 'torget'), { outcome: 'ej-finansierad', reference: `A${round}` }),
        call('admin', 'PUT', url('farsta', 'torget'), { outcome: 'finansierad', reference: `B${round}` }),
      ]);
      expect([a.status, b.status]).toEqual([200, 200]);
      const recorded = (await events()).slice(before);
      expect(recorded.map((e) => e.reference).sort()).toEqual([`A${round}`, `B${round}`]);
      // What the table keeps is what the audit log recorded last.
      expect((await rows())[0]!.reference).toBe(recorded.at(-1)!.reference);
    }
  });
});

describe('GET /api/cycles/:year/lup-trace', () => {
  it('traces each larger measure: the budgetunderlag with its cost, the KF decision, the follow-ups not yet due', async () => {
    const city = await call('committee', 'GET', `/api/cycles/${y}/lup-trace`);
    expect(city.status).toBe(200);
    expect(city.body.districts).toHaveLength(1);
    const [district] = city.body.districts;
    expect(district).toMatchObject({ boardId: 'farsta', boardName: 'Farsta stadsdelsnämnd' });
    // The smaller measure is not traced.
    expect(district.measures.map((m: { measureId: string }) => m.measureId)).toEqual(['torget']);
    const steps = district.measures[0].steps;
    expect(steps.map((s: { step: string; state: string }) => [s.step, s.state])).toEqual([
      ['budgetunderlag', 'klar'],
      ['kf-beslut', 'klar'],
      ['tertialrapport-1', 'ej-aktuell-an'],
      ['tertialrapport-2', 'ej-aktuell-an'],
      ['verksamhetsberattelse', 'ej-aktuell-an'],
    ]);
    expect(steps[0].cost).toBe(5000);
    expect(steps[1].decision.reference).toBe((await rows())[0]!.reference);
    expect(steps[2].gaps).toEqual(['rapport-ej-inlamnad']);
    // The district reads its own; another district does not see it.
    const own = await call('farsta', 'GET', `/api/cycles/${y}/lup-trace/farsta`);
    expect(own.body.districts[0].measures).toHaveLength(1);
    expect((await call('jarva', 'GET', `/api/cycles/${y}/lup-trace/farsta`)).status).toBe(404);
    expect((await call('farsta', 'GET', `/api/cycles/${y}/lup-trace`)).status).toBe(403);
  });
});

describe('GET /api/cycles/:year/lup-trace.xlsx', () => {
  it('exports the trace as a workbook that reads back with each step’s state, detail and what is missing', async () => {
    const get = (secret: string) =>
      fetch(`${stack.url}/api/cycles/${y}/lup-trace.xlsx`, { headers: { authorization: `Bearer ${secret}` } });
    expect((await get(stack.tokens.farsta)).status).toBe(403);
    const response = await get(stack.tokens.committee);
    expect(response.status).toBe(200);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(Buffer.from(await response.arrayBuffer()) as unknown as ExcelJS.Buffer);
    const sheet = workbook.worksheets[0]!;
    expect(sheet.name).toBe(`LUP-spårning ${y}`);
    const header = (sheet.getRow(1).values as unknown[]).slice(1);
    const row = Object.fromEntries(header.map((h, i) => [h, sheet.getRow(2).getCell(i + 1).value]));
    expect(sheet.rowCount).toBe(2);
    expect(row).toMatchObject({
      Stadsdelsnämnd: 'Farsta stadsdelsnämnd',
      Åtgärd: 'Nytt torg',
      'Beräknad kostnad (kr)': 5_000_000,
      Budgetunderlag: 'Klar',
      'Budgetunderlag: uppgift': '5000 tkr',
      'KF:s budgetbeslut': 'Klar',
      'Tertialrapport 1': 'Inte aktuell än',
      'Tertialrapport 1: saknas': 'Rapporten är inte inlämnad',
    });
    expect(row['KF:s budgetbeslut: uppgift']).toMatch(/^(Ej finansierad|Finansierad), [AB]4$/);
  });
});

describe('GET /api/cycles/:year/lup-trace.pdf and /lup-trace/:boardId/export.pdf', () => {
  it('prints the city’s and a district’s trace as PDFs that pdftotext reads back', async () => {
    const get = (secret: string, path: string) =>
      fetch(`${stack.url}/api/cycles/${y}${path}`, { headers: { authorization: `Bearer ${secret}` } });
    const textOf = async (response: Response) => {
      const file = join(tmpdir(), `lup-sparning-${randomUUID()}.pdf`);
      writeFileSync(file, Buffer.from(await response.arrayBuffer()));
      try {
        const text = execFileSync(process.env.ARSHJUL_PDFTOTEXT ?? 'pdftotext', ['-layout', file, '-'], {
          encoding: 'utf8',
        });
        return text.replace(/\s+/g, ' ');
      } finally {
        rmSync(file, { force: true });
      }
    };
    expect((await get(stack.tokens.farsta, '/lup-trace.pdf')).status).toBe(403);
    expect((await get(stack.tokens.jarva, '/lup-trace/farsta/export.pdf')).status).toBe(404);
    const city = await get(stack.tokens.committee, '/lup-trace.pdf');
    expect(city.status).toBe(200);
    expect(city.headers.get('content-type')).toBe('application/pdf');
    expect(city.headers.get('content-disposition')).toContain(`lup-sparning-${y}.pdf`);
    const text = await textOf(city);
    expect(text).toContain(`Spårning av större LUP-åtgärder budgetår ${y} Hela staden`);
    expect(text).toMatch(/Framtagen: \d{4}-\d{2}-\d{2}/);
    expect(text).toContain('Farsta stadsdelsnämnd Nytt torg');
    expect(text).toContain('Budgetunderlag (senast');
    expect(text).toMatch(/KF:s budgetbeslut \(senast [\d-]+\): Klar — (Ej finansierad|Finansierad), [AB]4/);
    // The first tertial report is not due yet, and what it still lacks is named.
    expect(text).toMatch(/Tertialrapport 1 \(senast [\d-]+\): Inte aktuell än Fattas: Rapporten är inte inlämnad/);
    // The smaller measure is not traced.
    expect(text).not.toContain('Belysning');
    const own = await get(stack.tokens.farsta, '/lup-trace/farsta/export.pdf');
    expect(own.status).toBe(200);
    expect(await textOf(own)).toContain(`budgetår ${y} Farsta stadsdelsnämnd`);
  });
});

describe('the trace page in Chromium', () => {
  let browser: Browser | undefined;
  afterAll(async () => {
    await browser?.close();
  });

  test('the committee reads each district’s table, with what is missing at each step, from the local development page', async () => {
    browser ??= await launchBrowser();
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'sv-SE' });
    const page = await context.newPage();
    await signInWithKey(page, stack.url, stack.tokens.committee);
    await page.goto(`${stack.url}/oversikt/${y}/lokalt-utvecklingsarbete`);
    await page.getByRole('link', { name: 'Spårning av större LUP-åtgärder' }).click();
    await page.waitForURL(`**/lup-sparning/${y}`);
    const table = page.getByRole('table', { name: `Farsta stadsdelsnämnd: större åtgärder budgetår ${y}` });
    const row = table.getByRole('row', { name: /Nytt torg/ });
    // Cells after the row header: the responsible board, then the steps.
    const cells = await row.getByRole('cell').allTextContents();
    expect(cells[1]!.trim()).toMatch(/^Klar\s*Kostnad: 5\s000 tkr$/);
    expect(cells[2]).toMatch(/^\s*Klar\s*(Ej f|F)inansierad,\s*[AB]4\s*$/);
    expect(cells[3]).toContain('Inte aktuell än');
    expect(cells[3]).toContain('Rapporten är inte inlämnad');
    await screenshot(page, 'lup-trace');
    expect(await accessibilityViolations(page)).toEqual([]);
    expect(await structureProblems(page)).toEqual([]);
    await context.close();
  });

  test('SLK records a KF decision with the page’s form: a bad amount is named and changes nothing, a good one is confirmed', async () => {
    browser ??= await launchBrowser();
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'sv-SE' });
    const page = await context.newPage();
    // The committee reads the trace but records no KF decision: no form for it.
    await signInWithKey(page, stack.url, stack.tokens.committee);
    await page.goto(`${stack.url}/lup-sparning/${y}`);
    await expect(page.getByRole('heading', { name: 'Registrera KF:s budgetbeslut' }).count()).resolves.toBe(0);
    await context.clearCookies();

    await signInWithKey(page, stack.url, stack.tokens.admin);
    await page.goto(`${stack.url}/lup-sparning/${y}`);
    // The city's PDF from the page's link, with the signed-in session.
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Hela stadens spårning som PDF' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe(`lup-sparning-${y}.pdf`);
    const pdfText = execFileSync(process.env.ARSHJUL_PDFTOTEXT ?? 'pdftotext', [(await download.path())!, '-'], {
      encoding: 'utf8',
    });
    expect(pdfText).toContain('Nytt torg');

    const before = await rows();
    const form = page.locator('form[action$="/kf-beslut"]');
    await form.getByLabel('Åtgärd').selectOption({ label: 'Farsta stadsdelsnämnd: Nytt torg' });
    await form.getByLabel('KF:s beslut').selectOption({ label: 'Delvis finansierad' });
    await form.getByLabel('Diarienummer').fill('KF 2089-11-27 §9');
    await form.getByLabel('Beviljat belopp i kronor').fill('två miljoner');
    const [refused] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith('/kf-beslut')),
      form.getByRole('button', { name: 'Registrera KF:s beslut' }).click(),
    ]);
    expect(refused.status()).toBe(400);
    const summary = page.getByRole('alert');
    await expect(summary.textContent()).resolves.toContain('KF:s beslut kunde inte registreras.');
    await expect(summary.getByRole('link').textContent()).resolves.toBe('Beviljat belopp i kronor ska vara ett heltal');
    await expect(page.locator('#kf-beslut-amount-error').textContent()).resolves.toBe(
      'Beviljat belopp i kronor ska vara ett heltal',
    );
    const amount = page.getByLabel('Beviljat belopp i kronor');
    await expect(amount.getAttribute('aria-invalid')).resolves.toBe('true');
    // What was written is kept for the correction.
    await expect(amount.inputValue()).resolves.toBe('två miljoner');
    await expect(page.getByLabel('Diarienummer').inputValue()).resolves.toBe('KF 2089-11-27 §9');
    expect(await rows()).toEqual(before);
    await screenshot(page, 'lup-trace-kf-decision-refused');
    expect(await accessibilityViolations(page)).toEqual([]);

    await amount.fill('2 000 000');
    await page.getByRole('button', { name: 'Registrera KF:s beslut' }).click();
    await page.waitForURL(`**/lup-sparning/${y}?registrerat=farsta%2Ftorget#registrerat`);
    await expect(page.getByRole('status').textContent()).resolves.toContain(
      'KF:s beslut om Nytt torg (Farsta stadsdelsnämnd) är registrerat.',
    );
    expect(await rows()).toEqual([
      { measure_id: 'torget', outcome: 'delvis-finansierad', reference: 'KF 2089-11-27 §9', amount: '2000000' },
    ]);
    expect((await events()).at(-1)).toMatchObject({ measureId: 'torget', reference: 'KF 2089-11-27 §9' });
    const table = page.getByRole('table', { name: `Farsta stadsdelsnämnd: större åtgärder budgetår ${y}` });
    const cells = await table
      .getByRole('row', { name: /Nytt torg/ })
      .getByRole('cell')
      .allTextContents();
    expect(cells[2]!.replace(/\s+/g, ' ').trim()).toMatch(/^Klar ?Delvis finansierad, KF 2089-11-27 §9, 2 000 000 kr$/);
    await screenshot(page, 'lup-trace-kf-decision');
    expect(await accessibilityViolations(page)).toEqual([]);
    expect(await structureProblems(page)).toEqual([]);
    await context.close();
  });
});
