import { Queryable } from './database';

/**
 * SLK's view of people (issue 13): who holds which grant at which board, from where and since
 * when, and who has a duty at a board whose deliverable is due soon but has not signed in since
 * its phase opened.
 */

export interface PersonMembership {
  personId: string;
  name: string | null;
  email: string | null;
  /** `admin`, `committee`, `stadshus` or `board`. */
  grantKind: string;
  boardId: string | null;
  duty: string | null;
  source: 'provider' | 'manual';
  validFrom: Date;
  validTo: Date | null;
  lastSignInAt: Date | null;
}

/** Memberships in force at `now`, ordered by board (cross-board grants first), duty and name. */
export async function listMembershipsInForce(db: Queryable, now: Date): Promise<PersonMembership[]> {
  const result = await db.query<{
    person_id: string;
    name: string | null;
    email: string | null;
    grant_kind: string;
    board_id: string | null;
    duty: string | null;
    source: 'provider' | 'manual';
    valid_from: Date;
    valid_to: Date | null;
    last_sign_in_at: Date | null;
  }>(
    `SELECT m.person_id, p.name, p.email, m.grant_kind, m.board_id, m.duty, m.source, m.valid_from, m.valid_to,
            p.last_sign_in_at
     FROM memberships m JOIN people p ON p.id = m.person_id
     WHERE m.valid_from <= $1 AND (m.valid_to IS NULL OR m.valid_to > $1)
     ORDER BY m.board_id NULLS FIRST, m.grant_kind, m.duty, p.name NULLS LAST, m.person_id, m.source`,
    [now],
  );
  return result.rows.map((r) => ({
    personId: r.person_id,
    name: r.name,
    email: r.email,
    grantKind: r.grant_kind,
    boardId: r.board_id,
    duty: r.duty,
    source: r.source,
    validFrom: r.valid_from,
    validTo: r.valid_to,
    lastSignInAt: r.last_sign_in_at,
  }));
}

export interface NotSignedInBeforeDeadline {
  workflowId: string;
  budgetYear: number;
  phaseId: string;
  /** The board that answers (the successor after a merger). */
  boardId: string;
  deadline: string;
  /** When the deliverable first stood open (from the record); null when the record has no such event. */
  openedAt: Date | null;
  personId: string;
  name: string | null;
  email: string | null;
  duty: string;
  lastSignInAt: Date | null;
}

/**
 * Per open (or returned) deliverable whose deadline is on or before `until` (late ones too), the
 * people with a duty at its answering board, in force at `now`, who never signed in or not since
 * the deliverable opened.
 */
export async function listNotSignedInBeforeDeadline(
  db: Queryable,
  municipality: string,
  now: Date,
  until: string,
): Promise<NotSignedInBeforeDeadline[]> {
  const result = await db.query<{
    workflow_id: string;
    budget_year: number;
    phase_id: string;
    board_id: string;
    deadline: string;
    opened_at: Date | null;
    person_id: string;
    name: string | null;
    email: string | null;
    duty: string;
    last_sign_in_at: Date | null;
  }>(
    `WITH due AS (
       SELECT d.workflow_id, d.budget_year, d.phase_id, d.answering_board_id AS board_id,
              to_char(d.deadline, 'YYYY-MM-DD') AS deadline,
              (SELECT min(a.occurred_at) FROM audit_log a
               WHERE a.workflow_id = d.workflow_id AND a.payload -> 'snapshot' ->> 'stage' = 'open') AS opened_at
       FROM deliverable_status d
       WHERE d.municipality = $1 AND d.stage IN ('open', 'returned') AND d.deadline <= $3::date
     )
     SELECT due.*, p.id AS person_id, p.name, p.email, m.duty, p.last_sign_in_at
     FROM due
     JOIN memberships m ON m.board_id = due.board_id AND m.grant_kind = 'board'
       AND m.valid_from <= $2 AND (m.valid_to IS NULL OR m.valid_to > $2)
     JOIN people p ON p.id = m.person_id
     WHERE p.last_sign_in_at IS NULL OR (due.opened_at IS NOT NULL AND p.last_sign_in_at < due.opened_at)
     ORDER BY due.deadline, due.board_id, due.phase_id, m.duty, p.name NULLS LAST, p.id`,
    [municipality, now, until],
  );
  // One line per person and deliverable, though they may hold the duty from two sources.
  const seen = new Set<string>();
  return result.rows
    .filter((r) => {
      const key = `${r.workflow_id}\u0000${r.person_id}\u0000${r.duty}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    })
    .map((r) => ({
      workflowId: r.workflow_id,
      budgetYear: r.budget_year,
      phaseId: r.phase_id,
      boardId: r.board_id,
      deadline: r.deadline,
      openedAt: r.opened_at,
      personId: r.person_id,
      name: r.name,
      email: r.email,
      duty: r.duty,
      lastSignInAt: r.last_sign_in_at,
    }));
}
