import { randomBytes } from 'node:crypto';
import type { Pool } from 'pg';
import { z } from 'zod';
import { distinctGrants, Duty, Grant, grantSchema } from '../domain/grants';
import { Queryable, withTransaction } from './database';

/**
 * People who sign in and what they hold (issue 13). A person is found by the provider's issuer
 * and subject; our id (`p_…`) is what everything else refers to, so personal details can be
 * erased without touching the record.
 */

export const languages = ['sv', 'en'] as const;
export type Language = (typeof languages)[number];

export interface Person {
  id: string;
  issuer: string;
  subject: string;
  name?: string;
  email?: string;
  language: Language;
  createdAt: Date;
  lastSignInAt?: Date;
}

export type MembershipSource = 'provider' | 'manual';

export const signInIdentitySchema = z
  .object({
    issuer: z.string().trim().min(1, { message: 'must not be empty' }).max(500),
    subject: z.string().min(1, { message: 'must not be empty' }).max(255),
    name: z.string().trim().min(1).max(200).optional(),
    email: z.email({ message: 'must be an e-mail address' }).max(320).optional(),
    /** Only for a person seen the first time; afterwards the person's own setting wins. */
    language: z.enum(languages).optional(),
  })
  .strict();
export type SignInIdentity = z.input<typeof signInIdentitySchema>;

interface PersonRow {
  id: string;
  issuer: string;
  subject: string;
  name: string | null;
  email: string | null;
  language: Language;
  created_at: Date;
  last_sign_in_at: Date | null;
}

const personOf = (row: PersonRow): Person => ({
  id: row.id,
  issuer: row.issuer,
  subject: row.subject,
  ...(row.name !== null && { name: row.name }),
  ...(row.email !== null && { email: row.email }),
  language: row.language,
  createdAt: row.created_at,
  ...(row.last_sign_in_at && { lastSignInAt: row.last_sign_in_at }),
});

export const newPersonId = (): string => `p_${randomBytes(6).toString('hex')}`;

/**
 * The person a provider's identity names, created on the first sign-in and refreshed (name,
 * e-mail, last sign-in) on each later one. Throws a ZodError naming the field for bad input.
 */
export async function recordSignIn(db: Queryable, input: SignInIdentity, now: Date = new Date()): Promise<Person> {
  const identity = signInIdentitySchema.parse(input);
  const result = await db.query<PersonRow>(
    `INSERT INTO people (id, issuer, subject, name, email, language, created_at, last_sign_in_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $7)
     ON CONFLICT (issuer, subject) DO UPDATE
       SET name = EXCLUDED.name, email = EXCLUDED.email, last_sign_in_at = EXCLUDED.last_sign_in_at,
           -- A pseudonymised person who signs in again is back, with what the provider says now.
           erased_at = NULL
     RETURNING *`,
    [
      newPersonId(),
      identity.issuer,
      identity.subject,
      identity.name ?? null,
      identity.email ?? null,
      identity.language ?? 'sv',
      now,
    ],
  );
  return personOf(result.rows[0]!);
}

export async function findPerson(db: Queryable, id: string): Promise<Person | undefined> {
  const result = await db.query<PersonRow>('SELECT * FROM people WHERE id = $1', [id]);
  return result.rows[0] && personOf(result.rows[0]);
}

interface MembershipRow {
  grant_kind: Grant['kind'];
  board_id: string | null;
  duty: Duty | null;
}

const grantOf = (row: MembershipRow): Grant =>
  grantSchema.parse(
    row.grant_kind === 'board' ? { kind: 'board', boardId: row.board_id, duty: row.duty } : { kind: row.grant_kind },
  );

/** A person's grants in force at `now`, from every source, without repeats. */
export async function loadCurrentGrants(db: Queryable, personId: string, now: Date = new Date()): Promise<Grant[]> {
  const result = await db.query<MembershipRow>(
    `SELECT grant_kind, board_id, duty FROM memberships
     WHERE person_id = $1 AND valid_from <= $2 AND (valid_to IS NULL OR valid_to > $2)`,
    [personId, now],
  );
  return distinctGrants(result.rows.map(grantOf));
}

/** Grants as the three columns' arrays, for unnest(). */
function columnsOf(grants: readonly Grant[]): [string[], (string | null)[], (string | null)[]] {
  const list = distinctGrants(grants);
  return [
    list.map((g) => g.kind),
    list.map((g) => (g.kind === 'board' ? g.boardId : null)),
    list.map((g) => (g.kind === 'board' ? g.duty : null)),
  ];
}

/**
 * Makes a person's provider-sourced memberships the given grants (the provider's groups mapped
 * at sign-in), in one transaction: grants no longer given end at `now`, new ones start, those
 * kept stay as they are (their valid_from tells since when). Manual memberships stay untouched.
 * The person's row is locked first, so two sign-ins of one person at once apply one after the
 * other and end with the later one's set; the partial unique index backs this up.
 */
export async function replaceProviderGrants(
  pool: Pool,
  personId: string,
  grants: readonly Grant[],
  now: Date = new Date(),
): Promise<void> {
  const parsed = z.array(grantSchema).parse(grants);
  const [kinds, boards, dutyList] = columnsOf(parsed);
  await withTransaction(pool, async (tx) => {
    const person = await tx.query('SELECT id FROM people WHERE id = $1 FOR UPDATE', [personId]);
    if (person.rowCount !== 1) throw new Error(`no person ${personId}`);
    await tx.query(
      `UPDATE memberships m SET valid_to = greatest($2::timestamptz, m.valid_from)
       WHERE m.person_id = $1 AND m.source = 'provider' AND m.valid_to IS NULL
         AND NOT EXISTS (
           SELECT 1 FROM unnest($3::text[], $4::text[], $5::text[]) AS g(kind, board_id, duty)
           WHERE g.kind = m.grant_kind AND g.board_id IS NOT DISTINCT FROM m.board_id
             AND g.duty IS NOT DISTINCT FROM m.duty)`,
      [personId, now, kinds, boards, dutyList],
    );
    await tx.query(
      `INSERT INTO memberships (person_id, grant_kind, board_id, duty, source, valid_from)
       SELECT $1, g.kind, g.board_id, g.duty, 'provider', $2
       FROM unnest($3::text[], $4::text[], $5::text[]) AS g(kind, board_id, duty)
       ON CONFLICT DO NOTHING`,
      [personId, now, kinds, boards, dutyList],
    );
  });
}

/** Adds a grant by hand (SLK: an exception, a stand-in for a period). */
export async function addManualGrant(
  db: Queryable,
  personId: string,
  grant: Grant,
  validFrom: Date,
  validTo?: Date,
): Promise<void> {
  const [[kind], [boardId], [duty]] = columnsOf([grantSchema.parse(grant)]);
  await db.query(
    `INSERT INTO memberships (person_id, grant_kind, board_id, duty, source, valid_from, valid_to)
     VALUES ($1, $2, $3, $4, 'manual', $5, $6)`,
    [personId, kind, boardId, duty, validFrom, validTo ?? null],
  );
}
