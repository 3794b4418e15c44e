import { readdirSync } from 'node:fs';
import { runner } from 'node-pg-migrate';
import { ZodError } from 'zod';
import { authenticateBearer, createApiToken } from '../../src/db/api-tokens';
import { MIGRATIONS_DIR } from '../../src/db/migrate';
import {
  addManualGrant,
  findPerson,
  loadCurrentGrants,
  recordSignIn,
  replaceProviderGrants,
} from '../../src/db/people';
import { signInPerson } from '../../src/db/person-principal';
import type { Grant } from '../../src/domain/grants';
import { createTestDatabase, TestDatabase } from '../helpers/database';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase('people');
});
afterAll(async () => {
  await db?.drop();
});

const ISSUER = 'https://idp.stockholm.example';
const farsta = (duty: 'handlaggare' | 'controller' | 'forvaltningschef'): Grant => ({
  kind: 'board',
  boardId: 'farsta',
  duty,
});

describe('people and memberships', () => {
  it('creates a person at the first sign-in and finds the same one later', async () => {
    const t0 = new Date('2026-03-01T08:00:00Z');
    const first = await recordSignIn(db.pool, { issuer: ISSUER, subject: 'sub-1', name: 'Anna', email: 'a@x.se' }, t0);
    expect(first).toMatchObject({ id: expect.stringMatching(/^p_[0-9a-f]{12}$/), language: 'sv', lastSignInAt: t0 });
    const t1 = new Date('2026-03-02T08:00:00Z');
    const again = await recordSignIn(db.pool, { issuer: ISSUER, subject: 'sub-1', name: 'Anna B', language: 'en' }, t1);
    expect(again).toMatchObject({ id: first.id, name: 'Anna B', language: 'sv', createdAt: t0, lastSignInAt: t1 });
    expect(again.email).toBeUndefined();
    // The same subject at another issuer is another person.
    const other = await recordSignIn(db.pool, { issuer: 'https://other.example', subject: 'sub-1' }, t1);
    expect(other.id).not.toBe(first.id);
    await expect(findPerson(db.pool, first.id)).resolves.toMatchObject({ subject: 'sub-1' });
  });

  it('names the field of bad sign-in input', async () => {
    const error = await recordSignIn(db.pool, { issuer: ISSUER, subject: '', email: 'nope' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ZodError);
    expect((error as ZodError).issues.map((i) => i.path.join('.'))).toEqual(['subject', 'email']);
  });

  it('follows the provider’s grants, ending what is gone, leaving manual grants alone', async () => {
    const t0 = new Date('2026-04-01T08:00:00Z');
    const principal = await signInPerson(db.pool, { issuer: ISSUER, subject: 'sub-2' }, [farsta('handlaggare')], t0);
    expect(principal.grants).toEqual([farsta('handlaggare')]);
    await addManualGrant(db.pool, principal.personId, { kind: 'committee' }, t0, new Date('2026-05-01T00:00:00Z'));
    const t1 = new Date('2026-04-02T08:00:00Z');
    const later = await signInPerson(db.pool, { issuer: ISSUER, subject: 'sub-2' }, [farsta('controller')], t1);
    expect(later.personId).toBe(principal.personId);
    expect(later.grants).toEqual([farsta('controller'), { kind: 'committee' }]);
    // The stand-in period ends; what the provider gave stays.
    await expect(loadCurrentGrants(db.pool, principal.personId, new Date('2026-05-02T00:00:00Z'))).resolves.toEqual([
      farsta('controller'),
    ]);
    // Who held what, when, stays known: the handläggare row ended, not deleted.
    const rows = await db.pool.query(
      `SELECT duty, source, valid_from, valid_to FROM memberships WHERE person_id = $1 ORDER BY id`,
      [principal.personId],
    );
    expect(rows.rows).toEqual([
      { duty: 'handlaggare', source: 'provider', valid_from: t0, valid_to: t1 },
      { duty: null, source: 'manual', valid_from: t0, valid_to: new Date('2026-05-01T00:00:00Z') },
      { duty: 'controller', source: 'provider', valid_from: t1, valid_to: null },
    ]);
    // A sign-in with no groups left: nothing from the provider.
    const none = await signInPerson(
      db.pool,
      { issuer: ISSUER, subject: 'sub-2' },
      [],
      new Date('2026-05-03T00:00:00Z'),
    );
    expect(none.grants).toEqual([]);
  });

  it('ends two simultaneous sign-ins of one person with one consistent set', async () => {
    const person = await recordSignIn(db.pool, { issuer: ISSUER, subject: 'sub-3' });
    const sets: Grant[][] = [
      [farsta('handlaggare'), { kind: 'committee' }],
      [farsta('forvaltningschef'), { kind: 'stadshus' }],
    ];
    for (let round = 0; round < 10; round++) {
      await Promise.all([
        replaceProviderGrants(db.pool, person.id, sets[0]!),
        replaceProviderGrants(db.pool, person.id, sets[1]!),
        replaceProviderGrants(db.pool, person.id, sets[round % 2]!),
      ]);
      const open = await db.pool.query(
        `SELECT grant_kind, board_id, duty FROM memberships WHERE person_id = $1 AND valid_to IS NULL`,
        [person.id],
      );
      const grants = await loadCurrentGrants(db.pool, person.id, new Date(Date.now() + 1000));
      // Exactly one of the two sets, never a mixture, and no row twice.
      expect(sets.map((s) => JSON.stringify(s.map((g) => g.kind).sort()))).toContain(
        JSON.stringify(grants.map((g) => g.kind).sort()),
      );
      expect(open.rows).toHaveLength(2);
    }
  });

  it('refuses a bad grant before touching anything', async () => {
    const person = await recordSignIn(db.pool, { issuer: ISSUER, subject: 'sub-4' });
    const bad = [{ kind: 'board', boardId: 'farsta', duty: 'chef' }] as unknown as Grant[];
    await expect(replaceProviderGrants(db.pool, person.id, bad)).rejects.toBeInstanceOf(ZodError);
  });
});

describe('machine tokens with owners, grants and scopes', () => {
  it('authenticates a token with duty grants and narrowed scopes', async () => {
    const created = await createApiToken(db.pool, {
      grants: ['board:farsta:handlaggare', 'board:farsta:handlaggare'],
      scopes: ['read'],
      owner: 'p_000000000001',
      label: 'Läsande skript',
      createdBy: 'slk',
    });
    await expect(authenticateBearer(db.pool, created.secret)).resolves.toEqual({
      kind: 'token',
      tokenId: created.id,
      owner: 'p_000000000001',
      label: 'Läsande skript',
      grants: [farsta('handlaggare')],
      scopes: ['read'],
    });
  });

  it.each([
    [{ label: 'x', createdBy: 'slk' }, 'grants'],
    [{ role: 'admin', grants: ['admin'], label: 'x', createdBy: 'slk' }, 'grants'],
    [{ grants: ['admin'], label: 'x', createdBy: 'slk' }, 'scopes'],
    [{ grants: ['board:farsta'], scopes: ['read'], label: 'x', createdBy: 'slk' }, 'grants.0'],
    [{ role: 'admin', scopes: ['write'], label: 'x', createdBy: 'slk' }, 'scopes.0'],
    [{ role: 'admin', owner: ' ', label: 'x', createdBy: 'slk' }, 'owner'],
  ])('names the field of %j', async (input, field) => {
    const error = await createApiToken(db.pool, input as never).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ZodError);
    expect((error as ZodError).issues[0]?.path.join('.')).toBe(field);
  });
});

describe('the migration of the old tokens', () => {
  it('gives each old role the grants and scopes of what it could do', async () => {
    const old = await createTestDatabase('people_old_tokens');
    try {
      // Back to the schema before people: the old api_tokens with a role column.
      // Down to before the people migration, however many came after it.
      const files = readdirSync(MIGRATIONS_DIR)
        .filter((f) => f.endsWith('.sql'))
        .sort();
      const applied = files.length;
      await runner({
        databaseUrl: old.url,
        dir: MIGRATIONS_DIR,
        direction: 'down',
        count: files.length - files.indexOf('1765200000000_people-and-token-grants.sql'),
        migrationsTable: 'pgmigrations',
        log: () => undefined,
      });
      expect(applied).toBeGreaterThan(1);
      const roles = ['admin', 'committee', 'board:farsta'];
      for (const [index, role] of roles.entries()) {
        await old.pool.query(
          `INSERT INTO api_tokens (id, token_hash, role, label, created_by) VALUES ($1, $2, $3, 'old', 'slk')`,
          [`tok_00000000000${index}`, Buffer.alloc(32, index), role],
        );
      }
      await runner({
        databaseUrl: old.url,
        dir: MIGRATIONS_DIR,
        direction: 'up',
        migrationsTable: 'pgmigrations',
        log: () => undefined,
      });
      const rows = await old.pool.query('SELECT id, owner, grants, scopes FROM api_tokens ORDER BY id');
      expect(rows.rows).toEqual([
        { id: 'tok_000000000000', owner: 'slk', grants: ['admin'], scopes: ['read', 'submit', 'admin'] },
        { id: 'tok_000000000001', owner: 'slk', grants: ['committee'], scopes: ['read'] },
        { id: 'tok_000000000002', owner: 'slk', grants: ['board:farsta:controller'], scopes: ['read', 'submit'] },
      ]);
    } finally {
      await old.drop();
    }
  });
});
