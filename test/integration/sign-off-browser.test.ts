import { Browser, BrowserContext, Page } from 'playwright-core';
import { accessibilityViolations, keyboardProblems } from '../helpers/accessibility';
import { launchBrowser, screenshot, signInWithKey, structureProblems } from '../helpers/browser';
import { STACK_YEAR, useHttpStack } from '../helpers/http-stack';
import { httpCalls } from '../helpers/http-calls';
import { signOffStackOptions } from '../helpers/report-stack';

/**
 * The sign-off (påskrift) on the report form in Chromium (issue 13): a board marks its report
 * ready, the form says who did and when and waits for the sign-off; a decline without a reason
 * is shown by its field and in the summary, a decline with one sends the report back with the
 * reason shown; marked ready again, the sign-off hands it in. axe-core's WCAG 2.1 AA rules, the
 * page's structure and a walk with the Tab key on the waiting form; screenshots in
 * test-output/screenshots/.
 */
const stack = useHttpStack('sign_off_browser', signOffStackOptions());
const year = STACK_YEAR;
const { call } = httpCalls(stack);

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

describe('a report that needs a sign-off, in the browser', () => {
  it('is marked ready, waits for the sign-off, is declined with a reason, then signed off and handed in', async () => {
    const api = `/api/cycles/${year}/deliverables/arsrapport/kulturnamnden/report`;
    for (const [path, value] of [
      ['ekonomi.sammanfattning', 'Året gick enligt plan.'],
      ['ekonomi.prognos', 40],
    ] as const) {
      expect((await call('kulturnamnden', 'PUT', `${api}/answers`, { path, value, expectedVersion: 0 })).status).toBe(
        200,
      );
    }
    const form = `${stack.url}/namnd/kulturnamnden/${year}/arsrapport`;
    const page = await context.newPage();
    await signInWithKey(page, stack.url, stack.tokens.kulturnamnden);
    await page.goto(form);
    await expect(page.getByRole('heading', { name: 'Klarmarkera för påskrift' }).isVisible()).resolves.toBe(true);
    await page.getByLabel('Diarienummer för nämndens beslut').fill('KN 2090/44');
    await page.getByRole('button', { name: 'Klarmarkera Testrapport' }).click();
    await page.waitForURL((url) => url.hash === '#paskrift');

    // A fresh load, for the walk with the Tab key from the top.
    await page.goto(form);
    expect(await keyboardProblems(page)).toEqual([]);
    const waiting = page.getByRole('heading', { level: 2, name: /väntar på påskrift/ });
    await expect(waiting.textContent()).resolves.toMatch(
      /^Klarmarkerad av \S.* den .+ kl\. \d\d:\d\d — väntar på påskrift$/,
    );
    // The answers cannot be changed while it waits.
    await expect(page.getByLabel('Sammanfattning').isDisabled()).resolves.toBe(true);
    // The controller who marked it ready may not sign it off: no such button for them.
    await expect(page.getByRole('button', { name: 'Skriv under och lämna in' }).count()).resolves.toBe(0);
    await checkPage(page, 'sign-off-awaiting');

    // The förvaltningschef, with a key of their own, declines and signs off.
    await signInWithKey(page, stack.url, stack.tokens.kulturnamndenChef);
    await page.goto(form);

    // A decline without a reason: by the field and in the summary, nothing changes.
    await page.getByRole('button', { name: 'Avböj påskriften' }).click();
    await page.waitForLoadState();
    await expect(page.getByRole('alert').first().textContent()).resolves.toContain(
      'Det gick inte att genomföra påskriften',
    );
    const reason = page.getByLabel('Skäl att avböja påskriften');
    await expect(reason.getAttribute('aria-invalid')).resolves.toBe('true');
    await expect(page.locator('#paskrift-avboj-skal-fel').textContent()).resolves.toBe(
      'Skriv varför påskriften avböjs.',
    );
    await checkPage(page, 'sign-off-decline-refused');

    await reason.fill('Prognosen behöver förklaras.');
    await page.getByRole('button', { name: 'Avböj påskriften' }).click();
    await page.waitForURL((url) => url.hash === '#paskrift');
    await expect(page.locator('#paskrift').textContent()).resolves.toContain('Skäl: Prognosen behöver förklaras.');
    await expect(page.getByLabel('Sammanfattning').isDisabled()).resolves.toBe(false);
    await checkPage(page, 'sign-off-declined');

    // Marked ready again (the reference is offered anew), then signed off: handed in.
    await page.getByLabel('Diarienummer för nämndens beslut').fill('KN 2090/44');
    await page.getByRole('button', { name: 'Klarmarkera Testrapport' }).click();
    await page.waitForURL((url) => url.hash === '#paskrift');
    await page.getByRole('button', { name: 'Skriv under och lämna in' }).click();
    await page.waitForURL((url) => url.pathname === '/namnd/kulturnamnden');
    await expect(page.locator('#kvitto').textContent()).resolves.toContain('är inlämnad');
    const state = await call('admin', 'GET', `/api/cycles/${year}/deliverables/arsrapport/kulturnamnden`);
    expect(state.body.state.stage).toBe('submitted');
    expect(state.body.state.submissions[0].documentRef).toBe('KN 2090/44');
    await page.close();
  });
});
