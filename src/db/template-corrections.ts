import type { Question } from '../domain/report-template';
import type { DroppedAnswerReason } from '../domain/report-template-changes';
import { Queryable } from './database';
import { SavedAnswer } from './report-drafts';

/**
 * What a published template correction did to each report's draft (table
 * report_template_corrections): the answers carried over and the answers dropped, with their
 * values, so the record keeps them and the board's form page can show them.
 */

/** One answer a correction dropped from a draft, as it was saved. */
export interface DroppedAnswer {
  path: string;
  questionId: string;
  reason: DroppedAnswerReason;
  /** The question's label in the version the answer was written for. */
  label: string;
  /** The question as that version asked it (to show the value as the board wrote it). */
  question?: Question;
  value: unknown;
  version: number;
  savedBy: string;
  savedAt: string;
}

export interface TemplateCorrection {
  workflowId: string;
  templateId: string;
  fromVersion: number;
  toVersion: number;
  /** How many answers carried over. */
  carried: number;
  dropped: DroppedAnswer[];
  correctedAt: Date;
}

export interface TemplateCorrectionRow {
  workflow_id: string;
  template_id: string;
  from_version: number;
  to_version: number;
  carried: unknown[];
  dropped: DroppedAnswer[];
  corrected_at: Date;
}

/**
 * The saved answers of every report of the given phases (`<municipality>/<year>/<phase>`, the
 * first three parts of a deliverable's workflow ID), locked until the transaction ends so that no save lands between reading
 * them and moving them.
 */
export async function lockAnswersOfPhases(db: Queryable, prefixes: readonly string[]): Promise<SavedAnswer[]> {
  if (prefixes.length === 0) return [];
  const result = await db.query<{
    workflow_id: string;
    path: string;
    value: unknown;
    version: number;
    saved_by: string;
    saved_at: Date;
  }>(
    `SELECT workflow_id, path, value, version, saved_by, saved_at FROM report_answers
      WHERE split_part(workflow_id, '/', 1) || '/' || split_part(workflow_id, '/', 2) || '/'
              || split_part(workflow_id, '/', 3) = ANY($1::text[])
      ORDER BY workflow_id, path FOR UPDATE`,
    [prefixes],
  );
  return result.rows.map((r) => ({
    workflowId: r.workflow_id,
    path: r.path,
    value: r.value,
    version: r.version,
    savedBy: r.saved_by,
    savedAt: r.saved_at,
  }));
}

/** Moves a saved answer to another path (its question moved to another section), keeping its version and author. */
export async function moveAnswer(db: Queryable, workflowId: string, from: string, to: string): Promise<void> {
  await db.query('UPDATE report_answers SET path = $3 WHERE workflow_id = $1 AND path = $2', [workflowId, from, to]);
}

/** Removes saved answers from a draft (their values are kept with the correction). */
export async function deleteAnswers(db: Queryable, workflowId: string, paths: readonly string[]): Promise<void> {
  await db.query('DELETE FROM report_answers WHERE workflow_id = $1 AND path = ANY($2::text[])', [workflowId, paths]);
}

export async function insertTemplateCorrection(
  db: Queryable,
  correction: {
    workflowId: string;
    templateId: string;
    fromVersion: number;
    toVersion: number;
    carried: Array<{ from: string; to: string }>;
    dropped: DroppedAnswer[];
    correctedBy: string;
  },
): Promise<void> {
  await db.query(
    `INSERT INTO report_template_corrections
       (workflow_id, template_id, from_version, to_version, carried, dropped, corrected_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7)`,
    [
      correction.workflowId,
      correction.templateId,
      correction.fromVersion,
      correction.toVersion,
      JSON.stringify(correction.carried),
      JSON.stringify(correction.dropped),
      correction.correctedBy,
    ],
  );
}

/** The correction to `toVersion` of a report's draft, unless the board has dismissed its notice. */
export async function loadTemplateCorrection(
  db: Queryable,
  workflowId: string,
  toVersion: number,
): Promise<TemplateCorrection | undefined> {
  const result = await db.query<TemplateCorrectionRow>(
    `SELECT ${TEMPLATE_CORRECTION_COLUMNS} FROM report_template_corrections ${SHOWN_CORRECTION}`,
    [workflowId, toVersion],
  );
  return result.rows[0] && toCorrection(result.rows[0]);
}

export const TEMPLATE_CORRECTION_COLUMNS =
  'workflow_id, template_id, from_version, to_version, carried, dropped, corrected_at';

/** The correction of workflow $1 to version $2 whose notice is still shown (the latest). */
export const SHOWN_CORRECTION =
  'WHERE workflow_id = $1 AND to_version = $2 AND dismissed_at IS NULL ORDER BY corrected_at DESC LIMIT 1';

export const toCorrection = (r: TemplateCorrectionRow): TemplateCorrection => ({
  workflowId: r.workflow_id,
  templateId: r.template_id,
  fromVersion: r.from_version,
  toVersion: r.to_version,
  carried: r.carried.length,
  dropped: r.dropped,
  correctedAt: r.corrected_at,
});

/** Hides the notice of a correction (the record keeps it); false when there was none to hide. */
export async function dismissTemplateCorrection(
  db: Queryable,
  workflowId: string,
  toVersion: number,
  by: string,
): Promise<boolean> {
  const result = await db.query(
    `UPDATE report_template_corrections SET dismissed_by = $3, dismissed_at = now()
      WHERE workflow_id = $1 AND to_version = $2 AND dismissed_at IS NULL`,
    [workflowId, toVersion, by],
  );
  return (result.rowCount ?? 0) > 0;
}
