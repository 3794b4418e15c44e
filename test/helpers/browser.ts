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
