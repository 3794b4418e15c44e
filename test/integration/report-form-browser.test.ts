import { Browser, BrowserContext, Page } from 'playwright-core';
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
    await expect(savedLine.textContent()).resolves.toMatch(/^Senast sparad av test board:jarva, .+ kl\. \d\d:\d\d$/);
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
});
