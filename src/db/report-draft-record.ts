import { ATTACHMENT_COLUMNS, AttachmentMeta, AttachmentRow, toMeta } from './attachments';
import { Queryable } from './database';
import { SAVED_ANSWER_COLUMNS, SavedAnswer, SavedAnswerRow, toAnswer } from './report-drafts';
import {
  SHOWN_CORRECTION,
  TEMPLATE_CORRECTION_COLUMNS,
  TemplateCorrection,
  TemplateCorrectionRow,
  toCorrection,
} from './template-corrections';

/** A row as json_agg/row_to_json hands it over: its timestamps as text. */
type AsJson<T> = { [K in keyof T]: T[K] extends Date ? string : T[K] };

/**
 * What a board's report form shows of one report beside its template, in one round trip: the
 * saved answers (in path order), every attachment (also one no answer names any more: the record)
 * and the template correction to `templateVersion` whose notice the board has not dismissed.
 * The same columns and order as listSavedAnswers, the attachment store's list and
 * loadTemplateCorrection; each table read as a JSON subquery of one statement.
 */
export async function loadDraftRecord(
  db: Queryable,
  workflowId: string,
  templateVersion: number,
): Promise<{ answers: SavedAnswer[]; attachments: AttachmentMeta[]; correction?: TemplateCorrection }> {
  const result = await db.query<{
    answers: AsJson<SavedAnswerRow>[];
    attachments: AsJson<AttachmentRow>[];
    correction: AsJson<TemplateCorrectionRow> | null;
  }>(
    `SELECT
       (SELECT coalesce(json_agg(a ORDER BY a.path), '[]')
          FROM (SELECT ${SAVED_ANSWER_COLUMNS} FROM report_answers WHERE workflow_id = $1) a) AS answers,
       (SELECT coalesce(json_agg(f ORDER BY f.uploaded_at, f.id), '[]')
          FROM (SELECT ${ATTACHMENT_COLUMNS} FROM attachments WHERE workflow_id = $1) f) AS attachments,
       (SELECT row_to_json(c)
          FROM (SELECT ${TEMPLATE_CORRECTION_COLUMNS} FROM report_template_corrections ${SHOWN_CORRECTION}) c)
         AS correction`,
    [workflowId, templateVersion],
  );
  const row = result.rows[0]!;
  const correction =
    row.correction && toCorrection({ ...row.correction, corrected_at: new Date(row.correction.corrected_at) });
  return {
    answers: row.answers.map((a) => toAnswer({ ...a, saved_at: new Date(a.saved_at) })),
    // bigint columns come back from json as numbers: the store hands ids and sizes over as text.
    attachments: row.attachments.map((f) =>
      toMeta({ ...f, id: String(f.id), size_bytes: String(f.size_bytes), uploaded_at: new Date(f.uploaded_at) }),
    ),
    ...(correction && { correction }),
  };
}
