import type { BoardMember, StandInFor } from '../domain/board-recipients';
import type { Duty } from '../domain/grants';
import type { LocalDate } from '../domain/local-date';
import type { MailLanguage } from '../domain/swedish-format';
import { Queryable } from './database';

/**
 * The people a board's mails may reach (issue 13), read when a mail is sent: who holds duties
 * at the board, with their mail settings, and the stand-ins in force for them. One statement
 * each; domain/board-recipients.ts decides who gets what.
 */

interface SettingsRow {
  id: string;
  email: string | null;
  language: MailLanguage;
  weekly_digest: boolean;
  muted_boards: string[];
}

const settingsOf = (row: SettingsRow) => ({
  personId: row.id,
  ...(row.email !== null && { email: row.email }),
  language: row.language,
  weeklyDigest: row.weekly_digest,
  mutedBoards: row.muted_boards,
});

/** Everyone holding a board grant at `boardId` in force at `at` (their own, not as stand-ins). */
export async function loadBoardMembers(db: Queryable, boardId: string, at: Date): Promise<BoardMember[]> {
  return (await loadBoardMembersOfMany(db, [{ boardId, at }]))[0]!;
}

/** loadBoardMembers for many boards and instants in one statement (the mails of a burst in flight). */
export async function loadBoardMembersOfMany(
  db: Queryable,
  requests: readonly { boardId: string; at: Date }[],
): Promise<BoardMember[][]> {
  const result = await db.query<SettingsRow & { i: number; duties: Duty[] }>(
    `SELECT q.i::integer AS i, p.id, p.email, p.language, p.weekly_digest, p.muted_boards,
            array_agg(DISTINCT m.duty ORDER BY m.duty) AS duties
       FROM unnest($1::text[], $2::timestamptz[]) WITH ORDINALITY AS q(board_id, at, i)
       JOIN memberships m ON m.grant_kind = 'board' AND m.board_id = q.board_id
        AND m.valid_from <= q.at AND (m.valid_to IS NULL OR m.valid_to > q.at)
       JOIN people p ON p.id = m.person_id
      GROUP BY q.i, p.id
      ORDER BY q.i, p.id`,
    [requests.map((r) => r.boardId), requests.map((r) => r.at)],
  );
  const members = requests.map((): BoardMember[] => []);
  for (const row of result.rows) members[row.i - 1]!.push({ ...settingsOf(row), duties: row.duties });
  return members;
}

/** The stand-ins whose period covers `day` for the given people. */
export async function loadStandInsFor(
  db: Queryable,
  personIds: readonly string[],
  day: LocalDate,
): Promise<StandInFor[]> {
  return (await loadStandInsOfMany(db, [{ personIds, day }]))[0]!;
}

/** loadStandInsFor for many groups of people and days in one statement. */
export async function loadStandInsOfMany(
  db: Queryable,
  requests: readonly { personIds: readonly string[]; day: LocalDate }[],
): Promise<StandInFor[][]> {
  const pairs = requests.flatMap((r, i) => [...new Set(r.personIds)].map((person) => ({ person, day: r.day, i })));
  const standIns = requests.map((): StandInFor[] => []);
  if (pairs.length === 0) return standIns;
  const result = await db.query<SettingsRow & { i: number; absent_id: string }>(
    `SELECT q.i, s.person_id AS absent_id, p.id, p.email, p.language, p.weekly_digest, p.muted_boards
       FROM unnest($1::text[], $2::date[], $3::integer[]) AS q(person_id, day, i)
       JOIN stand_ins s ON s.person_id = q.person_id AND s.valid_from <= q.day AND s.valid_to >= q.day
       JOIN people p ON p.id = s.stand_in_id
      ORDER BY q.i, s.person_id, s.valid_from`,
    [pairs.map((p) => p.person), pairs.map((p) => p.day), pairs.map((p) => p.i)],
  );
  for (const row of result.rows) standIns[row.i]!.push({ absentPersonId: row.absent_id, standIn: settingsOf(row) });
  return standIns;
}
