import type { Duty, Grant } from '../domain/grants';
import type { LocalDate } from '../domain/local-date';
import type { MailLanguage } from '../domain/swedish-format';
import { Queryable } from './database';

/**
 * A person's own settings and stand-ins in PostgreSQL (issue 13, self-service); one statement per
 * function. What combines them (validation, the version check, the audit event) is in
 * client/operations/person-settings.ts.
 */

export interface StoredPersonSettings {
  personId: string;
  email?: string;
  language: MailLanguage;
  weeklyDigest: boolean;
  mutedBoards: string[];
  version: number;
}

export interface StoredStandIn {
  personId: string;
  standInId: string;
  /** The stand-in's address while it is held (erased details leave it out). */
  standInEmail?: string;
  from: LocalDate;
  to: LocalDate;
}

export async function loadPersonSettings(db: Queryable, personId: string): Promise<StoredPersonSettings | undefined> {
  const result = await db.query<{
    id: string;
    email: string | null;
    language: MailLanguage;
    weekly_digest: boolean;
    muted_boards: string[];
    settings_version: number;
  }>('SELECT id, email, language, weekly_digest, muted_boards, settings_version FROM people WHERE id = $1', [personId]);
  const row = result.rows[0];
  if (!row) return undefined;
  return {
    personId: row.id,
    ...(row.email !== null && { email: row.email }),
    language: row.language,
    weeklyDigest: row.weekly_digest,
    mutedBoards: row.muted_boards,
    version: row.settings_version,
  };
}

/**
 * Stores a person's settings if they are still at `expectedVersion`, and moves the version on;
 * the row lock it takes makes a concurrent change wait, then find the version moved. Returns
 * the new version, or undefined when someone changed the settings meanwhile.
 */
export async function updatePersonSettings(
  db: Queryable,
  personId: string,
  expectedVersion: number,
  settings: { language: MailLanguage; weeklyDigest: boolean; mutedBoards: readonly string[] },
): Promise<number | undefined> {
  const result = await db.query<{ settings_version: number }>(
    `UPDATE people SET language = $3, weekly_digest = $4, muted_boards = $5, settings_version = settings_version + 1
     WHERE id = $1 AND settings_version = $2
     RETURNING settings_version`,
    [personId, expectedVersion, settings.language, settings.weeklyDigest, [...settings.mutedBoards]],
  );
  return result.rows[0]?.settings_version;
}

const standInOf = (row: {
  person_id: string;
  stand_in_id: string;
  email: string | null;
  valid_from: string;
  valid_to: string;
}): StoredStandIn => ({
  personId: row.person_id,
  standInId: row.stand_in_id,
  ...(row.email !== null && { standInEmail: row.email }),
  from: row.valid_from,
  to: row.valid_to,
});

/** A person's stand-ins that have not ended before `today`, by first day. */
export async function listComingStandIns(db: Queryable, personId: string, today: LocalDate): Promise<StoredStandIn[]> {
  const result = await db.query<Parameters<typeof standInOf>[0]>(
    `SELECT s.person_id, s.stand_in_id, p.email, s.valid_from::text, s.valid_to::text
     FROM stand_ins s JOIN people p ON p.id = s.stand_in_id
     WHERE s.person_id = $1 AND s.valid_to >= $2::date
     ORDER BY s.valid_from, s.id`,
    [personId, today],
  );
  return result.rows.map(standInOf);
}

/** Those a person stands in for, in periods not ended before `today` (`standInEmail` is the absent person's). */
export async function listStandingInFor(db: Queryable, standInId: string, today: LocalDate): Promise<StoredStandIn[]> {
  const result = await db.query<Parameters<typeof standInOf>[0]>(
    `SELECT s.person_id, s.stand_in_id, p.email, s.valid_from::text, s.valid_to::text
     FROM stand_ins s JOIN people p ON p.id = s.person_id
     WHERE s.stand_in_id = $1 AND s.valid_to >= $2::date
     ORDER BY s.valid_from, s.id`,
    [standInId, today],
  );
  return result.rows.map(standInOf);
}

/** Removes a person's stand-ins that have not ended before `today` (those ended stay as history). */
export async function removeComingStandIns(
  db: Queryable,
  personId: string,
  today: LocalDate,
): Promise<StoredStandIn[]> {
  const result = await db.query<Parameters<typeof standInOf>[0]>(
    `DELETE FROM stand_ins s WHERE s.person_id = $1 AND s.valid_to >= $2::date
     RETURNING s.person_id, s.stand_in_id, NULL::text AS email, s.valid_from::text, s.valid_to::text`,
    [personId, today],
  );
  return result.rows.map(standInOf);
}

export async function addStandIns(
  db: Queryable,
  personId: string,
  standIns: readonly { standInId: string; from: LocalDate; to: LocalDate }[],
  namedBy: string,
  now: Date,
): Promise<void> {
  if (standIns.length === 0) return;
  await db.query(
    `INSERT INTO stand_ins (person_id, stand_in_id, valid_from, valid_to, named_at, named_by)
     SELECT $1, s.stand_in_id, s.valid_from, s.valid_to, $5, $6
     FROM unnest($2::text[], $3::date[], $4::date[]) AS s(stand_in_id, valid_from, valid_to)`,
    [personId, standIns.map((s) => s.standInId), standIns.map((s) => s.from), standIns.map((s) => s.to), now, namedBy],
  );
}

/** People who have signed in at least once, by (lower-cased) e-mail address. */
export async function findSignedInPeopleByEmail(
  db: Queryable,
  emails: readonly string[],
): Promise<Map<string, string>> {
  const result = await db.query<{ id: string; email: string }>(
    `SELECT id, lower(email) AS email FROM people
     WHERE lower(email) = ANY($1::text[]) AND last_sign_in_at IS NOT NULL
     ORDER BY last_sign_in_at DESC`,
    [emails.map((e) => e.toLowerCase())],
  );
  const byEmail = new Map<string, string>();
  // Two people with one address (two issuers): the one who signed in last.
  for (const row of result.rows) if (!byEmail.has(row.email)) byEmail.set(row.email, row.id);
  return byEmail;
}

/**
 * The board grants a person holds as a stand-in on `today` (Stockholm's date at `now`): the
 * board grants in force at `now` of everyone whose period covers the day. Not passed on: a
 * stand-in's own stand-in gets only the stand-in's own grants.
 */
export async function loadStandInGrants(
  db: Queryable,
  standInId: string,
  today: LocalDate,
  now: Date,
): Promise<Grant[]> {
  const result = await db.query<{ board_id: string; duty: Duty }>(
    `SELECT DISTINCT m.board_id, m.duty
     FROM stand_ins s JOIN memberships m ON m.person_id = s.person_id
     WHERE s.stand_in_id = $1 AND s.valid_from <= $2::date AND s.valid_to >= $2::date
       AND m.grant_kind = 'board' AND m.valid_from <= $3 AND (m.valid_to IS NULL OR m.valid_to > $3)`,
    [standInId, today, now],
  );
  return result.rows.map((r) => ({ kind: 'board', boardId: r.board_id, duty: r.duty }));
}
