import { Browser, Page } from 'playwright-core';
import { accessibilityViolations, keyboardProblems } from '../helpers/accessibility';
import { launchBrowser, screenshot, signInWithKey, structureProblems } from '../helpers/browser';
import { STACK_YEAR, useHttpStack } from '../helpers/http-stack';
import { reviewStackOptions } from '../helpers/report-stack';

/**
 * SLK's preview of a template in Chromium (issue 12): reached from a report's review, shown as
 * a district sees it, then chosen as a service board with the chooser (a plain GET form); on a
 * laptop and a phone, axe-core's WCAG 2.1 AA rules, the page's structure and a walk with the Tab
 * key; the screenshot test-output/screenshots/template-preview.png.
 */
const stack = useHttpStack('template_preview_browser', reviewStackOptions());
const year = STACK_YEAR;

let browser: Browser;

beforeAll(async () => {
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
});

async function checkPage(page: Page): Promise<void> {
  expect(await structureProblems(page)).toEqual([]);
  expect(await accessibilityViolations(page)).toEqual([]);
  expect(await keyboardProblems(page)).toEqual([]);
}

describe('SLK previews a template as a board sees it', () => {
  it.each([
    ['laptop', { width: 1366, height: 900 }, 'template-preview'],
    ['phone', { width: 390, height: 844 }, 'template-preview-phone'],
  ])('on a %s: from the review to the preview, then as another board', async (_device, viewport, name) => {
    const context = await browser.newContext({ viewport, locale: 'sv-SE' });
    try {
      const page = await context.newPage();
      await signInWithKey(page, stack.url, stack.tokens.admin);
      await page.goto(`${stack.url}/cykel/${year}/granska/granskad/jarva`);
      await page.getByRole('link', { name: 'Mallen som nämnden ser den' }).click();
      await page.waitForURL((url) => url.pathname === `/cykel/${year}/mallar/testrapport`);
      await expect(page.locator('#forhandsvisning').textContent()).resolves.toMatch(
        /Förhandsvisning av mallen Testrapport version 1, som Järva stadsdelsnämnd ser den\./,
      );
      // The district's priority area, and nothing to type into.
      const area = page.getByRole('group', { name: 'Rinkeby-Kista' });
      await expect(area.getByLabel(/Nämndens insatser i området/).isDisabled()).resolves.toBe(true);
      await expect(page.getByRole('button', { name: /^Spara/ }).count()).resolves.toBe(0);
      await checkPage(page);
      await screenshot(page, name);

      await page.getByLabel('Visa mallen som').selectOption({ label: 'Kulturnämnden' });
      await page.getByRole('button', { name: 'Visa', exact: true }).click();
      await page.waitForURL((url) => url.searchParams.get('namnd') === 'kulturnamnden');
      await expect(page.locator('#forhandsvisning').textContent()).resolves.toMatch(/som Kulturnämnden ser den\./);
      await expect(page.getByRole('group', { name: 'Prioriterade områden' }).count()).resolves.toBe(0);
      await expect(page.getByRole('group', { name: 'Ekonomi' }).count()).resolves.toBe(1);
      await checkPage(page);
    } finally {
      await context.close();
    }
  });
});
