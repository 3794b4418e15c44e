import { existsSync, statSync } from 'node:fs';
import { Browser, BrowserContext, Page } from 'playwright-core';
import { html } from '../../src/client/http/pages/html';
import { addDays } from '../../src/domain/local-date';
import { isEscalated, isOverdue } from '../../src/client/http/pages/format';
import { accessibilityViolations, keyboardProblems } from '../helpers/accessibility';
import { launchBrowser, screenshot, signInWithKey, structureProblems } from '../helpers/browser';
import { STACK_YEAR, StackTokens, useHttpStack } from '../helpers/http-stack';

/**
 * The web pages (issue 5) in a real browser, on a real cycle (time-skipping server, worker,
 * PostgreSQL, the HTTP server listening): signing in by role, the committee's overview before
 * and after a deadline and its escalations, a board submitting through its form, SLK's review,
 * the access rules, escaping, screenshots on a laptop and a phone; on every page axe-core's WCAG
 * 2.1 AA rules and a walk with the Tab key (issue 12), and the accessibility statement.
 */
const stack = useHttpStack('web_pages');
const year = STACK_YEAR;

let browser: Browser;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  browser = await launchBrowser();
});

afterAll(async () => {
  for (const context of contexts) await context.close().catch(() => undefined);
  await browser?.close();
});

const LAPTOP = { width: 1366, height: 900 };
const PHONE = { width: 390, height: 844 };

async function newPage(viewport = LAPTOP): Promise<Page> {
  const context = await browser.newContext({ viewport, locale: 'sv-SE' });
  contexts.push(context);
  return context.newPage();
}

/** axe-core's WCAG 2.1 AA rules on a laptop and on a phone (the layout changes), then back to the page's size. */
async function expectAccessible(page: Page): Promise<void> {
  const size = page.viewportSize();
  for (const viewport of [LAPTOP, PHONE]) {
    await page.setViewportSize(viewport);
    expect(await accessibilityViolations(page)).toEqual([]);
  }
  if (size) await page.setViewportSize(size);
}

/**
 * The page's structure and axe-core's WCAG 2.1 AA rules, on a laptop and on a phone (the layout
 * changes), with a screenshot of each: <name>.png and <name>-phone.png.
 */
async function checkLaptopAndPhone(page: Page, name: string): Promise<void> {
  expect(await structureProblems(page)).toEqual([]);
  expect(await accessibilityViolations(page)).toEqual([]);
  await screenshot(page, name);
  await page.setViewportSize(PHONE);
  expect(await accessibilityViolations(page)).toEqual([]);
  await screenshot(page, `${name}-phone`);
  await page.setViewportSize(LAPTOP);
}

const signIn = (page: Page, who: keyof StackTokens): Promise<string> =>
  signInWithKey(page, stack.url, stack.tokens[who]);

/** Reloads until the page shows what the read model will show shortly (activities update it). */
async function reloadUntil(page: Page, accept: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await accept()) return;
    if (Date.now() > deadline) throw new Error(`the page never showed what was expected: ${page.url()}`);
    await new Promise((r) => setTimeout(r, 300));
    await page.reload();
  }
}

const cell = (page: Page, board: string, phase: string) =>
  page.locator(`tr[data-board="${board}"] > td[data-phase="${phase}"]`);

/** A request as a browser without JavaScript would send it, with the session cookie of a role. */
async function request(
  path: string,
  init: { who?: keyof StackTokens; method?: string; body?: string; origin?: string },
) {
  const headers: Record<string, string> = {};
  if (init.who) headers.cookie = `arshjul_token=${stack.tokens[init.who]}`;
  if (init.body !== undefined) headers['content-type'] = 'application/x-www-form-urlencoded';
  if (init.origin) headers.origin = init.origin;
  const response = await fetch(`${stack.url}${path}`, {
    method: init.method ?? 'GET',
    headers,
    redirect: 'manual',
    ...(init.body !== undefined && { body: init.body }),
  });
  return { status: response.status, location: response.headers.get('location'), text: await response.text() };
}

describe('the web pages', () => {
  it('keeps pages to the right roles: sign-in redirect, 403 for a role, 404 for another board', async () => {
    // No cookie: every page sends the browser to the sign-in page.
    for (const path of [`/oversikt/${year}`, '/namnd/farsta', `/cykel/${year}`, '/']) {
      expect(await request(path, {})).toMatchObject({ status: 303, location: '/logga-in' });
    }
    const anonymous = await newPage();
    await anonymous.goto(`${stack.url}/oversikt/${year}`);
    expect(new URL(anonymous.url()).pathname).toBe('/logga-in');
    expect(await structureProblems(anonymous)).toEqual([]);
    await expectAccessible(anonymous);
    expect(await keyboardProblems(anonymous)).toEqual([]);

    // A wrong token: the form again, with an error, and 401.
    await anonymous.getByLabel('Åtkomstnyckel').fill('arshjul_thisIsNotARealTokenAtAll000000000000000000');
    const [refused] = await Promise.all([
      anonymous.waitForResponse((r) => r.url().endsWith('/logga-in') && r.request().method() === 'POST'),
      anonymous.getByRole('button', { name: 'Logga in' }).click(),
    ]);
    expect(refused.status()).toBe(401);
    await expect(anonymous.getByRole('alert').textContent()).resolves.toContain('Åtkomstnyckeln är fel');
    await expectAccessible(anonymous);

    // The session cookie: HttpOnly, SameSite=Strict, Secure (the stack's PUBLIC_URL is https).
    const login = await fetch(`${stack.url}/logga-in`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: stack.url },
      body: new URLSearchParams({ token: stack.tokens.farsta }).toString(),
      redirect: 'manual',
    });
    expect(login.status).toBe(303);
    expect(login.headers.get('location')).toBe('/namnd/farsta');
    expect(login.headers.get('set-cookie')).toBe(
      `arshjul_token=${stack.tokens.farsta}; HttpOnly; SameSite=Strict; Path=/; Secure`,
    );
    const logout = await request('/logga-ut', { who: 'farsta', method: 'POST', body: '' });
    expect(logout).toMatchObject({ status: 303, location: '/logga-in' });

    // A board lands on its own page; another board's page does not exist for it.
    const jarva = await newPage();
    expect(await signIn(jarva, 'jarva')).toBe('/namnd/jarva');
    const other = await jarva.goto(`${stack.url}/namnd/farsta`);
    expect(other?.status()).toBe(404);
    await expect(jarva.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Sidan finns inte');
    expect(await jarva.content()).not.toContain('Farsta');
    expect(await structureProblems(jarva)).toEqual([]);
    await expectAccessible(jarva);
    expect((await jarva.goto(`${stack.url}/namnd/no-such-board`))?.status()).toBe(404);
    expect((await jarva.goto(`${stack.url}/oversikt/${year}`))?.status()).toBe(403);

    // The committee lands on the overview; SLK's cycle page is not for it.
    const committee = await newPage();
    expect(await signIn(committee, 'committee')).toBe(`/oversikt/${year}`);
    const cyclePage = await committee.goto(`${stack.url}/cykel/${year}`);
    expect(cyclePage?.status()).toBe(403);
    await expect(committee.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Åtkomst nekad');
    expect(await structureProblems(committee)).toEqual([]);
    await expectAccessible(committee);
    // …and it sees a board's page without any form.
    await committee.goto(`${stack.url}/namnd/farsta`);
    await expect(committee.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Farsta stadsdelsnämnd');
    expect(await committee.getByRole('button', { name: /Lämna in/ }).count()).toBe(0);
    const admin = await newPage();
    expect(await signIn(admin, 'admin')).toBe(`/cykel/${year}`);

    // Writes: the committee may not submit; a post from another site is refused.
    const submit = `year=${year}&phaseId=tertialrapport&boardId=farsta&documentRef=Dnr+1`;
    expect((await request('/namnd/farsta/lamna-in', { who: 'committee', method: 'POST', body: submit })).status).toBe(
      403,
    );
    expect((await request('/namnd/farsta/lamna-in', { who: 'jarva', method: 'POST', body: submit })).status).toBe(404);
    const crossSite = await request('/namnd/farsta/lamna-in', {
      who: 'farsta',
      method: 'POST',
      body: submit,
      origin: 'https://evil.example',
    });
    expect(crossSite.status).toBe(403);
    expect(crossSite.text).toContain('Åtkomst nekad');
    expect((await stack.ops.deliverable(year, 'tertialrapport', 'farsta')).stage).toBe('open');

    // Signing out clears the cookie: the next page asks to sign in again.
    await jarva.goto(`${stack.url}/namnd/jarva`);
    await jarva.getByRole('button', { name: 'Logga ut' }).click();
    await jarva.waitForURL((url) => url.pathname === '/logga-in');
    await jarva.goto(`${stack.url}/namnd/jarva`);
    expect(new URL(jarva.url()).pathname).toBe('/logga-in');
  });

  it('lets a board submit through its form, keeps bad input with the field named, and the overview follows', async () => {
    const page = await newPage();
    expect(await signIn(page, 'jarva')).toBe('/namnd/jarva');
    expect(await keyboardProblems(page)).toEqual([]);
    const tertial = page.getByRole('region', { name: `Tertialrapport 1, budgetår ${year}` });

    // A bad date: 400, the same page with the field named in Swedish and the input kept.
    await tertial.getByLabel('Dokumentreferens/diarienummer').fill('Dnr JÄ 2090/41');
    await tertial.getByLabel('Beslutsdatum').fill('2090-13-45');
    await tertial.getByLabel('Kommentar').fill('Beslutad av nämnden.');
    const [refused] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith('/namnd/jarva/lamna-in')),
      tertial.getByRole('button', { name: /Lämna in/ }).click(),
    ]);
    expect(refused.status()).toBe(400);
    const again = page.getByRole('region', { name: `Tertialrapport 1, budgetår ${year}` });
    await expect(again.getByRole('alert').textContent()).resolves.toContain('Beslutsdatum måste vara ett datum');
    expect(await again.getByLabel('Beslutsdatum').inputValue()).toBe('2090-13-45');
    expect(await again.getByLabel('Beslutsdatum').getAttribute('aria-invalid')).toBe('true');
    expect(await again.getByLabel('Dokumentreferens/diarienummer').inputValue()).toBe('Dnr JÄ 2090/41');
    expect(await again.getByLabel('Kommentar').inputValue()).toBe('Beslutad av nämnden.');
    expect((await stack.ops.deliverable(year, 'tertialrapport', 'jarva')).stage).toBe('open');
    await checkLaptopAndPhone(page, 'web-board-page');

    // Corrected: submitted, redirected back with a confirmation.
    await again.getByLabel('Beslutsdatum').fill(stack.day0);
    await again.getByRole('button', { name: /Lämna in/ }).click();
    await page.waitForURL((url) => url.searchParams.get('inlamnad') === 'tertialrapport');
    await expect(page.getByRole('status').textContent()).resolves.toContain(
      `Tertialrapport 1 för budgetår ${year} är inlämnad`,
    );
    expect((await stack.ops.deliverable(year, 'tertialrapport', 'jarva')).stage).toBe('submitted');

    // The budget submission, with a comment that looks like markup (shown as text later on).
    const budget = page.getByRole('region', { name: `Budgetunderlag, budgetår ${year}` });
    await budget.getByLabel('Dokumentreferens/diarienummer').fill('Dnr JÄ 2090/42');
    await budget.getByLabel('Kommentar').fill('<script>window.__pwned = 1</script> & <b>fet</b>');
    await budget.getByRole('button', { name: /Lämna in/ }).click();
    await page.waitForURL((url) => url.searchParams.get('inlamnad') === 'budgetunderlag');
    expect((await stack.ops.deliverable(year, 'budgetunderlag', 'jarva')).stage).toBe('submitted');
    // The year ahead: a phase not opened yet is among the upcoming deadlines.
    const upcoming = page.getByRole('table', { name: /Kommande sista dagar/ });
    expect(await upcoming.textContent()).toContain('Verksamhetsplan');
    await expectAccessible(page);
    await screenshot(page, 'web-board-page-submitted');

    // The committee's overview shows jarva's cell changed.
    const committee = await newPage();
    await signIn(committee, 'committee');
    await reloadUntil(committee, async () =>
      ((await cell(committee, 'jarva', 'tertialrapport').textContent()) ?? '').includes('Inlämnad'),
    );
  });

  it('shows the committee every board and phase, then who is late and escalated after the deadline', async () => {
    const page = await newPage();
    expect(await signIn(page, 'committee')).toBe(`/oversikt/${year}`);
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe(`Översikt budgetår ${year}`);
    const matrix = page.locator('table.matrix');
    expect(await matrix.locator('caption').textContent()).toContain(`budgetår ${year}`);
    const boards = await matrix.locator('tbody th[scope="row"]').allTextContents();
    for (const name of ['Farsta stadsdelsnämnd', 'Järva stadsdelsnämnd', 'Kulturnämnden', 'AB Stokab']) {
      expect(boards.some((b) => b.includes(name))).toBe(true);
    }
    expect(boards).toHaveLength(4);
    const phases = await matrix.locator('thead th[scope="col"]').allTextContents();
    for (const name of ['Nämnd', 'Tertialrapport 1', 'Budgetunderlag', 'Verksamhetsplan']) {
      expect(phases.some((p) => p.includes(name))).toBe(true);
    }
    expect(await cell(page, 'kulturnamnden', 'tertialrapport').textContent()).toContain('Öppen');
    expect(await cell(page, 'farsta', 'verksamhetsplan').textContent()).toContain('Ej öppnad');
    // The year wheel and the timeline: SVGs with a text alternative, today marked.
    expect(await page.getByRole('img', { name: `Årshjulet för budgetår ${year}` }).count()).toBe(1);
    expect(await page.getByRole('img', { name: `Tidslinje för budgetår ${year}` }).count()).toBe(1);
    await expect(page.getByRole('list', { name: 'Årshjulet som lista' }).textContent()).resolves.toContain(
      'Kommunfullmäktige beslutar budget',
    );

    // Farsta submits before the deadline; Kulturnämnden does not. Past the deadline (day 15)
    // and the escalation steps (+1 and +5 business days).
    await stack.ops.actOnDeliverable(year, 'tertialrapport', 'farsta', 'submit', { documentRef: 'Dnr FA 1' }, 'test');
    await stack.advanceTo(24);
    await reloadUntil(page, async () => {
      const text = (await cell(page, 'kulturnamnden', 'tertialrapport').textContent()) ?? '';
      return text.includes('Försenad') && text.includes('Eskalerad steg');
    });
    expect(await cell(page, 'farsta', 'tertialrapport').textContent()).toContain('Inlämnad');
    const kultur = await stack.ops.deliverable(year, 'tertialrapport', 'kulturnamnden');
    expect(kultur).toMatchObject({ late: true });
    expect(kultur.escalationLevel).toBeGreaterThanOrEqual(1);
    expect(await cell(page, 'kulturnamnden', 'tertialrapport').textContent()).toContain(
      `Eskalerad steg ${kultur.escalationLevel}`,
    );
    expect(await cell(page, 'kulturnamnden', 'tertialrapport').getAttribute('data-phase')).toBe('tertialrapport');
    expect(await cell(page, 'kulturnamnden', 'tertialrapport').locator('.status').getAttribute('class')).toContain(
      'st-escalated',
    );

    // The counts agree with the read model: Kulturnämnden and Stokab late and escalated.
    const all = await stack.ops.deliverables(year);
    const late = all.filter(isOverdue).length;
    const escalated = all.filter(isEscalated).length;
    expect(late).toBe(2);
    const counts = (await page.locator('ul.counts').innerText()).replace(/\s+/g, ' ');
    expect(counts).toContain(`${late} försenade`);
    expect(counts).toContain(`${escalated} eskalerade`);
    const done = all.filter((d) => d.stage === 'submitted' || d.stage === 'approved').length;
    expect(counts).toContain(`${done} av ${all.length} inlämnade eller godkända`);

    // Filters: by board kind, by priority area (Rinkeby-Kista is served by Järva today).
    await page.getByLabel('Typ av nämnd').selectOption('facknamnd');
    await page.getByRole('button', { name: 'Visa' }).click();
    await page.waitForURL((url) => url.searchParams.get('typ') === 'facknamnd');
    expect(await matrix.locator('tbody th[scope="row"]').allTextContents()).toEqual([
      expect.stringContaining('Kulturnämnden'),
    ]);
    expect((await page.locator('ul.counts').innerText()).replace(/\s+/g, ' ')).toContain('1 försenade');
    await page.getByLabel('Typ av nämnd').selectOption('');
    await page.getByLabel('Prioriterat område').selectOption('rinkeby-kista');
    await page.getByRole('button', { name: 'Visa' }).click();
    await page.waitForURL((url) => url.searchParams.get('omrade') === 'rinkeby-kista');
    expect(await matrix.locator('tbody th[scope="row"]').allTextContents()).toEqual([
      expect.stringContaining('Järva stadsdelsnämnd'),
    ]);

    await page.goto(`${stack.url}/oversikt/${year}`);
    expect(await keyboardProblems(page)).toEqual([]);
    expect(await structureProblems(page)).toEqual([]);
    await expectAccessible(page);
    const laptop = await screenshot(page, 'web-overview-laptop');
    const phone = await newPage(PHONE);
    await signIn(phone, 'committee');
    // On a phone the page itself does not scroll sideways; the wide table scrolls in its container.
    // (Evaluated in the page; the test project has no DOM types.)
    const widths = (await phone.evaluate(`({
      page: document.documentElement.scrollWidth,
      viewport: window.innerWidth,
      table: document.querySelector('.table-wrap').scrollWidth,
      wrap: document.querySelector('.table-wrap').clientWidth,
    })`)) as { page: number; viewport: number; table: number; wrap: number };
    expect(widths.page).toBeLessThanOrEqual(widths.viewport);
    expect(widths.table).toBeGreaterThan(widths.wrap);
    await expectAccessible(phone);
    const mobile = await screenshot(phone, 'web-overview-phone');
    for (const path of [laptop, mobile]) expect(statSync(path).size).toBeGreaterThan(10_000);
  });

  it('gives SLK the plan, the review queue and the forms; markup in a comment stays text', async () => {
    const page = await newPage();
    expect(await signIn(page, 'admin')).toBe(`/cykel/${year}`);
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe(`Budgetcykel ${year}`);
    // The queue is one table; each report is reviewed (and approved or returned) on its own page.
    const queue = page.getByRole('table', { name: /Väntar på granskning/ });
    const row = queue.getByRole('row', { name: /Järva stadsdelsnämnd/ });
    expect(await row.textContent()).toContain('Budgetunderlag');
    expect(await page.locator('form[action$="/godkann"], form[action$="/aterremittera"]').count()).toBe(0);

    // A refused move names the field; the form keeps what was typed.
    await page.getByLabel('Fas', { exact: true }).selectOption('verksamhetsplan');
    const moveForm = page.locator('form[action$="/flytta-sista-dag"]');
    await moveForm.getByLabel('Ny sista dag').fill('i morgon');
    await moveForm.getByLabel('Skäl').fill('KF flyttade sitt möte.');
    await moveForm.getByRole('button', { name: 'Flytta sista dag' }).click();
    await expect(page.getByRole('alert').textContent()).resolves.toContain('Ny sista dag måste vara ett datum');
    expect(await page.locator('form[action$="/flytta-sista-dag"]').getByLabel('Skäl').inputValue()).toBe(
      'KF flyttade sitt möte.',
    );
    expect(await structureProblems(page)).toEqual([]);
    await expectAccessible(page);
    await screenshot(page, 'web-cycle-page');

    // Approving from the report's review page, reached from the queue (a report without a
    // template: what the board handed in, its comment as text, and the two forms).
    await page.goto(`${stack.url}/cykel/${year}`);
    expect(await keyboardProblems(page)).toEqual([]);
    await page.getByRole('link', { name: /^Granska svaren\s*: Budgetunderlag, Järva stadsdelsnämnd/ }).click();
    await page.waitForURL((url) => url.pathname === `/cykel/${year}/granska/budgetunderlag/jarva`);
    const comment = page.locator('dd.comment');
    expect(await comment.textContent()).toBe('<script>window.__pwned = 1</script> & <b>fet</b>');
    expect(await page.locator('main script, main b').count()).toBe(0);
    expect(await page.evaluate('window.__pwned')).toBeUndefined();
    expect(await structureProblems(page)).toEqual([]);
    expect(await keyboardProblems(page)).toEqual([]);
    await expectAccessible(page);
    await screenshot(page, 'web-review-plain');
    await page.getByRole('button', { name: 'Godkänn' }).click();
    await page.waitForURL((url) => url.searchParams.get('klart') === 'godkand');
    await expect(page.getByRole('status').textContent()).resolves.toBe('Leveransen är godkänd.');
    expect((await stack.ops.deliverable(year, 'budgetunderlag', 'jarva')).stage).toBe('approved');
    await expect(page.getByText('Inget väntar på granskning.').count()).resolves.toBe(1);

    // Moving a phase's deadline, and confirming a milestone (its planned date is filled in).
    await page.getByLabel('Fas', { exact: true }).selectOption('verksamhetsplan');
    const move = page.locator('form[action$="/flytta-sista-dag"]');
    await move.getByLabel('Ny sista dag').fill(addDays(stack.day0, 70));
    await move.getByLabel('Skäl').fill('KF flyttade sitt möte.');
    await move.getByRole('button', { name: 'Flytta sista dag' }).click();
    await page.waitForURL((url) => url.searchParams.get('klart') === 'flyttad');
    await expect(page.getByRole('status').textContent()).resolves.toBe('Sista dagen är flyttad.');
    const plan = page.getByRole('table', { name: /Faser och milstolpar/ });
    expect(await plan.getByRole('row', { name: /Verksamhetsplan/ }).textContent()).toContain('flyttad från');
    await page.getByRole('button', { name: 'Bekräfta Kommunfullmäktige beslutar budget' }).click();
    await page.waitForURL((url) => url.searchParams.get('klart') === 'milstolpe');
    await expect(page.getByText('Alla milstolpar är bekräftade.').count()).resolves.toBe(1);

    // An extension for one board clears its lateness.
    await page.getByLabel('Leveransens fas').selectOption('tertialrapport');
    await page.getByLabel('Nämnd', { exact: true }).selectOption('kulturnamnden');
    const extendForm = page.locator('form[action$="/anstand"]');
    await extendForm.getByLabel('Ny sista dag').fill(addDays(stack.day0, 30));
    await extendForm.getByLabel('Skäl').fill('Nämndens sammanträde flyttat.');
    await extendForm.getByRole('button', { name: 'Ge anstånd' }).click();
    await page.waitForURL((url) => url.searchParams.get('klart') === 'anstand');
    const extended = await stack.ops.deliverable(year, 'tertialrapport', 'kulturnamnden');
    expect(extended.late).toBe(false);
  });

  it('renders a board name with markup as text on every page', async () => {
    await stack.harness.db.pool.query(`UPDATE organisations SET name = $1 WHERE id = 'stokab'`, [
      'AB Stokab <script>window.__pwned = 2</script>',
    ]);
    const page = await newPage();
    await signIn(page, 'committee');
    const row = page.locator('tbody th[scope="row"]', { hasText: 'AB Stokab' });
    expect(await row.innerText()).toContain('AB Stokab <script>window.__pwned = 2</script>');
    expect(await page.locator('main script').count()).toBe(0);
    expect(await page.evaluate('window.__pwned')).toBeUndefined();
    const raw = await request(`/oversikt/${year}`, { who: 'committee' });
    expect(raw.text).toContain('AB Stokab &lt;script&gt;window.__pwned = 2&lt;/script&gt;');
    expect(raw.text).not.toContain('<script>');
    // The helper itself: text escaped, nested templates kept, attributes quoted safely.
    const name = '"><img src=x onerror=alert(1)>';
    expect(html`<a title="${name}">${name}</a>${html`<b>ok</b>`}`.value).toBe(
      '<a title="&quot;&gt;&lt;img src=x onerror=alert(1)&gt;">&quot;&gt;&lt;img src=x onerror=alert(1)&gt;</a><b>ok</b>',
    );
  });

  it('publishes the accessibility statement to everyone, linked from every page’s footer', async () => {
    // Every page, as each role gets it, errors included, links the statement from its footer.
    const footerLink = /<footer[^]*<a href="\/tillganglighet"[^>]*>\s*Tillgänglighetsredogörelse\s*<\/a[^]*<\/footer>/;
    for (const [path, who, status] of [
      ['/logga-in', undefined, 200],
      ['/tillganglighet', undefined, 200],
      [`/oversikt/${year}`, 'committee', 200],
      [`/oversikt/${year}/lokalt-utvecklingsarbete`, 'committee', 200],
      ['/namnd/farsta', 'farsta', 200],
      [`/cykel/${year}`, 'admin', 200],
      [`/cykel/${year}`, 'committee', 403],
      ['/namnd/no-such-board', 'admin', 404],
    ] as const) {
      const response = await request(path, { ...(who && { who }) });
      expect({ path, who, status: response.status }).toEqual({ path, who, status });
      expect(response.text).toMatch(footerLink);
    }

    // Reachable without signing in: the footer link leads there from the sign-in page.
    const page = await newPage();
    await page.goto(`${stack.url}/logga-in`);
    await page.getByRole('contentinfo').getByRole('link', { name: 'Tillgänglighetsredogörelse' }).click();
    await page.waitForURL((url) => url.pathname === '/tillganglighet');
    expect(await keyboardProblems(page)).toEqual([]);
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe(
      'Tillgänglighetsredogörelse för Årshjulet',
    );
    expect(await page.title()).toBe('Tillgänglighetsredogörelse — Årshjul');
    // DIGG's model statement, in its order.
    expect((await page.locator('main h2, main h3').allTextContents()).map((h) => h.trim())).toEqual([
      'Vad redogörelsen gäller',
      'Hur tillgänglig är tjänsten?',
      'Vad kan du göra om du inte kan använda delar av tjänsten?',
      'Rapportera brister i tjänstens tillgänglighet',
      'Tillsyn',
      'Teknisk information om tjänstens tillgänglighet',
      'Innehåll som inte är tillgängligt',
      'Hur vi testat tjänsten',
    ]);
    const text = (await page.locator('main').innerText()).replace(/\s+/g, ' ');
    for (const part of [
      'lagen (2018:1937) om tillgänglighet till digital offentlig service',
      'Årshjulet är delvis förenligt med lagen',
      'EN 301 549',
      'WCAG) 2.1',
      'Myndigheten för digital förvaltning (DIGG) har ansvaret för tillsyn',
      'axe-core',
      'enbart tangentbordet',
      'uppdaterades senast den 30 november 2026',
    ]) {
      expect(text).toContain(part);
    }
    const main = page.getByRole('main');
    expect(
      await main.getByRole('link', { name: 'tillganglighet@stockholm.example' }).first().getAttribute('href'),
    ).toBe('mailto:tillganglighet@stockholm.example');
    expect(
      await main
        .getByRole('link', { name: 'anmäla det till Myndigheten för digital förvaltning' })
        .getAttribute('href'),
    ).toBe('https://www.digg.se/tdosanmalan');
    expect(await page.getByRole('contentinfo').getByRole('link').getAttribute('aria-current')).toBe('page');
    await checkLaptopAndPhone(page, 'web-accessibility-statement');

    // Signed in, the same statement with the navigation of the caller's role.
    const committee = await newPage();
    await signIn(committee, 'committee');
    await committee.getByRole('contentinfo').getByRole('link', { name: 'Tillgänglighetsredogörelse' }).click();
    await committee.waitForURL((url) => url.pathname === '/tillganglighet');
    expect(
      await committee.getByRole('navigation', { name: 'Huvudmeny' }).getByRole('link', { name: 'Översikt' }).count(),
    ).toBe(1);
    await expectAccessible(committee);
  });

  it('saved the screenshots', () => {
    for (const name of [
      'web-overview-laptop',
      'web-overview-phone',
      'web-board-page',
      'web-board-page-submitted',
      'web-board-page-phone',
      'web-cycle-page',
      'web-review-plain',
      'web-accessibility-statement',
      'web-accessibility-statement-phone',
    ]) {
      expect(existsSync(`${__dirname}/../../test-output/screenshots/${name}.png`)).toBe(true);
    }
  });
});
