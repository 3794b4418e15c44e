import { AUDIT_RECORD, AuditEvent, auditRecord } from './audit-log';
import { Queryable } from './database';
import { snapshotColumnsOf, snapshotSeqOf, snapshotsUpsert } from './read-model';

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

/** A send to lease, with the stages its deliverable must be in (none: any). */
export interface LeaseRequest {
  send: PlannedSend;
  onlyInStages?: readonly string[];
}

/**
 * Takes the leases on planned sends in one statement, with no transaction around it: creates
 * each row as `sending`, or takes over a `pending` row or one whose lease ran out, for `leaseMs`
 * (database time), with the recipients resolved now. With `onlyInStages`, only while the
 * deliverable's recorded stage is one of them, checked under a share lock on its read-model row
 * (which the event of a hand-in updates, so the two are ordered). Answers, per request, whether
 * it took the lease; where not, it changed nothing of that send (sent, failed, expired, leased by
 * another attempt, moot, no row in the read model, or the same key asked for earlier in the same
 * call): the caller looks closer with claimSend. Rows are taken in key order, so two such
 * statements never wait on each other in a circle.
 */
export async function leaseFreeSends(
  db: Queryable,
  requests: readonly LeaseRequest[],
  leaseMs: number,
): Promise<boolean[]> {
  // A key once per statement (ON CONFLICT DO UPDATE may touch a row only once): a second request
  // for it finds the first one's lease when it looks closer.
  const first = new Map<string, LeaseRequest>();
  for (const r of requests) if (!first.has(r.send.idempotencyKey)) first.set(r.send.idempotencyKey, r);
  const rows = [...first.values()].map(({ send, onlyInStages }) => ({
    key: send.idempotencyKey,
    workflow_id: send.workflowId,
    kind: send.kind,
    planned_at: send.plannedAt,
    recipients: send.recipients,
    subject: send.subject,
    expires_at: send.expiresAt ?? null,
    stages: onlyInStages ?? null,
  }));
  const result = await db.query<{ idempotency_key: string }>(
    `INSERT INTO send_log AS s (idempotency_key, workflow_id, kind, planned_at, recipients, subject, status, expires_at,
       lease_until, attempts)
     SELECT q.key, q.workflow_id, q.kind, q.planned_at, q.recipients, q.subject, 'sending', q.expires_at,
       now() + make_interval(secs => $2::double precision / 1000), 1
     FROM jsonb_to_recordset($1::jsonb) AS q(key text, workflow_id text, kind text, planned_at timestamptz,
       recipients text[], subject text, expires_at timestamptz, stages text[])
     WHERE q.stages IS NULL
        OR EXISTS (SELECT 1 FROM deliverable_status WHERE workflow_id = q.workflow_id AND stage = ANY(q.stages) FOR SHARE)
     ORDER BY q.key
     ON CONFLICT (idempotency_key) DO UPDATE SET status = 'sending', lease_until = EXCLUDED.lease_until,
       attempts = s.attempts + 1, recipients = EXCLUDED.recipients
     WHERE s.status = 'pending' OR (s.status = 'sending' AND s.lease_until <= now())
     RETURNING s.idempotency_key`,
    [JSON.stringify(rows), leaseMs],
  );
  const leased = new Set(result.rows.map((row) => row.idempotency_key));
  return requests.map((r) => first.get(r.send.idempotencyKey) === r && leased.has(r.send.idempotencyKey));
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
  await db.query(
    `UPDATE send_log SET status = 'sent', message_id = $2, sent_at = $3, lease_until = NULL, last_error = NULL
     WHERE idempotency_key = $1`,
    [idempotencyKey, messageId, sentAt],
  );
}

/** A send that went out, with the audit event that records it. */
export interface SentOutcome {
  idempotencyKey: string;
  messageId: string;
  sentAt: Date;
  /** Without content to project (carriesContent): that takes a transaction of its own. */
  event: AuditEvent;
}

/**
 * Marks sends sent, each with its audit event and the read model's snapshot the event carries,
 * in one statement of data-modifying WITH queries: atomic without a transaction, one round trip
 * for a batch of mails. Answers, per outcome, whether its event was new (a snapshot is projected
 * only for a new event, as appendAuditEvent does). The events are inserted in their workflows'
 * order; of one workflow's snapshots in a batch the newest is projected, as one after the other
 * would leave it.
 */
export async function markSentWithEvents(db: Queryable, outcomes: readonly SentOutcome[]): Promise<boolean[]> {
  const rows = outcomes.map((o, i) => ({
    ord: i,
    key: o.idempotencyKey,
    message_id: o.messageId,
    sent_at: o.sentAt,
    ...auditRecord(o.event),
  }));
  const seq = snapshotSeqOf('q.payload');
  const result = await db.query<{ event_key: string }>(
    `WITH q AS (
       SELECT * FROM jsonb_to_recordset($1::jsonb) AS q(ord integer, key text, message_id text, sent_at timestamptz,
         ${AUDIT_RECORD})
     ), change AS (
       -- The rows found by their keys through the primary key: joined on q alone, the planner
       -- (which takes q for 100 rows) scans the whole send log for every batch, a cost that grew
       -- with the log (the benchmark's PostgreSQL CPU per mail did).
       UPDATE send_log s SET status = 'sent', message_id = q.message_id, sent_at = q.sent_at, lease_until = NULL,
         last_error = NULL
       FROM q WHERE s.idempotency_key = ANY($2::text[]) AND s.idempotency_key = q.key
     ), event AS (
       INSERT INTO audit_log (occurred_at, workflow_id, run_id, seq, kind, actor, event_key, payload)
       SELECT occurred_at, workflow_id, run_id, seq, kind, actor, event_key, payload FROM q
       ORDER BY workflow_id, occurred_at, seq NULLS LAST, ord
       ON CONFLICT (event_key) DO NOTHING
       RETURNING id, event_key
     ), projected AS (
       ${snapshotsUpsert(
         `SELECT DISTINCT ON (q.workflow_id) q.workflow_id, ${snapshotColumnsOf('q.payload')}, event.id, q.run_id, ${seq},
            q.occurred_at
          FROM event JOIN q ON q.event_key = event.event_key
          WHERE q.payload ? 'snapshot'
          ORDER BY q.workflow_id, ${seq} DESC, event.id`,
       )}
     )
     SELECT event_key FROM event`,
    [JSON.stringify(rows), rows.map((r) => r.key)],
  );
  const recorded = new Set(result.rows.map((r) => r.event_key));
  return outcomes.map((o) => recorded.has(o.event.eventKey));
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
