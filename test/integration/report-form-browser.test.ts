import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Browser, BrowserContext, FileChooser, Page } from 'playwright-core';
import { publishTemplateVersion } from '../../src/client/operations/template-versions';
import { loadCycleTemplate } from '../../src/db/cycle-templates';
import { reportTemplateSchema } from '../../src/domain/report-template';
import { accessibilityViolations, keyboardProblems } from '../helpers/accessibility';
import { launchBrowser, screenshot, signInWithKey, structureProblems } from '../helpers/browser';
import { STACK_YEAR, useHttpStack } from '../helpers/http-stack';
import { reportStackOptions } from '../helpers/report-stack';

/**
 * The report form in Chromium (issue 12): a district fills part of its report, saves, leaves,
 * comes back to its draft and finds its answers with who saved them; a refused save shows the
 * error by the field and in the summary. axe-core's WCAG 2.1 AA rules, the page's structure and
 * a walk with the Tab key on each state, and screenshots in test-output/screenshots/.
 */
const stack = useHttpStack('report_form_browser', reportStackOptions());
const year = STACK_YEAR;

let browser: Browser;
let context: BrowserContext;
const files = mkdtempSync(join(tmpdir(), 'arshjul-report-form-'));
afterAll(() => rmSync(files, { recursive: true, force: true }));

beforeAll(async () => {
  browser = await launchBrowser();
  context = await browser.newContext({ viewport: { width: 1366, height: 900 }, locale: 'sv-SE' });
});

afterAll(async () => {
  await context?.close().catch(() => undefined);
  await browser?.close();
});

async function checkPage(page: Page, name: string): Promise<void> {
  expect(await structureProblems(page)).toEqual([]);
  expect(await accessibilityViolations(page)).toEqual([]);
  await screenshot(page, name);
}

describe('a board fills its report in the browser', () => {
  it('saves a draft, leaves, comes back to it and sees who saved it', async () => {
    const page = await context.newPage();
    expect(await signInWithKey(page, stack.url, stack.tokens.jarva)).toBe('/namnd/jarva');
    await page.getByRole('link', { name: `Fyll i rapporten: Testrapport ${year}` }).click();
    await page.waitForURL((url) => url.pathname === `/namnd/jarva/${year}/rapport`);
    expect(await keyboardProblems(page)).toEqual([]);
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe(`Testrapport, budgetår ${year}`);
    await expect(page.getByRole('heading', { name: 'Det här saknas' }).isVisible()).resolves.toBe(true);
    await checkPage(page, 'report-form-empty');

    // Part of the report: the summary, the forecast in Swedish notation, one row of the table.
    await page.getByLabel('Sammanfattning').fill('Prognosen håller; förskolan går något över budget.');
    await page.getByLabel('Prognos').fill('1 250,5');
    await page.getByLabel('Verksamhetsområde, ny rad').fill('Förskola');
    await page.getByLabel('Belopp, ny rad').fill('1200');
    await page.getByRole('button', { name: 'Spara ekonomi' }).click();
    await page.waitForURL((url) => url.searchParams.get('sparat') === 'ekonomi');
    await expect(page.getByRole('status').textContent()).resolves.toContain('Ekonomi: sparat.');

    // Leave for the board's page, then come back to the draft.
    await page.getByRole('link', { name: 'Tillbaka till nämndens sida' }).click();
    await page.waitForURL((url) => url.pathname === '/namnd/jarva');
    await page.getByRole('link', { name: `Fyll i rapporten: Testrapport ${year}` }).click();
    await page.waitForURL((url) => url.pathname === `/namnd/jarva/${year}/rapport`);
    await expect(page.getByLabel('Sammanfattning').inputValue()).resolves.toBe(
      'Prognosen håller; förskolan går något över budget.',
    );
    await expect(page.getByLabel('Prognos').inputValue()).resolves.toBe('1250,5');
    await expect(page.getByLabel('Verksamhetsområde, rad 1').inputValue()).resolves.toBe('Förskola');
    // The empty row to add another is there again.
    await expect(page.getByLabel('Verksamhetsområde, ny rad').inputValue()).resolves.toBe('');
    const savedLine = page.locator('#svar-ekonomi-sammanfattning-sparad');
    await expect(savedLine.textContent()).resolves.toMatch(
      /^Senast sparad av test board:jarva \(test\), .+ kl\. \d\d:\d\d$/,
    );
    // The saved line is read out with the field.
    await expect(page.getByLabel('Sammanfattning').getAttribute('aria-describedby')).resolves.toContain(
      'svar-ekonomi-sammanfattning-sparad',
    );
    // What is missing now: only the priority area's question.
    await expect(page.locator('h2:has-text("Det här saknas") + ul').textContent()).resolves.toContain(
      'Rinkeby-Kista: Nämndens insatser i området',
    );
    expect(await keyboardProblems(page)).toEqual([]);
    await checkPage(page, 'report-form-draft');
  });

  it('shows a refused answer by its field and in the summary, which links to it', async () => {
    const page = await context.newPage();
    await page.goto(`${stack.url}/namnd/jarva/${year}/rapport`);
    await page.getByLabel('Prognos').fill('ungefär tusen');
    await page.getByRole('button', { name: 'Spara ekonomi' }).click();
    const alert = page.getByRole('alert');
    await expect(alert.textContent()).resolves.toContain('Ekonomi: Prognos: Skriv ett tal');
    await alert.getByRole('link').click();
    await expect(page.evaluate('document.activeElement?.id')).resolves.toBe('svar-ekonomi-prognos');
    await expect(page.locator('#svar-ekonomi-prognos-fel').textContent()).resolves.toContain('Skriv ett tal');
    await checkPage(page, 'report-form-error');
  });

  it('uploads a PDF from the form with the keyboard, lists it, and refuses a mistyped or oversized file by the field', async () => {
    const page = await context.newPage();
    await page.goto(`${stack.url}/namnd/jarva/${year}/rapport`);
    const input = page.getByLabel('Välj en fil att bifoga till Underlag');
    await expect(input.getAttribute('aria-describedby')).resolves.toContain('svar-bilagor-underlag-typer');

    // One listener for the whole test keeps Playwright's file chooser interception on: added and
    // removed per choice, a key press could come before it is on again and the chooser be lost.
    const choosers: FileChooser[] = [];
    page.on('filechooser', (chooser) => choosers.push(chooser));

    /** Chooses a file as a keyboard user does: the file input focused, Space opens the chooser; then Tab, Enter. */
    const chooseAndUpload = async (path: string) => {
      await input.focus();
      await page.keyboard.press('Space');
      for (let i = 0; i < 200 && choosers.length === 0; i++) await page.waitForTimeout(25);
      const chooser = choosers.shift();
      if (!chooser) throw new Error('Space on the file input opened no file chooser');
      await chooser.setFiles(path);
      await page.keyboard.press('Tab');
      await expect(page.evaluate('document.activeElement?.textContent?.trim()')).resolves.toBe('Ladda upp');
      await page.keyboard.press('Enter');
    };

    const pdf = join(files, 'Tertialrapport Järva.pdf');
    writeFileSync(pdf, '%PDF-1.4\n% Järva\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');
    await chooseAndUpload(pdf);
    const listed = page.locator('#svar-bilagor-underlag-filer li');
    await listed.first().waitFor();
    await expect(listed.first().textContent()).resolves.toMatch(
      /Tertialrapport Järva\.pdf \(\d+ byte\), uppladdad av test board:jarva \(test\), .+ kl\. \d\d:\d\d/,
    );
    await expect(page.locator('#svar-bilagor-underlag-status').textContent()).resolves.toBe(
      'Tertialrapport Järva.pdf är bifogad.',
    );
    // Stored as the answer, over the version the page saw.
    const saved = await stack.harness.db.pool.query<{ value: Array<{ name: string }>; version: number }>(
      `SELECT value, version FROM report_answers WHERE workflow_id = $1 AND path = 'bilagor.underlag'`,
      [`teststad/${year}/rapport/jarva`],
    );
    expect(saved.rows).toEqual([
      { value: [expect.objectContaining({ name: 'Tertialrapport Järva.pdf' })], version: 1 },
    ]);
    await checkPage(page, 'report-form-upload');

    // Content that is no PDF, named .pdf: refused by the server, shown by the field and in the summary.
    const fake = join(files, 'inte-en.pdf');
    writeFileSync(fake, 'MZ this is no PDF');
    await chooseAndUpload(fake);
    const error = page.locator('#svar-bilagor-underlag-fel');
    await error.waitFor();
    await expect(error.textContent()).resolves.toContain('Filen är inte av en typ som tas emot');
    await expect(input.getAttribute('aria-describedby')).resolves.toContain('svar-bilagor-underlag-fel');
    await expect(input.getAttribute('aria-invalid')).resolves.toBe('true');
    const summary = page.locator('#fel-filer');
    await expect(summary.isVisible()).resolves.toBe(true);
    await expect(summary.textContent()).resolves.toContain('Bilagor: Underlag: Filen är inte av en typ som tas emot');
    await expect(page.evaluate('document.activeElement?.id')).resolves.toBe('fel-filer');
    await checkPage(page, 'report-form-upload-refused');

    // Over the limit (25 MB): refused before it is sent.
    const big = join(files, 'stor.pdf');
    writeFileSync(big, Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.alloc(26 * 1024 * 1024, 0x20)]));
    await chooseAndUpload(big);
    await expect(page.locator('#svar-bilagor-underlag-fel').textContent()).resolves.toContain(
      'Filen är för stor: högst 25',
    );
    expect(
      (
        await stack.harness.db.pool.query(`SELECT 1 FROM attachments WHERE workflow_id = $1`, [
          `teststad/${year}/rapport/jarva`,
        ])
      ).rowCount,
    ).toBe(1);

    // Back on the page as drawn by the server: the file, and the report's attachments with a hash.
    await page.reload();
    await expect(page.locator('#svar-bilagor-underlag-filer li').count()).resolves.toBe(1);
    await expect(page.getByRole('table', { name: 'Bilagor till rapporten' }).textContent()).resolves.toMatch(
      /Tertialrapport Järva\.pdf[\s\S]*[0-9a-f]{12}/,
    );
    expect(await keyboardProblems(page)).toEqual([]);
    await checkPage(page, 'report-form-attachments');
  });

  it('shows a published template correction with the removed answer, passes axe, and is dismissed with the keyboard', async () => {
    const pool = stack.harness.db.pool;
    const current = await loadCycleTemplate(pool, 'teststad', year, 'testrapport');
    const v2 = structuredClone(current!.template);
    v2.version = 2;
    // The forecast becomes a text question: the number Järva saved does not carry over.
    const ekonomi = v2.sections.find((s) => s.id === 'ekonomi')!;
    ekonomi.questions = ekonomi.questions.map((q) =>
      q.id === 'prognos'
        ? { id: 'prognos', kind: 'short-text', label: 'Prognos i ord', required: false, maxLength: 300 }
        : q,
    );
    await publishTemplateVersion(
      pool,
      {
        municipality: 'teststad',
        budgetYear: year,
        template: reportTemplateSchema.parse(v2),
        reason: 'Prognosen i ord',
      },
      'cli:slk',
    );

    const page = await context.newPage();
    await page.goto(`${stack.url}/namnd/jarva/${year}/rapport`);
    const notice = page.getByRole('region', { name: /Mallen har rättats/ });
    await expect(notice.getByRole('heading').textContent()).resolves.toMatch(
      /Mallen har rättats \(version 2\): 3 svar fördes över, 1 svar togs bort/,
    );
    await expect(notice.textContent()).resolves.toMatch(/Prognos \(frågan ber nu om en annan sorts svar\)\s*1250,5/);
    expect(await keyboardProblems(page)).toEqual([]);
    await checkPage(page, 'report-form-template-corrected');

    await page.getByRole('button', { name: 'Dölj meddelandet' }).focus();
    await page.keyboard.press('Enter');
    // The post redirects back to the page, drawn without the notice.
    await page.getByRole('region', { name: /Mallen har rättats/ }).waitFor({ state: 'detached' });
    await page.waitForLoadState('load');
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe(`Testrapport, budgetår ${year}`);
  });
});
