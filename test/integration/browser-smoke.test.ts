import { readFileSync, statSync } from 'node:fs';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { Browser } from 'playwright-core';
import { accessibilityViolations, keyboardProblems } from '../helpers/accessibility';
import { launchBrowser, screenshot } from '../helpers/browser';

/** A page in Swedish with a button that says so when it has been pressed. */
const PAGE = `<!doctype html>
<html lang="sv">
<head><meta charset="utf-8"><title>Årshjul — inlämning</title></head>
<body>
  <h1>Budgetunderlag 2028</h1>
  <p>Spånga-Tensta stadsdelsnämnd · sista dag 30 april kl. 23:59</p>
  <button id="skicka" type="button">Lämna in</button>
  <p id="status" role="status">Inte inlämnat</p>
  <script>
    document.getElementById('skicka').addEventListener('click', () => {
      document.getElementById('status').textContent = 'Inlämnat — tack! Åäö';
    });
  </script>
</body>
</html>`;

/**
 * A page with faults the accessibility checks must find: a control without a label, grey text
 * too faint to read, an image without a text alternative and
 * focus made invisible. Served with a Content-Security-Policy that forbids scripts, as the real
 * pages are, so the checker must work without the page running any script of its own.
 */
const FAULTY_PAGE = `<!doctype html>
<html lang="sv">
<head><meta charset="utf-8"><title>Felaktig sida</title>
<style>button:focus { outline: none; } .faint { color: #bbb; background: #fff; }</style></head>
<body>
  <a class="skip-link" href="#innehall">Hoppa till innehållet</a>
  <main id="innehall">
    <h1>Felaktig sida</h1>
    <p class="faint">Knappt läsbar text</p>
    <img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">
    <input type="text" name="namn">
    <button type="button">Spara</button>
  </main>
  <script>window.pageScriptRan = true;</script>
</body>
</html>`;

let server: Server;
let baseUrl: string;
let browser: Browser;

beforeAll(async () => {
  server = createServer((request, response) => {
    const faulty = request.url === '/felaktig';
    response.writeHead(200, {
      'content-type': 'text/html; charset=utf-8',
      ...(faulty && { 'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; img-src data:" }),
    });
    response.end(faulty ? FAULTY_PAGE : PAGE);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
});

describe('browser smoke test', () => {
  it('opens a Swedish page in Chromium, clicks, sees the change and saves a screenshot', async () => {
    const page = await browser.newPage();
    try {
      await page.goto(baseUrl);
      expect(await page.title()).toBe('Årshjul — inlämning');
      const status = page.getByRole('status');
      expect(await status.textContent()).toBe('Inte inlämnat');

      await page.getByRole('button', { name: 'Lämna in' }).click();
      await status.filter({ hasText: 'Inlämnat — tack! Åäö' }).waitFor();
      expect(await status.textContent()).toBe('Inlämnat — tack! Åäö');

      const path = await screenshot(page, 'browser-smoke');
      expect(path).toMatch(/test-output\/screenshots\/browser-smoke\.png$/);
      expect(statSync(path).size).toBeGreaterThan(0);
      expect(readFileSync(path).subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    } finally {
      await page.close();
    }
  });

  it('finds what the accessibility checks exist to find, on a page whose policy forbids scripts', async () => {
    const page = await browser.newPage();
    try {
      await page.goto(`${baseUrl}felaktig`);
      expect(await keyboardProblems(page)).toEqual([expect.stringMatching(/^focus not visible on button "Spara"/)]);
      const violations = await accessibilityViolations(page);
      expect(violations.map((v) => v.split(' ')[0])).toEqual(
        expect.arrayContaining(['color-contrast', 'image-alt', 'label']),
      );
      expect(violations.find((v) => v.startsWith('label '))).toMatch(/^label \((critical|serious)\): .+ — input/);
      // The policy held: the page's own script never ran, yet the checker did.
      expect(await page.evaluate('window.pageScriptRan')).toBeUndefined();
      // A page without faults passes.
      await page.goto(baseUrl);
      expect(await accessibilityViolations(page)).toEqual([]);
    } finally {
      await page.close();
    }
  });
});
