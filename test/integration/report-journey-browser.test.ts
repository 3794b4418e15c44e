import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Browser, BrowserContext, Page } from 'playwright-core';
import { accessibilityViolations } from '../helpers/accessibility';
import { launchBrowser, screenshot, SCREENSHOT_DIR, signInWithKey, structureProblems } from '../helpers/browser';
import { addDays } from '../../src/domain/local-date';
import { STACK_YEAR, StackTokens, useHttpStack } from '../helpers/http-stack';

/**
 * A tertial report from the first answer to the export, in Chromium, on the shipped templates
 * (issue 12, "Must show"): Järva fills tertialrapport 1 — its generated sections per nämndmål
 * (from its verksamhetsplan) and per priority area, the economy table — saves, leaves, comes
 * back to the draft, attaches its minutes and marks it ready; SLK comments on one answer and
 * returns the report; the board sees the comment, answers and hands in again; SLK sees what
 * changed and approves. The phase's answers are then exported as XLSX and the report as PDF, each
 * read back by a reader that shares no code with its writer.
 */
const GOALS = [
  { id: 'sammanhallen', name: 'Ett Stockholm som håller samman' },
  { id: 'klimatsmart', name: 'Ett klimatsmart Stockholm' },
];
const stack = useHttpStack('report_journey', {
  goals: GOALS,
  phases: (d) => [
    {
      id: 'verksamhetsplan',
      kind: 'deliverable',
      name: 'Verksamhetsplan',
      opens: { date: d(1) },
      deadline: d(40),
      template: 'verksamhetsplan',
    },
    {
      id: 'tertialrapport-1',
      kind: 'deliverable',
      name: 'Tertialrapport 1',
      opens: { date: d(1) },
      deadline: d(30),
      reviewRequired: true,
      template: 'tertialrapport-1',
    },
  ],
});
const year = STACK_YEAR;
const FORM = `/namnd/jarva/${year}/tertialrapport-1`;
const REVIEW = `/cykel/${year}/granska/tertialrapport-1/jarva`;
const COMMENT = 'Förklara varför förskolan har fler barn än budgeterat.';

let browser: Browser;
let context: BrowserContext;
let dir: string;

async function api(who: keyof StackTokens, method: string, path: string, body?: unknown) {
  const response = await fetch(`${stack.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${stack.tokens[who]}`,
      ...(body !== undefined && { 'content-type': 'application/json' }),
    },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  return { status: response.status, body: Buffer.from(await response.arrayBuffer()) };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'arshjul-journey-'));
  // Järva's verksamhetsplan names one nämndmål: the tertial report follows it up.
  const saved = await api('jarva', 'PUT', `/api/cycles/${year}/deliverables/verksamhetsplan/jarva/report/answers`, {
    path: 'kf-mal[sammanhallen].namndmal',
    value: [{ mal: 'Fler unga i Järva har ett arbete', indikator: 'Andel unga i arbete', malvarde: 60 }],
    expectedVersion: 0,
  });
  expect(saved.status).toBe(200);
  browser = await launchBrowser();
  context = await browser.newContext({ viewport: { width: 1366, height: 900 }, locale: 'sv-SE' });
});

afterAll(async () => {
  await context?.close().catch(() => undefined);
  await browser?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function checkPage(page: Page, name: string): Promise<void> {
  expect(await structureProblems(page)).toEqual([]);
  expect(await accessibilityViolations(page)).toEqual([]);
  await screenshot(page, name);
}

/** Saves one section of the form and waits for the page to say so. */
async function saveSection(page: Page, title: string): Promise<void> {
  await page.getByRole('button', { name: `Spara ${title.toLowerCase()}` }).click();
  await page.waitForURL((url) => url.searchParams.has('sparat'));
  await expect(page.getByRole('status').textContent()).resolves.toContain(`${title}: sparat.`);
}

const missingList = (page: Page) => page.locator('h2:has-text("Det här saknas") + ul').textContent();

describe('a tertial report from the first answer to the export', () => {
  it('is filled in sections, left and taken up again, and marked ready', async () => {
    const page = await context.newPage();
    expect(await signInWithKey(page, stack.url, stack.tokens.jarva)).toBe('/namnd/jarva');
    await page.getByRole('link', { name: `Fyll i rapporten: Tertialrapport 1 ${year}` }).click();
    await page.waitForURL((url) => url.pathname === FORM);
    // The generated sections: one per nämndmål of the verksamhetsplan, one per priority area served.
    await expect(missingList(page)).resolves.toContain('Fler unga i Järva har ett arbete');
    await expect(missingList(page)).resolves.toContain('Rinkeby-Kista');

    await page.getByLabel('Sammanfattning av nämndens verksamhet och ekonomi').fill('Verksamheten följer planen.');
    await saveSection(page, 'Sammanfattning');
    await page.getByLabel('Verksamhetsområde, ny rad').fill('Förskola');
    await page.getByLabel('Budget, ny rad').fill('120 000');
    await page.getByLabel('Prognos helår, ny rad').fill('121 500');
    await page.getByLabel('Avvikelse, ny rad').fill('-1 500');
    await page.getByLabel('Nämndens samlade prognosavvikelse för helåret').fill('-1 500');
    await page.getByLabel('Analys av avvikelserna').fill('Fler barn än budgeterat i förskolan.');
    await saveSection(page, 'Ekonomiskt utfall och prognos');

    // Leave for the board's page, then come back to the draft: the answers are there.
    await page.getByRole('link', { name: 'Tillbaka till nämndens sida' }).click();
    await page.waitForURL((url) => url.pathname === '/namnd/jarva');
    await page.getByRole('link', { name: `Fyll i rapporten: Tertialrapport 1 ${year}` }).click();
    await page.waitForURL((url) => url.pathname === FORM);
    await expect(page.getByLabel('Verksamhetsområde, rad 1').inputValue()).resolves.toBe('Förskola');
    await expect(page.getByLabel('Avvikelse, rad 1').inputValue()).resolves.toBe('-1500');
    await checkPage(page, 'journey-form-draft');

    // Marking ready now is refused with what is missing, and nothing is handed in.
    await page.getByRole('button', { name: 'Klarmarkera Tertialrapport 1' }).click();
    await expect(page.getByRole('alert').textContent()).resolves.toContain('Det gick inte att klarmarkera');
    await expect(page.getByRole('alert').textContent()).resolves.toContain('Risker och internkontroll');

    await page.getByLabel('Bedömning av måluppfyllelse vid årets slut').selectOption({ label: 'Uppfylls delvis' });
    await saveSection(page, 'Måluppfyllelse per nämndmål');
    await page.getByLabel('Läge för nämndens insatser i området').selectOption({ label: 'Pågår' });
    await saveSection(page, 'Uppföljning per prioriterat område');
    await page.getByLabel('Väsentliga risker för verksamheten och ekonomin under resten av året').fill('Lokalbrist.');
    await page.getByLabel('Har internkontrollen visat avvikelser under perioden?').selectOption({ label: 'Nej' });
    await saveSection(page, 'Risker och internkontroll');
    // The board's minutes as a PDF, attached from the form.
    const minutes = join(dir, 'Protokollsutdrag Järva.pdf');
    writeFileSync(
      minutes,
      '%PDF-1.4\n% Järva\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n',
    );
    await page.getByLabel(/^Välj en fil att bifoga till Bilagor/).setInputFiles(minutes);
    await page.getByRole('button', { name: 'Ladda upp' }).click();
    const listed = page.locator('#svar-bilagor-bilagor-filer li');
    await listed.first().waitFor();
    await expect(listed.first().textContent()).resolves.toContain('Protokollsutdrag Järva.pdf');
    await page.getByLabel('Datum för nämndens beslut').fill(`${year}-05-12`);
    await saveSection(page, 'Bilagor');
    await expect(page.getByText('Alla obligatoriska frågor är besvarade.', { exact: true }).isVisible()).resolves.toBe(
      true,
    );

    await page.getByLabel('Diarienummer för nämndens beslut').fill('JÄ 2090/77');
    await page.getByRole('button', { name: 'Klarmarkera Tertialrapport 1' }).click();
    await page.waitForURL((url) => url.pathname === '/namnd/jarva' && url.hash === '#kvitto');
    await expect(page.locator('#kvitto').textContent()).resolves.toContain('Tertialrapport 1');
    await checkPage(page, 'journey-handed-in');
  });

  it('is commented and returned by SLK, answered and handed in again, and approved', async () => {
    const slkContext = await browser.newContext({ viewport: { width: 1366, height: 900 }, locale: 'sv-SE' });
    try {
      const slk = await slkContext.newPage();
      await signInWithKey(slk, stack.url, stack.tokens.admin);
      // From SLK's review queue on the cycle page to the review of Järva's report.
      await slk.goto(`${stack.url}/cykel/${year}`);
      await slk.locator(`a[href="${REVIEW}"]`).first().click();
      await slk.waitForURL((url) => url.pathname === REVIEW);
      const analysis = slk.getByLabel(/Kommentera\s*Ekonomiskt utfall och prognos: Analys av avvikelserna/);
      // Each question's comment form is folded away until opened.
      await slk.locator('#fraga-ekonomi-ekonomisk-analys summary').click();
      await analysis.fill(COMMENT);
      await slk
        .locator('form.comment-form', { has: analysis })
        .getByRole('button', { name: 'Spara kommentaren' })
        .click();
      await slk.waitForLoadState('load');
      await expect(slk.locator('main').textContent()).resolves.toContain(COMMENT);
      await checkPage(slk, 'journey-review-comment');
      await slk.getByLabel('Skäl för återremiss').fill('Analysen av avvikelserna behöver kompletteras.');
      await slk.getByLabel('Ny sista dag').fill(addDays(stack.day0, 35));
      await slk.getByRole('button', { name: 'Återremittera' }).click();
      await slk.waitForURL((url) => url.pathname === `/cykel/${year}`);

      // The board finds the report open again, SLK's comment next to the question, and answers it.
      const board = await context.newPage();
      await board.goto(`${stack.url}${FORM}`);
      await expect(board.locator('main').textContent()).resolves.toContain(
        'Stadsledningskontoret har återremitterat rapporten',
      );
      await expect(board.locator('main').textContent()).resolves.toContain(COMMENT);
      // The comment is read out with the field it concerns.
      await expect(board.getByLabel('Analys av avvikelserna').getAttribute('aria-describedby')).resolves.toContain(
        'kommentar-ekonomi-ekonomisk-analys',
      );
      await checkPage(board, 'journey-form-returned');
      await board
        .getByLabel('Analys av avvikelserna')
        .fill('Fler barn än budgeterat i förskolan: två nya förskolor öppnade i mars.');
      await saveSection(board, 'Ekonomiskt utfall och prognos');
      // The reference of the board's decision from the first hand-in is offered again.
      await expect(board.getByLabel('Diarienummer för nämndens beslut').inputValue()).resolves.toBe('JÄ 2090/77');
      await board.getByRole('button', { name: 'Klarmarkera Tertialrapport 1' }).click();
      await board.waitForURL((url) => url.pathname === '/namnd/jarva' && url.hash === '#kvitto');

      // SLK sees what changed since the return, and approves.
      await slk.goto(`${stack.url}${REVIEW}`);
      await expect(slk.locator('main').textContent()).resolves.toContain('Ändrat sedan återremissen');
      await slk.getByRole('button', { name: 'Godkänn' }).click();
      await slk.waitForURL((url) => url.pathname === `/cykel/${year}`);
      const report = await api('jarva', 'GET', `/api/cycles/${year}/deliverables/tertialrapport-1/jarva/report`);
      expect(JSON.parse(report.body.toString()).deliverable.stage).toBe('approved');
    } finally {
      await slkContext.close();
    }
  });

  it('exports the phase to XLSX and the report to PDF, both read back', async () => {
    const xlsx = await api('admin', 'GET', `/api/cycles/${year}/phases/tertialrapport-1/export.xlsx`);
    expect(xlsx.status).toBe(200);
    const book = join(dir, 'tertial.xlsx');
    writeFileSync(book, xlsx.body);
    const strings = execFileSync(
      'python3',
      [
        '-c',
        `import re, sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
for name in z.namelist():
    if name.startswith('xl/worksheets/') or name == 'xl/sharedStrings.xml':
        print('\\n'.join(re.findall(r'<t[^>]*>([^<]*)</t>', z.read(name).decode('utf-8'))))`,
        book,
      ],
      { encoding: 'utf8' },
    );
    // The answers as approved: the second hand-in, with the reference the board kept.
    for (const text of [
      'Järva stadsdelsnämnd',
      'godkänd',
      'Verksamheten följer planen.',
      'Förskola',
      'två nya förskolor öppnade i mars',
      'JÄ 2090/77',
    ]) {
      expect(strings).toContain(text);
    }

    const pdf = await api('jarva', 'GET', `/api/cycles/${year}/deliverables/tertialrapport-1/jarva/report.pdf`);
    expect(pdf.status).toBe(200);
    const file = join(dir, 'tertial.pdf');
    writeFileSync(file, pdf.body);
    const text = execFileSync(process.env.ARSHJUL_PDFTOTEXT ?? 'pdftotext', ['-layout', file, '-'], {
      encoding: 'utf8',
    }).replace(/\s+/g, ' ');
    for (const expected of [
      'Tertialrapport 1',
      'Järva stadsdelsnämnd',
      'Verksamheten följer planen.',
      'Lokalbrist.',
      'Protokollsutdrag Järva.pdf',
    ]) {
      expect(text).toContain(expected);
    }
    // The printed first page as an image beside the pages' screenshots (pdftoppm: poppler-utils,
    // the package that brings pdftotext).
    const pdftoppm = join(dirname(process.env.ARSHJUL_PDFTOTEXT ?? '/usr/bin/pdftotext'), 'pdftoppm');
    mkdirSync(SCREENSHOT_DIR, { recursive: true });
    const image = join(SCREENSHOT_DIR, 'journey-export-pdf');
    execFileSync(pdftoppm, ['-png', '-r', '60', '-f', '1', '-l', '1', '-singlefile', file, image]);
    expect(statSync(`${image}.png`).size).toBeGreaterThan(5_000);
  });
});
