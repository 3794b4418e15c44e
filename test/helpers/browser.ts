import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Browser, chromium, Page } from 'playwright-core';
import { REPO_ROOT } from './processes';

/** Where screenshots go: under test-output/, which git ignores, so a failed run can be looked at. */
export const SCREENSHOT_DIR = join(REPO_ROOT, 'test-output', 'screenshots');

/**
 * Starts the Chromium that the global setup found (ARSHJUL_CHROMIUM), headless. Chromium's
 * sandbox refuses to run as root, hence --no-sandbox there (Playwright adds it too unless the
 * sandbox is asked for explicitly).
 */
export async function launchBrowser(): Promise<Browser> {
  const executablePath = process.env.ARSHJUL_CHROMIUM;
  if (!executablePath) {
    throw new Error('ARSHJUL_CHROMIUM is not set: run the browser tests through jest, whose global setup finds it.');
  }
  const root = process.getuid?.() === 0;
  return chromium.launch({ executablePath, headless: true, args: root ? ['--no-sandbox'] : [] });
}

/** Saves a full-page PNG as test-output/screenshots/<name>.png and returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  if (!/^[\w.-]+$/.test(name)) throw new Error(`screenshot name must be a plain file name: ${name}`);
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const path = join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/**
 * What a page must have for assistive technology, checked in the browser: Swedish, one <main>,
 * one <h1>, headings without skipped levels, a label for every control, tables with a caption
 * and scoped header cells, and the footer link to the accessibility statement that the law asks
 * for on every page. Returns the problems found (none expected).
 */
export async function structureProblems(page: Page): Promise<string[]> {
  return (await page.evaluate(`(() => {
    const problems = [];
    if (document.documentElement.lang !== 'sv') problems.push('lang is not sv');
    if (document.querySelectorAll('main').length !== 1) problems.push('not exactly one main');
    if (document.querySelectorAll('h1').length !== 1) problems.push('not exactly one h1');
    if (!document.querySelector('a.skip-link[href="#innehall"]')) problems.push('no skip link');
    if (!document.querySelector('meta[name="viewport"]')) problems.push('no viewport meta');
    const statement = document.querySelector('footer a[href="/tillganglighet"]');
    if (!statement || statement.textContent.trim() !== 'Tillgänglighetsredogörelse') {
      problems.push('no footer link to the accessibility statement');
    }
    let level = 0;
    for (const h of document.querySelectorAll('h1, h2, h3, h4, h5, h6')) {
      const next = Number(h.tagName[1]);
      if (next > level + 1) problems.push('heading skips a level: ' + h.textContent);
      level = next;
    }
    for (const control of document.querySelectorAll('input:not([type=hidden]), select, textarea')) {
      if (!control.labels || control.labels.length === 0) problems.push('no label: ' + control.name);
    }
    for (const table of document.querySelectorAll('table')) {
      if (!table.querySelector('caption')) problems.push('table without caption');
      for (const th of table.querySelectorAll('th')) if (!th.getAttribute('scope')) problems.push('th without scope');
    }
    return problems;
  })()`)) as string[];
}

/** Signs in through the form with a key, as a person does, and returns where the page landed. */
export async function signInWithKey(page: Page, baseUrl: string, key: string): Promise<string> {
  await page.goto(`${baseUrl}/logga-in`);
  await page.getByLabel('Åtkomstnyckel').fill(key);
  await page.getByRole('button', { name: 'Logga in' }).click();
  await page.waitForURL((url) => url.pathname !== '/logga-in');
  return new URL(page.url()).pathname;
}
