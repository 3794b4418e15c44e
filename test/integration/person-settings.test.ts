import { listAuditEvents } from '../../src/db/audit-log';
import { addManualGrant } from '../../src/db/people';
import { personPrincipal, signInPerson } from '../../src/db/person-principal';
import { createPersonSettingsOperations, PersonSettingsOperations } from '../../src/client/operations/person-settings';
import type { Grant } from '../../src/domain/grants';
import type { PersonPrincipal, TokenPrincipal } from '../../src/domain/principal';
import { createTestDatabase, TestDatabase } from '../helpers/database';

let db: TestDatabase;
const now = new Date('2026-06-15T10:00:00Z');
let ops: PersonSettingsOperations;
beforeAll(async () => {
  db = await createTestDatabase('person_settings');
  ops = createPersonSettingsOperations(db.pool, () => now);
});
afterAll(async () => {
  await db?.drop();
});

const ISSUER = 'https://idp.stockholm.example';
const board = (boardId: string, duty: 'handlaggare' | 'controller' | 'forvaltningschef'): Grant => ({
  kind: 'board',
  boardId,
  duty,
});

async function person(subject: string, grants: Grant[], signedInAt = new Date('2026-06-01T08:00:00Z')) {
  return signInPerson(
    db.pool,
    { issuer: ISSUER, subject, name: `Namn ${subject}`, email: `${subject}@stockholm.example` },
    grants,
    signedInAt,
  );
}

/** What PUT expects: the current settings with changes. */
async function base(p: PersonPrincipal) {
  const current = await ops.read(p);
  return {
    version: current.version,
    language: current.language,
    weeklyDigest: current.weeklyDigest,
    mailBoards: current.mailBoards,
    standIns: current.standIns.map((s) => ({ email: s.email!, from: s.from, to: s.to })),
  };
}

async function refusalOf(promise: Promise<unknown>) {
  const error = (await promise.catch((e: unknown) => e)) as { status?: number; field?: string; code?: string };
  return { status: error.status, field: error.field, code: error.code };
}

describe('stand-ins and a person’s own settings', () => {
  it('lends the person’s board grants to the stand-in for the period, Stockholm days included', async () => {
    const anna = await person('anna', [board('farsta', 'controller'), board('skarpnack', 'handlaggare')]);
    const bo = await person('bo', [board('farsta', 'handlaggare')]);
    const saved = await ops.save(anna, {
      ...(await base(anna)),
      standIns: [{ email: 'BO@stockholm.example', from: '2026-07-01', to: '2026-07-31' }],
    });
    expect(saved.standIns).toEqual([
      { personId: bo.personId, email: 'bo@stockholm.example', from: '2026-07-01', to: '2026-07-31' },
    ]);
    // 30 June 23:30 in Stockholm (21:30 UTC): not yet.
    const before = await personPrincipal(db.pool, bo.personId, new Date('2026-06-30T21:30:00Z'));
    expect(before.grants).toEqual([board('farsta', 'handlaggare')]);
    // 1 July 00:30 in Stockholm (30 June 22:30 UTC): the period has begun.
    const during = await personPrincipal(db.pool, bo.personId, new Date('2026-06-30T22:30:00Z'));
    expect(during.grants).toEqual([
      board('farsta', 'controller'),
      board('farsta', 'handlaggare'),
      board('skarpnack', 'handlaggare'),
    ]);
    // The whole last day, then no more.
    const lastDay = await personPrincipal(db.pool, bo.personId, new Date('2026-07-31T21:59:00Z'));
    expect(lastDay.grants).toHaveLength(3);
    const after = await personPrincipal(db.pool, bo.personId, new Date('2026-07-31T22:00:00Z'));
    expect(after.grants).toEqual([board('farsta', 'handlaggare')]);
    // Only board grants are lent, and the absent person keeps theirs.
    await addManualGrant(db.pool, anna.personId, { kind: 'committee' }, new Date('2026-06-01T00:00:00Z'));
    const lent = await personPrincipal(db.pool, bo.personId, new Date('2026-07-10T10:00:00Z'));
    expect(lent.grants).not.toContainEqual({ kind: 'committee' });
    const own = await personPrincipal(db.pool, anna.personId, new Date('2026-07-10T10:00:00Z'));
    expect(own.grants).toContainEqual(board('farsta', 'controller'));

    // The record: who named whom, when, for which period, by id only.
    const events = await listAuditEvents(db.pool, `people/${anna.personId}`);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      kind: 'person-settings-changed',
      actor: `person:${anna.personId}`,
      occurred_at: now,
      payload: { standIns: [{ standInId: bo.personId, from: '2026-07-01', to: '2026-07-31' }] },
    });
    expect(JSON.stringify(events[0]!.payload)).not.toMatch(/stockholm\.example|Namn/);
  });

  it('stores language, digest and the boards mailed, among the boards held', async () => {
    const cilla = await person('cilla', [board('farsta', 'controller'), board('skarpnack', 'forvaltningschef')]);
    const first = await ops.read(cilla);
    expect(first).toMatchObject({
      version: 0,
      language: 'sv',
      weeklyDigest: false,
      mailBoards: ['farsta', 'skarpnack'],
    });
    const saved = await ops.save(cilla, {
      ...(await base(cilla)),
      language: 'en',
      weeklyDigest: true,
      mailBoards: ['skarpnack'],
    });
    expect(saved).toMatchObject({
      version: 1,
      language: 'en',
      weeklyDigest: true,
      mailBoards: ['skarpnack'],
      boards: [
        { boardId: 'farsta', mailed: false },
        { boardId: 'skarpnack', mailed: true },
      ],
    });
  });

  it('refuses bad input naming the field, with nothing changed', async () => {
    const dan = await person('dan', [board('farsta', 'controller')]);
    await person('eva', []);
    await signInPerson(db.pool, { issuer: ISSUER, subject: 'never' }, []); // no e-mail
    const start = await base(dan);
    const period = { email: 'eva@stockholm.example', from: '2026-07-01', to: '2026-07-10' };
    const cases: [unknown, { status: number; field: string; code: string }][] = [
      [
        { ...start, language: 'de' },
        { status: 400, field: 'language', code: 'not-an-option' },
      ],
      [
        { ...start, colour: 'red' },
        { status: 400, field: 'colour', code: 'unknown-field' },
      ],
      [
        { ...start, mailBoards: ['skarpnack'] },
        { status: 400, field: 'mailBoards.0', code: 'not-held' },
      ],
      [
        { ...start, standIns: [{ ...period, email: 'dan@stockholm.example' }] },
        { status: 400, field: 'standIns.0.email', code: 'own-stand-in' },
      ],
      [
        { ...start, standIns: [{ ...period, email: 'okand@stockholm.example' }] },
        { status: 400, field: 'standIns.0.email', code: 'unknown-person' },
      ],
      [
        { ...start, standIns: [{ ...period, to: '2026-06-30' }] },
        { status: 400, field: 'standIns.0.to', code: 'before-from' },
      ],
      [
        { ...start, standIns: [{ ...period, to: '2027-07-02' }] },
        { status: 400, field: 'standIns.0.to', code: 'period-too-long' },
      ],
      [
        { ...start, standIns: [{ ...period, from: '2026-06-01', to: '2026-06-14' }] },
        { status: 400, field: 'standIns.0.to', code: 'in-the-past' },
      ],
      [
        { ...start, standIns: [{ ...period, from: '2026-07-32' }] },
        { status: 400, field: 'standIns.0.from', code: 'bad-date' },
      ],
      [
        { ...start, standIns: [period, { ...period, from: '2026-07-10', to: '2026-07-20' }] },
        { status: 400, field: 'standIns.1.from', code: 'overlapping-period' },
      ],
    ];
    for (const [input, expected] of cases) {
      await expect(refusalOf(ops.save(dan, input))).resolves.toEqual(expected);
    }
    await expect(ops.read(dan)).resolves.toMatchObject({ version: 0, language: 'sv', standIns: [] });
    await expect(listAuditEvents(db.pool, `people/${dan.personId}`)).resolves.toEqual([]);
  });

  it('lets one of two changes at once win; the other gets 409 and changes nothing', async () => {
    const fia = await person('fia', [board('farsta', 'controller')]);
    await person('gun', []);
    await person('hans', []);
    const read = await base(fia);
    const results = await Promise.allSettled([
      ops.save(fia, { ...read, standIns: [{ email: 'gun@stockholm.example', from: '2026-08-01', to: '2026-08-10' }] }),
      ops.save(fia, { ...read, standIns: [{ email: 'hans@stockholm.example', from: '2026-08-05', to: '2026-08-20' }] }),
    ]);
    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    expect(lost[0]!.reason).toMatchObject({ status: 409, field: 'version', code: 'edited-by-someone-else' });
    const after = await ops.read(fia);
    expect(after.version).toBe(1);
    expect(after.standIns).toHaveLength(1);
    await expect(listAuditEvents(db.pool, `people/${fia.personId}`)).resolves.toHaveLength(1);
    // A stale version later is refused the same way.
    await expect(refusalOf(ops.save(fia, read))).resolves.toEqual({
      status: 409,
      field: 'version',
      code: 'edited-by-someone-else',
    });
  });

  it('gives machine tokens no settings', async () => {
    const token: TokenPrincipal = {
      kind: 'token',
      tokenId: 'tok_x',
      owner: 'slk',
      label: 'skript',
      grants: [{ kind: 'admin' }],
      scopes: ['read'],
    };
    await expect(refusalOf(ops.read(token))).resolves.toEqual({ status: 403, field: 'role', code: 'person-only' });
  });
});
