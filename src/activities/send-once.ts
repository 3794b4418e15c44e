import { createHash } from 'node:crypto';
import { Context } from '@temporalio/activity';
import { appendAuditEvent } from '../db/audit-log';
import { Queryable, withTransaction } from '../db/database';
import { claimSend, leaseSend, markExpired, markFailed, markSent, releaseSend } from '../db/send-log';
import { ActivityDeps, isPermanentSmtpFailure } from './ports';
import { RenderedMail } from './reminder-mail';

export interface SendOnceResult {
  idempotencyKey: string;
  messageId: string;
  /** False when an earlier attempt had already sent it (a retry after a crash). */
  sentNow: boolean;
  /** Failed for good (e.g. nobody to send to): recorded in the send log, not retried. */
  failed?: string;
  /** Its moment passed before it could go out: recorded as expired, never sent. */
  expired?: boolean;
  /** How many recipients get this reminder in their weekly digest instead (none mailed now). */
  toDigest?: number;
  /** Not sent: the deliverable had left the stages it was for when the mail was claimed. */
  moot?: boolean;
}

export interface PlannedMail {
  /** Idempotency key: the workflow ID, the planned action and its instant. */
  key: string;
  workflowId: string;
  /** The sequence number the workflow gave this notification (the order of the record). */
  seq?: number;
  /** Kind in the send log (`reminder`, `escalation-2`, …). */
  logKind: string;
  /** Prefix of the audit events (`reminder-sent`, `escalation-failed`). */
  auditKind: string;
  plannedAt: string;
  /** Workflow time when the action fired (virtual under the time-skipping server). */
  firedAt: string;
  /** After this instant the mail is moot (the deadline, the next step): never sent then. */
  expiresAt?: string;
  /**
   * Sent only while the deliverable's recorded stage is one of these. Checked under a share lock
   * on its read-model row, which the event of a hand-in updates: the hand-in is recorded either
   * before the claim (the mail is moot, never sent) or after it (the mail went first).
   */
  onlyInStages?: string[];
  to: string[];
  /** The roles the addresses came from, named when none resolved. */
  roles: string[];
  mail: RenderedMail;
  payload: Record<string, unknown>;
}

/**
 * How long one attempt holds a send. Longer than an attempt can take (the activity's 30 s, the
 * transport's socket timeout of 20 s), so a retry never sends while a slow attempt still might;
 * short enough that a send whose worker died is retried within a minute.
 */
export const SEND_LEASE_MS = 45_000;

/** Another attempt holds the lease: this one is retried with backoff and then finds it sent. */
export class SendInProgress extends Error {
  override name = 'SendInProgress';
}

export function stableMessageId(key: string): string {
  return `<${createHash('sha256').update(key).digest('hex').slice(0, 32)}@arshjul>`;
}

/**
 * Sends one planned mail at most once, without holding a database transaction across the SMTP
 * exchange: a short transaction takes a lease on the send-log row (`sending`, with an expiry),
 * the mail goes out, a second short transaction records the outcome. A concurrent attempt finds
 * the lease and is retried later. The one window left: the relay accepted the mail and the
 * process died before the outcome was recorded; once the lease has run out a retry resends with
 * the same Message-ID, so the duplicate can be recognised.
 */
export async function sendOnce(
  { db, mailer, clock, metrics }: ActivityDeps,
  planned: PlannedMail,
): Promise<SendOnceResult> {
  const { key } = planned;
  // Only outcomes this attempt recorded are counted, after their transaction committed.
  let recorded: 'failed' | 'expired' | undefined;
  const runId = Context.current().info.workflowExecution?.runId;
  const audit = (tx: Queryable, outcome: 'sent' | 'failed' | 'expired', extra: Record<string, unknown>) =>
    appendAuditEvent(tx, {
      occurredAt: new Date(planned.firedAt),
      workflowId: planned.workflowId,
      runId,
      seq: planned.seq,
      kind: `${planned.auditKind}-${outcome}`,
      actor: 'system',
      eventKey: `${key}#${outcome}`,
      payload: { ...planned.payload, plannedAt: planned.plannedAt, ...extra },
    });
  const result = (extra: Partial<SendOnceResult>): SendOnceResult => ({
    idempotencyKey: key,
    messageId: '',
    sentNow: false,
    ...extra,
  });

  const claim = await withTransaction(db, async (tx): Promise<SendOnceResult | 'leased' | 'busy'> => {
    if (planned.onlyInStages) {
      const { rows } = await tx.query<{ stage: string }>(
        'SELECT stage FROM deliverable_status WHERE workflow_id = $1 FOR SHARE',
        [planned.workflowId],
      );
      const stage = rows[0]?.stage;
      if (stage === undefined || !planned.onlyInStages.includes(stage)) {
        // An attempt before this one (cut off after the relay took it) may have sent it already.
        const earlier = await tx.query<{ status: string; message_id: string | null }>(
          'SELECT status, message_id FROM send_log WHERE idempotency_key = $1',
          [key],
        );
        const sent = earlier.rows[0]?.status === 'sent';
        return sent ? result({ messageId: earlier.rows[0]!.message_id ?? '' }) : result({ moot: true });
      }
    }
    const row = await claimSend(tx, {
      idempotencyKey: key,
      workflowId: planned.workflowId,
      kind: planned.logKind,
      plannedAt: new Date(planned.plannedAt),
      recipients: planned.to,
      subject: planned.mail.subject,
      ...(planned.expiresAt && { expiresAt: new Date(planned.expiresAt) }),
    });
    if (row.status === 'sent') return result({ messageId: row.message_id ?? '' });
    if (row.status === 'failed') return result({ failed: row.last_error ?? 'failed' });
    if (row.status === 'expired') return result({ expired: true });
    if (row.lease_held) return 'busy';
    if (planned.expiresAt && clock.now().getTime() >= Date.parse(planned.expiresAt)) {
      await markExpired(tx, {
        idempotencyKey: key,
        workflowId: planned.workflowId,
        kind: planned.logKind,
        plannedAt: row.planned_at,
        keys: [key],
      });
      await audit(tx, 'expired', { expiresAt: planned.expiresAt, lastError: row.last_error });
      recorded = 'expired';
      return result({ expired: true });
    }
    if (planned.to.length === 0) {
      const problem = `no address for ${planned.roles.join(', ')} in the registry`;
      await markFailed(tx, key, problem);
      await audit(tx, 'failed', { problem });
      recorded = 'failed';
      return result({ failed: problem });
    }
    await leaseSend(tx, key, planned.to, SEND_LEASE_MS);
    return 'leased';
  });
  if (claim === 'busy') throw new SendInProgress(`${key} is being sent by another attempt`);
  if (claim !== 'leased') {
    if (recorded) metrics?.mailRecorded(recorded, planned.logKind);
    return claim;
  }

  let sent: Awaited<ReturnType<typeof mailer.send>>;
  try {
    sent = await mailer.send({ to: planned.to, ...planned.mail, messageId: stableMessageId(key) });
  } catch (error) {
    const message = String((error as Error)?.message ?? error).slice(0, 1000);
    if (!isPermanentSmtpFailure(error)) {
      // Retried with backoff; the lease is given back so the retry need not wait for it.
      await releaseSend(db, key, message).catch(() => undefined);
      throw error;
    }
    const problem = `refused by the relay: ${message}`.slice(0, 1000);
    await withTransaction(db, async (tx) => {
      await markFailed(tx, key, problem);
      await audit(tx, 'failed', { problem, recipients: planned.to });
    });
    // The log names the mail by its kind and key; the relay's answer may hold an address and stays in the record.
    Context.current().log.warn('Mail refused by the relay', { kind: planned.logKind, idempotencyKey: key });
    metrics?.mailRecorded('failed', planned.logKind);
    return result({ failed: problem });
  }
  const sentAt = clock.now();
  await withTransaction(db, async (tx) => {
    await markSent(tx, key, sent.messageId, sentAt);
    await audit(tx, 'sent', {
      recipients: planned.to,
      subject: planned.mail.subject,
      messageId: sent.messageId,
      ...(sent.rejected.length > 0 && { rejected: sent.rejected }),
    });
  });
  // One line per mail sent, with the workflow's ID from the activity's context: ids and counts only.
  Context.current().log.info('Mail sent', {
    kind: planned.logKind,
    idempotencyKey: key,
    messageId: sent.messageId,
    recipients: planned.to.length,
  });
  metrics?.mailRecorded('sent', planned.logKind, latenessSeconds(planned.plannedAt, sentAt));
  return result({ messageId: sent.messageId, sentNow: true });
}

/**
 * How long after its planned instant a mail went out, in seconds; never below zero (a mail is
 * not sent before its instant, but a planned instant in workflow time can run ahead of the
 * process's clock under the time-skipping test server).
 */
export function latenessSeconds(plannedAt: string, sentAt: Date): number {
  return Math.max(0, (sentAt.getTime() - Date.parse(plannedAt)) / 1000);
}
