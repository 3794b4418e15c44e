import { MUNICIPALITY_TIME_ZONE } from '../domain/glossary';
import { localDateOf } from '../domain/zoned-time';
import { Queryable } from './database';

/** One line of a weekly digest: a deliverable still owed by a board the recipient serves. */
export interface DigestItem {
  municipality: string;
  budgetYear: number;
  phaseId: string;
  phaseName: string;
  boardId: string;
  boardName: string;
  stage: 'planned' | 'open' | 'returned';
  escalationLevel: number;
  deadlineAt: Date;
}

/**
 * What one address should hear about on a Monday: every deliverable not yet handed in (planned,
 * open or returned) of the boards that name the address as a contact, or where a person with
 * this address holds a duty at `at` (issue 13), or stands in on that day for someone who does,
 * unless the board's mails were turned off; due before `until` or already overdue. Phase names
 * come from the stored calendar (the phase ID when none is stored).
 */
export async function digestItemsFor(
  db: Queryable,
  address: string,
  until: Date,
  at: Date = new Date(),
): Promise<DigestItem[]> {
  const result = await db.query<{
    municipality: string;
    budget_year: number;
    phase_id: string;
    phase_name: string | null;
    board_id: string;
    board_name: string;
    stage: DigestItem['stage'];
    escalation_level: number;
    deadline_at: Date;
  }>(
    `SELECT ds.municipality, ds.budget_year, ds.phase_id, ds.answering_board_id AS board_id, o.name AS board_name,
            ds.stage, ds.escalation_level, ds.deadline_at,
            (SELECT p->>'name' FROM jsonb_array_elements(c.calendar->'phases') p WHERE p->>'id' = ds.phase_id) AS phase_name
       FROM deliverable_status ds
       JOIN organisations o ON o.municipality = ds.municipality AND o.id = ds.answering_board_id
       LEFT JOIN cycles c ON c.municipality = ds.municipality AND c.budget_year = ds.budget_year
      WHERE ds.stage IN ('planned', 'open', 'returned')
        AND ds.deadline_at < $2
        AND (EXISTS (SELECT 1 FROM jsonb_array_elements(o.contacts) contact WHERE lower(contact->>'email') = lower($1))
          OR EXISTS (
            SELECT 1 FROM people p
              JOIN memberships m ON m.grant_kind = 'board' AND m.board_id = ds.answering_board_id
                AND m.valid_from <= $3 AND (m.valid_to IS NULL OR m.valid_to > $3)
              JOIN people holder ON holder.id = m.person_id
             WHERE lower(p.email) = lower($1) AND NOT ds.answering_board_id = ANY (holder.muted_boards)
               AND (holder.id = p.id
                    OR EXISTS (SELECT 1 FROM stand_ins s WHERE s.person_id = holder.id AND s.stand_in_id = p.id
                                 AND s.valid_from <= $4::date AND s.valid_to >= $4::date))))
      ORDER BY ds.deadline_at, o.name, ds.phase_id`,
    [address, until, at, localDateOf(at, MUNICIPALITY_TIME_ZONE)],
  );
  return result.rows.map((r) => ({
    municipality: r.municipality,
    budgetYear: r.budget_year,
    phaseId: r.phase_id,
    phaseName: r.phase_name ?? r.phase_id,
    boardId: r.board_id,
    boardName: r.board_name,
    stage: r.stage,
    escalationLevel: r.escalation_level,
    deadlineAt: r.deadline_at,
  }));
}
