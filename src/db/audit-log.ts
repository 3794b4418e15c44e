import { Queryable } from './database';

export interface AuditEvent {
  occurredAt: Date;
  workflowId: string;
  runId?: string;
  kind: string;
  actor: string;
  /** Unique per event: a retried activity records its event once. */
  eventKey: string;
  payload?: Record<string, unknown>;
}

export interface AuditRow {
  id: string;
  occurred_at: Date;
  recorded_at: Date;
  workflow_id: string;
  run_id: string | null;
  kind: string;
  actor: string;
  event_key: string;
  payload: Record<string, unknown>;
}

/** Appends one event; returns false when an event with the same key is already there. */
export async function appendAuditEvent(db: Queryable, event: AuditEvent): Promise<boolean> {
  const result = await db.query(
    `INSERT INTO audit_log (occurred_at, workflow_id, run_id, kind, actor, event_key, payload)
     VALUES ($1, $2, $3, $4, $5, $6, $7)
     ON CONFLICT (event_key) DO NOTHING`,
    [
      event.occurredAt,
      event.workflowId,
      event.runId ?? null,
      event.kind,
      event.actor,
      event.eventKey,
      JSON.stringify(event.payload ?? {}),
    ],
  );
  return result.rowCount === 1;
}

export async function listAuditEvents(db: Queryable, workflowId: string): Promise<AuditRow[]> {
  const result = await db.query<AuditRow>('SELECT * FROM audit_log WHERE workflow_id = $1 ORDER BY occurred_at, id', [
    workflowId,
  ]);
  return result.rows;
}
