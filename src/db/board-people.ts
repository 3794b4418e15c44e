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

export interface SettingsRow {
  id: string;
  email: string | null;
  language: MailLanguage;
  weekly_digest: boolean;
  muted_boards: string[];
}

export const settingsOf = (row: SettingsRow) => ({
  personId: row.id,
  ...(row.email !== null && { email: row.email }),
  language: row.language,
  weeklyDigest: row.weekly_digest,
  mutedBoards: row.muted_boards,
});

/** Everyone holding a board grant at `boardId` in force at `at` (their own, not as stand-ins). */
export async function loadBoardMembers(db: Queryable, boardId: string, at: Date): Promise<BoardMember[]> {
  const result = await db.query<SettingsRow & { duties: Duty[] }>(
    `SELECT p.id, p.email, p.language, p.weekly_digest, p.muted_boards, array_agg(DISTINCT m.duty ORDER BY m.duty) AS duties
       FROM memberships m JOIN people p ON p.id = m.person_id
      WHERE m.grant_kind = 'board' AND m.board_id = $1
        AND m.valid_from <= $2 AND (m.valid_to IS NULL OR m.valid_to > $2)
      GROUP BY p.id
      ORDER BY p.id`,
    [boardId, at],
  );
  return result.rows.map((row) => ({ ...settingsOf(row), duties: row.duties }));
}

/** The stand-ins whose period covers `day` for the given people. */
export async function loadStandInsFor(
  db: Queryable,
  personIds: readonly string[],
  day: LocalDate,
): Promise<StandInFor[]> {
  if (personIds.length === 0) return [];
  const result = await db.query<SettingsRow & { absent_id: string }>(
    `SELECT s.person_id AS absent_id, p.id, p.email, p.language, p.weekly_digest, p.muted_boards
       FROM stand_ins s JOIN people p ON p.id = s.stand_in_id
      WHERE s.person_id = ANY($1::text[]) AND s.valid_from <= $2::date AND s.valid_to >= $2::date
      ORDER BY s.person_id, s.valid_from`,
    [[...personIds], day],
  );
  return result.rows.map((row) => ({ absentPersonId: row.absent_id, standIn: settingsOf(row) }));
}
