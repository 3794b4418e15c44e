import type { Browser, Page } from 'playwright-core';
import { listAuditEvents } from '../../src/db/audit-log';
import { loadDevPeople, shippedDevPeoplePath } from '../../src/stack/dev-people';
import { accessibilityViolations } from '../helpers/accessibility';
import { launchBrowser, screenshot, structureProblems } from '../helpers/browser';
import { STACK_YEAR, useHttpStack } from '../helpers/http-stack';
import { signOffStackOptions } from '../helpers/report-stack';

/**
 * Issue 13, "must show": Farsta's people sign in as themselves through the development OpenID
 * provider's form in Chromium and take a report whose phase asks for a sign-off to SLK. The
 * handläggare drafts (and may not mark it ready), signs out; the controller marks it ready; the
 * förvaltningschef signs it off; SLK's controller approves. The audit log names each by their
 * person id, the pages by name. axe-core's WCAG 2.1 AA rules on every page visited; screenshots
 * in test-output/screenshots/sign-in-journey-*.png.
 */
const stack = useHttpStack('sign_in_journey', { ...signOffStackOptions(), signIn: true });
const year = STACK_YEAR;
const people = loadDevPeople(shippedDevPeoplePath());
const person = (sub: string) => people.find((p) => p.sub === sub)!;
const formPath = `/namnd/farsta/${year}/arsrapport`;
const reviewPath = `/cykel/${year}/granska/arsrapport/farsta`;

let browser: Browser;

beforeAll(async () => {
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
});

async function checkPage(page: Page, name: string): Promise<void> {
  expect(await structureProblems(page)).toEqual([]);
  expect(await accessibilityViolations(page)).toEqual([]);
  await screenshot(page, `sign-in-journey-${name}`);
}

/** A fresh browser: Årshjul's sign-in page, the city's sign-in, the provider's form, and back. */
async function signIn(sub: string, name: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1366, height: 900 }, locale: 'sv-SE' });
  const page = await context.newPage();
  await page.goto(`${stack.url}/logga-in`);
  await checkPage(page, `${name}-sign-in`);
  await page.getByRole('button', { name: 'Fortsätt till stadens inloggning' }).click();
  await page
    .getByLabel('Lösenord')
    .waitFor({ timeout: 10_000 })
    .catch(async (e: unknown) => {
      await screenshot(page, `sign-in-journey-${name}-stuck`);
      throw new Error(`no login form at ${page.url()}: ${String(e)}`);
    });
  expect(page.url().startsWith(stack.provider!.issuer)).toBe(true);
  expect(await accessibilityViolations(page)).toEqual([]);
  const who = person(sub);
  await page.getByLabel('E-postadress eller användar-id').fill(who.email);
  await page.getByLabel('Lösenord').fill(who.password);
  await page.getByRole('button', { name: 'Logga in' }).click();
  await page.waitForURL((url) => url.href.startsWith(stack.url) && !url.pathname.startsWith('/logga-in'));
  return page;
}

const personIdOf = async (sub: string): Promise<string> =>
  (await stack.harness.db.pool.query<{ id: string }>('SELECT id FROM people WHERE subject = $1', [sub])).rows[0]!.id;

describe('people sign in as themselves and take a report from draft to approval', () => {
  it('handläggare drafts, controller marks ready, förvaltningschef signs off, SLK approves; the record names each', async () => {
    // The handläggare drafts and may not mark the report ready.
    const elin = await signIn('dev-farsta-handlaggare', 'handlaggare');
    await elin.goto(`${stack.url}${formPath}`);
    await elin.getByLabel('Sammanfattning').fill('Året gick enligt plan.');
    await elin.getByLabel('Prognos').fill('40');
    await elin.getByRole('button', { name: 'Spara Ekonomi' }).click();
    await elin.waitForURL((url) => url.searchParams.get('sparat') === 'ekonomi');
    await expect(elin.locator('#svar-ekonomi-sammanfattning-sparad').textContent()).resolves.toMatch(
      /^Senast sparad av Elin Nyström, /,
    );
    await checkPage(elin, 'handlaggare-draft');
    await elin.getByRole('button', { name: 'Klarmarkera Testrapport' }).click();
    await elin.waitForLoadState();
    await expect(elin.getByRole('alert').first().textContent()).resolves.toContain(
      'Din roll vid nämnden räcker inte för att klarmarkera rapporten',
    );
    await checkPage(elin, 'handlaggare-refused');
    await elin.getByRole('button', { name: 'Logga ut' }).click();
    await elin.waitForURL((url) => url.pathname === '/logga-in' || url.href.startsWith(stack.provider!.issuer));
    await elin.goto(`${stack.url}${formPath}`);
    expect(new URL(elin.url()).pathname).toBe('/logga-in');
    await elin.context().close();

    // The controller marks it ready for the sign-off.
    const johan = await signIn('dev-farsta-controller', 'controller');
    await johan.goto(`${stack.url}${formPath}`);
    await johan.getByLabel('Diarienummer för nämndens beslut').fill('Farsta 2090/7');
    await johan.getByRole('button', { name: 'Klarmarkera Testrapport' }).click();
    await johan.waitForURL((url) => url.hash === '#paskrift');
    await checkPage(johan, 'controller-marked-ready');
    await johan.context().close();

    // The förvaltningschef sees who marked it ready and signs it off.
    const maria = await signIn('dev-farsta-forvaltningschef', 'forvaltningschef');
    await maria.goto(`${stack.url}${formPath}`);
    await expect(maria.getByRole('heading', { level: 2, name: /väntar på påskrift/ }).textContent()).resolves.toMatch(
      /^Klarmarkerad av Johan Ek den .+ — väntar på påskrift$/,
    );
    await checkPage(maria, 'forvaltningschef-awaiting');
    await maria.getByRole('button', { name: 'Skriv under och lämna in' }).click();
    await maria.waitForURL((url) => url.pathname === '/namnd/farsta');
    await checkPage(maria, 'forvaltningschef-board');
    await maria.context().close();

    // SLK reads who handed in and who marked ready, and approves.
    const sara = await signIn('dev-slk-controller', 'slk');
    await sara.goto(`${stack.url}${reviewPath}`);
    await expect(sara.locator('ol.history').textContent()).resolves.toMatch(
      /av\s+Maria Sandberg \(påskriven; klarmarkerad av Johan Ek\)/,
    );
    await checkPage(sara, 'slk-review');
    await sara.getByRole('button', { name: 'Godkänn' }).click();
    await sara.waitForURL((url) => url.searchParams.get('klart') === 'godkand');
    await checkPage(sara, 'slk-approved');
    await sara.goto(`${stack.url}/namnd/farsta`);
    await expect(sara.getByText('Inlämnad av Maria Sandberg').isVisible()).resolves.toBe(true);
    await sara.context().close();

    // The audit log names each step's person by id, never by name.
    const events = await listAuditEvents(stack.harness.db.pool, `teststad/${year}/arsrapport/farsta`);
    const actorOf = (kind: string) => events.find((e) => e.kind === kind)?.actor;
    expect(actorOf('marked-ready-for-sign-off')).toBe(`person:${await personIdOf('dev-farsta-controller')}`);
    expect(actorOf('signed-off')).toBe(`person:${await personIdOf('dev-farsta-forvaltningschef')}`);
    expect(actorOf('submitted')).toBe(`person:${await personIdOf('dev-farsta-forvaltningschef')}`);
    expect(actorOf('approved')).toBe(`person:${await personIdOf('dev-slk-controller')}`);
    // The drafts name the handläggare who saved them.
    const drafts = await stack.harness.db.pool.query<{ saved_by: string }>(
      `SELECT DISTINCT saved_by FROM report_answers WHERE workflow_id = $1`,
      [`teststad/${year}/arsrapport/farsta`],
    );
    expect(drafts.rows.map((r) => r.saved_by)).toEqual([`person:${await personIdOf('dev-farsta-handlaggare')}`]);
    expect(JSON.stringify(events)).not.toMatch(/Nyström|Johan Ek|Sandberg|Lindqvist/);
  });
});
