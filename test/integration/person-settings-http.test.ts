import { Client, Connection } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import { createApiToken } from '../../src/db/api-tokens';
import { listAuditEvents } from '../../src/db/audit-log';
import { signInPerson } from '../../src/db/person-principal';
import { createSession } from '../../src/db/sessions';
import { buildHttpServer } from '../../src/client/http/server';
import { createCycleOperations } from '../../src/client/operations/cycle-operations';
import { loadGroupRoles, shippedGroupRolesPath } from '../../src/client/data-files';
import { MUNICIPALITY_TIME_ZONE } from '../../src/domain/glossary';
import { addDays } from '../../src/domain/local-date';
import { localDateOf } from '../../src/domain/zoned-time';
import { loadDevPeople, shippedDevPeoplePath } from '../../src/stack/dev-people';
import { freePort } from '../../src/stack/free-port';
import { OpenIdProvider, startOpenIdProvider } from '../../src/stack/openid-provider';
import { accessibilityViolations, keyboardProblems } from '../helpers/accessibility';
import { launchBrowser, structureProblems } from '../helpers/browser';
import { createTestDatabase, TestDatabase } from '../helpers/database';

/**
 * Issue 13, self-service: GET/PUT /api/me/settings and the page /mina-installningar, for people
 * signed in with a session (made directly in the database) against the development provider's
 * configuration, and for a machine token (which has no settings). Nothing here needs Temporal.
 */
const SECRET = 'settings-test-client-secret-0123456789abcdef';
const ISSUER_SUFFIX = 'settings';

let db: TestDatabase;
let provider: OpenIdProvider;
let connection: Connection;
let app: FastifyInstance;
let base: string;
const today = localDateOf(new Date(), MUNICIPALITY_TIME_ZONE);

beforeAll(async () => {
  db = await createTestDatabase('person_settings_http');
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  provider = await startOpenIdProvider({
    people: loadDevPeople(shippedDevPeoplePath()),
    clients: [{ client_id: 'arshjul', client_secret: SECRET, redirect_uris: [`${base}/logga-in/klar`] }],
  });
  connection = Connection.lazy({ address: '127.0.0.1:1' });
  const ops = createCycleOperations({
    client: new Client({ connection }),
    pool: db.pool,
    taskQueue: 'unused',
    municipality: 'stockholm',
    today: () => today,
  });
  app = await buildHttpServer({
    probes: {},
    app: {
      ops,
      pool: db.pool,
      signIn: {
        provider: {
          issuer: provider.issuer,
          clientId: 'arshjul',
          clientSecret: SECRET,
          redirectUrl: `${base}/logga-in/klar`,
          postLogoutRedirectUrl: `${base}/logga-in`,
          groupsClaim: 'groups',
        },
        groupRoles: loadGroupRoles(shippedGroupRolesPath()),
        recheckSeconds: 3600,
      },
    },
  });
  await app.listen({ host: '127.0.0.1', port });
});

afterAll(async () => {
  await app?.close();
  await provider?.stop();
  await connection?.close().catch(() => undefined);
  await db?.drop();
});

/** A person signed in (grants as the provider gave them) and a session cookie for them. */
async function signedIn(subject: string, boardIds: string[] = []) {
  const issuer = `${provider.issuer}#${ISSUER_SUFFIX}`;
  const principal = await signInPerson(
    db.pool,
    { issuer, subject, email: `${subject}@stockholm.example`, name: `Namn ${subject}` },
    boardIds.map((boardId) => ({ kind: 'board', boardId, duty: 'controller' })),
  );
  const secret = await createSession(
    db.pool,
    { personId: principal.personId, issuer, subject },
    { idleSeconds: 3600, absoluteSeconds: 7200 },
  );
  return { personId: principal.personId, cookie: `arshjul_session=${secret}` };
}

const api = (cookie: string, method = 'GET', body?: unknown) =>
  fetch(`${base}/api/me/settings`, {
    method,
    headers: { cookie, ...(body !== undefined && { 'content-type': 'application/json' }) },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });

const form = (cookie: string, fields: [string, string][], origin = base) =>
  fetch(`${base}/mina-installningar`, {
    method: 'POST',
    redirect: 'manual',
    headers: { cookie, origin, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
  });

describe('GET/PUT /api/me/settings', () => {
  it('reads and replaces a person’s settings; the stand-in gets the board at once', async () => {
    const anna = await signedIn('anna', ['farsta', 'jarva']);
    const bo = await signedIn('bo');
    const read = await api(anna.cookie);
    expect(read.status).toBe(200);
    const current = (await read.json()) as Record<string, unknown>;
    expect(current).toEqual({
      version: 0,
      language: 'sv',
      weeklyDigest: false,
      boards: [
        { boardId: 'farsta', mailed: true },
        { boardId: 'jarva', mailed: true },
      ],
      mailBoards: ['farsta', 'jarva'],
      standIns: [],
      standingInFor: [],
    });
    const put = await api(anna.cookie, 'PUT', {
      version: 0,
      language: 'en',
      weeklyDigest: true,
      mailBoards: ['jarva'],
      standIns: [{ email: 'bo@stockholm.example', from: today, to: addDays(today, 6) }],
    });
    expect(put.status).toBe(200);
    await expect(put.json()).resolves.toMatchObject({
      version: 1,
      language: 'en',
      mailBoards: ['jarva'],
      standIns: [{ personId: bo.personId, email: 'bo@stockholm.example', from: today, to: addDays(today, 6) }],
    });
    // Bo holds Anna's board grants during the period, at the next request.
    const me = await fetch(`${base}/api/me`, { headers: { cookie: bo.cookie } });
    await expect(me.json()).resolves.toMatchObject({
      actor: `person:${bo.personId}`,
      grants: ['board:farsta:controller', 'board:jarva:controller'],
    });
    // Bo sees whom he stands in for, on his own settings and page.
    await expect((await api(bo.cookie)).json()).resolves.toMatchObject({
      standingInFor: [{ personId: anna.personId, email: 'anna@stockholm.example', from: today, to: addDays(today, 6) }],
    });
    const boPage = await (await fetch(`${base}/mina-installningar`, { headers: { cookie: bo.cookie } })).text();
    expect(boPage).toContain('Du är ersättare för');
    expect(boPage).toContain('anna@stockholm.example');
    const events = await listAuditEvents(db.pool, `people/${anna.personId}`);
    expect(events.map((e) => e.kind)).toEqual(['person-settings-changed']);
    expect(JSON.stringify(events)).not.toContain('stockholm.example');
  });

  it('refuses bad input naming the field, with its code, and changes nothing', async () => {
    const cilla = await signedIn('cilla', ['farsta']);
    const good = { version: 0, language: 'sv', weeklyDigest: false, mailBoards: ['farsta'], standIns: [] };
    const cases: [unknown, string, string][] = [
      [{ ...good, language: 'fi' }, 'language', 'not-an-option'],
      [{ ...good, mailBoards: ['jarva'] }, 'mailBoards.0', 'not-held'],
      [
        { ...good, standIns: [{ email: 'cilla@stockholm.example', from: today, to: today }] },
        'standIns.0.email',
        'own-stand-in',
      ],
      [
        { ...good, standIns: [{ email: 'ingen@stockholm.example', from: today, to: today }] },
        'standIns.0.email',
        'unknown-person',
      ],
      [{ ...good, standIns: [{ email: 'x@y.se', from: today, to: 'snart' }] }, 'standIns.0.to', 'bad-date'],
      [{ ...good, extra: 1 }, 'extra', 'unknown-field'],
    ];
    for (const [body, field, code] of cases) {
      const response = await api(cilla.cookie, 'PUT', body);
      expect([response.status, await response.json()]).toEqual([
        400,
        expect.objectContaining({ error: 'bad-request', field, code }),
      ]);
    }
    await expect((await api(cilla.cookie)).json()).resolves.toMatchObject({ version: 0, standIns: [] });
  });

  it('lets one of two changes at once win and answers the other 409', async () => {
    const dan = await signedIn('dan', ['farsta']);
    await signedIn('eva');
    await signedIn('fia');
    const change = (email: string) => ({
      version: 0,
      language: 'sv',
      weeklyDigest: false,
      mailBoards: ['farsta'],
      standIns: [{ email, from: addDays(today, 10), to: addDays(today, 20) }],
    });
    const answers = await Promise.all([
      api(dan.cookie, 'PUT', change('eva@stockholm.example')),
      api(dan.cookie, 'PUT', change('fia@stockholm.example')),
    ]);
    expect(answers.map((a) => a.status).sort()).toEqual([200, 409]);
    const refused = answers.find((a) => a.status === 409)!;
    await expect(refused.json()).resolves.toMatchObject({ field: 'version', code: 'edited-by-someone-else' });
    const after = (await (await api(dan.cookie)).json()) as { version: number; standIns: unknown[] };
    expect(after.version).toBe(1);
    expect(after.standIns).toHaveLength(1);
  });

  it('gives machine tokens no settings: 403 person-only', async () => {
    const { secret } = await createApiToken(db.pool, { role: 'admin', label: 'skript', createdBy: 'test' });
    const headers = { authorization: `Bearer ${secret}`, 'content-type': 'application/json' };
    const get = await fetch(`${base}/api/me/settings`, { headers });
    expect([get.status, await get.json()]).toEqual([403, expect.objectContaining({ code: 'person-only' })]);
    const put = await fetch(`${base}/api/me/settings`, { method: 'PUT', headers, body: '{}' });
    expect([put.status, await put.json()]).toEqual([403, expect.objectContaining({ code: 'person-only' })]);
    const page = await fetch(`${base}/mina-installningar`, { headers: { cookie: `arshjul_token=${secret}` } });
    expect(page.status).toBe(403);
    expect(await page.text()).toContain('en nyckel har inga egna inställningar');
  });

  it('limits a person’s changes per minute like every write', async () => {
    const nina = await signedIn('nina', ['farsta']);
    const statuses: number[] = [];
    for (let i = 0; i < 61; i++) statuses.push((await api(nina.cookie, 'PUT', { version: 'x' })).status);
    expect(statuses.slice(0, 60).every((s) => s === 400)).toBe(true);
    expect(statuses[60]).toBe(429);
  });

  it('is in the OpenAPI document', async () => {
    const doc = (await (await fetch(`${base}/api/openapi.json`)).json()) as { paths: Record<string, object> };
    expect(Object.keys(doc.paths['/api/me/settings']!)).toEqual(['get', 'put']);
  });
});

describe('the page /mina-installningar', () => {
  it('shows the settings with labels, saves a post and says so', async () => {
    const gun = await signedIn('gun', ['farsta']);
    await signedIn('hans');
    const page = await fetch(`${base}/mina-installningar`, { headers: { cookie: gun.cookie } });
    expect(page.status).toBe(200);
    const text = await page.text();
    expect(text).toContain('<h1>Mina inställningar</h1>');
    expect(text).toMatch(/<label for="installningar-language">Språk i utskicken<\/label>/);
    expect(text).toMatch(/<label for="installningar-standIns\.0\.email">Ersättarens e-postadress<\/label>/);
    expect(text).toContain('aria-current="page"');
    const saved = await form(gun.cookie, [
      ['version', '0'],
      ['language', 'en'],
      ['weeklyDigest', 'on'],
      ['mailBoards', 'farsta'],
      ['standIns.0.email', 'hans@stockholm.example'],
      ['standIns.0.from', addDays(today, 1)],
      ['standIns.0.to', addDays(today, 2)],
      ['standIns.1.email', ''],
      ['standIns.1.from', ''],
      ['standIns.1.to', ''],
    ]);
    expect([saved.status, saved.headers.get('location')]).toEqual([303, '/mina-installningar?klart=1']);
    const after = await (await fetch(`${base}/mina-installningar?klart=1`, { headers: { cookie: gun.cookie } })).text();
    expect(after).toContain('Inställningarna är sparade.');
    expect(after).toContain('value="hans@stockholm.example"');
    await expect((await api(gun.cookie)).json()).resolves.toMatchObject({
      version: 1,
      language: 'en',
      weeklyDigest: true,
    });
  });

  it('shows a refusal beside its field and in a summary, keeps what was typed, saves nothing', async () => {
    const hugo = await signedIn('hugo', ['farsta']);
    await signedIn('ida');
    const refused = await form(hugo.cookie, [
      ['version', '0'],
      ['language', 'sv'],
      ['mailBoards', 'farsta'],
      ['standIns.0.email', ''],
      ['standIns.0.from', ''],
      ['standIns.0.to', ''],
      ['standIns.1.email', 'ida@stockholm.example'],
      ['standIns.1.from', addDays(today, 5)],
      ['standIns.1.to', addDays(today, 4)],
    ]);
    expect(refused.status).toBe(400);
    const text = await refused.text();
    // The second row of the form is the one at fault, though the first was left empty.
    expect(text).toContain('<a href="#installningar-standIns.1.to">Ersättare 2, sista dag måste vara samma dag');
    expect(text).toMatch(
      /id="installningar-standIns\.1\.to"[^>]*aria-describedby="[^"]*installningar-standIns\.1\.to-error"/,
    );
    expect(text).toContain('aria-invalid="true"');
    expect(text).toContain('value="ida@stockholm.example"');
    await expect((await api(hugo.cookie)).json()).resolves.toMatchObject({ version: 0, standIns: [] });
  });

  it('answers a post based on settings changed meanwhile with 409 and the reason, saving nothing', async () => {
    const kim = await signedIn('kim', ['farsta']);
    const put = await api(kim.cookie, 'PUT', {
      version: 0,
      language: 'en',
      weeklyDigest: false,
      mailBoards: ['farsta'],
      standIns: [],
    });
    expect(put.status).toBe(200);
    const stale = await form(kim.cookie, [
      ['version', '0'],
      ['language', 'sv'],
      ['mailBoards', 'farsta'],
    ]);
    expect(stale.status).toBe(409);
    const text = await stale.text();
    expect(text).toContain('Inställningarna har ändrats någon annanstans efter att du öppnade sidan');
    expect(text).toContain('name="version" value="0"');
    await expect((await api(kim.cookie)).json()).resolves.toMatchObject({ version: 1, language: 'en' });
  });

  it('refuses a post from another site', async () => {
    const jan = await signedIn('jan', ['farsta']);
    const response = await form(jan.cookie, [['version', '0']], 'https://evil.example');
    expect(response.status).toBe(403);
    await expect((await api(jan.cookie)).json()).resolves.toMatchObject({ version: 0 });
  });
});

describe('the page in a browser', () => {
  it('passes the WCAG 2.1 AA rules and the keyboard walk, before and after a refused save made by keyboard', async () => {
    const lisa = await signedIn('lisa', ['farsta', 'jarva']);
    await signedIn('max');
    const browser = await launchBrowser();
    try {
      const context = await browser.newContext({ locale: 'sv-SE' });
      await context.addCookies([{ name: 'arshjul_session', value: lisa.cookie.split('=')[1]!, url: base }]);
      const page = await context.newPage();
      await page.goto(`${base}/mina-installningar`);
      expect(await structureProblems(page)).toEqual([]);
      expect(await accessibilityViolations(page)).toEqual([]);
      expect(await keyboardProblems(page)).toEqual([]);
      // Keyboard only: a stand-in whose last day comes before the first.
      await page.focus('#installningar-standIns\\.0\\.email');
      await page.keyboard.type('max@stockholm.example');
      await page.keyboard.press('Tab');
      await page.keyboard.type(addDays(today, 3));
      await page.keyboard.press('Tab');
      await page.keyboard.type(addDays(today, 2));
      await Promise.all([page.waitForLoadState('load'), page.keyboard.press('Enter')]);
      await page.waitForSelector('.error-summary');
      expect(await page.textContent('.error-summary')).toContain('Ersättare 1, sista dag måste vara samma dag');
      expect(await structureProblems(page)).toEqual([]);
      expect(await accessibilityViolations(page)).toEqual([]);
      // The summary's link takes the focus to the field.
      await page.click('.error-summary a');
      expect(await page.evaluate('document.activeElement && document.activeElement.id')).toBe(
        'installningar-standIns.0.to',
      );
    } finally {
      await browser.close();
    }
  });
});
