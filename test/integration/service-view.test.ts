import type { Browser } from 'playwright-core';
import { createApiToken } from '../../src/db/api-tokens';
import { accessibilityViolations } from '../helpers/accessibility';
import { launchBrowser, screenshot, signInWithKey, structureProblems } from '../helpers/browser';
import { STACK_YEAR, useHttpStack } from '../helpers/http-stack';
import { httpCalls } from '../helpers/http-calls';

/**
 * What service boards, companies and Stockholms Stadshus AB see of local development work
 * (issue 14), over real HTTP on a real stack (time-skipping server, worker, PostgreSQL): the LUP
 * measures in force that name a board as owner, never another owner's, an ended one or one of a
 * programme handed over; a district cannot read a service board's list; Stadshus reads its
 * companies' lists and sees their status on its own page; both sections in Chromium with axe-core.
 */
const stack = useHttpStack('service_view');
const y = STACK_YEAR;
const { call } = httpCalls(stack);
const list = (board: string) => `/api/boards/${board}/lup-measures`;
let stadshus: string;

const programme = (workflowId: string, board: string, stage: string) =>
  stack.harness.db.pool.query(
    `INSERT INTO lup_programmes (workflow_id, municipality, board_id, stage, programme_number, adopted_on, reference,
       version, replaced, main_focus, dialogues, consultations, follow_ups, last_event_id, last_seq, updated_at)
     VALUES ($1, 'teststad', $2, $3, 1, '2089-03-20', 'SDN 2089/12', 1, '[]', '{}', 0, 0, '[]', 0, 0, now())`,
    [workflowId, board, stage],
  );

const measure = (
  workflowId: string,
  board: string,
  id: string,
  position: number,
  m: { title: string; owner: string; status?: string; larger?: boolean; cost?: number; since?: string },
) =>
  stack.harness.db.pool.query(
    `INSERT INTO lup_measures (workflow_id, programme_number, measure_id, position, board_id, title, owner_id, goal,
       indicators, cost, larger, priority_area, status, status_history)
     VALUES ($1, 1, $2, $3, $4, $5, $6, 'trygghet', '[]', $7, $8, NULL, $9, $10)`,
    [
      workflowId,
      id,
      position,
      board,
      m.title,
      m.owner,
      m.cost ?? null,
      m.larger ?? false,
      m.status ?? 'planerad',
      JSON.stringify([
        { status: 'planerad', on: '2089-03-20', by: 'test' },
        ...(m.status && m.status !== 'planerad' ? [{ status: m.status, on: m.since ?? '2089-09-01', by: 'test' }] : []),
      ]),
    ],
  );

beforeAll(async () => {
  const pool = stack.harness.db.pool;
  const FARSTA = 'lup/teststad/farsta';
  const JARVA = 'lup/teststad/jarva';
  const RINKEBY = 'lup/teststad/rinkeby-kista';
  await programme(FARSTA, 'farsta', 'i-kraft');
  await programme(JARVA, 'jarva', 'i-kraft');
  // A programme handed over after the merger: its measures are no longer in force there.
  await programme(RINKEBY, 'rinkeby-kista', 'overlamnat');
  await measure(FARSTA, 'farsta', 'bibliotek', 1, {
    title: 'Bibliotek i Farsta centrum',
    owner: 'kulturnamnden',
    larger: true,
    cost: 4_500_000,
  });
  await measure(FARSTA, 'farsta', 'torget', 2, { title: 'Nytt torg', owner: 'farsta' });
  await measure(FARSTA, 'farsta', 'fiber', 3, { title: 'Fiber till Hökarängen', owner: 'stokab', cost: 200_000 });
  await measure(FARSTA, 'farsta', 'konserter', 4, {
    title: 'Sommarkonserter',
    owner: 'kulturnamnden',
    status: 'avslutad',
  });
  await measure(JARVA, 'jarva', 'kulturhus', 1, {
    title: 'Kulturhus i Tensta',
    owner: 'kulturnamnden',
    status: 'pagar',
    since: '2089-10-02',
  });
  await measure(RINKEBY, 'rinkeby-kista', 'gammal', 1, { title: 'Gammal åtgärd', owner: 'kulturnamnden' });
  await pool.query(
    `INSERT INTO lup_dialogues (workflow_id, dialogue_id, municipality, board_id, held_on, need, question, forms,
       room_for_influence, participants, outcome, feedback, recorded_by)
     VALUES ($1, 'dialog-1', 'teststad', 'farsta', '2089-02-10', 'Behov.', 'Vad saknas i centrum?', '["Möte"]',
       'Påverkar ordningen.', '[{"group":"invanare","count":12}]', 'Ett bibliotek', NULL, 'test')`,
    [FARSTA],
  );
  await pool.query(
    `INSERT INTO lup_consultations (workflow_id, consultation_id, municipality, board_id, with_board_id, held_on, said,
       recorded_by)
     VALUES ($1, 'samrad-kultur', 'teststad', 'farsta', 'kulturnamnden', '2089-02-20', 'Kulturnämnden tar biblioteket.', 'test'),
            ($1, 'samrad-stokab', 'teststad', 'farsta', 'stokab', '2089-02-21', 'Stokab drar fiber.', 'test')`,
    [FARSTA],
  );
  stadshus = (
    await createApiToken(pool, {
      grants: ['stadshus'],
      scopes: ['read'],
      owner: 'test',
      label: 'stadshus',
      createdBy: 'test',
    })
  ).secret;
});

const asStadshus = async (path: string) => {
  const response = await fetch(`${stack.url}${path}`, { headers: { authorization: `Bearer ${stadshus}` } });
  return { status: response.status, body: (await response.json()) as { districts: { measures: unknown[] }[] } };
};

describe('GET /api/boards/:boardId/lup-measures', () => {
  it('gives a service board the measures in force that name it, per district, and no other owner’s', async () => {
    const got = await call('kulturnamnden', 'GET', list('kulturnamnden'));
    expect(got.status).toBe(200);
    expect(got.body).toEqual({
      boardId: 'kulturnamnden',
      boardName: 'Kulturnämnden',
      districts: [
        {
          boardId: 'farsta',
          boardName: 'Farsta stadsdelsnämnd',
          measures: [
            {
              measureId: 'bibliotek',
              title: 'Bibliotek i Farsta centrum',
              goal: 'trygghet',
              cost: 4_500_000,
              larger: true,
              priorityArea: null,
              status: 'planerad',
              statusSince: '2089-03-20',
            },
          ],
          dialogues: [
            {
              id: 'dialog-1',
              heldOn: '2089-02-10',
              question: 'Vad saknas i centrum?',
              outcome: 'Ett bibliotek',
              parts: [],
            },
          ],
          consultations: [{ id: 'samrad-kultur', heldOn: '2089-02-20', said: 'Kulturnämnden tar biblioteket.' }],
        },
        {
          boardId: 'jarva',
          boardName: 'Järva stadsdelsnämnd',
          measures: [expect.objectContaining({ measureId: 'kulturhus', status: 'pagar', statusSince: '2089-10-02' })],
          dialogues: [],
          consultations: [],
        },
      ],
    });
    // The company's list has its own measure only.
    const stokab = await call('stokabChef', 'GET', list('stokab'));
    expect(stokab.status).toBe(200);
    expect(stokab.body.districts.flatMap((d: { measures: { measureId: string }[] }) => d.measures)).toEqual([
      expect.objectContaining({ measureId: 'fiber', cost: 200_000, larger: false }),
    ]);
    expect(stokab.body.districts[0].consultations).toEqual([expect.objectContaining({ id: 'samrad-stokab' })]);
  });

  it('is the board’s, the committee’s and SLK’s: a district or another board gets 404, as for a board that does not exist', async () => {
    for (const who of ['farsta', 'farstaChef', 'jarva', 'stokabChef'] as const) {
      const got = await call(who, 'GET', list('kulturnamnden'));
      expect([who, got.status]).toEqual([who, 404]);
      expect(got.body).toMatchObject({ field: 'board' });
    }
    expect((await call('committee', 'GET', list('kulturnamnden'))).status).toBe(200);
    expect((await call('admin', 'GET', list('kulturnamnden'))).status).toBe(200);
    // A district keeps its own programme: it has no list here, even for SLK.
    expect((await call('admin', 'GET', list('farsta'))).status).toBe(404);
    expect((await call('admin', 'GET', list('finns-inte'))).status).toBe(404);
  });

  it('lets Stockholms Stadshus AB read its companies’ lists, not a service board’s', async () => {
    const company = await asStadshus(list('stokab'));
    expect(company.status).toBe(200);
    expect(company.body.districts[0]!.measures).toEqual([expect.objectContaining({ measureId: 'fiber' })]);
    expect((await asStadshus(list('kulturnamnden'))).status).toBe(404);
  });
});

describe('the board pages', () => {
  let browser: Browser | undefined;
  afterAll(async () => {
    await browser?.close();
  });

  it('show a service board its LUP measures, and Stadshus its companies’ status, in Chromium', async () => {
    // Stokab hands in its budgetunderlag; its tertialrapport passes its deadline unanswered.
    const submitted = await call('stokabChef', 'POST', `/api/cycles/${y}/deliverables/budgetunderlag/stokab/submit`, {
      documentRef: 'Dnr 2090/1',
    });
    expect(submitted.status).toBe(200);
    await stack.advanceTo(16);

    browser = await launchBrowser();
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'sv-SE' });
    const page = await context.newPage();
    await signInWithKey(page, stack.url, stack.tokens.kulturnamnden);
    await page.goto(`${stack.url}/namnd/kulturnamnden`);
    const section = page.getByRole('region', { name: 'LUP-åtgärder där nämnden är ansvarig' });
    const farsta = section.getByRole('table', {
      name: 'Åtgärder i programmet för Farsta stadsdelsnämnd där nämnden är ansvarig',
    });
    const rows = await farsta.getByRole('row').allTextContents();
    expect(rows).toHaveLength(2);
    expect(rows[1]).toMatch(
      /Bibliotek i Farsta centrum\s*trygghet\s*4\s500\s000 kr\s*Ja, kräver KF:s budget\s*Planerad/,
    );
    const text = (await section.textContent()) ?? '';
    for (const other of ['Nytt torg', 'Fiber till Hökarängen', 'Sommarkonserter', 'Gammal åtgärd', 'Stokab drar fiber'])
      expect(text).not.toContain(other);
    expect(text).toContain('Kulturhus i Tensta');
    expect(text).toContain('Kulturnämnden tar biblioteket.');
    await expect(
      section.getByRole('link', { name: 'Lokalt utvecklingsprogram för Farsta stadsdelsnämnd' }).getAttribute('href'),
    ).resolves.toBe('/namnd/farsta/lup');
    await screenshot(page, 'service-board-lup-measures');
    expect(await accessibilityViolations(page)).toEqual([]);
    expect(await structureProblems(page)).toEqual([]);
    await context.close();

    // Stadshus lands on its own page, which lists its companies' deliverables in the cycle under way.
    const parent = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'sv-SE' });
    const stadshusPage = await parent.newPage();
    await signInWithKey(stadshusPage, stack.url, stadshus);
    await stadshusPage.goto(`${stack.url}/`);
    expect(new URL(stadshusPage.url()).pathname).toBe('/namnd/stockholms-stadshus');
    const companies = stadshusPage.getByRole('table', { name: /Bolagens leveranser i pågående budgetcykler/ });
    const cells = await companies
      .getByRole('row', { name: /AB Stokab/ })
      .getByRole('cell')
      .allTextContents();
    // Budget year, owed, handed in (of all), late.
    expect(cells.map((c) => c.trim())).toEqual([String(y), '1', expect.stringMatching(/^1 av [23]$/), '1']);
    expect(await stadshusPage.getByRole('region', { name: 'LUP-åtgärder där nämnden är ansvarig' }).count()).toBe(0);
    await screenshot(stadshusPage, 'stadshus-companies');
    expect(await accessibilityViolations(stadshusPage)).toEqual([]);
    expect(await structureProblems(stadshusPage)).toEqual([]);
    // A district's people get no such section: Farsta's page has neither.
    await parent.close();
  });
});
