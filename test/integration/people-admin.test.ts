import { addManualGrant, recordSignIn, replaceProviderGrants } from '../../src/db/people';
import { actorOf } from '../../src/domain/principal';
import { accessibilityViolations, keyboardProblems } from '../helpers/accessibility';
import { launchBrowser, signInWithKey, structureProblems } from '../helpers/browser';
import { httpCalls } from '../helpers/http-calls';
import { STACK_YEAR, useHttpStack } from '../helpers/http-stack';

/**
 * SLK's people page `/personer` and `GET /api/people` (issue 13): roles per board with their
 * source, start and the last sign-in; people with a duty at a board whose deliverable is due soon
 * and who have not signed in since it opened. And no personal data in Temporal: a signed-in
 * person's act reaches the workflow as `person:<id>` only.
 */
const stack = useHttpStack('people_admin');
const { call, page } = httpCalls(stack);
const ISSUER = 'https://idp.stockholm.example';

const people = {} as Record<
  'controller' | 'handlaggare' | 'chef' | 'slk',
  { id: string; name?: string; email?: string }
>;

beforeAll(async () => {
  const pool = stack.harness.db.pool;
  const longAgo = new Date(Date.now() - 400 * 86_400_000);
  // Signed in long before the phase opened.
  people.controller = await recordSignIn(
    pool,
    { issuer: ISSUER, subject: 'fc', name: 'Johan Ek', email: 'johan.ek@farsta.example' },
    longAgo,
  );
  await replaceProviderGrants(
    pool,
    people.controller.id,
    [{ kind: 'board', boardId: 'farsta', duty: 'controller' }],
    longAgo,
  );
  // Given a duty by hand, never signed in.
  people.handlaggare = await recordSignIn(pool, { issuer: ISSUER, subject: 'fh', name: 'Elin <Nyström>' });
  await pool.query('UPDATE people SET last_sign_in_at = NULL WHERE id = $1', [people.handlaggare.id]);
  await addManualGrant(pool, people.handlaggare.id, { kind: 'board', boardId: 'farsta', duty: 'handlaggare' }, longAgo);
  // Signed in after the phase opened: not listed. (The time-skipping server's clock, which dates
  // the opening, stands at day 1 while the wall clock is at day 0: the sign-in is dated day 5.)
  people.chef = await recordSignIn(
    pool,
    { issuer: ISSUER, subject: 'ff', name: 'Maria Sandberg' },
    new Date(Date.now() + 5 * 86_400_000),
  );
  await replaceProviderGrants(pool, people.chef.id, [{ kind: 'board', boardId: 'farsta', duty: 'forvaltningschef' }]);
  people.slk = await recordSignIn(pool, {
    issuer: ISSUER,
    subject: 'slk',
    name: 'Sara Lindqvist',
    email: 'sara@slk.example',
  });
  await replaceProviderGrants(pool, people.slk.id, [{ kind: 'admin' }]);
}, 60_000);

describe('GET /api/people', () => {
  it('lists roles per board and who has not signed in before a near deadline', async () => {
    const response = await call('admin', 'GET', '/api/people?withinDays=20');
    expect(response.status).toBe(200);
    const body = response.body as {
      withinDays: number;
      memberships: Record<string, unknown>[];
      notSignedIn: {
        phaseId: string;
        boardId: string;
        boardName: string;
        openedAt: string | null;
        people: { personId: string; duty: string; lastSignInAt: string | null }[];
      }[];
    };
    expect(body.withinDays).toBe(20);
    expect(body.memberships).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ personId: people.slk.id, grant: 'admin', boardId: null, source: 'provider' }),
        expect.objectContaining({
          personId: people.controller.id,
          name: 'Johan Ek',
          grant: 'board:farsta:controller',
          duty: 'controller',
          source: 'provider',
          lastSignInAt: expect.any(String),
        }),
        expect.objectContaining({ personId: people.handlaggare.id, source: 'manual', lastSignInAt: null }),
      ]),
    );
    // Tertialrapport (deadline day 15) is near; budgetunderlag (day 40) is not.
    const farsta = body.notSignedIn.filter((d) => d.boardId === 'farsta');
    expect(farsta.map((d) => d.phaseId)).toEqual(['tertialrapport']);
    expect(farsta[0]!.openedAt).not.toBeNull();
    expect(farsta[0]!.people.map((p) => [p.personId, p.duty]).sort()).toEqual(
      [
        [people.controller.id, 'controller'],
        [people.handlaggare.id, 'handlaggare'],
      ].sort(),
    );
    const far = await call('admin', 'GET', '/api/people?withinDays=60');
    expect(
      (far.body as typeof body).notSignedIn
        .filter((d) => d.boardId === 'farsta')
        .map((d) => d.phaseId)
        .sort(),
    ).toEqual(['budgetunderlag', 'tertialrapport']);
  });

  it('names the field of a bad query', async () => {
    for (const q of ['withinDays=fjorton', 'withinDays=-1', 'withinDays=400', 'other=1']) {
      const response = await call('admin', 'GET', `/api/people?${q}`);
      expect(response.status).toBe(400);
      expect(response.body.field).toBe(q.startsWith('other') ? 'other' : 'withinDays');
    }
  });

  it('is described in the OpenAPI document, with its query parameter', async () => {
    const doc = (await (await fetch(`${stack.url}/api/openapi.json`)).json()) as {
      paths: Record<string, { get?: { parameters: { name: string; in: string; required: boolean }[] } }>;
    };
    expect(doc.paths['/api/people']?.get?.parameters).toEqual([
      expect.objectContaining({ name: 'withinDays', in: 'query', required: false }),
    ]);
  });

  it('is for SLK only', async () => {
    expect((await call('committee', 'GET', '/api/people')).status).toBe(403);
    expect((await call('farsta', 'GET', '/api/people')).status).toBe(403);
  });
});

describe('the page /personer', () => {
  it('shows both tables, escaped, with captions and header scopes, and is linked from SLK’s navigation', async () => {
    const response = await page('admin', '/personer?withinDays=20');
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(text).toContain('<h1>Personer och behörigheter</h1>');
    expect(text).toContain('Har inte loggat in före sista dagen');
    expect(text).toMatch(/<caption id="ej-inloggade-rubrik">/);
    expect(text).toMatch(/<caption id="roller-rubrik">/);
    expect(text).toContain('<th scope="col">Senast inloggad</th>');
    expect(text).toContain('Elin &lt;Nyström&gt;');
    expect(text).not.toContain('Elin <Nyström>');
    expect(text).toMatch(/<a href="\/personer"\s+aria-current="page">Personer<\/a>/);
    const rows = text.split('<tr').filter((r) => r.includes(`data-person="${people.chef.id}"`));
    // The förvaltningschef signed in after the phase opened: in the roles table only.
    expect(rows).toHaveLength(1);
  });

  it('answers a bad number of days with 400 and the form, and others with 403', async () => {
    const bad = await page('admin', '/personer?withinDays=abc');
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain('Antal dagar måste vara ett heltal mellan 0 och 365.');
    expect((await page('committee', '/personer')).status).toBe(403);
    expect((await page('farsta', '/personer')).status).toBe(403);
    const cycle = await page('admin', `/cykel/${STACK_YEAR}`);
    expect(await cycle.text()).toContain('href="/personer"');
    expect(await (await page('committee', `/oversikt/${STACK_YEAR}`)).text()).not.toContain('href="/personer"');
  });
});

describe('the page in a browser', () => {
  it('passes axe-core’s WCAG 2.1 AA rules and the structure and keyboard checks, on a laptop and a phone', async () => {
    const browser = await launchBrowser();
    try {
      const context = await browser.newContext({ viewport: { width: 1366, height: 900 }, locale: 'sv-SE' });
      const tab = await context.newPage();
      await signInWithKey(tab, stack.url, stack.tokens.admin);
      await tab.goto(`${stack.url}/personer?withinDays=20`);
      expect(await tab.getByRole('heading', { level: 1 }).textContent()).toBe('Personer och behörigheter');
      expect(await structureProblems(tab)).toEqual([]);
      expect(await accessibilityViolations(tab)).toEqual([]);
      expect(await keyboardProblems(tab)).toEqual([]);
      await tab.setViewportSize({ width: 390, height: 844 });
      expect(await accessibilityViolations(tab)).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 120_000);
});

describe('no personal data in Temporal', () => {
  it('stores a signed-in person’s act in the workflow history as person:<id>, never a name or address', async () => {
    const principal = {
      kind: 'person' as const,
      personId: people.controller.id,
      grants: [{ kind: 'board' as const, boardId: 'farsta', duty: 'controller' as const }],
    };
    const actor = actorOf(principal);
    expect(actor).toBe(`person:${people.controller.id}`);
    // What POST …/submit does with the caller (routes.ts: ctx.ops.actOnDeliverable(…, ctx.actor)).
    await stack.ops.actOnDeliverable(STACK_YEAR, 'tertialrapport', 'farsta', 'submit', { documentRef: 'Dnr 9' }, actor);
    const handle = stack.env.client.workflow.getHandle(`teststad/${STACK_YEAR}/tertialrapport/farsta`);
    const history = await handle.fetchHistory();
    const text = decodedText(history);
    expect(text).toContain(`person:${people.controller.id}`);
    expect(text).toContain('Dnr 9');
    for (const personal of ['Johan', 'johan.ek@farsta.example', 'Sara', 'sara@slk.example', 'Elin', 'Maria']) {
      expect(text).not.toContain(personal);
    }
    // Search attributes and memo of the deliverable likewise.
    const description = await handle.describe();
    expect(JSON.stringify({ sa: description.searchAttributes, memo: description.memo ?? null })).not.toMatch(
      /Johan|@farsta/,
    );
  });
});

/** The history as text, every payload's bytes decoded, so a name inside a payload is found. */
function decodedText(value: unknown): string {
  const parts: string[] = [];
  const walk = (v: unknown): void => {
    if (v instanceof Uint8Array) parts.push(Buffer.from(v).toString('utf8'));
    else if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') Object.values(v).forEach(walk);
    else if (typeof v === 'string') parts.push(v);
  };
  walk(value);
  return parts.join('\n');
}
