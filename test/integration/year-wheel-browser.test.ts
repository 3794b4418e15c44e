import { Browser, BrowserContext, Page } from 'playwright-core';
import { accessibilityViolations } from '../helpers/accessibility';
import { launchBrowser, screenshot, signInWithKey, structureProblems } from '../helpers/browser';
import { STACK_YEAR, StackTokens, useHttpStack } from '../helpers/http-stack';

/**
 * The year wheel (issue 14) in Chromium on a real cycle (time-skipping server, worker,
 * PostgreSQL, the HTTP server): drawn on the committee's overview and on a board's page, named
 * for assistive technology, each of the board's states drawn with its own shape, and today's
 * needle pointing where today is. The cycle's first date lies 40 days before the pages' today
 * and its last 200 days after, so today is on the wheel.
 */
const stack = useHttpStack('year_wheel', {
  phases: (d) => [
    { id: 'anvisningar', kind: 'milestone', name: 'Anvisningar', owner: 'SLK', date: d(-40) },
    // Farsta lets this one pass its deadline: late.
    { id: 'budgetunderlag', kind: 'deliverable', name: 'Budgetunderlag', opens: { date: d(1) }, deadline: d(3) },
    // Farsta hands this one in: done.
    { id: 'tertialrapport', kind: 'deliverable', name: 'Tertialrapport 1', opens: { date: d(1) }, deadline: d(40) },
    // Open, overlapping the two above: a lane of its own.
    { id: 'uppfoljning', kind: 'deliverable', name: 'Uppföljning', opens: { date: d(1) }, deadline: d(50) },
    { id: 'kf-budget', kind: 'milestone', name: 'Kommunfullmäktige beslutar budget', owner: 'KF', date: d(30) },
    // Not opened yet.
    {
      id: 'verksamhetsplan',
      kind: 'deliverable',
      name: 'Verksamhetsplan',
      opens: { afterMilestone: 'kf-budget' },
      deadline: d(60),
    },
    { id: 'arsredovisning', kind: 'milestone', name: 'Kommunfullmäktige årsredovisning', owner: 'KF', date: d(200) },
  ],
});
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

async function signedIn(who: keyof StackTokens, viewport = LAPTOP): Promise<Page> {
  const context = await browser.newContext({ viewport, locale: 'sv-SE' });
  contexts.push(context);
  const page = await context.newPage();
  await signInWithKey(page, stack.url, stack.tokens[who]);
  return page;
}

/** Days from one date (YYYY-MM-DD) to another, on UTC midnights: written here, not taken from the code under test. */
const dayNumber = (date: string) => Date.parse(`${date}T00:00:00Z`) / 86_400_000;
const plusDays = (date: string, days: number) =>
  new Date((dayNumber(date) + days) * 86_400_000).toISOString().slice(0, 10);

/**
 * Where today's needle should point, in degrees clockwise from twelve o'clock: the wheel runs
 * from the first of the month of the cycle's first date to the first of the month after its
 * last, and today's needle stands on the middle of the day.
 */
function expectedTodayAngle(): number {
  const first = plusDays(stack.day0, -40);
  const last = plusDays(stack.day0, 200);
  const from = `${first.slice(0, 7)}-01`;
  const [y, m] = last.split('-').map(Number) as [number, number];
  const to = new Date(Date.UTC(y, m, 1)).toISOString().slice(0, 10);
  return ((dayNumber(stack.day0) - dayNumber(from) + 0.5) / (dayNumber(to) - dayNumber(from))) * 360;
}

/**
 * The needle as drawn on the screen: the angle from the wheel's centre (the middle of the SVG's
 * box) to the middle of the needle's arrowhead, in degrees clockwise from twelve o'clock.
 */
async function drawnNeedleAngle(page: Page, wheelName: string): Promise<number> {
  const wheel = page.getByRole('img', { name: wheelName });
  const box = (await wheel.boundingBox())!;
  const tip = (await wheel.locator('.yw-needle-tip').boundingBox())!;
  const dx = tip.x + tip.width / 2 - (box.x + box.width / 2);
  const dy = tip.y + tip.height / 2 - (box.y + box.height / 2);
  return ((Math.atan2(dx, -dy) * 180) / Math.PI + 360) % 360;
}

/** Whether the link under the wheel leads to a heading of the list on the same page. */
async function captionLinksToList(page: Page, wheelName: string): Promise<string> {
  const figure = page.locator('figure.year-wheel').filter({ has: page.getByRole('img', { name: wheelName }) });
  const href = await figure.getByRole('link', { name: 'Samma uppgifter som lista' }).getAttribute('href');
  return (await page.locator(`${href} + p + ol`).getAttribute('aria-labelledby')) ?? '';
}

describe('the year wheel', () => {
  it('is drawn on the overview with its accessible name, the list beside it, and today where today is', async () => {
    const page = await signedIn('committee');
    await page.goto(`${stack.url}/oversikt/${year}`);
    const name = `Årshjulet för budgetår ${year}`;
    const wheel = page.getByRole('img', { name });
    expect(await wheel.count()).toBe(1);
    expect(await wheel.locator('desc').textContent()).toContain('Den röda nålen visar i dag');
    expect(await captionLinksToList(page, name)).toBe('arshjul-lista');
    // Every phase and milestone of the calendar is on the wheel, with its tooltip.
    const phases = await wheel
      .locator('g[data-phase]')
      .evaluateAll((gs) => gs.map((g) => g.getAttribute('data-phase')));
    expect(phases.sort()).toEqual(stack.calendar.phases.map((p) => p.id).sort());
    expect(await wheel.locator('g[data-phase="verksamhetsplan"] > title').textContent()).toMatch(
      /^Verksamhetsplan: öppnar .+, sista dag .+\. Läge: väntar på milstolpe\.$/,
    );
    // Three windows open on one day: three lanes.
    const lanes = await wheel
      .locator('g.yw-window')
      .evaluateAll((gs) => gs.map((g) => g.getAttribute('data-lane')).filter((l) => l !== null));
    expect(new Set(lanes).size).toBe(3);

    expect(await drawnNeedleAngle(page, name)).toBeCloseTo(expectedTodayAngle(), 0);
    expect(await structureProblems(page)).toEqual([]);
    expect(await accessibilityViolations(page)).toEqual([]);
    await screenshot(page, 'year-wheel-overview');
    // On a phone the wheel scales down with the page, which does not scroll sideways.
    await page.setViewportSize(PHONE);
    const widths = (await page.evaluate(`({
      page: document.documentElement.scrollWidth,
      viewport: window.innerWidth,
      wheel: document.querySelector('figure.year-wheel svg').getBoundingClientRect().width,
    })`)) as { page: number; viewport: number; wheel: number };
    expect(widths.page).toBeLessThanOrEqual(widths.viewport);
    expect(widths.wheel).toBeLessThanOrEqual(widths.viewport);
    expect(widths.wheel).toBeGreaterThan(widths.viewport * 0.75);
    expect(await drawnNeedleAngle(page, name)).toBeCloseTo(expectedTodayAngle(), 0);
    expect(await accessibilityViolations(page)).toEqual([]);
    await screenshot(page, 'year-wheel-overview-phone');
  });

  it("draws a board's own states by shape as well as colour, also in high contrast", async () => {
    // Farsta hands in its tertial report; the budgetunderlag's deadline passes unanswered.
    await stack.ops.actOnDeliverable(year, 'tertialrapport', 'farsta', 'submit', { documentRef: 'Dnr FA 7' }, 'test');
    await stack.advanceTo(5);
    const page = await signedIn('farsta');
    const name = `Årshjulet för budgetår ${year}, Farsta stadsdelsnämnd`;
    const wheel = page.getByRole('img', { name });
    const deadline = Date.now() + 30_000;
    // The read model follows the workflows shortly after the clock moves.
    while ((await wheel.locator('g.yw-late[data-phase="budgetunderlag"]').count()) === 0) {
      if (Date.now() > deadline) throw new Error('the board page never showed the budgetunderlag late');
      await new Promise((r) => setTimeout(r, 300));
      await page.reload();
    }
    const classOf = (phase: string) => wheel.locator(`g.yw-window[data-phase="${phase}"]`).getAttribute('class');
    expect(await classOf('budgetunderlag')).toBe('yw-window yw-late');
    expect(await classOf('tertialrapport')).toBe('yw-window yw-done');
    expect(await classOf('uppfoljning')).toBe('yw-window yw-open');
    expect(await classOf('verksamhetsplan')).toBe('yw-window yw-waiting');
    // The shapes: stripes and an exclamation mark, a check mark, a dashed outline.
    const late = wheel.locator('g[data-phase="budgetunderlag"]');
    expect(await late.locator('path.yw-arc').getAttribute('fill')).toBe('url(#arshjul-2090-rand)');
    expect(await late.locator('.yw-badge-dot').count()).toBe(1);
    expect(await wheel.locator('g[data-phase="tertialrapport"] polyline.yw-badge-mark').count()).toBe(1);
    expect(await wheel.locator('g[data-phase="verksamhetsplan"] path.yw-arc').getAttribute('stroke-dasharray')).toBe(
      '5 3',
    );
    // …and the words, in the tooltip and in the list beside the wheel.
    expect(await late.locator('title').textContent()).toMatch(/Läge: Öppen, Försenad(, Eskalerad steg \d)?\.$/);
    const list = page.getByRole('list', { name: `Årshjulet för budgetår ${year} som lista` });
    expect((await list.textContent())!.replace(/\s+/g, ' ')).toMatch(
      /Budgetunderlag — [^.]*\. Läge: Öppen, Försenad[,.]/,
    );
    expect(await captionLinksToList(page, name)).toBe(`arshjul-${year}-lista`);
    expect(await drawnNeedleAngle(page, name)).toBeCloseTo(expectedTodayAngle(), 0);
    expect(await structureProblems(page)).toEqual([]);
    expect(await accessibilityViolations(page)).toEqual([]);
    await screenshot(page, 'year-wheel-board');

    // High contrast: the system's colours, the same shapes.
    await page.emulateMedia({ forcedColors: 'active' });
    const fills = (await page.evaluate(`(() => {
      const fill = (phase) => getComputedStyle(document.querySelector('g[data-phase="' + phase + '"] path.yw-arc')).fill;
      return { open: fill('uppfoljning'), done: fill('tertialrapport'), waiting: fill('verksamhetsplan') };
    })()`)) as { open: string; done: string; waiting: string };
    expect(new Set(Object.values(fills)).size).toBe(3);
    expect(await late.locator('.yw-badge-dot').isVisible()).toBe(true);
    await screenshot(page, 'year-wheel-board-high-contrast');
  });
});
