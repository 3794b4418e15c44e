import { Queryable } from './database';

/** A deliverable's latest event of one kind, as the record holds it. */
export interface LatestDeliverableEvent {
  workflow_id: string;
  kind: 'submitted' | 'returned';
  actor: string;
  /** ISO text made by PostgreSQL (the pages write it out; no Date in between). */
  occurred_at: string;
  payload: Record<string, unknown>;
}

/**
 * The latest submission and the latest return for completion of each given deliverable: what
 * SLK's review queue and a board's page show of them, without asking each deliverable workflow.
 * A deliverable's events are in its own order by time, then by the sequence number it gave them.
 */
export async function listLatestSubmissionsAndReturns(
  db: Queryable,
  workflowIds: string[],
): Promise<LatestDeliverableEvent[]> {
  if (workflowIds.length === 0) return [];
  const result = await db.query<LatestDeliverableEvent>(
    `SELECT DISTINCT ON (workflow_id, kind) workflow_id, kind, actor,
            to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS occurred_at, payload
       FROM audit_log
      WHERE workflow_id = ANY($1::text[]) AND kind IN ('submitted', 'returned')
      ORDER BY workflow_id, kind, audit_log.occurred_at DESC, seq DESC NULLS LAST, id DESC`,
    [workflowIds],
  );
  return result.rows;
}
