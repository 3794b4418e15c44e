import { Queryable } from './database';

/** One handed-in version of a report, as its `submitted` event in the audit log holds it. */
export interface SubmissionVersion {
  /** The sequence number the deliverable's workflow gave the event: the version's identity. */
  seq: number;
  submittedAt: Date;
  submittedBy: string;
  documentRef: string | null;
  decisionDate: string | null;
  /** The board's note to SLK, when it wrote one. */
  comment: string | null;
  /**
   * Who marked the report ready, in a phase that asks for a sign-off: `submittedBy` then signed
   * it off. Null otherwise (the one who marked it ready handed it in).
   */
  markedReadyBy: string | null;
  content: Record<string, unknown>;
}

/** A return for completion (återremiss), with SLK's reason and the new deadline. */
export interface ReturnRecord {
  seq: number;
  returnedAt: Date;
  returnedBy: string;
  reason: string;
  deadline: string | null;
}

interface Row {
  seq: string | null;
  id: string;
  kind: 'submitted' | 'returned';
  actor: string;
  occurred_at: Date;
  payload: Record<string, unknown>;
}

const text = (v: unknown): string | null => (typeof v === 'string' ? v : null);

/**
 * Every version a board handed in with content (oldest first) and every return, in the
 * workflow's own order. A submission without answers (a phase without a template, the CLI's
 * plain submit) is no version of a report and is left out.
 */
export async function listSubmissionHistory(
  db: Queryable,
  workflowId: string,
): Promise<{ versions: SubmissionVersion[]; returns: ReturnRecord[] }> {
  const result = await db.query<Row>(
    `SELECT seq, id, kind, actor, occurred_at, payload FROM audit_log
      WHERE workflow_id = $1 AND kind IN ('submitted', 'returned') AND seq IS NOT NULL
      ORDER BY occurred_at, seq, id`,
    [workflowId],
  );
  const versions: SubmissionVersion[] = [];
  const returns: ReturnRecord[] = [];
  for (const r of result.rows) {
    const seq = Number(r.seq);
    if (r.kind === 'submitted') {
      const content = r.payload.content;
      if (!content || typeof content !== 'object') continue;
      versions.push({
        seq,
        submittedAt: r.occurred_at,
        submittedBy: r.actor,
        documentRef: text(r.payload.documentRef),
        decisionDate: text(r.payload.decisionDate),
        comment: text(r.payload.comment),
        markedReadyBy: text((r.payload.markedReady as { by?: unknown } | undefined)?.by),
        content: content as Record<string, unknown>,
      });
    } else {
      returns.push({
        seq,
        returnedAt: r.occurred_at,
        returnedBy: r.actor,
        reason: text(r.payload.reason) ?? '',
        deadline: text(r.payload.deadline),
      });
    }
  }
  return { versions, returns };
}
