import { ZodError } from 'zod';
import {
  authenticateBearer,
  bearerSecret,
  createApiToken,
  listApiTokens,
  revokeApiToken,
} from '../../src/db/api-tokens';
import { createTestDatabase, TestDatabase } from '../helpers/database';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase('api_tokens');
});
afterAll(async () => {
  await db?.drop();
});

async function storedRow(id: string): Promise<Record<string, unknown>> {
  const result = await db.pool.query('SELECT * FROM api_tokens WHERE id = $1', [id]);
  expect(result.rows).toHaveLength(1);
  return result.rows[0] as Record<string, unknown>;
}

function zodPaths(error: unknown): string[] {
  expect(error).toBeInstanceOf(ZodError);
  return (error as ZodError).issues.map((issue) => issue.path.join('.'));
}

describe('API tokens', () => {
  it('authenticates a new token with its role', async () => {
    const created = await createApiToken(db.pool, {
      role: 'board:farsta',
      label: 'Farsta registrator',
      createdBy: 'slk',
    });
    expect(created.id).toMatch(/^tok_[0-9a-f]{12}$/);
    expect(created.secret).toMatch(/^arshjul_[A-Za-z0-9_-]{43}$/);
    // An old role becomes its grants and scopes (issue 13): a board's token is its controller.
    expect(created.grants).toEqual([{ kind: 'board', boardId: 'farsta', duty: 'controller' }]);
    await expect(authenticateBearer(db.pool, created.secret)).resolves.toEqual({
      kind: 'token',
      tokenId: created.id,
      owner: 'slk',
      label: 'Farsta registrator',
      grants: [{ kind: 'board', boardId: 'farsta', duty: 'controller' }],
      scopes: ['read', 'submit'],
    });
    const admin = await createApiToken(db.pool, { role: 'admin', label: 'SLK', createdBy: 'slk' });
    await expect(authenticateBearer(db.pool, admin.secret)).resolves.toMatchObject({
      grants: [{ kind: 'admin' }],
      scopes: ['read', 'submit', 'admin'],
    });
  });

  it('stores only the hash of the secret', async () => {
    const created = await createApiToken(db.pool, { role: 'committee', label: 'Utskottet', createdBy: 'slk' });
    const row = await storedRow(created.id);
    const randomPart = created.secret.slice('arshjul_'.length);
    for (const [column, value] of Object.entries(row)) {
      const texts =
        value instanceof Buffer
          ? [value.toString('utf8'), value.toString('hex'), value.toString('base64'), value.toString('base64url')]
          : [String(value)];
      for (const text of texts) {
        expect({ column, leaks: text.includes(randomPart) }).toEqual({ column, leaks: false });
      }
    }
    const secretBytes = Buffer.from(randomPart, 'base64url');
    expect((row.token_hash as Buffer).includes(secretBytes)).toBe(false);
    expect((row.token_hash as Buffer).length).toBe(32);
  });

  it('refuses a revoked token, and revokes once', async () => {
    const created = await createApiToken(db.pool, { role: 'admin', label: 'to revoke', createdBy: 'slk' });
    await expect(authenticateBearer(db.pool, created.secret)).resolves.toBeDefined();
    await expect(revokeApiToken(db.pool, created.id)).resolves.toBe(true);
    await expect(authenticateBearer(db.pool, created.secret)).resolves.toBeUndefined();
    await expect(revokeApiToken(db.pool, created.id)).resolves.toBe(false);
    await expect(revokeApiToken(db.pool, 'tok_doesnotexist')).resolves.toBe(false);
  });

  it('refuses an expired token', async () => {
    const now = new Date('2026-05-01T08:00:00Z');
    const created = await createApiToken(
      db.pool,
      { role: 'committee', label: 'short-lived', createdBy: 'slk', expiresAt: new Date('2026-05-02T08:00:00Z') },
      now,
    );
    await expect(authenticateBearer(db.pool, created.secret, now)).resolves.toBeDefined();
    await expect(authenticateBearer(db.pool, created.secret, new Date('2026-05-02T07:59:59Z'))).resolves.toBeDefined();
    await expect(
      authenticateBearer(db.pool, created.secret, new Date('2026-05-02T08:00:00Z')),
    ).resolves.toBeUndefined();
    // And against the real clock: a token whose expiry has passed.
    await db.pool.query(`UPDATE api_tokens SET expires_at = now() - interval '1 second' WHERE id = $1`, [created.id]);
    await expect(authenticateBearer(db.pool, created.secret)).resolves.toBeUndefined();
  });

  it('refuses an unknown or malformed secret', async () => {
    const created = await createApiToken(db.pool, { role: 'admin', label: 'known', createdBy: 'slk' });
    const last = created.secret.at(-1) === 'A' ? 'B' : 'A';
    await expect(authenticateBearer(db.pool, created.secret.slice(0, -1) + last)).resolves.toBeUndefined();
    await expect(authenticateBearer(db.pool, `arshjul_${'x'.repeat(43)}`)).resolves.toBeUndefined();
    await expect(authenticateBearer(db.pool, '')).resolves.toBeUndefined();
    await expect(authenticateBearer(db.pool, created.secret.slice('arshjul_'.length))).resolves.toBeUndefined();
    await expect(authenticateBearer(db.pool, `${created.secret} `)).resolves.toBeUndefined();
  });

  it('records use at most once a minute', async () => {
    const t0 = new Date('2026-06-01T10:00:00Z');
    const created = await createApiToken(db.pool, { role: 'admin', label: 'busy', createdBy: 'slk' }, t0);
    const lastUsed = async () => (await storedRow(created.id)).last_used_at;
    expect(await lastUsed()).toBeNull();
    await authenticateBearer(db.pool, created.secret, t0);
    expect(await lastUsed()).toEqual(t0);
    await authenticateBearer(db.pool, created.secret, new Date('2026-06-01T10:00:59Z'));
    expect(await lastUsed()).toEqual(t0);
    const t1 = new Date('2026-06-01T10:01:00Z');
    await authenticateBearer(db.pool, created.secret, t1);
    expect(await lastUsed()).toEqual(t1);
  });

  it.each([
    ['board:', 'role'],
    ['superuser', 'role'],
  ])('rejects the role %j naming the field', async (role, field) => {
    const error = await createApiToken(db.pool, { role, label: 'bad', createdBy: 'slk' }).catch((e: unknown) => e);
    expect(zodPaths(error)).toEqual([field]);
  });

  it('rejects an empty or over-long label, and an expiry in the past', async () => {
    for (const label of ['', '   ', 'x'.repeat(201)]) {
      const error = await createApiToken(db.pool, { role: 'admin', label, createdBy: 'slk' }).catch((e: unknown) => e);
      expect(zodPaths(error)).toEqual(['label']);
    }
    const error = await createApiToken(db.pool, {
      role: 'admin',
      label: 'stale',
      createdBy: 'slk',
      expiresAt: new Date(Date.now() - 1000),
    }).catch((e: unknown) => e);
    expect(zodPaths(error)).toEqual(['expiresAt']);
    const count = await db.pool.query(`SELECT count(*)::int AS n FROM api_tokens WHERE label IN ('', 'stale')`);
    expect(count.rows[0]).toEqual({ n: 0 });
  });

  it('lists tokens without hashes or secrets', async () => {
    const created = await createApiToken(db.pool, { role: 'board:skarholmen', label: 'listed', createdBy: 'slk' });
    await revokeApiToken(db.pool, created.id);
    const tokens = await listApiTokens(db.pool);
    const listed = tokens.find((t) => t.id === created.id);
    expect(listed).toEqual({
      id: created.id,
      grants: [{ kind: 'board', boardId: 'skarholmen', duty: 'controller' }],
      scopes: ['read', 'submit'],
      owner: 'slk',
      label: 'listed',
      createdBy: 'slk',
      createdAt: expect.any(Date),
      revokedAt: expect.any(Date),
    });
    const text = JSON.stringify(tokens);
    expect(text).not.toContain('arshjul_');
    expect(text).not.toContain(created.secret.slice('arshjul_'.length));
    for (const token of tokens) expect(Object.keys(token).sort()).not.toContain('tokenHash');
    expect(text).not.toMatch(/hash|secret/i);
  });

  it('has the database refuse a bad grant or scope written by hand', async () => {
    const insert = (grants: string[], scopes = ['read']) =>
      db.pool.query(
        `INSERT INTO api_tokens (id, token_hash, grants, scopes, owner, label, created_by)
         VALUES ('tok_handwritten1', sha256(convert_to(random()::text, 'UTF8')), $1, $2, 'sql', 'by hand', 'sql')`,
        [grants, scopes],
      );
    for (const grants of [
      ['superuser'],
      ['board:farsta'],
      ['board:Farsta:controller'],
      ['Admin'],
      [],
      ['admin', 'x'],
    ]) {
      await expect(insert(grants)).rejects.toThrow(/api_tokens_grants_check/);
    }
    await expect(insert(['admin'], ['write'])).rejects.toThrow(/api_tokens_scopes_check/);
    await expect(insert(['board:farsta:handlaggare', 'committee'])).resolves.toMatchObject({ rowCount: 1 });
  });

  it('reads the secret out of a Bearer header', () => {
    expect(bearerSecret('Bearer arshjul_abc')).toBe('arshjul_abc');
    expect(bearerSecret('bearer  arshjul_abc')).toBe('arshjul_abc');
    expect(bearerSecret('Basic dXNlcjpwYXNz')).toBeUndefined();
    expect(bearerSecret('Bearer')).toBeUndefined();
    expect(bearerSecret(undefined)).toBeUndefined();
  });
});
