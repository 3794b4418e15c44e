import { Queryable } from './database';

/** A deliverable's latest submission as the audit log holds it. */
export interface SubmissionRecord {
  workflowId: string;
  phaseId: string;
  boardId: string;
  actor: string;
  submittedAt: Date;
  documentRef: string | null;
  decisionDate: string | null;
  content: Record<string, unknown> | null;
}

interface Row {
  workflow_id: string;
  actor: string;
  occurred_at: Date;
  payload: { documentRef?: string; decisionDate?: string; content?: Record<string, unknown> };
}

/**
 * The latest submission of every deliverable of one phase (or of one board in it), in the
 * workflow's own order: the last `submitted` event by time, then by its sequence number.
 */
export async function listLatestSubmissions(
  db: Queryable,
  cycleWorkflowId: string,
  phaseId: string,
  boardId?: string,
): Promise<SubmissionRecord[]> {
  const prefix = `${cycleWorkflowId}/${phaseId}/`;
  const result = await db.query<Row>(
    `SELECT DISTINCT ON (workflow_id) workflow_id, actor, occurred_at, payload
       FROM audit_log
      WHERE kind = 'submitted' AND workflow_id LIKE $1 || '%' AND ($2::text IS NULL OR workflow_id = $1 || $2)
      ORDER BY workflow_id, occurred_at DESC, seq DESC NULLS LAST, id DESC`,
    [prefix, boardId ?? null],
  );
  return result.rows.map((r) => ({
    workflowId: r.workflow_id,
    phaseId,
    boardId: r.workflow_id.slice(prefix.length),
    actor: r.actor,
    submittedAt: r.occurred_at,
    documentRef: r.payload.documentRef ?? null,
    decisionDate: r.payload.decisionDate ?? null,
    content: r.payload.content ?? null,
  }));
}
