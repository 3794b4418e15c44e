import { Queryable, Statement } from './database';
import { projectContent } from './content-projection';
import { DeliverableSnapshot, projectSnapshot } from './read-model';

export interface AuditEvent {
  occurredAt: Date;
  workflowId: string;
  runId?: string;
  /** The sequence number the workflow gave the event (its order within the workflow). */
  seq?: number;
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
  seq: string | null;
  kind: string;
  actor: string;
  event_key: string;
  payload: Record<string, unknown>;
}

/** The INSERT of one event, RETURNING its id when it is new. */
function eventInsert(event: AuditEvent): Statement {
  return {
    text: `INSERT INTO audit_log (occurred_at, workflow_id, run_id, seq, kind, actor, event_key, payload)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
     ON CONFLICT (event_key) DO NOTHING
     RETURNING id`,
    values: [
      event.occurredAt,
      event.workflowId,
      event.runId ?? null,
      event.seq ?? null,
      event.kind,
      event.actor,
      event.eventKey,
      JSON.stringify(event.payload ?? {}),
    ],
  };
}

/**
 * Appends one event; returns false when an event with the same key is already there. An event
 * that carries a deliverable's state snapshot also updates the read model, in the same statement
 * sequence (callers that need both atomically pass a transaction).
 */
export async function appendAuditEvent(db: Queryable, event: AuditEvent): Promise<boolean> {
  const insert = eventInsert(event);
  const result = await db.query<{ id: string }>(insert.text, insert.values);
  const inserted = result.rows[0];
  const snapshot = event.payload?.snapshot as DeliverableSnapshot | undefined;
  if (inserted && snapshot) await projectSnapshot(db, event, inserted.id, snapshot);
  if (inserted) await projectContent(db, inserted.id, event);
  return inserted !== undefined;
}

/**
 * Events as rows of one JSON parameter, for statements that append many at once (a batch of
 * mails' outcomes): `jsonb_to_recordset($n::jsonb) AS q(${AUDIT_RECORD})` reads them back.
 */
export const AUDIT_RECORD = `occurred_at timestamptz, workflow_id text, run_id text, seq bigint, kind text, actor text,
       event_key text, payload jsonb`;

export function auditRecord(event: AuditEvent) {
  return {
    occurred_at: event.occurredAt,
    workflow_id: event.workflowId,
    run_id: event.runId ?? null,
    seq: event.seq ?? null,
    kind: event.kind,
    actor: event.actor,
    event_key: event.eventKey,
    payload: event.payload ?? {},
  };
}

/**
 * A workflow's events in its own order: by time, then by the sequence number it gave them (a
 * mail's outcome, committed after the SMTP exchange, keeps its place before a submission that
 * came in meanwhile), then as inserted.
 */
/** Whether the event of this key is in the log (an earlier attempt of an activity recorded it). */
export async function auditEventRecorded(db: Queryable, eventKey: string): Promise<boolean> {
  const { rowCount } = await db.query('SELECT 1 FROM audit_log WHERE event_key = $1', [eventKey]);
  return (rowCount ?? 0) > 0;
}

export async function listAuditEvents(db: Queryable, workflowId: string): Promise<AuditRow[]> {
  const result = await db.query<AuditRow>(
    'SELECT * FROM audit_log WHERE workflow_id = $1 ORDER BY occurred_at, seq NULLS LAST, id',
    [workflowId],
  );
  return result.rows;
}
