import { createHash } from 'node:crypto';
import { Context } from '@temporalio/activity';
import { appendAuditEvent } from '../db/audit-log';
import { withTransaction } from '../db/database';
import { claimSend, markFailed, markSent } from '../db/send-log';
import { ActivityDeps, isPermanentSmtpFailure } from './ports';
import { RenderedMail } from './reminder-mail';

export interface SendOnceResult {
  idempotencyKey: string;
  messageId: string;
  /** False when an earlier attempt had already sent it (a retry after a crash). */
  sentNow: boolean;
  /** Failed for good (e.g. nobody to send to): recorded in the send log, not retried. */
  failed?: string;
  /** How many recipients get this reminder in their weekly digest instead (none mailed now). */
  toDigest?: number;
}

export interface PlannedMail {
  /** Idempotency key: the workflow ID, the planned action and its instant. */
  key: string;
  workflowId: string;
  /** Kind in the send log (`reminder`, `escalation-2`, …). */
  logKind: string;
  /** Prefix of the audit events (`reminder-sent`, `escalation-failed`). */
  auditKind: string;
  plannedAt: string;
  /** Workflow time when the action fired (virtual under the time-skipping server). */
  firedAt: string;
  to: string[];
  /** The roles the addresses came from, named when none resolved. */
  roles: string[];
  mail: RenderedMail;
  payload: Record<string, unknown>;
}

function stableMessageId(key: string): string {
  return `<${createHash('sha256').update(key).digest('hex').slice(0, 32)}@arshjul>`;
}

/**
 * Sends one planned mail at most once. The send-log row is locked for the whole attempt, so a
 * concurrent retry waits and then sees it sent. The one window left: the relay accepted the mail
 * and the process died before COMMIT; the retry then resends with the same Message-ID, so the
 * duplicate can be recognised.
 */
export function sendOnce({ db, mailer, clock }: ActivityDeps, planned: PlannedMail): Promise<SendOnceResult> {
  const { key } = planned;
  const audit = (
    tx: Parameters<typeof appendAuditEvent>[0],
    outcome: 'sent' | 'failed',
    extra: Record<string, unknown>,
  ) =>
    appendAuditEvent(tx, {
      occurredAt: new Date(planned.firedAt),
      workflowId: planned.workflowId,
      runId: Context.current().info.workflowExecution?.runId,
      kind: `${planned.auditKind}-${outcome}`,
      actor: 'system',
      eventKey: `${key}#${outcome}`,
      payload: { ...planned.payload, plannedAt: planned.plannedAt, ...extra },
    });
  return withTransaction(db, async (tx) => {
    const row = await claimSend(tx, {
      idempotencyKey: key,
      workflowId: planned.workflowId,
      kind: planned.logKind,
      plannedAt: new Date(planned.plannedAt),
      recipients: planned.to,
      subject: planned.mail.subject,
    });
    if (row.status === 'sent') return { idempotencyKey: key, messageId: row.message_id ?? '', sentNow: false };
    if (row.status === 'failed') {
      return { idempotencyKey: key, messageId: '', sentNow: false, failed: row.last_error ?? 'failed' };
    }
    if (planned.to.length === 0) {
      const problem = `no address for ${planned.roles.join(', ')} in the registry`;
      await markFailed(tx, key, problem);
      await audit(tx, 'failed', { problem });
      return { idempotencyKey: key, messageId: '', sentNow: false, failed: problem };
    }
    let sent: Awaited<ReturnType<typeof mailer.send>>;
    try {
      sent = await mailer.send({ to: planned.to, ...planned.mail, messageId: stableMessageId(key) });
    } catch (error) {
      if (!isPermanentSmtpFailure(error)) throw error; // retried with backoff; nothing is lost
      const problem = `refused by the relay: ${(error as Error).message}`.slice(0, 1000);
      await markFailed(tx, key, problem);
      await audit(tx, 'failed', { problem, recipients: planned.to });
      return { idempotencyKey: key, messageId: '', sentNow: false, failed: problem };
    }
    await markSent(tx, key, sent.messageId, clock.now());
    await audit(tx, 'sent', {
      recipients: planned.to,
      subject: planned.mail.subject,
      messageId: sent.messageId,
      ...(sent.rejected.length > 0 && { rejected: sent.rejected }),
    });
    return { idempotencyKey: key, messageId: sent.messageId, sentNow: true };
  });
}
