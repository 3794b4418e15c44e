import { statSync } from 'node:fs';
import { join } from 'node:path';
import { Browser, BrowserContext, Page } from 'playwright-core';
import { withTransaction } from '../../src/db/database';
import { listDeliverableStatus } from '../../src/db/read-model';
import { replaceRegistry } from '../../src/db/registry';
import { registrySchema } from '../../src/domain/registry-schema';
import { smallRegistry } from '../fixtures/small-registry';
import { accessibilityViolations, keyboardProblems } from '../helpers/accessibility';
import { launchBrowser, screenshot, signInWithKey, structureProblems } from '../helpers/browser';
import { eventually } from '../helpers/eventually';
import { shippedTemplatesDir } from '../../src/client/templates';
import { TEST_TEMPLATES_DIR } from '../helpers/report-stack';
import { STACK_YEAR, StackTokens, useHttpStack } from '../helpers/http-stack';
import { legalDeadline } from '../../src/domain/business-days';
import { addDays, daysBetween } from '../../src/domain/local-date';

/**
 * The committee's view of local development work (issue 6) in a real browser, on a LUP year run
 * through the operations layer on a time-skipping server: the priority-area matrix (a service
 * board's plan and its follow-up, a company board without a part, a district's LUP measure), the
 * districts' LUP stages and dialogues, punctuality; the access rules, escaping, screenshots.
 */
const sdn = { kinds: ['stadsdelsnamnd'] };
const stack = useHttpStack('lup_page', {
  goals: [
    { id: 'sammanhallen', name: 'Ett Stockholm som håller samman' },
    { id: 'klimatsmart', name: 'Ett klimatsmart Stockholm' },
    { id: 'ekonomiskt-hallbar', name: 'Ett ekonomiskt hållbart Stockholm' },
    { id: 'demokratiskt-hallbar', name: 'Ett demokratiskt hållbart Stockholm' },
  ],
  // The LUP's templates as shipped; short ones of the others, with the shipped question IDs.
  templatesDir: [join(TEST_TEMPLATES_DIR, 'guideline-year'), shippedTemplatesDir()],
  phases: (d) => [
    {
      id: 'lup-analys',
      kind: 'deliverable',
      name: 'Lokal analys (LUP)',
      template: 'lup-analys',
      lupStage: 'analysis',
      audience: sdn,
      opens: { date: d(1) },
      deadline: d(20),
    },
    {
      id: 'lup-program',
      kind: 'deliverable',
      name: 'LUP-program',
      template: 'lup-program',
      lupStage: 'programme',
      audience: sdn,
      opens: { date: d(1) },
      deadline: d(30),
    },
    {
      id: 'verksamhetsplan',
      kind: 'deliverable',
      name: 'Verksamhetsplan',
      template: 'verksamhetsplan',
      audience: { kinds: ['facknamnd', 'bolagsstyrelse'] },
      opens: { date: d(1) },
      deadline: d(50),
    },
    {
      id: 'tertialrapport-1',
      kind: 'deliverable',
      name: 'Tertialrapport 1',
      template: 'tertialrapport-1',
      opens: { date: d(1) },
      deadline: d(70),
    },
  ],
});
const year = STACK_YEAR;
const PATH = `/oversikt/${year}/lokalt-utvecklingsarbete`;
const LAPTOP = { width: 1366, height: 900 };
const PHONE = { width: 390, height: 844 };

/** The small registry with a second priority area (Farsta), so that a board can leave one out. */
const registry = registrySchema.parse({
  ...smallRegistry,
  priorityAreas: [
    ...smallRegistry.priorityAreas,
    {
      id: 'farsta',
      name: 'Farsta',
      validFrom: '2015-01-01',
      servedBy: [{ boardId: 'farsta', validFrom: '2015-01-01' }],
    },
  ],
});

const MARKUP_ACTIVITY = 'Läsfrämjande <b>i Tensta</b> bibliotek';
const JARVA_QUESTION = 'Vad ska Järvaveckans mötesplats erbjuda unga på kvällstid?';

const submit = (phaseId: string, boardId: string, content: unknown, extra: object = {}) =>
  stack.ops.actOnDeliverable(
    year,
    phaseId,
    boardId,
    'submit',
    { documentRef: `Dnr ${boardId} ${phaseId}`, content, ...extra },
    `board:${boardId}`,
  );

const analysis = (mainFocus: string, focusAreas?: object[]) => ({
  analys: {
    sammanhallen: {
      'mal-analys': 'Mötesplatser och trygghet.',
      ...(focusAreas && {
        indikatorer: [{ indikator: 'Andel unga som känner sig trygga', utgangsvarde: 58.5, ar: year - 1 }],
      }),
    },
    klimatsmart: { 'mal-analys': 'Cykelvägar och energi i skolorna.' },
    'ekonomiskt-hallbar': { 'mal-analys': 'Sommarjobb och feriepraktik.' },
    'demokratiskt-hallbar': { 'mal-analys': 'Lågt valdeltagande i flera valdistrikt.' },
  },
  fokus: { huvudfokus: mainFocus, ...(focusAreas && { fokusomraden: focusAreas }) },
  samrad: { samrad: [{ part: 'Kulturnämnden', datum: `${year}-01-10` }] },
});

let browser: Browser;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  const pool = stack.harness.db.pool;
  await withTransaction(pool, (tx) => replaceRegistry(tx, registry));
  await eventually(
    () => listDeliverableStatus(pool, 'teststad', year),
    (rows) => rows.filter((r) => r.stage === 'open').length === 10,
  );

  // Järva (serving Rinkeby-Kista): analysis, a citizen dialogue, the programme with a measure there.
  // Järva names two geographic focus areas, one with two indicators (one row each).
  await submit(
    'lup-analys',
    'jarva',
    analysis('demokratiskt-hallbar', [
      {
        omrade: 'Rinkeby centrum',
        behov: 'Otrygghet kvällstid',
        indikator: 'Anmälda brott per 1000 invånare',
        utgangsvarde: 41,
      },
      { omrade: 'Tensta', indikator: 'Valdeltagande i procent', utgangsvarde: 52.3, ar: year - 4 },
      { omrade: 'Rinkeby centrum', indikator: 'Besök på mötesplatsen per vecka', utgangsvarde: 0 },
    ]),
  );
  await stack.ops.local.recordDialogue(
    'jarva',
    {
      id: 'jarvaveckan',
      question: JARVA_QUESTION,
      forms: ['Dialogmöte', 'Enkät på plats'],
      need: 'Unga saknar en mötesplats på kvällarna.',
      roomForInfluence: 'Svaren avgör mötesplatsens öppettider och två av aktiviteterna.',
      participants: [
        { group: 'invanare', count: 85 },
        { group: 'lokala-aktorer', count: 9 },
      ],
      heldOn: `${year}-01-20`,
    },
    'board:jarva',
  );
  await submit(
    'lup-program',
    'jarva',
    {
      atgarder: {
        atgarder: [
          {
            id: 'motesplats-unga',
            titel: 'Mötesplats för unga i Rinkeby',
            mal: 'sammanhallen',
            storre: 'ja',
            kostnad: 3_000_000,
            omrade: 'rinkeby-kista',
          },
          { id: 'valdeltagande', titel: 'Demokratiambassadörer', mal: 'demokratiskt-hallbar', storre: 'nej' },
        ],
      },
      dialog: { 'dialogens-betydelse': 'Järvaveckans dialog gav mötesplatsen.' },
    },
    { decisionDate: stack.day0 },
  );
  // Farsta: the analysis only; its programme will be late.
  await submit('lup-analys', 'farsta', analysis('sammanhallen'));

  // The service board names goals and activities for Rinkeby-Kista and no part in Farsta; the
  // company board has no part anywhere.
  await submit('verksamhetsplan', 'kulturnamnden', {
    'prioriterade-omraden': {
      'rinkeby-kista': {
        'omrade-namndmal': 'Fler unga i Järva deltar i kulturlivet',
        'omrade-aktiviteter': [{ aktivitet: 'Kulturskola i Rinkeby' }, { aktivitet: MARKUP_ACTIVITY }],
      },
      farsta: { 'omrade-ingen-del': 'Farstas kulturskola drivs redan av stadsdelsnämnden.' },
    },
  });
  await submit('verksamhetsplan', 'stokab', {
    'prioriterade-omraden': {
      'rinkeby-kista': { 'omrade-ingen-del': 'Stokab har ingen verksamhet riktad till området.' },
      farsta: { 'omrade-ingen-del': 'Stokab har ingen verksamhet riktad till området.' },
    },
  });
  // The follow-up needs the plan and programme in the read model (it asks for their sections).
  await eventually(
    () => stack.ops.local.localDevelopment(year),
    (v) => v.priorityAreas.find((a) => a.id === 'rinkeby-kista')!.boards.length === 3,
  );
  await submit('tertialrapport-1', 'kulturnamnden', {
    'prioriterade-omraden': {
      'rinkeby-kista': { 'omrade-status': 'pagar', 'omrade-kommentar': 'Lokal klar, lärare rekryteras.' },
      farsta: { 'omrade-status': 'installd' },
    },
  });
  await submit('tertialrapport-1', 'jarva', {
    'prioriterade-omraden': { 'rinkeby-kista': { 'omrade-status': 'pagar' } },
    'lup-atgarder': {
      'motesplats-unga': { 'atgard-status': 'forsenad', 'atgard-kommentar': 'Bygglovet dröjer.' },
      valdeltagande: { 'atgard-status': 'klar' },
    },
  });
  // Past the programme's deadline (day 30, or the business day it moves to when day 30 is a
  // holiday: from a day 0 of 1 December, 31 December moves to 2 January): Farsta's is late now.
  const programmeDeadline = legalDeadline(addDays(stack.day0, 30)).date;
  await stack.advanceTo(daysBetween(stack.day0, programmeDeadline) + 2);
  await eventually(
    () => stack.ops.local.localDevelopment(year),
    (v) => v.punctuality.find((p) => p.boardId === 'farsta')?.lateNow === 1,
  );
  browser = await launchBrowser();
});

afterAll(async () => {
  for (const context of contexts) await context.close().catch(() => undefined);
  await browser?.close();
});

async function newPage(viewport = LAPTOP): Promise<Page> {
  const context = await browser.newContext({ viewport, locale: 'sv-SE' });
  contexts.push(context);
  return context.newPage();
}

const signIn = (page: Page, who: keyof StackTokens): Promise<string> =>
  signInWithKey(page, stack.url, stack.tokens[who]);

async function request(path: string, who?: keyof StackTokens) {
  const response = await fetch(`${stack.url}${path}`, {
    headers: who ? { cookie: `arshjul_token=${stack.tokens[who]}` } : {},
    redirect: 'manual',
  });
  return { status: response.status, location: response.headers.get('location'), text: await response.text() };
}

const text = async (page: Page, selector: string) =>
  ((await page.locator(selector).innerText()) ?? '').replace(/\s+/g, ' ');
const cell = (area: string, board: string) => `td[data-area="${area}"][data-board="${board}"]`;

describe('the committee’s view of local development work', () => {
  it('is for the committee and SLK: a board gets 403, no one signed in goes to the sign-in page', async () => {
    expect(await request(PATH)).toMatchObject({ status: 303, location: '/logga-in' });
    const board = await request(PATH, 'jarva');
    expect(board.status).toBe(403);
    expect(board.text).toContain('Åtkomst nekad');
    expect((await request(PATH, 'admin')).status).toBe(200);
    expect((await request(`/oversikt/2091/lokalt-utvecklingsarbete`, 'committee')).status).toBe(404);
  });

  it('shows the priority-area matrix, the districts’ LUPs and punctuality, in words', async () => {
    const page = await newPage();
    expect(await signIn(page, 'committee')).toBe(`/oversikt/${year}`);
    await page
      .getByRole('navigation', { name: 'Huvudmeny' })
      .getByRole('link', { name: 'Lokalt utvecklingsarbete' })
      .click();
    await page.waitForURL((url) => url.pathname === PATH);
    expect(await keyboardProblems(page)).toEqual([]);
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe(
      `Lokalt utvecklingsarbete budgetår ${year}`,
    );

    // Rows: the priority areas, who serves them today and the 2015 district's way there.
    const matrix = page.getByRole('table', { name: /Nämndernas delar i de prioriterade områdena/ });
    expect(await matrix.locator('tbody th[scope="row"]').count()).toBe(2);
    const rinkeby = await text(page, 'tr[data-area="rinkeby-kista"] th[scope="row"]');
    expect(rinkeby).toContain('Betjänas av: Järva stadsdelsnämnd');
    expect(rinkeby).toContain('Rinkeby-Kista stadsdelsnämnd (2015) → Järva stadsdelsnämnd från 1 juli 2023');
    expect(await text(page, 'tr[data-area="farsta"] th[scope="row"]')).toContain(
      'Farsta stadsdelsnämnd (2015), oförändrat',
    );
    // Columns: the boards that reported, service board first, then the company board, then the district.
    const columns = await matrix.locator('thead th[scope="col"]').allInnerTexts();
    expect(columns.map((c) => c.split('\n')[0])).toEqual([
      'Prioriterat område',
      'Kulturnämnden',
      'AB Stokab',
      'Järva stadsdelsnämnd',
    ]);

    // The service board's complete entry for Rinkeby-Kista and its follow-up.
    const kultur = await text(page, cell('rinkeby-kista', 'kulturnamnden'));
    for (const part of [
      'Nämndmål:',
      'Fler unga i Järva deltar i kulturlivet',
      'Aktiviteter:',
      'Kulturskola i Rinkeby',
      MARKUP_ACTIVITY,
      'Pågår',
      'Enligt Tertialrapport 1',
      'Lokal klar, lärare rekryteras.',
    ]) {
      expect(kultur).toContain(part);
    }
    expect(
      await page.locator(cell('rinkeby-kista', 'kulturnamnden')).locator('.status').getAttribute('class'),
    ).toContain('st-open');
    expect(await text(page, cell('farsta', 'kulturnamnden'))).toContain(
      'Ingen del: Farstas kulturskola drivs redan av stadsdelsnämnden.',
    );
    expect(await text(page, cell('rinkeby-kista', 'stokab'))).toContain('Ingen del: Stokab har ingen verksamhet');
    const jarva = await text(page, cell('rinkeby-kista', 'jarva'));
    expect(jarva).toContain('LUP-åtgärd: Mötesplats för unga i Rinkeby');
    expect(jarva).toContain('Försenad');
    expect(await text(page, cell('farsta', 'jarva'))).toBe('Inget angivet');

    // Markup in an activity is text.
    expect(await page.locator('main b').count()).toBe(0);
    expect((await request(PATH, 'committee')).text).toContain('Läsfrämjande &lt;b&gt;i Tensta&lt;/b&gt; bibliotek');

    // The districts: the LUP's stage in words, the main focus, the dialogue.
    const lups = page.getByRole('table', { name: /lokala utvecklingsprogram/ });
    const jarvaLup = (await lups.locator('tr[data-district="jarva"]').innerText()).replace(/\s+/g, ' ');
    expect(jarvaLup).toContain('Programmet gäller — följs upp');
    expect(jarvaLup).toContain('Ett demokratiskt hållbart Stockholm');
    expect(jarvaLup).toContain('Ja: Rinkeby-Kista');
    expect(jarvaLup).toContain('1 dialog');
    const farstaLup = (await lups.locator('tr[data-district="farsta"]').innerText()).replace(/\s+/g, ' ');
    expect(farstaLup).toContain('Inget program antaget');
    expect(farstaLup).toContain('Ett Stockholm som håller samman');
    // The latest analysis's focus per district: the focus areas with their indicators and baselines.
    const jarvaFocus = page.locator('[data-district-focus="jarva"]');
    expect(await text(page, '[data-district-focus="jarva"] [data-main-focus]')).toBe(
      'Ett demokratiskt hållbart Stockholm',
    );
    const rinkebyArea = (await jarvaFocus.locator('tr[data-focus-area="Rinkeby centrum"]').innerText()).replace(
      /\s+/g,
      ' ',
    );
    expect(rinkebyArea).toContain('Otrygghet kvällstid');
    expect(rinkebyArea).toContain('Anmälda brott per 1000 invånare: utgångsvärde 41');
    expect(rinkebyArea).toContain('Besök på mötesplatsen per vecka: utgångsvärde 0');
    expect(await jarvaFocus.locator('tr[data-focus-area="Tensta"]').innerText()).toContain(
      `Valdeltagande i procent: utgångsvärde 52,3 (${year - 4})`,
    );
    expect(await jarvaFocus.locator('tr[data-goal="sammanhallen"]').innerText()).toContain(
      `Andel unga som känner sig trygga: utgångsvärde 58,5 (${year - 1})`,
    );
    expect(await text(page, '[data-district-focus="farsta"]')).toContain(
      'Analysen anger inga geografiska fokusområden.',
    );
    const dialogue = await text(page, '[data-dialogue="jarvaveckan"]');
    expect(dialogue).toContain(JARVA_QUESTION);
    expect(dialogue).toContain('Dialogmöte, Enkät på plats');
    expect(dialogue).toContain('Svaren avgör mötesplatsens öppettider');
    expect(dialogue).toContain('Invånare: 85, Lokala aktörer: 9');
    expect(dialogue).toContain(`20 januari ${year}`);

    // Punctuality: Farsta handed in its analysis on time; its programme is late now.
    const farsta = (await page.locator('tr[data-punctuality="farsta"]').innerText()).split('\t').map((c) => c.trim());
    expect(farsta.slice(1)).toEqual(['1', '1', '1 försenade', '100\u00a0%']);
    expect(await page.locator('tr[data-punctuality="stokab"]').innerText()).toContain('100\u00a0%');

    expect(await structureProblems(page)).toEqual([]);
    expect(await accessibilityViolations(page)).toEqual([]);
    const laptop = await screenshot(page, 'web-local-development-laptop');

    // On a phone the page does not scroll sideways; the wide tables scroll in their containers.
    const phone = await newPage(PHONE);
    await signIn(phone, 'committee');
    await phone.goto(`${stack.url}${PATH}`);
    const widths = (await phone.evaluate(
      `({ page: document.documentElement.scrollWidth, viewport: window.innerWidth })`,
    )) as { page: number; viewport: number };
    const mobile = await screenshot(phone, 'web-local-development-phone');
    expect(widths.page).toBeLessThanOrEqual(widths.viewport);
    expect(await accessibilityViolations(phone)).toEqual([]);
    for (const path of [laptop, mobile]) expect(statSync(path).size).toBeGreaterThan(10_000);
  });
});

// After the committee's view above, which shows Farsta without a programme.
describe('registering a programme the board adopted before Årshjul', () => {
  it('shows the form while no programme is in force, names the field of a refusal, and puts the programme in force', async () => {
    const page = await newPage();
    await signIn(page, 'farstaChef');
    await page.goto(`${stack.url}/namnd/farsta/lup`);
    expect(await text(page, 'main')).toContain('Inget program är antaget');
    const form = page.locator('form[action="/namnd/farsta/lup/registrering"]');

    // A decision date after today: refused, the error by the field and in the summary; nothing changes.
    await form.getByLabel('Nämndens beslutsdatum').fill('2999-01-01');
    await form.getByLabel('Diarienummer').fill('SDN 2023/412');
    await form.getByLabel('Åtgärder').fill('trygga-parker: Tryggare parker');
    await form.getByRole('button', { name: 'Registrera programmet' }).click();
    expect(await text(page, '.error-summary')).toContain('Programmet kunde inte registreras.');
    expect(await text(page, '.error-summary')).toContain('Nämndens beslutsdatum får inte vara senare än i dag');
    expect(await form.getByLabel('Nämndens beslutsdatum').getAttribute('aria-invalid')).toBe('true');
    expect(await form.getByLabel('Diarienummer').inputValue()).toBe('SDN 2023/412');
    expect(await accessibilityViolations(page)).toEqual([]);

    // A measure without its title: the measures' field, naming which measure.
    await form.getByLabel('Nämndens beslutsdatum').fill('2023-11-16');
    await form.getByLabel('Åtgärder').fill('trygga-parker: Tryggare parker\nbibliotek');
    await form.getByRole('button', { name: 'Registrera programmet' }).click();
    expect(await form.getByLabel('Åtgärder').getAttribute('aria-invalid')).toBe('true');
    expect(await text(page, '#registrering-measures-error')).toContain('åtgärd 2');
    expect((await stack.ops.local.lupView('farsta')).state.programme).toBeUndefined();

    await form
      .getByLabel('Åtgärder')
      .fill('trygga-parker: Tryggare parker\nbibliotek: Längre öppettider på biblioteket');
    await form.getByLabel('Programmet gäller från').fill('2024-01-01');
    await form.getByLabel('Programmet gäller till och med').fill('2027-12-31');
    await form.getByRole('button', { name: 'Registrera programmet' }).click();
    await page.waitForURL(/klart=registrering/);
    expect(await text(page, '[role="status"]')).toContain('registrerat som gällande');
    expect(await text(page, 'main')).toContain('Antaget före Årshjul, registrerat i efterhand');
    expect(await text(page, 'tr[data-version="1"]')).toContain('registrerat i efterhand');
    expect(await text(page, 'tr[data-measure="bibliotek"]')).toContain('Planerad');
    // In force now: the form gives way to the revision form.
    expect(await page.locator('form[action="/namnd/farsta/lup/registrering"]').count()).toBe(0);
    expect(await page.locator('form[action="/namnd/farsta/lup/revidering"]').count()).toBe(1);
    expect(await structureProblems(page)).toEqual([]);
  });
});

describe('a district’s programme page', () => {
  it('shows the programme across years with its versions and measures, and revises it and records a dialogue through forms with errors by the field', async () => {
    const page = await newPage();
    await signIn(page, 'jarva');
    await page.goto(`${stack.url}/namnd/jarva/lup`);
    expect(await page.locator('h1').innerText()).toContain('Lokalt utvecklingsprogram');
    expect(await text(page, 'main')).toContain('Programmet gäller — följs upp');
    expect(await text(page, 'tr[data-version="1"]')).toContain('Antaget av nämnden');
    expect(await text(page, 'tr[data-measure="motesplats-unga"]')).toContain('Planerad');
    expect(await text(page, '[data-dialogue="jarvaveckan"]')).toContain('Invånare: 85');
    // The latest analysis's focus: main goal, focus areas with indicators and baselines, per goal.
    expect(await text(page, '.analysis-focus [data-main-focus]')).toBe('Ett demokratiskt hållbart Stockholm');
    const areas = page.getByRole('table', { name: 'Geografiska fokusområden' });
    expect(await areas.locator('tbody tr').count()).toBe(2);
    expect(await areas.locator('tr[data-focus-area="Rinkeby centrum"] li').allInnerTexts()).toEqual([
      'Anmälda brott per 1000 invånare: utgångsvärde 41',
      'Besök på mötesplatsen per vecka: utgångsvärde 0',
    ]);
    expect(await text(page, 'tr[data-goal="sammanhallen"]')).toContain('Ett Stockholm som håller samman');
    expect(await accessibilityViolations(page)).toEqual([]);
    expect(statSync(await screenshot(page, 'web-lup-analysis-focus')).size).toBeGreaterThan(10_000);

    // A revision without a reason: refused, the error by the field and in the summary; nothing changes.
    await page.getByLabel('Datum', { exact: true }).last().fill(`${year}-03-01`);
    await page.getByLabel('Avsluta en åtgärd').selectOption('valdeltagande');
    await page.getByRole('button', { name: 'Revidera programmet' }).click();
    expect(await text(page, '.error-summary')).toContain('Programmet kunde inte revideras.');
    const reason = page.getByLabel('Varför programmet revideras');
    expect(await reason.getAttribute('aria-invalid')).toBe('true');
    expect(await text(page, '#revidering-reason-error')).not.toBe('');
    expect(await page.locator('tr[data-version="2"]').count()).toBe(0);
    expect(await accessibilityViolations(page)).toEqual([]);

    await reason.fill('Valdeltagandet följs nu i stadens demokratiarbete');
    await page.getByRole('button', { name: 'Revidera programmet' }).click();
    await page.waitForURL(/klart=revidering/);
    expect(await text(page, '[role="status"]')).toContain('en ny version gäller');
    expect(await text(page, 'tr[data-version="2"]')).toContain('Valdeltagandet följs nu');
    expect(await text(page, 'tr[data-measure="valdeltagande"]')).toContain('Avslutad');

    // A dialogue with a count that is not a number: the error by the group's field.
    const dialog = page.locator('form[action="/namnd/jarva/lup/dialog"]');
    await dialog.getByLabel('Id').fill('torgmote-2');
    await dialog.getByLabel('Datum').fill(`${year}-02-01`);
    await dialog.getByLabel('Behov').fill('Mötesplatser saknas');
    await dialog.getByLabel('Fråga').fill('Var ska mötesplatsen ligga?');
    await dialog.getByLabel('Former').fill('Dialogmöte, Webbenkät');
    await dialog.getByLabel('Utrymme för påverkan').fill('Platsen väljs bland tre');
    await dialog.getByLabel('Invånare').fill('många');
    await dialog.getByRole('button', { name: 'Registrera dialogen' }).click();
    expect(await page.getByLabel('Invånare').getAttribute('aria-invalid')).toBe('true');
    expect(await text(page, '.error-summary')).toContain('Dialogen kunde inte registreras.');
    await page.getByLabel('Invånare').fill('30');
    await page.getByRole('button', { name: 'Registrera dialogen' }).click();
    await page.waitForURL(/klart=dialog/);
    expect(await text(page, '[data-dialogue="torgmote-2"]')).toContain('Invånare: 30');
    expect(await structureProblems(page)).toEqual([]);

    // Another district reads it only where it may: Farsta gets the page's 404, not Järva's programme.
    expect((await request('/namnd/jarva/lup', 'farsta')).status).toBe(404);
  });
});
