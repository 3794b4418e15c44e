import { Queryable, Statement } from './database';
import { carriesContent, projectContent } from './content-projection';
import { DeliverableSnapshot, projectSnapshot, snapshotUpsert } from './read-model';

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

/** The INSERT of one event, RETURNING its id when it is new; placeholders numbered from `first`. */
function eventInsert(event: AuditEvent, first = 1): Statement {
  const at = (i: number) => `$${first + i}`;
  return {
    text: `INSERT INTO audit_log (occurred_at, workflow_id, run_id, seq, kind, actor, event_key, payload)
     VALUES (${[0, 1, 2, 3, 4, 5, 6, 7].map(at).join(', ')})
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
 * A change elsewhere (a data-modifying statement) and the event that records it, with the read
 * model's snapshot, as one statement: atomic without a transaction, in one round trip (a mail's
 * outcome: the hot path of a burst). Returns whether the event was new; `undefined`, having run
 * nothing, for an event with content to project (several statements): append that one in a
 * transaction with appendAuditEvent.
 */
export async function appendAuditEventWith(
  db: Queryable,
  change: Statement,
  event: AuditEvent,
): Promise<boolean | undefined> {
  if (carriesContent(event)) return undefined;
  const insert = eventInsert(event, change.values.length + 1);
  const values = [...change.values, ...insert.values];
  const snapshot = event.payload?.snapshot as DeliverableSnapshot | undefined;
  let text = `WITH change AS (${change.text}), event AS (${insert.text}) `;
  if (snapshot) {
    // Projected only when the event is new (as appendAuditEvent): the upsert reads its id from `event`.
    const upsert = snapshotUpsert(event, snapshot, values.length + 1, 'event.id', 'event');
    text += `, projected AS (${upsert.text}) `;
    values.push(...upsert.values);
  }
  const result = await db.query<{ id: string }>(`${text}SELECT id FROM event`, values);
  return result.rows.length > 0;
}

/**
 * A workflow's events in its own order: by time, then by the sequence number it gave them (a
 * mail's outcome, committed after the SMTP exchange, keeps its place before a submission that
 * came in meanwhile), then as inserted.
 */
export async function listAuditEvents(db: Queryable, workflowId: string): Promise<AuditRow[]> {
  const result = await db.query<AuditRow>(
    'SELECT * FROM audit_log WHERE workflow_id = $1 ORDER BY occurred_at, seq NULLS LAST, id',
    [workflowId],
  );
  return result.rows;
}
