import type { Browser } from 'playwright-core';
import { accessibilityViolations } from '../helpers/accessibility';
import { launchBrowser, screenshot, signInWithKey, structureProblems } from '../helpers/browser';
import { useHttpStack } from '../helpers/http-stack';
import { httpCalls } from '../helpers/http-calls';

/**
 * A service board's or company's part in a district's citizen dialogue (issue 14), over real
 * HTTP on a real stack (time-skipping server, worker, PostgreSQL): recorded by the board's own
 * people for a board the district consulted, refused for another board and for bad input
 * (naming the field, changing nothing), two at once both kept in order; shown under the dialogue
 * on the district's LUP page and in the service board's list of LUP measures.
 */
const stack = useHttpStack('lup_parts');
const { call, page } = httpCalls(stack);
const PARTS = '/api/lup/farsta/dialogues/torget/parts';

const partsInState = async () =>
  (
    (await call('admin', 'GET', '/api/lup/farsta')).body as {
      state: { dialogues: { id: string; parts?: { boardId: string; contribution: string; by: string }[] }[] };
    }
  ).state.dialogues.find((d) => d.id === 'torget')!.parts ?? [];
const partRows = async () =>
  (
    await stack.harness.db.pool.query<{ position: number; part_board_id: string; contribution: string }>(
      `SELECT position, part_board_id, contribution FROM lup_dialogue_parts ORDER BY position`,
    )
  ).rows;

beforeAll(async () => {
  const consulted = await call('farsta', 'POST', '/api/lup/farsta/consultations', {
    id: 'samrad-kultur',
    withBoardId: 'kulturnamnden',
    heldOn: '2090-01-10',
    said: 'Kulturnämnden vill vara med i dialogen om torget.',
  });
  expect(consulted.status).toBe(200);
  const dialogue = await call('farsta', 'POST', '/api/lup/farsta/dialogues', {
    id: 'torget',
    need: 'Torget är otryggt på kvällarna.',
    question: 'Vad gör torget tryggare?',
    forms: ['Trygghetsvandring'],
    roomForInfluence: 'Nämnden väljer bland de tre förslag som får flest röster.',
    participants: [{ group: 'invanare', count: 40 }],
    heldOn: '2090-01-20',
  });
  expect(dialogue.status).toBe(200);
});

describe('POST /api/lup/:boardId/dialogues/:dialogueId/parts', () => {
  it('records a consulted service board’s part, by its own people, with who and when', async () => {
    const got = await call('kulturnamndenChef', 'POST', PARTS, {
      serviceBoardId: 'kulturnamnden',
      contribution: 'Biblioteket håller öppet till kl. 21 på torget.',
    });
    expect(got.status).toBe(200);
    const parts = got.body.dialogues.find((d: { id: string }) => d.id === 'torget').parts;
    expect(parts).toEqual([
      {
        boardId: 'kulturnamnden',
        contribution: 'Biblioteket håller öppet till kl. 21 på torget.',
        by: `token:${stack.tokenIds.kulturnamndenChef}`,
        recordedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      },
    ]);
    expect(await partRows()).toEqual([
      { position: 0, part_board_id: 'kulturnamnden', contribution: 'Biblioteket håller öppet till kl. 21 på torget.' },
    ]);
  });

  it('is refused for another board’s part: the district’s people, or a board acting for another, get 404', async () => {
    const before = await partsInState();
    for (const [who, serviceBoardId] of [
      ['farstaChef', 'kulturnamnden'],
      ['farsta', 'kulturnamnden'],
      ['kulturnamndenChef', 'stokab'],
      ['jarvaChef', 'kulturnamnden'],
    ] as const) {
      const got = await call(who, 'POST', PARTS, { serviceBoardId, contribution: 'Inte vår sak.' });
      expect([who, serviceBoardId, got.status, got.body.field]).toEqual([who, serviceBoardId, 404, 'board']);
    }
    // The committee reads but does not record a board's part.
    expect(
      (await call('committee', 'POST', PARTS, { serviceBoardId: 'kulturnamnden', contribution: 'x' })).status,
    ).toBe(403);
    expect(await partsInState()).toEqual(before);
    expect(await partRows()).toHaveLength(1);
  });

  it('refuses bad input naming the field and the problem, and changes nothing', async () => {
    const before = await partsInState();
    const cases: Array<[string, string, unknown, number, string, string?]> = [
      ['kulturnamndenChef', PARTS, { serviceBoardId: 'kulturnamnden', contribution: '  ' }, 400, 'contribution'],
      [
        'kulturnamndenChef',
        PARTS,
        { serviceBoardId: 'kulturnamnden', contribution: 'x'.repeat(4001) },
        400,
        'contribution',
      ],
      ['kulturnamndenChef', PARTS, { contribution: 'Utan nämnd' }, 400, 'serviceBoardId'],
      ['kulturnamndenChef', PARTS, { serviceBoardId: 'kulturnamnden', contribution: 'x', extra: 1 }, 400, 'extra'],
      // A dialogue the district has not recorded: the URL names nothing.
      [
        'kulturnamndenChef',
        '/api/lup/farsta/dialogues/finns-inte/parts',
        { serviceBoardId: 'kulturnamnden', contribution: 'x' },
        404,
        'dialogue',
      ],
      // SLK may act for any board, but the district's record must name it: Stokab was not consulted.
      ['admin', PARTS, { serviceBoardId: 'stokab', contribution: 'Fiber' }, 409, 'serviceBoardId', 'not-concerned'],
      // The district itself records dialogues, not parts in them.
      ['admin', PARTS, { serviceBoardId: 'farsta', contribution: 'x' }, 400, 'serviceBoardId', 'not-in-registry'],
      // Only a district keeps dialogues.
      [
        'admin',
        '/api/lup/kulturnamnden/dialogues/torget/parts',
        { serviceBoardId: 'kulturnamnden', contribution: 'x' },
        404,
        'board',
      ],
    ];
    for (const [who, path, body, status, field, code] of cases) {
      const got = await call(who as 'admin', 'POST', path, body);
      expect([path, got.status, got.body.field]).toEqual([path, status, field]);
      expect(got.body.message).toMatch(/\w/);
      if (code) expect(got.body.code).toBe(code);
    }
    expect(await partsInState()).toEqual(before);
    expect(await partRows()).toHaveLength(1);
  });

  it('keeps two parts posted at the same moment, both, in the order the programme took them', async () => {
    // Farsta consults Stokab too: now the company may record its part.
    const consulted = await call('farsta', 'POST', '/api/lup/farsta/consultations', {
      id: 'samrad-stokab',
      withBoardId: 'stokab',
      heldOn: '2090-02-01',
      said: 'Stokab drar fiber till torget.',
    });
    expect(consulted.status).toBe(200);
    const [kultur, stokab] = await Promise.all([
      call('kulturnamndenChef', 'POST', PARTS, {
        serviceBoardId: 'kulturnamnden',
        contribution: 'Läsfrämjande på torget',
      }),
      call('stokabChef', 'POST', PARTS, { serviceBoardId: 'stokab', contribution: 'Wifi på torget' }),
    ]);
    expect([kultur.status, stokab.status]).toEqual([200, 200]);
    const parts = await partsInState();
    expect(parts).toHaveLength(3);
    expect(
      parts
        .slice(1)
        .map((p) => p.contribution)
        .sort(),
    ).toEqual(['Läsfrämjande på torget', 'Wifi på torget']);
    // The read model and the audit log keep the programme's order.
    expect((await partRows()).map((r) => [r.position, r.contribution])).toEqual(
      parts.map((p, i) => [i, p.contribution]),
    );
    const events = await stack.harness.db.pool.query<{ payload: { position: number } }>(
      `SELECT payload FROM audit_log WHERE kind = 'lup-dialogue-part-recorded' ORDER BY id`,
    );
    expect(events.rows.map((e) => e.payload.position)).toEqual([0, 1, 2]);
  });
});

describe('the parts on the pages', () => {
  let browser: Browser | undefined;
  afterAll(async () => {
    await browser?.close();
  });

  it('shows them under the dialogue on the district’s LUP page and in the service board’s list', async () => {
    const measures = await call('kulturnamnden', 'GET', '/api/boards/kulturnamnden/lup-measures');
    expect(measures.status).toBe(200);
    const dialogue = measures.body.districts[0].dialogues.find((d: { id: string }) => d.id === 'torget');
    const names = dialogue.parts.map((p: { boardName: string }) => p.boardName) as string[];
    expect(names[0]).toBe('Kulturnämnden');
    expect(names.slice(1).sort()).toEqual(['AB Stokab', 'Kulturnämnden']);

    const board = await (await page('kulturnamnden', '/namnd/kulturnamnden')).text();
    expect(board).toContain('Facknämnders och bolags delar i dialogen');
    expect(board).toContain('Biblioteket håller öppet till kl. 21 på torget.');
    expect(board).toContain('Wifi på torget');

    browser = await launchBrowser();
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'sv-SE' });
    const tab = await context.newPage();
    await signInWithKey(tab, stack.url, stack.tokens.farsta);
    await tab.goto(`${stack.url}/namnd/farsta/lup`);
    const items = await tab.locator('[data-dialogue="torget"] .dialogue-parts li').allInnerTexts();
    expect(items).toHaveLength(3);
    expect(items[0]).toContain('Kulturnämnden: Biblioteket håller öppet till kl. 21 på torget.');
    // Who recorded it is named, never shown as a bare id.
    expect(items.join('\n')).not.toMatch(/token:tok_/);
    await screenshot(tab, 'lup-dialogue-parts');
    expect(await accessibilityViolations(tab)).toEqual([]);
    expect(await structureProblems(tab)).toEqual([]);
    await context.close();
  });

  it('is recorded by the service board’s people on their own page: empty refused naming the field, then kept', async () => {
    browser ??= await launchBrowser();
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'sv-SE' });
    const tab = await context.newPage();
    await signInWithKey(tab, stack.url, stack.tokens.kulturnamndenChef);
    await tab.goto(`${stack.url}/namnd/kulturnamnden`);
    const dialogue = tab.locator('[data-district="farsta"] [data-dialogue="torget"]');
    const before = (await partRows()).length;
    await dialogue.getByText('Registrera nämndens medverkan i dialogen').click();
    await dialogue.getByRole('button', { name: 'Registrera medverkan' }).click();
    // Refused: the summary names the field by its label and links to it; nothing was recorded.
    const summary = tab.locator('[data-dialogue="torget"] .error-summary');
    await summary.waitFor();
    expect(await summary.innerText()).toContain('Nämndens medverkan i dialogen');
    expect(await summary.locator('a').getAttribute('href')).toBe(
      `#${await dialogue.getByLabel('Nämndens medverkan i dialogen').getAttribute('id')}`,
    );
    // Beside the field too, by its label, never by the field's name in the code.
    const fieldText = await dialogue.locator('form').innerText();
    expect(fieldText).toContain('Nämndens medverkan i dialogen måste fyllas i');
    expect(fieldText).not.toContain('contribution');
    expect(await partRows()).toHaveLength(before);
    await screenshot(tab, 'lup-dialogue-part-refused');
    expect(await accessibilityViolations(tab)).toEqual([]);

    await dialogue
      .getByLabel('Nämndens medverkan i dialogen')
      .fill('Kulturskolan ställer upp med lokaler för workshoppar.');
    await dialogue.getByRole('button', { name: 'Registrera medverkan' }).click();
    await tab.locator('#medverkan-registrerad').waitFor();
    expect(await dialogue.locator('.dialogue-parts li').last().innerText()).toContain(
      'Kulturnämnden: Kulturskolan ställer upp med lokaler för workshoppar.',
    );
    const rows = await partRows();
    expect(rows).toHaveLength(before + 1);
    expect(rows.at(-1)).toMatchObject({
      part_board_id: 'kulturnamnden',
      contribution: 'Kulturskolan ställer upp med lokaler för workshoppar.',
    });
    await screenshot(tab, 'lup-dialogue-part-recorded');
    expect(await accessibilityViolations(tab)).toEqual([]);
    expect(await structureProblems(tab)).toEqual([]);
    await context.close();
  });
});
