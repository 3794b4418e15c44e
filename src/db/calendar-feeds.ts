import { createHash, randomBytes } from 'node:crypto';
import { z } from 'zod';
import { Queryable } from './database';

/**
 * Calendar feeds: one iCalendar subscription per board or for the committee. Calendar clients
 * (Outlook, Google, Apple) cannot send a bearer token, so the feed's URL carries the secret and
 * is the credential. As with API tokens, the secret is returned once, at creation; the database
 * keeps only its SHA-256 hash, and lookups go by hash (256 random bits: nothing to compare in
 * JavaScript, nothing to guess).
 */

/** Same shape as an organisation id in the registry (and a municipality id). */
const ORGANISATION_ID = '[a-z0-9]+(?:-[a-z0-9]+)*';
const SCOPE_PATTERN = new RegExp(`^(?:committee|board:${ORGANISATION_ID})$`);
/** The base64url text of 32 random bytes: 43 characters, no padding. */
const SECRET_PATTERN = /^[A-Za-z0-9_-]{43}$/;

/** Whose deadlines a feed shows: the committee's overview, or one board's own deliverables. */
export type FeedScope = { kind: 'committee' } | { kind: 'board'; boardId: string };

/** Parses `committee` or `board:<organisation id>` into a {@link FeedScope}. */
export const feedScopeSchema = z
  .string()
  .regex(SCOPE_PATTERN, { message: 'must be committee or board:<organisation id>' })
  .transform((text): FeedScope =>
    text === 'committee' ? { kind: 'committee' } : { kind: 'board', boardId: text.slice(6) },
  );

export function formatFeedScope(scope: FeedScope): string {
  return scope.kind === 'committee' ? 'committee' : `board:${scope.boardId}`;
}

export const createCalendarFeedInputSchema = z
  .object({
    scope: feedScopeSchema,
    municipality: z
      .string()
      .regex(new RegExp(`^${ORGANISATION_ID}$`), { message: 'must be lower-case letters, digits and dashes' }),
    label: z.string().trim().min(1, { message: 'must not be empty' }).max(200).optional(),
  })
  .strict();
export type CreateCalendarFeedInput = z.input<typeof createCalendarFeedInputSchema>;

export interface CreatedCalendarFeed {
  id: string;
  /** Shown once (as part of the feed's URL); only its hash is stored. */
  secret: string;
  scope: FeedScope;
  municipality: string;
  label?: string;
}

export interface CalendarFeedInfo {
  id: string;
  scope: FeedScope;
  municipality: string;
  label?: string;
  createdAt: Date;
  revokedAt?: Date;
}

/** What a request for a feed needs: whose deadlines, in which municipality. */
export interface ResolvedCalendarFeed {
  id: string;
  scope: FeedScope;
  municipality: string;
}

function hashSecret(secret: string): Buffer {
  return createHash('sha256').update(secret, 'utf8').digest();
}

/** Whether a text has the shape of a feed secret (checked before any database lookup). */
export function isFeedSecret(text: string): boolean {
  return SECRET_PATTERN.test(text);
}

/**
 * Creates a feed and returns its secret (the only time it is available). Throws a ZodError whose
 * issue paths name the offending field (scope, municipality, label). Does not check that the
 * board exists: callers that take a board from a person check it against the registry.
 */
export async function createCalendarFeed(
  db: Queryable,
  input: CreateCalendarFeedInput,
  now: Date = new Date(),
): Promise<CreatedCalendarFeed> {
  const parsed = createCalendarFeedInputSchema.parse(input);
  const id = `feed_${randomBytes(6).toString('hex')}`;
  const secret = randomBytes(32).toString('base64url');
  await db.query(
    `INSERT INTO calendar_feeds (id, secret_hash, scope, municipality, label, created_at)
     VALUES ($1, $2, $3, $4, $5, $6)`,
    [id, hashSecret(secret), formatFeedScope(parsed.scope), parsed.municipality, parsed.label ?? null, now],
  );
  return {
    id,
    secret,
    scope: parsed.scope,
    municipality: parsed.municipality,
    ...(parsed.label !== undefined && { label: parsed.label }),
  };
}

/** Revokes a feed; false when no such feed exists or it was already revoked. */
export async function revokeCalendarFeed(db: Queryable, id: string, now: Date = new Date()): Promise<boolean> {
  const result = await db.query('UPDATE calendar_feeds SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL', [
    id,
    now,
  ]);
  return result.rowCount === 1;
}

interface FeedRow {
  id: string;
  scope: string;
  municipality: string;
  label: string | null;
  created_at: Date;
  revoked_at: Date | null;
}

/** Every feed (of one municipality, when given), oldest first, without hashes or secrets. */
export async function listCalendarFeeds(db: Queryable, municipality?: string): Promise<CalendarFeedInfo[]> {
  const result = await db.query<FeedRow>(
    `SELECT id, scope, municipality, label, created_at, revoked_at FROM calendar_feeds
     WHERE ($1::text IS NULL OR municipality = $1) ORDER BY created_at, id`,
    [municipality ?? null],
  );
  return result.rows.map((row) => ({
    id: row.id,
    scope: feedScopeSchema.parse(row.scope),
    municipality: row.municipality,
    ...(row.label !== null && { label: row.label }),
    createdAt: row.created_at,
    ...(row.revoked_at && { revokedAt: row.revoked_at }),
  }));
}

/** The feed a secret opens, or undefined when the secret is malformed, unknown or revoked. */
export async function findFeedBySecret(db: Queryable, secret: string): Promise<ResolvedCalendarFeed | undefined> {
  if (typeof secret !== 'string' || !isFeedSecret(secret)) return undefined;
  const result = await db.query<Pick<FeedRow, 'id' | 'scope' | 'municipality'>>(
    'SELECT id, scope, municipality FROM calendar_feeds WHERE secret_hash = $1 AND revoked_at IS NULL',
    [hashSecret(secret)],
  );
  const row = result.rows[0];
  if (!row) return undefined;
  const scope = feedScopeSchema.safeParse(row.scope);
  if (!scope.success) return undefined;
  return { id: row.id, scope: scope.data, municipality: row.municipality };
}
