import { Queryable } from './database';

/** One decision of the committee's, against a board's report, a district's LUP or a priority area. */
export interface CommitteeDecision {
  id: string;
  municipality: string;
  concerns: 'report' | 'lup' | 'area';
  budgetYear?: number;
  phaseId?: string;
  boardId?: string;
  areaId?: string;
  /** The day the committee decided (YYYY-MM-DD). */
  decidedOn: string;
  /** Its reference (diarienummer). */
  reference: string;
  decision: string;
  /** Who recorded it: the member's pseudonymous actor id, or a token's. */
  author: string;
  createdAt: Date;
}

interface Row {
  id: string;
  municipality: string;
  concerns: CommitteeDecision['concerns'];
  budget_year: number | null;
  phase_id: string | null;
  board_id: string | null;
  area_id: string | null;
  decided_on: string;
  reference: string;
  decision: string;
  author: string;
  created_at: Date;
}

const COLUMNS =
  'id, municipality, concerns, budget_year, phase_id, board_id, area_id, decided_on::text, reference, decision, author, created_at';

const toDecision = (r: Row): CommitteeDecision => ({
  id: r.id,
  municipality: r.municipality,
  concerns: r.concerns,
  ...(r.budget_year !== null && { budgetYear: r.budget_year }),
  ...(r.phase_id !== null && { phaseId: r.phase_id }),
  ...(r.board_id !== null && { boardId: r.board_id }),
  ...(r.area_id !== null && { areaId: r.area_id }),
  decidedOn: r.decided_on,
  reference: r.reference,
  decision: r.decision,
  author: r.author,
  createdAt: r.created_at,
});

/** Stores one decision; the caller's transaction records it in the audit log as well. */
export async function insertCommitteeDecision(
  db: Queryable,
  d: Omit<CommitteeDecision, 'id' | 'createdAt'>,
): Promise<CommitteeDecision> {
  const result = await db.query<Row>(
    `INSERT INTO committee_decisions
       (municipality, concerns, budget_year, phase_id, board_id, area_id, decided_on, reference, decision, author)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING ${COLUMNS}`,
    [
      d.municipality,
      d.concerns,
      d.budgetYear ?? null,
      d.phaseId ?? null,
      d.boardId ?? null,
      d.areaId ?? null,
      d.decidedOn,
      d.reference,
      d.decision,
      d.author,
    ],
  );
  return toDecision(result.rows[0]!);
}

/**
 * A municipality's decisions, or those concerning one board (its reports and LUP) together with
 * those on the given priority areas (the areas it serves), oldest decision first, then in the
 * order recorded.
 */
export async function listCommitteeDecisions(
  db: Queryable,
  municipality: string,
  filter: { boardId?: string; areaIds?: readonly string[] } = {},
): Promise<CommitteeDecision[]> {
  const all = filter.boardId === undefined;
  const result = await db.query<Row>(
    `SELECT ${COLUMNS} FROM committee_decisions
      WHERE municipality = $1 AND ($2::boolean OR board_id = $3 OR area_id = ANY($4::text[]))
      ORDER BY decided_on, id`,
    [municipality, all, filter.boardId ?? null, [...(filter.areaIds ?? [])]],
  );
  return result.rows.map(toDecision);
}
