import { Queryable } from './database';
import type { KfDecision, KfOutcome, TraceMeasure } from '../domain/lup-trace';

/** A KF budget decision on one larger LUP measure, as SLK recorded it last. */
export interface StoredKfDecision extends KfDecision {
  budgetYear: number;
  recordedBy: string;
  recordedAt: Date;
}

interface Row {
  budget_year: number;
  board_id: string;
  measure_id: string;
  outcome: KfOutcome;
  reference: string;
  amount: string | null;
  recorded_by: string;
  recorded_at: Date;
}

const COLUMNS = 'budget_year, board_id, measure_id, outcome, reference, amount, recorded_by, recorded_at';

const toDecision = (r: Row): StoredKfDecision => ({
  budgetYear: r.budget_year,
  boardId: r.board_id,
  measureId: r.measure_id,
  outcome: r.outcome,
  reference: r.reference,
  ...(r.amount !== null && { amount: Number(r.amount) }),
  recordedBy: r.recorded_by,
  recordedAt: r.recorded_at,
});

/**
 * Records the decision on a measure for a year, replacing an earlier one. The upsert holds the
 * row's lock until the caller's transaction ends, so two recordings at once are serialised: the
 * one that commits last is the one kept, and its audit event (appended in the same transaction)
 * comes last too.
 */
export async function upsertKfDecision(
  db: Queryable,
  municipality: string,
  d: Omit<StoredKfDecision, 'recordedAt'>,
): Promise<StoredKfDecision> {
  const result = await db.query<Row>(
    `INSERT INTO lup_kf_decisions
       (municipality, budget_year, board_id, measure_id, outcome, reference, amount, recorded_by, recorded_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, clock_timestamp())
     ON CONFLICT (municipality, budget_year, board_id, measure_id) DO UPDATE
       SET outcome = EXCLUDED.outcome, reference = EXCLUDED.reference, amount = EXCLUDED.amount,
           recorded_by = EXCLUDED.recorded_by, recorded_at = EXCLUDED.recorded_at
     RETURNING ${COLUMNS}`,
    [municipality, d.budgetYear, d.boardId, d.measureId, d.outcome, d.reference, d.amount ?? null, d.recordedBy],
  );
  return toDecision(result.rows[0]!);
}

/** The decisions of a budget year, for every district or one. */
export async function listKfDecisions(
  db: Queryable,
  municipality: string,
  budgetYear: number,
  boardId?: string,
): Promise<StoredKfDecision[]> {
  const result = await db.query<Row>(
    `SELECT ${COLUMNS} FROM lup_kf_decisions
      WHERE municipality = $1 AND budget_year = $2 AND ($3::text IS NULL OR board_id = $3)
      ORDER BY board_id, measure_id`,
    [municipality, budgetYear, boardId ?? null],
  );
  return result.rows.map(toDecision);
}

/** Whether a measure is a larger one (needing the council's budget) of the district's programme in force. */
export async function isLargerMeasureInForce(
  db: Queryable,
  municipality: string,
  boardId: string,
  measureId: string,
): Promise<boolean> {
  const result = await db.query(
    `SELECT 1 FROM lup_programmes p
       JOIN lup_measures m ON m.workflow_id = p.workflow_id AND m.programme_number = p.programme_number
      WHERE p.municipality = $1 AND p.board_id = $2 AND p.stage = 'i-kraft'
        AND m.measure_id = $3 AND m.larger AND m.status <> 'avslutad'`,
    [municipality, boardId, measureId],
  );
  return result.rowCount! > 0;
}

/** The larger measures of the districts' programmes in force (every district's, or one's), in programme order. */
export async function listLargerMeasuresInForce(
  db: Queryable,
  municipality: string,
  boardId?: string,
): Promise<TraceMeasure[]> {
  const result = await db.query<{
    board_id: string;
    measure_id: string;
    title: string;
    owner_id: string;
    cost: string | null;
  }>(
    `SELECT p.board_id, m.measure_id, m.title, m.owner_id, m.cost
       FROM lup_programmes p
       JOIN lup_measures m ON m.workflow_id = p.workflow_id AND m.programme_number = p.programme_number
      WHERE p.municipality = $1 AND ($2::text IS NULL OR p.board_id = $2) AND p.stage = 'i-kraft'
        AND m.larger AND m.status <> 'avslutad'
      ORDER BY p.board_id, m.position`,
    [municipality, boardId ?? null],
  );
  return result.rows.map((r) => ({
    boardId: r.board_id,
    measureId: r.measure_id,
    title: r.title,
    ownerId: r.owner_id,
    ...(r.cost !== null && { cost: Number(r.cost) }),
  }));
}
