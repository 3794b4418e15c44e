import { Queryable } from './database';

/** One comment of the committee's on a board's report (or one of its questions) or a district's LUP. */
export interface CommitteeComment {
  id: string;
  municipality: string;
  budgetYear: number;
  boardId: string;
  subject: 'report' | 'lup';
  /** The report's phase (absent for a LUP). */
  phaseId?: string;
  workflowId: string;
  /** A question or section of the report (absent for the whole report or a LUP). */
  path?: string;
  comment: string;
  /** The committee member's pseudonymous actor id (`person:<id>`), or a token's. */
  author: string;
  createdAt: Date;
}

interface Row {
  id: string;
  municipality: string;
  budget_year: number;
  board_id: string;
  subject: 'report' | 'lup';
  phase_id: string | null;
  workflow_id: string;
  path: string | null;
  comment: string;
  author: string;
  created_at: Date;
}

const COLUMNS =
  'id, municipality, budget_year, board_id, subject, phase_id, workflow_id, path, comment, author, created_at';

const toComment = (r: Row): CommitteeComment => ({
  id: r.id,
  municipality: r.municipality,
  budgetYear: r.budget_year,
  boardId: r.board_id,
  subject: r.subject,
  ...(r.phase_id !== null && { phaseId: r.phase_id }),
  workflowId: r.workflow_id,
  ...(r.path !== null && { path: r.path }),
  comment: r.comment,
  author: r.author,
  createdAt: r.created_at,
});

/** Stores one comment; the caller's transaction records it in the audit log and the send log as well. */
export async function insertCommitteeComment(
  db: Queryable,
  c: Omit<CommitteeComment, 'id' | 'createdAt'>,
): Promise<CommitteeComment> {
  const result = await db.query<Row>(
    `INSERT INTO committee_comments (municipality, budget_year, board_id, subject, phase_id, workflow_id, path, comment, author)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING ${COLUMNS}`,
    [
      c.municipality,
      c.budgetYear,
      c.boardId,
      c.subject,
      c.phaseId ?? null,
      c.workflowId,
      c.path ?? null,
      c.comment,
      c.author,
    ],
  );
  return toComment(result.rows[0]!);
}

export async function loadCommitteeComment(db: Queryable, id: string): Promise<CommitteeComment | undefined> {
  const result = await db.query<Row>(`SELECT ${COLUMNS} FROM committee_comments WHERE id = $1`, [id]);
  return result.rows[0] && toComment(result.rows[0]);
}

/**
 * The comments of a budget year (or all years), on one board or all, in the order they were
 * stored (the id: two comments made at the same moment have their transactions' start times,
 * which need not be their order).
 */
export async function listCommitteeComments(
  db: Queryable,
  municipality: string,
  filter: { budgetYear?: number; boardId?: string },
): Promise<CommitteeComment[]> {
  const result = await db.query<Row>(
    `SELECT ${COLUMNS} FROM committee_comments
      WHERE municipality = $1 AND ($2::integer IS NULL OR budget_year = $2) AND ($3::text IS NULL OR board_id = $3)
      ORDER BY id`,
    [municipality, filter.budgetYear ?? null, filter.boardId ?? null],
  );
  return result.rows.map(toComment);
}

/**
 * The registrator mailboxes of the municipality's SLK (organisations of kind `slk`) in force on
 * `on`: SLK hears of every committee act.
 */
export async function loadSlkMailboxes(db: Queryable, municipality: string, on: string): Promise<string[]> {
  const result = await db.query<{ email: string }>(
    `SELECT c->>'email' AS email
       FROM organisations o, jsonb_array_elements(o.contacts) c
      WHERE o.municipality = $1 AND o.kind = 'slk' AND c->>'role' = 'registrator'
        AND o.valid_from <= $2::date AND (o.valid_to IS NULL OR o.valid_to >= $2::date)
      ORDER BY o.id, email`,
    [municipality, on],
  );
  return result.rows.map((r) => r.email);
}
