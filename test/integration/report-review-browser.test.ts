import { Browser, BrowserContext, Page } from 'playwright-core';
import { addDays } from '../../src/domain/local-date';
import { accessibilityViolations, keyboardProblems } from '../helpers/accessibility';
import { launchBrowser, screenshot, signInWithKey, structureProblems } from '../helpers/browser';
import { STACK_YEAR, StackTokens, useHttpStack } from '../helpers/http-stack';
import { reviewStackOptions } from '../helpers/report-stack';

/**
 * SLK's review page in Chromium (issue 12): a district's handed-in report with a generated
 * section and a table; SLK comments on one question and returns it from the review page; the
 * district sees the comment by the question, changes the answer and hands it in again; SLK sees
 * the change marked and approves. axe-core's WCAG 2.1 AA rules and the page's structure on each
 * state, screenshots test-output/screenshots/review-*.png.
 */
const stack = useHttpStack('report_review_browser', reviewStackOptions());
const year = STACK_YEAR;
const reviewUrl = () => `${stack.url}/cykel/${year}/granska/granskad/jarva`;
const formUrl = () => `${stack.url}/namnd/jarva/${year}/granskad`;

let browser: Browser;
let slk: BrowserContext;
let board: BrowserContext;

async function call(caller: keyof StackTokens, method: 'PUT' | 'POST', path: string, body: unknown) {
  const response = await fetch(`${stack.url}/api/cycles/${year}/deliverables/granskad/jarva${path}`, {
    method,
    headers: { authorization: `Bearer ${stack.tokens[caller]}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return response.status;
}

beforeAll(async () => {
  browser = await launchBrowser();
  slk = await browser.newContext({ viewport: { width: 1366, height: 900 }, locale: 'sv-SE' });
  board = await browser.newContext({ viewport: { width: 1366, height: 900 }, locale: 'sv-SE' });
  // Järva's report, handed in through the API (the form itself is the report form's browser test).
  const answers: Array<[string, unknown]> = [
    ['ekonomi.sammanfattning', 'Prognosen håller; förskolan går något över budget.\nSkolan går enligt plan.'],
    ['ekonomi.prognos', -350],
    ['ekonomi.bedomning', 'god'],
    [
      'ekonomi.utfall',
      [
        { omrade: 'Förskola', belopp: 1200 },
        { omrade: 'Skola', belopp: -80.5 },
      ],
    ],
    ['omraden[rinkeby-kista].insats', 'Fler fritidsledare på kvällstid.'],
    ['ovrigt.uppfoljt', true],
    ['ovrigt.kanaler', ['intranat', 'moten']],
  ];
  for (const [path, value] of answers) {
    expect(await call('jarva', 'PUT', '/report/answers', { path, value, expectedVersion: 0 })).toBe(200);
  }
  expect(
    await call('jarva', 'POST', '/report/ready', { documentRef: 'JA 2090/3', decisionDate: addDays(stack.day0, 1) }),
  ).toBe(200);
});

afterAll(async () => {
  await slk?.close().catch(() => undefined);
  await board?.close().catch(() => undefined);
  await browser?.close();
});

async function checkPage(page: Page, name: string): Promise<void> {
  expect(await structureProblems(page)).toEqual([]);
  expect(await accessibilityViolations(page)).toEqual([]);
  await screenshot(page, name);
}

describe('SLK reviews a report in the browser', () => {
  it('comments on a question and returns the report from the review page', async () => {
    const page = await slk.newPage();
    expect(await signInWithKey(page, stack.url, stack.tokens.admin)).toBe(`/cykel/${year}`);
    await page.getByRole('link', { name: /^Granska svaren\s*: Granskad rapport, Järva/ }).click();
    await page.waitForURL((url) => url.pathname === `/cykel/${year}/granska/granskad/jarva`);
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toMatch(
      /^Granskning: Testrapport, Järva/,
    );
    await expect(page.getByRole('table', { name: 'Utfall per verksamhetsområde' }).textContent()).resolves.toContain(
      '−80,5',
    );
    await expect(page.getByRole('heading', { name: 'Rinkeby-Kista' }).isVisible()).resolves.toBe(true);
    expect(await keyboardProblems(page)).toEqual([]);
    await checkPage(page, 'review-submitted');

    // Each question's comment form is folded away until opened.
    await expect(page.getByLabel('Kommentera Ekonomi: Prognos', { exact: true }).isVisible()).resolves.toBe(false);
    await page.locator('#fraga-ekonomi-prognos summary').click();
    await page.getByLabel('Kommentera Ekonomi: Prognos', { exact: true }).fill('Förklara avvikelsen mot budget.');
    await page.locator('#fraga-ekonomi-prognos').getByRole('button', { name: 'Spara kommentaren' }).click();
    await page.waitForURL((url) => url.searchParams.get('kommenterat') === 'ekonomi.prognos');
    await expect(page.getByRole('status').textContent()).resolves.toContain('Kommentaren är sparad');
    await expect(page.locator('#kommentar-ekonomi-prognos').textContent()).resolves.toContain(
      'Förklara avvikelsen mot budget.',
    );
    await checkPage(page, 'review-commented');

    // An empty comment is refused by its field (its form open again) and in the summary.
    await page.locator('#fraga-ekonomi-sammanfattning summary').click();
    await page.locator('#fraga-ekonomi-sammanfattning').getByRole('button', { name: 'Spara kommentaren' }).click();
    await expect(page.getByRole('alert').textContent()).resolves.toContain('Skriv en kommentar.');
    await expect(page.getByLabel('Kommentera Ekonomi: Sammanfattning', { exact: true }).isVisible()).resolves.toBe(
      true,
    );
    await checkPage(page, 'review-comment-refused');

    // A return without a reason is refused on the review page: in the summary and by the field.
    await page.getByLabel('Ny sista dag').fill(addDays(stack.day0, 50));
    await page.getByRole('button', { name: 'Återremittera' }).click();
    await expect(page.getByRole('alert').textContent()).resolves.toContain('Det gick inte att återremittera');
    await expect(page.locator('#aterremittera-granskad-jarva-reason-error').textContent()).resolves.toBe(
      'Skäl måste fyllas i',
    );
    await checkPage(page, 'review-return-refused');

    await page.getByLabel('Skäl för återremiss').fill('Prognosen behöver förklaras.');
    await page.getByLabel('Ny sista dag').fill(addDays(stack.day0, 50));
    await page.getByRole('button', { name: 'Återremittera' }).click();
    await page.waitForURL(
      (url) => url.pathname === `/cykel/${year}` && url.searchParams.get('klart') === 'aterremitterad',
    );
  });

  it('the district sees the comment by the question, changes the answer and hands it in again', async () => {
    const page = await board.newPage();
    await signInWithKey(page, stack.url, stack.tokens.jarva);
    await page.goto(formUrl());
    await expect(
      page.getByRole('heading', { level: 2, name: 'Rapporten är återremitterad' }).isVisible(),
    ).resolves.toBe(true);
    await expect(page.locator('.return-summary').textContent()).resolves.toContain(
      'Stadsledningskontoret har återremitterat rapporten: Prognosen behöver förklaras.',
    );
    await page.getByRole('link', { name: 'Ekonomi: Prognos' }).click();
    await expect(page.locator('#kommentar-ekonomi-prognos').textContent()).resolves.toContain(
      'Förklara avvikelsen mot budget.',
    );
    await checkPage(page, 'review-returned-form');

    await page.getByLabel(/^Prognos/).fill('-420');
    await page.getByRole('button', { name: 'Spara ekonomi' }).click();
    await page.waitForURL((url) => url.searchParams.get('sparat') === 'ekonomi');
    await page.getByRole('button', { name: 'Klarmarkera Testrapport' }).click();
    await page.waitForURL((url) => url.pathname === '/namnd/jarva');
  });

  it('SLK sees the change marked in the second version and approves', async () => {
    const page = await slk.newPage();
    await page.goto(reviewUrl());
    await expect(page.locator('#fraga-ekonomi-prognos .changed-mark').textContent()).resolves.toMatch(
      /Ändrat sedan återremissen\s*\(tidigare: −350 tkr\)/,
    );
    await expect(page.locator('#fraga-ekonomi-sammanfattning .changed-mark').count()).resolves.toBe(0);
    await expect(page.getByRole('heading', { name: 'Svar i version 2' }).isVisible()).resolves.toBe(true);
    expect(await keyboardProblems(page)).toEqual([]);
    await checkPage(page, 'review-second-version');
    await page.getByRole('button', { name: 'Godkänn' }).click();
    await page.waitForURL((url) => url.searchParams.get('klart') === 'godkand');
  });
});
