import { Queryable } from './database';

export type SendStatus = 'pending' | 'sent' | 'failed';

export interface SendLogRow {
  idempotency_key: string;
  workflow_id: string;
  kind: string;
  planned_at: Date;
  recipients: string[];
  subject: string;
  status: SendStatus;
  attempts: number;
  message_id: string | null;
  last_error: string | null;
  created_at: Date;
  sent_at: Date | null;
}

export interface PlannedSend {
  idempotencyKey: string;
  workflowId: string;
  kind: string;
  plannedAt: Date;
  recipients: string[];
  subject: string;
}

/**
 * Takes the row of a planned send, creating it when new, and locks it until the caller's
 * transaction ends, so two concurrent attempts at the same notification run one after the other.
 */
export async function claimSend(db: Queryable, send: PlannedSend): Promise<SendLogRow> {
  await db.query(
    `INSERT INTO send_log (idempotency_key, workflow_id, kind, planned_at, recipients, subject, status)
     VALUES ($1, $2, $3, $4, $5, $6, 'pending')
     ON CONFLICT (idempotency_key) DO NOTHING`,
    [send.idempotencyKey, send.workflowId, send.kind, send.plannedAt, send.recipients, send.subject],
  );
  const result = await db.query<SendLogRow>('SELECT * FROM send_log WHERE idempotency_key = $1 FOR UPDATE', [
    send.idempotencyKey,
  ]);
  const row = result.rows[0];
  if (!row) throw new Error(`send_log row ${send.idempotencyKey} vanished`);
  return row;
}

export async function markSent(db: Queryable, idempotencyKey: string, messageId: string, sentAt: Date): Promise<void> {
  await db.query(
    `UPDATE send_log SET status = 'sent', message_id = $2, sent_at = $3, attempts = attempts + 1, last_error = NULL
     WHERE idempotency_key = $1`,
    [idempotencyKey, messageId, sentAt],
  );
}

export async function listSends(db: Queryable, workflowId: string): Promise<SendLogRow[]> {
  const result = await db.query<SendLogRow>(
    'SELECT * FROM send_log WHERE workflow_id = $1 ORDER BY planned_at, idempotency_key',
    [workflowId],
  );
  return result.rows;
}

/** A send that can never succeed (no address, refused for good): kept, shown, not retried. */
export async function markFailed(db: Queryable, idempotencyKey: string, error: string): Promise<void> {
  await db.query(
    `UPDATE send_log SET status = 'failed', attempts = attempts + 1, last_error = $2 WHERE idempotency_key = $1`,
    [idempotencyKey, error],
  );
}
