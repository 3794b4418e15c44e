import { Queryable } from './database';

/**
 * A report marked ready (klarmarkerad) in a phase that asks for a sign-off (påskrift), waiting
 * for the förvaltningschef or VD: who marked it ready and when, what they gave with it, and a
 * digest of the answers as they stood.
 */
export interface AwaitingSignOff {
  workflowId: string;
  markedReadyBy: string;
  markedReadyAt: Date;
  documentRef?: string;
  decisionDate?: string;
  comment?: string;
  /** SHA-256 (hex) of the answers' canonical JSON when the report was marked ready. */
  answersDigest: string;
}

/** The last sign-off step of a report that sent it back to its draft: declined or withdrawn. */
export interface SignOffReturn {
  kind: 'sign-off-declined' | 'ready-mark-withdrawn';
  by: string;
  at: Date;
  reason?: string;
}

interface Row {
  workflow_id: string;
  marked_ready_by: string;
  marked_ready_at: Date;
  document_ref: string | null;
  decision_date: string | null;
  comment: string | null;
  answers_digest: string;
}

const COLUMNS = `workflow_id, marked_ready_by, marked_ready_at, document_ref, to_char(decision_date, 'YYYY-MM-DD') AS decision_date,
  comment, answers_digest`;

const toAwaiting = (r: Row): AwaitingSignOff => ({
  workflowId: r.workflow_id,
  markedReadyBy: r.marked_ready_by,
  markedReadyAt: r.marked_ready_at,
  ...(r.document_ref !== null && { documentRef: r.document_ref }),
  ...(r.decision_date !== null && { decisionDate: r.decision_date }),
  ...(r.comment !== null && { comment: r.comment }),
  answersDigest: r.answers_digest,
});

/**
 * Takes the report's sign-off lock for the rest of the transaction: exclusively to mark it ready
 * (the answers read for the digest are the last ones), shared to save an answer (saves do not
 * wait for each other, only for a marking ready), so no save slips in between the digest and the
 * row that refuses saves.
 */
export async function lockReportForSignOff(db: Queryable, workflowId: string, mode: 'exclusive' | 'shared') {
  const lock = mode === 'exclusive' ? 'pg_advisory_xact_lock' : 'pg_advisory_xact_lock_shared';
  await db.query(`SELECT ${lock}(hashtextextended($1, 0))`, [`report-sign-off:${workflowId}`]);
}

/** The report's wait for its sign-off, or undefined when it is not waiting. */
export async function loadAwaitingSignOff(db: Queryable, workflowId: string): Promise<AwaitingSignOff | undefined> {
  const result = await db.query<Row>(`SELECT ${COLUMNS} FROM report_sign_offs WHERE workflow_id = $1`, [workflowId]);
  return result.rows[0] && toAwaiting(result.rows[0]);
}

/** Which of the given reports are waiting for their sign-off (the board page's list). */
export async function listAwaitingSignOffs(db: Queryable, workflowIds: readonly string[]): Promise<AwaitingSignOff[]> {
  if (workflowIds.length === 0) return [];
  const result = await db.query<Row>(`SELECT ${COLUMNS} FROM report_sign_offs WHERE workflow_id = ANY($1::text[])`, [
    workflowIds,
  ]);
  return result.rows.map(toAwaiting);
}

/**
 * Records the report as awaiting its sign-off. Undefined when it already is (of two markings
 * ready at once, the primary key lets exactly one in).
 */
export async function insertAwaitingSignOff(
  db: Queryable,
  wait: Omit<AwaitingSignOff, 'markedReadyAt'>,
): Promise<AwaitingSignOff | undefined> {
  const result = await db.query<Row>(
    `INSERT INTO report_sign_offs (workflow_id, marked_ready_by, document_ref, decision_date, comment, answers_digest)
     VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (workflow_id) DO NOTHING RETURNING ${COLUMNS}`,
    [
      wait.workflowId,
      wait.markedReadyBy,
      wait.documentRef ?? null,
      wait.decisionDate ?? null,
      wait.comment ?? null,
      wait.answersDigest,
    ],
  );
  return result.rows[0] && toAwaiting(result.rows[0]);
}

/**
 * Ends the wait (signed off, declined or withdrawn) and returns it; undefined when the report was
 * not waiting. The row stays locked until the transaction ends: a second sign-off at the same
 * moment waits here, then finds nothing, and a rolled-back sign-off (the hand-in failed) leaves
 * the report waiting.
 */
export async function takeAwaitingSignOff(db: Queryable, workflowId: string): Promise<AwaitingSignOff | undefined> {
  const result = await db.query<Row>(`DELETE FROM report_sign_offs WHERE workflow_id = $1 RETURNING ${COLUMNS}`, [
    workflowId,
  ]);
  return result.rows[0] && toAwaiting(result.rows[0]);
}

/**
 * The report's latest step of its sign-off from the audit log, when that step sent it back to
 * its draft (a decline or a withdrawn ready mark), to show on the form; undefined after any other
 * (marked ready again, signed off) or none.
 */
export async function loadLastSignOffReturn(db: Queryable, workflowId: string): Promise<SignOffReturn | undefined> {
  const result = await db.query<{ kind: string; actor: string; occurred_at: Date; payload: { reason?: unknown } }>(
    `SELECT kind, actor, occurred_at, payload FROM audit_log
      WHERE workflow_id = $1 AND kind IN ('marked-ready-for-sign-off', 'signed-off', 'sign-off-declined', 'ready-mark-withdrawn')
      ORDER BY id DESC LIMIT 1`,
    [workflowId],
  );
  const row = result.rows[0];
  if (!row || (row.kind !== 'sign-off-declined' && row.kind !== 'ready-mark-withdrawn')) return undefined;
  const reason = typeof row.payload.reason === 'string' ? row.payload.reason : undefined;
  return { kind: row.kind, by: row.actor, at: row.occurred_at, ...(reason && { reason }) };
}
