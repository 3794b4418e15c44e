import { Queryable } from './database';

/** One saved answer of a board's report: its question path, value and who saved it last. */
export interface SavedAnswer {
  workflowId: string;
  /** `<section>.<question>` or `<section>[<item>].<question>`. */
  path: string;
  value: unknown;
  /** How many times it was saved: the version a later save must name. */
  version: number;
  savedBy: string;
  savedAt: Date;
}

export interface SavedAnswerRow {
  workflow_id: string;
  path: string;
  value: unknown;
  version: number;
  saved_by: string;
  saved_at: Date;
}

export const SAVED_ANSWER_COLUMNS = 'workflow_id, path, value, version, saved_by, saved_at';

export const toAnswer = (r: SavedAnswerRow): SavedAnswer => ({
  workflowId: r.workflow_id,
  path: r.path,
  value: r.value,
  version: r.version,
  savedBy: r.saved_by,
  savedAt: r.saved_at,
});

/** Every saved answer of one report, in path order. */
export async function listSavedAnswers(db: Queryable, workflowId: string): Promise<SavedAnswer[]> {
  const result = await db.query<SavedAnswerRow>(
    `SELECT ${SAVED_ANSWER_COLUMNS} FROM report_answers WHERE workflow_id = $1 ORDER BY path`,
    [workflowId],
  );
  return result.rows.map(toAnswer);
}

/** Every saved answer of the reports named, by report and then path (a phase's boards at once). */
export async function listSavedAnswersOf(db: Queryable, workflowIds: readonly string[]): Promise<SavedAnswer[]> {
  if (workflowIds.length === 0) return [];
  const result = await db.query<SavedAnswerRow>(
    `SELECT ${SAVED_ANSWER_COLUMNS} FROM report_answers WHERE workflow_id = ANY($1::text[]) ORDER BY workflow_id, path`,
    [workflowIds],
  );
  return result.rows.map(toAnswer);
}

/** One saved answer, or undefined when nobody has saved it yet. */
export async function loadSavedAnswer(
  db: Queryable,
  workflowId: string,
  path: string,
): Promise<SavedAnswer | undefined> {
  const result = await db.query<SavedAnswerRow>(
    `SELECT ${SAVED_ANSWER_COLUMNS} FROM report_answers WHERE workflow_id = $1 AND path = $2`,
    [workflowId, path],
  );
  return result.rows[0] && toAnswer(result.rows[0]);
}

/**
 * The first save of an answer (version 1). Undefined when someone else saved it first: of two
 * first saves at once, the primary key lets exactly one in.
 */
export async function insertFirstAnswer(
  db: Queryable,
  answer: { workflowId: string; path: string; value: unknown; savedBy: string },
): Promise<SavedAnswer | undefined> {
  const result = await db.query<SavedAnswerRow>(
    `INSERT INTO report_answers (workflow_id, path, value, version, saved_by) VALUES ($1, $2, $3, 1, $4)
     ON CONFLICT (workflow_id, path) DO NOTHING RETURNING ${SAVED_ANSWER_COLUMNS}`,
    [answer.workflowId, answer.path, JSON.stringify(answer.value), answer.savedBy],
  );
  return result.rows[0] && toAnswer(result.rows[0]);
}

/**
 * A later save, only over the version its author saw. Undefined when the answer is at another
 * version: the row lock makes a concurrent save of the same version wait, then find it changed.
 */
export async function updateAnswerAtVersion(
  db: Queryable,
  answer: { workflowId: string; path: string; value: unknown; savedBy: string; expectedVersion: number },
): Promise<SavedAnswer | undefined> {
  const result = await db.query<SavedAnswerRow>(
    `UPDATE report_answers SET value = $3, version = version + 1, saved_by = $4, saved_at = now()
      WHERE workflow_id = $1 AND path = $2 AND version = $5 RETURNING ${SAVED_ANSWER_COLUMNS}`,
    [answer.workflowId, answer.path, JSON.stringify(answer.value), answer.savedBy, answer.expectedVersion],
  );
  return result.rows[0] && toAnswer(result.rows[0]);
}
