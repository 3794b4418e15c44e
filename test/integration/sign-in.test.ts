import { Client, Connection } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import { buildHttpServer } from '../../src/client/http/server';
import { createCycleOperations } from '../../src/client/operations/cycle-operations';
import { loadGroupRoles, shippedGroupRolesPath } from '../../src/client/data-files';
import { loadDevPeople, shippedDevPeoplePath } from '../../src/stack/dev-people';
import { freePort } from '../../src/stack/free-port';
import { OpenIdProvider, startOpenIdProvider } from '../../src/stack/openid-provider';
import { createTestDatabase, TestDatabase } from '../helpers/database';
import { CookieJar, signInAtProvider } from '../helpers/openid-sign-in';

/**
 * Issue 13: people sign in as themselves. The development OpenID provider (oidc-provider, its
 * own process) and Årshjul's HTTP server over a test database: the whole sign-in through the
 * provider's login form, the person and their grants from the provider's groups, the session,
 * a role lost or a person disabled at the provider, signing out here and there. Nothing here
 * needs Temporal (a connection that is never used).
 */
const people = loadDevPeople(shippedDevPeoplePath());
const SECRET = 'sign-in-test-client-secret-0123456789abcdef';
const RECHECK_SECONDS = 1;

let db: TestDatabase;
let provider: OpenIdProvider;
let connection: Connection;
let app: FastifyInstance;
let base: string;

beforeAll(async () => {
  db = await createTestDatabase('sign_in');
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  provider = await startOpenIdProvider({
    people,
    clients: [
      {
        client_id: 'arshjul',
        client_secret: SECRET,
        redirect_uris: [`${base}/logga-in/klar`],
        post_logout_redirect_uris: [`${base}/logga-in`],
        firstParty: true,
      },
    ],
  });
  connection = Connection.lazy({ address: '127.0.0.1:1' });
  const ops = createCycleOperations({
    client: new Client({ connection }),
    pool: db.pool,
    taskQueue: 'unused',
    municipality: 'stockholm',
    today: () => '2027-01-10',
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
        recheckSeconds: RECHECK_SECONDS,
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

const person = (sub: string) => people.find((p) => p.sub === sub)!;

/** Starts at Årshjul's sign-in, signs in at the provider's form, and stops at the callback (not yet called). */
async function toCallback(sub: string, jar = new CookieJar()) {
  const start = await fetch(`${base}/logga-in/sso`, { redirect: 'manual', headers: { cookie: jar.header() } });
  expect(start.status).toBe(303);
  jar.take(start);
  const who = person(sub);
  const at = await signInAtProvider(new URL(start.headers.get('location')!), `${base}/logga-in/klar`, {
    username: who.email,
    password: who.password,
  });
  if (!at.callbackUrl) throw new Error(`the provider did not send the browser back: ${at.page?.html.slice(0, 200)}`);
  return { jar, callbackUrl: at.callbackUrl };
}

async function signIn(sub: string) {
  const { jar, callbackUrl } = await toCallback(sub);
  const back = await fetch(callbackUrl, { redirect: 'manual', headers: { cookie: jar.header() } });
  jar.take(back);
  return { jar, back };
}

const me = async (jar: CookieJar) => {
  const response = await fetch(`${base}/api/me`, { headers: { cookie: jar.header() } });
  return { status: response.status, body: (await response.json()) as { actor?: string; grants?: string[] } };
};

const sessionsOf = async (sub: string) =>
  (
    await db.pool.query<{ ended: boolean; end_reason: string | null }>(
      `SELECT s.ended_at IS NOT NULL AS ended, s.end_reason FROM sessions s JOIN people p ON p.id = s.person_id
       WHERE p.subject = $1 ORDER BY s.created_at`,
      [sub],
    )
  ).rows;

describe('signing in through the OpenID provider', () => {
  it('offers the city sign-in on the sign-in page', async () => {
    const page = await (await fetch(`${base}/logga-in`)).text();
    expect(page).toContain('action="/logga-in/sso"');
    expect(page).toContain('Fortsätt till stadens inloggning');
  });

  it("signs a board's controller in as themselves, with the grant their group gives", async () => {
    const { jar, back } = await signIn('dev-farsta-controller');
    expect(back.status).toBe(303);
    const cookie = back.headers.getSetCookie().find((c) => c.startsWith('arshjul_session='))!;
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    const who = await me(jar);
    expect(who.status).toBe(200);
    expect(who.body.actor).toMatch(/^person:p_/);
    expect(who.body.grants).toEqual(['board:farsta:controller']);
    // The person is kept, with name and address from the provider; the session holds no secret in clear.
    const stored = await db.pool.query(`SELECT name, email FROM people WHERE subject = 'dev-farsta-controller'`);
    expect(stored.rows).toEqual([
      { name: person('dev-farsta-controller').name, email: person('dev-farsta-controller').email },
    ]);
  });

  it('refuses a callback that another browser started, and one used twice', async () => {
    const { jar, callbackUrl } = await toCallback('dev-slk-controller');
    const elsewhere = await fetch(callbackUrl, { redirect: 'manual' });
    expect(elsewhere.status).toBe(400);
    expect(await elsewhere.text()).toContain('startades i en annan webbläsare');

    const first = await fetch(callbackUrl, { redirect: 'manual', headers: { cookie: jar.header() } });
    expect(first.status).toBe(303);
    const again = await fetch(callbackUrl, { redirect: 'manual', headers: { cookie: jar.header() } });
    expect(again.status).toBe(400);
  });

  it('starts one session when the same callback arrives twice at once', async () => {
    const before = (await sessionsOf('dev-utbildning-controller')).length;
    const { jar, callbackUrl } = await toCallback('dev-utbildning-controller');
    const both = await Promise.all(
      [1, 2].map(() => fetch(callbackUrl, { redirect: 'manual', headers: { cookie: jar.header() } })),
    );
    expect(both.map((r) => r.status).sort()).toEqual([303, 400]);
    expect((await sessionsOf('dev-utbildning-controller')).length).toBe(before + 1);
  });

  it('lets no one in whose groups give no role in Årshjul', async () => {
    await provider.updatePerson('dev-utbildning-handlaggare', { groups: ['some-other-group'] });
    const { jar, back } = await signIn('dev-utbildning-handlaggare');
    expect(back.status).toBe(403);
    expect(await back.text()).toContain('har ingen roll i Årshjul');
    expect((await me(jar)).status).toBe(401);
    expect(await sessionsOf('dev-utbildning-handlaggare')).toEqual([]);
  });

  it('takes a role away at the next request after the short cache, and a disabled person with it', async () => {
    const { jar } = await signIn('dev-farsta-handlaggare');
    expect((await me(jar)).body.grants).toEqual(['board:farsta:handlaggare']);
    await provider.updatePerson('dev-farsta-handlaggare', { groups: [] });
    await new Promise((resolve) => setTimeout(resolve, RECHECK_SECONDS * 1000 + 200));
    const refused = await fetch(`${base}/api/me`, { headers: { cookie: jar.header() } });
    expect(refused.status).toBe(401);
    // The ended session's cookie is cleared.
    expect(refused.headers.getSetCookie()).toContainEqual(expect.stringMatching(/^arshjul_session=;.*Max-Age=0/));
    expect(await sessionsOf('dev-farsta-handlaggare')).toEqual([{ ended: true, end_reason: 'role-lost' }]);

    const chef = await signIn('dev-farsta-forvaltningschef');
    expect((await me(chef.jar)).body.grants).toEqual(['board:farsta:forvaltningschef']);
    await provider.updatePerson('dev-farsta-forvaltningschef', { disabled: true });
    await new Promise((resolve) => setTimeout(resolve, RECHECK_SECONDS * 1000 + 200));
    // Several requests at once: one asks the provider, none gets in after the refusal is known.
    await Promise.all([me(chef.jar), me(chef.jar), me(chef.jar)]);
    expect((await me(chef.jar)).status).toBe(401);
    expect(await sessionsOf('dev-farsta-forvaltningschef')).toEqual([{ ended: true, end_reason: 'provider-refused' }]);
  });

  it('signs out here and at the provider', async () => {
    const { jar } = await signIn('dev-utskott-ledamot');
    expect((await me(jar)).status).toBe(200);
    const out = await fetch(`${base}/logga-ut`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie: jar.header(), origin: base, 'content-type': 'application/x-www-form-urlencoded' },
      body: '',
    });
    expect(out.status).toBe(303);
    const location = new URL(out.headers.get('location')!);
    expect(location.href.startsWith(provider.issuer)).toBe(true);
    expect(location.searchParams.get('post_logout_redirect_uri')).toBe(`${base}/logga-in`);
    expect(location.searchParams.get('id_token_hint')).toBeTruthy();
    const stale = new CookieJar();
    stale.take(
      new Response(null, {
        headers: { 'set-cookie': `arshjul_session=${/arshjul_session=([^;]*)/.exec(jar.header())![1]}` },
      }),
    );
    jar.take(out);
    expect(jar.header()).not.toContain('arshjul_session=');
    // The old cookie, kept by someone, opens nothing.
    expect((await me(stale)).status).toBe(401);
    expect(await sessionsOf('dev-utskott-ledamot')).toEqual([{ ended: true, end_reason: 'signed-out' }]);
  });
});
