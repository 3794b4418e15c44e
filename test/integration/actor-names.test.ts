import { listAuditEvents } from '../../src/db/audit-log';
import { loadDevPeople, shippedDevPeoplePath } from '../../src/stack/dev-people';
import { STACK_YEAR, useHttpStack } from '../helpers/http-stack';
import { CookieJar, signInAtProvider } from '../helpers/openid-sign-in';
import { signOffStackOptions } from '../helpers/report-stack';

/**
 * Issue 13: the record names people by a pseudonymous id (`person:p_…`); the pages show their
 * names, looked up when the page is drawn, and a neutral text once a person's details are erased.
 * Farsta's people sign in through the development OpenID provider (fetch and a cookie jar) and
 * take the report of a phase that asks for a sign-off from draft to SLK's approval.
 */
const stack = useHttpStack('actor_names', { ...signOffStackOptions(), signIn: true });
const y = STACK_YEAR;
const api = `/api/cycles/${y}/deliverables/arsrapport/farsta`;
const formPage = `/namnd/farsta/${y}/arsrapport`;
const reviewPage = `/cykel/${y}/granska/arsrapport/farsta`;
const people = loadDevPeople(shippedDevPeoplePath());
const nameOf = (sub: string) => people.find((p) => p.sub === sub)!.name;

async function signIn(sub: string): Promise<CookieJar> {
  const who = people.find((p) => p.sub === sub)!;
  const jar = new CookieJar();
  const start = await fetch(`${stack.url}/logga-in/sso`, { redirect: 'manual' });
  jar.take(start);
  const at = await signInAtProvider(new URL(start.headers.get('location')!), `${stack.url}/logga-in/klar`, {
    username: who.email,
    password: who.password,
  });
  if (!at.callbackUrl) throw new Error(`not sent back: ${at.page?.html.slice(0, 200)}`);
  jar.take(await fetch(at.callbackUrl, { redirect: 'manual', headers: { cookie: jar.header() } }));
  expect(jar.header()).toContain('arshjul_session=');
  return jar;
}

const call = async (jar: CookieJar, method: 'GET' | 'PUT' | 'POST', path: string, body?: unknown) => {
  const response = await fetch(`${stack.url}${path}`, {
    method,
    headers: {
      cookie: jar.header(),
      origin: stack.url,
      ...(body !== undefined && { 'content-type': 'application/json' }),
    },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read the JSON they expect
  return { status: response.status, body: (text ? JSON.parse(text) : undefined) as any };
};

const html = async (jar: CookieJar, path: string) => {
  const response = await fetch(`${stack.url}${path}`, { headers: { cookie: jar.header() } });
  expect(response.status).toBe(200);
  // The pages' text as people read it: tags out, spaces as one.
  return (await response.text())
    .replace(/<[^>]+>/g, ' ')
    .replace(/\s+/g, ' ')
    .replace(/&amp;/g, '&');
};

const personIdOf = async (sub: string): Promise<string> =>
  (await stack.harness.db.pool.query<{ id: string }>('SELECT id FROM people WHERE subject = $1', [sub])).rows[0]!.id;

describe('who did what, by name on the pages', () => {
  test('drafted, marked ready, signed off and approved by four people: the pages name each, the record their ids', async () => {
    const handlaggare = await signIn('dev-farsta-handlaggare');
    expect(
      (
        await call(handlaggare, 'PUT', `${api}/report/answers`, {
          path: 'ekonomi.sammanfattning',
          value: 'Enligt plan.',
          expectedVersion: 0,
        })
      ).status,
    ).toBe(200);
    expect(
      (
        await call(handlaggare, 'PUT', `${api}/report/answers`, {
          path: 'ekonomi.prognos',
          value: -120,
          expectedVersion: 0,
        })
      ).status,
    ).toBe(200);
    const upload = await fetch(`${stack.url}${api}/attachments?name=underlag.pdf`, {
      method: 'POST',
      headers: { cookie: handlaggare.header(), origin: stack.url, 'content-type': 'application/octet-stream' },
      body: Buffer.from('%PDF-1.4\n% underlag\n%%EOF\n'),
    });
    expect(upload.status).toBe(201);

    const controller = await signIn('dev-farsta-controller');
    expect((await call(controller, 'POST', `${api}/report/ready`, { documentRef: 'Farsta 2090/7' })).status).toBe(200);

    const chef = await signIn('dev-farsta-forvaltningschef');
    const form = await html(chef, formPage);
    // The header names who is signed in, with their duty, not a key's label.
    expect(form).toContain('Inloggad: Maria Sandberg, förvaltningschef, Farsta stadsdelsnämnd Logga ut');
    expect(form).toContain(`Senast sparad av ${nameOf('dev-farsta-handlaggare')},`);
    // The report's attachments table: who uploaded.
    expect(form).toMatch(new RegExp(`underlag\\.pdf \\d+ byte ${nameOf('dev-farsta-handlaggare')} `));
    expect(form).toContain(`Klarmarkerad av ${nameOf('dev-farsta-controller')} den`);
    const board = await html(chef, '/namnd/farsta');
    expect(board).toContain(`Klarmarkerad av ${nameOf('dev-farsta-controller')} den`);
    expect(board).toContain('Inloggad: Maria Sandberg, förvaltningschef, Farsta stadsdelsnämnd Logga ut');
    expect((await call(chef, 'POST', `${api}/report/sign-off`, {})).status).toBe(200);

    const slk = await signIn('dev-slk-controller');
    expect(
      (await call(slk, 'POST', `${api}/report/comments`, { path: 'ekonomi.prognos', comment: 'Bra.' })).status,
    ).toBe(200);
    const review = await html(slk, reviewPage);
    expect(review).toContain('Inloggad: Sara Lindqvist, Stadsledningskontoret (SLK) Logga ut');
    expect(review).toContain(
      `av ${nameOf('dev-farsta-forvaltningschef')} (påskriven; klarmarkerad av ${nameOf('dev-farsta-controller')})`,
    );
    expect(review).toContain(`${nameOf('dev-slk-controller')},`);
    expect(review).toContain(`${nameOf('dev-farsta-handlaggare')},`);
    expect(review).not.toMatch(/person:p_/);
    expect((await call(slk, 'POST', `${api}/approve`, {})).status).toBe(200);
    expect(await html(slk, '/namnd/farsta')).toContain(`Inlämnad av ${nameOf('dev-farsta-forvaltningschef')}`);

    // The record: ids, never names.
    const ids = {
      handlaggare: await personIdOf('dev-farsta-handlaggare'),
      controller: await personIdOf('dev-farsta-controller'),
      chef: await personIdOf('dev-farsta-forvaltningschef'),
      slk: await personIdOf('dev-slk-controller'),
    };
    const events = await listAuditEvents(stack.harness.db.pool, `teststad/${y}/arsrapport/farsta`);
    const actorOfKind = (kind: string) => events.find((e) => e.kind === kind)?.actor;
    expect(actorOfKind('marked-ready-for-sign-off')).toBe(`person:${ids.controller}`);
    expect(actorOfKind('signed-off')).toBe(`person:${ids.chef}`);
    expect(actorOfKind('approved')).toBe(`person:${ids.slk}`);
    expect(JSON.stringify(events)).not.toContain(nameOf('dev-farsta-controller'));

    // The controller's details erased: the pages say so neutrally, the record is as it was.
    await stack.harness.db.pool.query('UPDATE people SET name = NULL, email = NULL WHERE id = $1', [ids.controller]);
    const after = await html(slk, reviewPage);
    expect(after).toContain('(påskriven; klarmarkerad av okänd person)');
    expect(after).not.toContain(nameOf('dev-farsta-controller'));
    expect(after).not.toMatch(/person:p_/);
  });
});
