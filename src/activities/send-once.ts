import { createHash } from 'node:crypto';
import { Context } from '@temporalio/activity';
import { appendAuditEvent, AuditEvent } from '../db/audit-log';
import { createBatcher } from '../db/batcher';
import { carriesContent } from '../db/content-projection';
import { Queryable, withTransaction } from '../db/database';
import { perPool } from '../db/per-pool';
import { lockedStage } from '../db/read-model';
import {
  claimSend,
  LeaseRequest,
  leaseFreeSends,
  leaseSend,
  markExpired,
  markFailed,
  markSent,
  markSentWithEvents,
  PlannedSend,
  releaseSend,
  SentOutcome,
} from '../db/send-log';
import { ActivityDeps, Clock, isPermanentSmtpFailure, MailOutcome } from './ports';
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

/**
 * The leases and the outcomes of the mails in flight, each kind one statement for all of them
 * (a group commit, src/db/batcher.ts); one pair per pool, shared by every activity set on it.
 */
interface OutboxStatements {
  lease(request: LeaseRequest): Promise<boolean>;
  recordSent(outcome: SentOutcome): Promise<boolean>;
}

const outboxStatements = perPool((pool, prepared): OutboxStatements => ({
  lease: createBatcher((requests: readonly LeaseRequest[]) => leaseFreeSends(prepared, requests, SEND_LEASE_MS)),
  // Not prepared: a prepared statement's plan is made once, on the connection's sixth run,
  // for the send log as it was then; made when the log was small, it scans the whole log for
  // every batch ever after (a cost per mail that grew with the log). Planned each time, it
  // finds a batch's rows through the primary key at any size.
  recordSent: createBatcher((outcomes: readonly SentOutcome[]) => markSentWithEvents(pool, outcomes)),
}));

export function stableMessageId(key: string): string {
  return `<${createHash('sha256').update(key).digest('hex').slice(0, 32)}@arshjul>`;
}

/**
 * Sends one planned mail at most once, without holding a database transaction across the SMTP
 * exchange: one statement takes a lease on the send-log row (`sending`, with an expiry), the mail
 * goes out, a second statement records the outcome with its audit event (each statement shared
 * by the mails in flight at the moment, each mail with its own row's answer). A concurrent attempt
 * finds the lease and is retried later. The one window left: the relay accepted the mail and the
 * process died before the outcome was recorded; once the lease has run out a retry resends with
 * the same Message-ID, so the duplicate can be recognised. A send that is not new or free (a
 * retry, another attempt's lease, moot, expired, nobody to send to) is looked at in a short
 * transaction instead.
 */
export async function sendOnce(deps: ActivityDeps, planned: PlannedMail): Promise<SendOnceResult> {
  const { db, mailer, clock, metrics } = deps;
  const { key } = planned;
  const runId = Context.current().info.workflowExecution?.runId;
  const eventOf = (outcome: MailOutcome, extra: Record<string, unknown>): AuditEvent => ({
    occurredAt: new Date(planned.firedAt),
    workflowId: planned.workflowId,
    runId,
    seq: planned.seq,
    kind: `${planned.auditKind}-${outcome}`,
    actor: 'system',
    eventKey: `${key}#${outcome}`,
    payload: { ...planned.payload, plannedAt: planned.plannedAt, ...extra },
  });
  const send: PlannedSend = {
    idempotencyKey: key,
    workflowId: planned.workflowId,
    kind: planned.logKind,
    plannedAt: new Date(planned.plannedAt),
    recipients: planned.to,
    subject: planned.mail.subject,
    ...(planned.expiresAt && { expiresAt: new Date(planned.expiresAt) }),
  };

  // The common case in one statement (shared with the other mails in flight): a new (or free)
  // send with somebody to send to, its moment not passed, its deliverable in one of the stages it
  // is for. Anything else the long way.
  const statements = outboxStatements(db);
  const quick = planned.to.length > 0 && !hasPassed(planned, clock);
  const leased = quick && (await statements.lease({ send, onlyInStages: planned.onlyInStages }));
  if (!leased) {
    const claim = await withTransaction(db, (tx) => claimInTransaction(tx, planned, send, clock, eventOf));
    if (claim === 'busy') throw new SendInProgress(`${key} is being sent by another attempt`);
    if (claim !== 'leased') {
      // Only outcomes this attempt recorded are counted, after their transaction committed.
      if (claim.recorded) metrics?.mailRecorded(claim.recorded, planned.logKind);
      return claim.result;
    }
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
      await appendAuditEvent(tx, eventOf('failed', { problem, recipients: planned.to }));
    });
    // The log names the mail by its kind and key; the relay's answer may hold an address and stays in the record.
    Context.current().log.warn('Mail refused by the relay', { kind: planned.logKind, idempotencyKey: key });
    metrics?.mailRecorded('failed', planned.logKind);
    return outcome(key, { failed: problem });
  }
  const sentAt = clock.now();
  const event = eventOf('sent', {
    recipients: planned.to,
    subject: planned.mail.subject,
    messageId: sent.messageId,
    ...(sent.rejected.length > 0 && { rejected: sent.rejected }),
  });
  // Marked sent with its audit event (and the read model's snapshot) in one statement, shared
  // with the other mails in flight; an event with content to project takes a transaction.
  if (carriesContent(event)) {
    await withTransaction(db, async (tx) => {
      await markSent(tx, key, sent.messageId, sentAt);
      await appendAuditEvent(tx, event);
    });
  } else {
    await statements.recordSent({ idempotencyKey: key, messageId: sent.messageId, sentAt, event });
  }
  // One line per mail sent, with the workflow's ID from the activity's context: ids and counts only.
  Context.current().log.info('Mail sent', {
    kind: planned.logKind,
    idempotencyKey: key,
    messageId: sent.messageId,
    recipients: planned.to.length,
  });
  metrics?.mailRecorded('sent', planned.logKind, latenessSeconds(planned.plannedAt, sentAt));
  return outcome(key, { messageId: sent.messageId, sentNow: true });
}

/** What a claim found instead of a lease, and the outcome it recorded itself (to be counted). */
type Claim = 'leased' | 'busy' | { result: SendOnceResult; recorded?: MailOutcome };

/**
 * The long way to a lease, in a short transaction: the deliverable's stage under a share lock
 * (moot unless an earlier attempt sent it), the send-log row locked, an outcome already there
 * returned, another attempt's lease respected; a send whose moment passed is recorded as
 * expired, one with nobody to send to as failed; else the lease is taken.
 */
async function claimInTransaction(
  tx: Queryable,
  planned: PlannedMail,
  send: PlannedSend,
  clock: Clock,
  eventOf: (outcome: MailOutcome, extra: Record<string, unknown>) => AuditEvent,
): Promise<Claim> {
  const { key } = planned;
  const found = (extra: Partial<SendOnceResult>): Claim => ({ result: outcome(key, extra) });
  if (planned.onlyInStages) {
    const stage = await lockedStage(tx, planned.workflowId);
    if (stage === undefined || !planned.onlyInStages.includes(stage)) {
      // An attempt before this one (cut off after the relay took it) may have sent it already.
      const earlier = await tx.query<{ status: string; message_id: string | null }>(
        'SELECT status, message_id FROM send_log WHERE idempotency_key = $1',
        [key],
      );
      const sent = earlier.rows[0]?.status === 'sent';
      return sent ? found({ messageId: earlier.rows[0]!.message_id ?? '' }) : found({ moot: true });
    }
  }
  const row = await claimSend(tx, send);
  if (row.status === 'sent') return found({ messageId: row.message_id ?? '' });
  if (row.status === 'failed') return found({ failed: row.last_error ?? 'failed' });
  if (row.status === 'expired') return found({ expired: true });
  if (row.lease_held) return 'busy';
  if (hasPassed(planned, clock)) {
    await markExpired(tx, {
      idempotencyKey: key,
      workflowId: planned.workflowId,
      kind: planned.logKind,
      plannedAt: row.planned_at,
      keys: [key],
    });
    await appendAuditEvent(tx, eventOf('expired', { expiresAt: planned.expiresAt, lastError: row.last_error }));
    return { result: outcome(key, { expired: true }), recorded: 'expired' };
  }
  if (planned.to.length === 0) {
    const problem = `no address for ${planned.roles.join(', ')} in the registry`;
    await markFailed(tx, key, problem);
    await appendAuditEvent(tx, eventOf('failed', { problem }));
    return { result: outcome(key, { failed: problem }), recorded: 'failed' };
  }
  await leaseSend(tx, key, planned.to, SEND_LEASE_MS);
  return 'leased';
}

function outcome(idempotencyKey: string, extra: Partial<SendOnceResult>): SendOnceResult {
  return { idempotencyKey, messageId: '', sentNow: false, ...extra };
}

/** Whether the instant after which the mail is moot has come (by the activity's clock). */
function hasPassed(planned: PlannedMail, clock: Clock): boolean {
  return planned.expiresAt !== undefined && clock.now().getTime() >= Date.parse(planned.expiresAt);
}

/**
 * How long after its planned instant a mail went out, in seconds; never below zero (a mail is
 * not sent before its instant, but a planned instant in workflow time can run ahead of the
 * process's clock under the time-skipping test server).
 */
export function latenessSeconds(plannedAt: string, sentAt: Date): number {
  return Math.max(0, (sentAt.getTime() - Date.parse(plannedAt)) / 1000);
}
