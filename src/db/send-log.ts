import { Queryable, Statement } from './database';

/**
 * pending: not sent yet (or a transient failure, to be retried); sending: an attempt holds the
 * lease until `lease_until`; sent; failed: can never succeed; expired: could not go out before
 * the instant it was about (the deadline, the next step), so it never will.
 */
export type SendStatus = 'pending' | 'sending' | 'sent' | 'failed' | 'expired';

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
  lease_until: Date | null;
  expires_at: Date | null;
}

export interface PlannedSend {
  idempotencyKey: string;
  workflowId: string;
  kind: string;
  plannedAt: Date;
  recipients: string[];
  subject: string;
  expiresAt?: Date;
}

/**
 * Takes the row of a planned send, creating it when new, and locks it until the caller's (short)
 * transaction ends. `leaseHeld` tells whether another attempt is sending it right now.
 */
export async function claimSend(db: Queryable, send: PlannedSend): Promise<SendLogRow & { lease_held: boolean }> {
  await db.query(
    `INSERT INTO send_log (idempotency_key, workflow_id, kind, planned_at, recipients, subject, status, expires_at)
     VALUES ($1, $2, $3, $4, $5, $6, 'pending', $7)
     ON CONFLICT (idempotency_key) DO NOTHING`,
    [send.idempotencyKey, send.workflowId, send.kind, send.plannedAt, send.recipients, send.subject, send.expiresAt],
  );
  const result = await db.query<SendLogRow & { lease_held: boolean }>(
    `SELECT *, (status = 'sending' AND lease_until > now()) AS lease_held
     FROM send_log WHERE idempotency_key = $1 FOR UPDATE`,
    [send.idempotencyKey],
  );
  const row = result.rows[0];
  if (!row) throw new Error(`send_log row ${send.idempotencyKey} vanished`);
  return row;
}

/**
 * Takes the lease on a planned send in one statement, with no transaction around it: creates its
 * row as `sending`, or takes over a `pending` row or one whose lease ran out, for `leaseMs`
 * (database time), with the recipients resolved now. With `onlyInStages`, only while the
 * deliverable's recorded stage is one of them, checked under a share lock on its read-model row
 * (which the event of a hand-in updates, so the two are ordered). Returns the row when it took
 * the lease; `undefined`, having changed nothing, otherwise (sent, failed, expired, leased by
 * another attempt, moot, or no row in the read model): the caller looks closer with claimSend.
 */
export async function leaseFreeSend(
  db: Queryable,
  send: PlannedSend,
  leaseMs: number,
  onlyInStages?: readonly string[],
): Promise<SendLogRow | undefined> {
  const result = await db.query<SendLogRow>(
    `INSERT INTO send_log AS s (idempotency_key, workflow_id, kind, planned_at, recipients, subject, status, expires_at,
       lease_until, attempts)
     SELECT $1, $2, $3, $4, $5, $6, 'sending', $7, now() + make_interval(secs => $8::double precision / 1000), 1
     WHERE $9::text[] IS NULL
        OR EXISTS (SELECT 1 FROM deliverable_status WHERE workflow_id = $2 AND stage = ANY($9::text[]) FOR SHARE)
     ON CONFLICT (idempotency_key) DO UPDATE SET status = 'sending', lease_until = EXCLUDED.lease_until,
       attempts = s.attempts + 1, recipients = EXCLUDED.recipients
     WHERE s.status = 'pending' OR (s.status = 'sending' AND s.lease_until <= now())
     RETURNING s.*`,
    [
      send.idempotencyKey,
      send.workflowId,
      send.kind,
      send.plannedAt,
      send.recipients,
      send.subject,
      send.expiresAt ?? null,
      leaseMs,
      onlyInStages ?? null,
    ],
  );
  return result.rows[0];
}

/** Marks a send as under way for `leaseMs` (database time), with the recipients resolved now. */
export async function leaseSend(db: Queryable, idempotencyKey: string, recipients: string[], leaseMs: number) {
  await db.query(
    `UPDATE send_log SET status = 'sending', lease_until = now() + make_interval(secs => $2::double precision / 1000),
       attempts = attempts + 1, recipients = $3
     WHERE idempotency_key = $1`,
    [idempotencyKey, leaseMs, recipients],
  );
}

/** A transient failure: the lease is given back so the next attempt can send at once. */
export async function releaseSend(db: Queryable, idempotencyKey: string, error: string): Promise<void> {
  await db.query(
    `UPDATE send_log SET status = 'pending', lease_until = NULL, last_error = $2
     WHERE idempotency_key = $1 AND status = 'sending'`,
    [idempotencyKey, error],
  );
}

export async function markSent(db: Queryable, idempotencyKey: string, messageId: string, sentAt: Date): Promise<void> {
  const update = markSentStatement(idempotencyKey, messageId, sentAt);
  await db.query(update.text, update.values);
}

/** The UPDATE of markSent, to run with the audit event that records it (appendAuditEventWith). */
export function markSentStatement(idempotencyKey: string, messageId: string, sentAt: Date): Statement {
  return {
    text: `UPDATE send_log SET status = 'sent', message_id = $2, sent_at = $3, lease_until = NULL, last_error = NULL
     WHERE idempotency_key = $1`,
    values: [idempotencyKey, messageId, sentAt],
  };
}

/**
 * A send whose moment passed before it could go out. Returns the keys it expired (and their kinds); a send already
 * sent (or failed for good) stays as it is. A notification that never reached the send log (the
 * database was down all along) gets a row, so the cycle page shows it.
 */
export async function markExpired(
  db: Queryable,
  send: Pick<PlannedSend, 'idempotencyKey' | 'workflowId' | 'kind' | 'plannedAt'> & { keys: string[] },
): Promise<{ expired: string[]; sent: boolean; expiredKinds: string[] }> {
  await db.query(
    `INSERT INTO send_log (idempotency_key, workflow_id, kind, planned_at, recipients, subject, status)
     VALUES ($1, $2, $3, $4, '{}', '', 'pending')
     ON CONFLICT (idempotency_key) DO NOTHING`,
    [send.idempotencyKey, send.workflowId, send.kind, send.plannedAt],
  );
  const expired = await db.query<{ idempotency_key: string; kind: string }>(
    `UPDATE send_log SET status = 'expired', lease_until = NULL
     WHERE idempotency_key = ANY($1) AND status IN ('pending', 'sending')
     RETURNING idempotency_key, kind`,
    [send.keys],
  );
  const sent = await db.query(`SELECT 1 FROM send_log WHERE idempotency_key = ANY($1) AND status = 'sent'`, [
    send.keys,
  ]);
  return {
    expired: expired.rows.map((r) => r.idempotency_key),
    sent: (sent.rowCount ?? 0) > 0,
    // As logged: a reminder on the deadline's day was logged as `deadline-day` when first tried.
    expiredKinds: expired.rows.map((r) => r.kind),
  };
}

/** Sends of a cycle that expired unsent (the workflow IDs start with the cycle's). */
export async function listExpiredSends(db: Queryable, cycleWorkflowId: string): Promise<SendLogRow[]> {
  const result = await db.query<SendLogRow>(
    `SELECT * FROM send_log WHERE status = 'expired' AND workflow_id LIKE $1 || '/%' ORDER BY planned_at, idempotency_key`,
    [cycleWorkflowId],
  );
  return result.rows;
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
    `UPDATE send_log SET status = 'failed', lease_until = NULL, last_error = $2 WHERE idempotency_key = $1`,
    [idempotencyKey, error],
  );
}
