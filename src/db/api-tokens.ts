import { createHash, randomBytes } from 'node:crypto';
import { z } from 'zod';
import { distinctGrants, formatGrant, Grant, grantTextSchema, Scope, scopeSchema, scopes } from '../domain/grants';
import type { TokenPrincipal } from '../domain/principal';
import { grantsOfRole, roleSchema } from '../domain/roles';
import { Queryable } from './database';

/**
 * Bearer tokens for the HTTP API. A token's secret is returned once, at creation; the database
 * keeps only its SHA-256 hash, so a leaked table does not leak usable tokens. Lookups go by
 * hash, and the secret has 256 random bits, so there is nothing to compare in JavaScript.
 */

const SECRET_PREFIX = 'arshjul_';
/** `arshjul_` and the base64url text of 32 random bytes (43 characters, no padding). */
const SECRET_PATTERN = /^arshjul_[A-Za-z0-9_-]{43}$/;
/** last_used_at is refreshed at most this often, so a busy client does not cost a write per request. */
const LAST_USED_RESOLUTION_MS = 60_000;

export interface CreatedApiToken {
  id: string;
  /** Shown once; only its hash is stored. */
  secret: string;
  grants: Grant[];
  scopes: Scope[];
  owner: string;
  label: string;
}

export interface ApiTokenInfo {
  id: string;
  grants: Grant[];
  scopes: Scope[];
  owner: string;
  label: string;
  createdBy: string;
  createdAt: Date;
  expiresAt?: Date;
  revokedAt?: Date;
  lastUsedAt?: Date;
}

const text = z.string().trim().min(1, { message: 'must not be empty' }).max(200);

/**
 * A token names what it may do either by an old role (`admin`, `committee`, `board:<id>`,
 * which brings its grants and scopes) or by grants; scopes given narrow or set them.
 */
export const createApiTokenInputSchema = z
  .object({
    role: roleSchema.optional(),
    grants: z.array(grantTextSchema).min(1).max(20).optional(),
    scopes: z.array(scopeSchema).min(1).max(scopes.length).optional(),
    /** Who answers for the token: a person id (`p_…`) or free text; the creator when absent. */
    owner: text.optional(),
    label: text,
    createdBy: text,
    expiresAt: z.date().optional(),
  })
  .strict()
  .refine((i) => (i.role === undefined) !== (i.grants === undefined), {
    message: 'name either a role or grants',
    path: ['grants'],
  })
  .refine((i) => i.role !== undefined || i.scopes !== undefined, {
    message: 'name the scopes of a token with grants',
    path: ['scopes'],
  });
export type CreateApiTokenInput = z.input<typeof createApiTokenInputSchema>;

function hashSecret(secret: string): Buffer {
  return createHash('sha256').update(secret, 'utf8').digest();
}

/**
 * Creates a token and returns its secret (the only time it is available). Throws a ZodError
 * whose issue paths name the offending field (role, grants, scopes, owner, label, createdBy,
 * expiresAt).
 */
export async function createApiToken(
  db: Queryable,
  input: CreateApiTokenInput,
  now: Date = new Date(),
): Promise<CreatedApiToken> {
  const parsed = createApiTokenInputSchema
    .refine((i) => i.expiresAt === undefined || i.expiresAt.getTime() > now.getTime(), {
      message: 'must be in the future',
      path: ['expiresAt'],
    })
    .parse(input);
  const fromRole = parsed.role && grantsOfRole(parsed.role);
  const grants = distinctGrants(parsed.grants ?? fromRole?.grants ?? []);
  const tokenScopes = scopes.filter((scope) => (parsed.scopes ?? fromRole?.scopes ?? []).includes(scope));
  const owner = parsed.owner ?? parsed.createdBy;
  const id = `tok_${randomBytes(6).toString('hex')}`;
  const secret = SECRET_PREFIX + randomBytes(32).toString('base64url');
  await db.query(
    `INSERT INTO api_tokens (id, token_hash, grants, scopes, owner, label, created_by, created_at, expires_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
    [
      id,
      hashSecret(secret),
      grants.map(formatGrant),
      tokenScopes,
      owner,
      parsed.label,
      parsed.createdBy,
      now,
      parsed.expiresAt ?? null,
    ],
  );
  return { id, secret, grants, scopes: tokenScopes, owner, label: parsed.label };
}

/** Revokes a token; false when no such token exists or it was already revoked. */
export async function revokeApiToken(db: Queryable, id: string, now: Date = new Date()): Promise<boolean> {
  const result = await db.query('UPDATE api_tokens SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL', [
    id,
    now,
  ]);
  return result.rowCount === 1;
}

interface TokenRow {
  id: string;
  grants: string[];
  scopes: string[];
  owner: string;
  label: string;
  created_by: string;
  created_at: Date;
  expires_at: Date | null;
  revoked_at: Date | null;
  last_used_at: Date | null;
}

/** Every token, oldest first, without hashes or secrets. */
export async function listApiTokens(db: Queryable): Promise<ApiTokenInfo[]> {
  const result = await db.query<TokenRow>(
    `SELECT id, grants, scopes, owner, label, created_by, created_at, expires_at, revoked_at, last_used_at
     FROM api_tokens ORDER BY created_at, id`,
  );
  return result.rows.map((row) => ({
    id: row.id,
    grants: row.grants.map((g) => grantTextSchema.parse(g)),
    scopes: row.scopes.map((sc) => scopeSchema.parse(sc)),
    owner: row.owner,
    label: row.label,
    createdBy: row.created_by,
    createdAt: row.created_at,
    ...(row.expires_at && { expiresAt: row.expires_at }),
    ...(row.revoked_at && { revokedAt: row.revoked_at }),
    ...(row.last_used_at && { lastUsedAt: row.last_used_at }),
  }));
}

/** The secret of an `Authorization: Bearer <secret>` header, or undefined for any other header. */
export function bearerSecret(authorization: string | undefined): string | undefined {
  const match = /^Bearer +(\S+) *$/i.exec(authorization ?? '');
  return match?.[1];
}

/**
 * The principal a secret authenticates, or undefined when the secret is malformed, unknown,
 * revoked or expired. Records the use at most once a minute per token.
 */
export async function authenticateBearer(
  db: Queryable,
  secret: string,
  now: Date = new Date(),
): Promise<TokenPrincipal | undefined> {
  if (typeof secret !== 'string' || !SECRET_PATTERN.test(secret)) return undefined;
  const result = await db.query<Pick<TokenRow, 'id' | 'grants' | 'scopes' | 'owner' | 'label' | 'last_used_at'>>(
    `SELECT id, grants, scopes, owner, label, last_used_at FROM api_tokens
     WHERE token_hash = $1 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > $2)`,
    [hashSecret(secret), now],
  );
  const row = result.rows[0];
  if (!row) return undefined;
  // A row this version cannot read (a grant a later version added) authenticates nobody.
  const grants = z.array(grantTextSchema).safeParse(row.grants);
  const tokenScopes = z.array(scopeSchema).safeParse(row.scopes);
  if (!grants.success || !tokenScopes.success) return undefined;
  if (row.last_used_at === null || now.getTime() - row.last_used_at.getTime() >= LAST_USED_RESOLUTION_MS) {
    // Conditional, so concurrent requests of one token write once between them.
    await db.query(
      `UPDATE api_tokens SET last_used_at = $2
       WHERE id = $1 AND (last_used_at IS NULL OR last_used_at <= $2::timestamptz - interval '1 minute')`,
      [row.id, now],
    );
  }
  return {
    kind: 'token',
    tokenId: row.id,
    owner: row.owner,
    label: row.label,
    grants: grants.data,
    scopes: tokenScopes.data,
  };
}
