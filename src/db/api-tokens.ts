import { createHash, randomBytes } from 'node:crypto';
import { z } from 'zod';
import { formatRole, Principal, Role, roleSchema } from '../domain/roles';
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
  role: Role;
  label: string;
}

export interface ApiTokenInfo {
  id: string;
  role: Role;
  label: string;
  createdBy: string;
  createdAt: Date;
  expiresAt?: Date;
  revokedAt?: Date;
  lastUsedAt?: Date;
}

export const createApiTokenInputSchema = z
  .object({
    role: roleSchema,
    label: z.string().trim().min(1, { message: 'must not be empty' }).max(200),
    createdBy: z.string().trim().min(1, { message: 'must not be empty' }).max(200),
    expiresAt: z.date().optional(),
  })
  .strict();
export type CreateApiTokenInput = z.input<typeof createApiTokenInputSchema>;

function hashSecret(secret: string): Buffer {
  return createHash('sha256').update(secret, 'utf8').digest();
}

/**
 * Creates a token and returns its secret (the only time it is available). Throws a ZodError
 * whose issue paths name the offending field (role, label, createdBy, expiresAt).
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
  const id = `tok_${randomBytes(6).toString('hex')}`;
  const secret = SECRET_PREFIX + randomBytes(32).toString('base64url');
  await db.query(
    `INSERT INTO api_tokens (id, token_hash, role, label, created_by, created_at, expires_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7)`,
    [id, hashSecret(secret), formatRole(parsed.role), parsed.label, parsed.createdBy, now, parsed.expiresAt ?? null],
  );
  return { id, secret, role: parsed.role, label: parsed.label };
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
  role: string;
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
    `SELECT id, role, label, created_by, created_at, expires_at, revoked_at, last_used_at
     FROM api_tokens ORDER BY created_at, id`,
  );
  return result.rows.map((row) => ({
    id: row.id,
    role: roleSchema.parse(row.role),
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
): Promise<Principal | undefined> {
  if (typeof secret !== 'string' || !SECRET_PATTERN.test(secret)) return undefined;
  const result = await db.query<{ id: string; role: string; label: string; last_used_at: Date | null }>(
    `SELECT id, role, label, last_used_at FROM api_tokens
     WHERE token_hash = $1 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > $2)`,
    [hashSecret(secret), now],
  );
  const row = result.rows[0];
  if (!row) return undefined;
  const role = roleSchema.safeParse(row.role);
  if (!role.success) return undefined;
  if (row.last_used_at === null || now.getTime() - row.last_used_at.getTime() >= LAST_USED_RESOLUTION_MS) {
    // Conditional, so concurrent requests of one token write once between them.
    await db.query(
      `UPDATE api_tokens SET last_used_at = $2
       WHERE id = $1 AND (last_used_at IS NULL OR last_used_at <= $2::timestamptz - interval '1 minute')`,
      [row.id, now],
    );
  }
  return { role: role.data, tokenId: row.id, label: row.label };
}
