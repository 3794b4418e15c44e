import { createHash } from 'node:crypto';
import { Context } from '@temporalio/activity';
import { appendAuditEvent } from '../db/audit-log';
import { withTransaction } from '../db/database';
import { claimSend, markSent } from '../db/send-log';
import { ActivityDeps } from './ports';
import { renderReminderMail } from './reminder-mail';

export interface RecordEventInput {
  workflowId: string;
  kind: string;
  /** Workflow time of the transition (virtual under the time-skipping server). */
  occurredAt: string;
  actor?: string;
  payload?: Record<string, unknown>;
}

export interface SendReminderInput {
  workflowId: string;
  budgetYear: number;
  phaseName: string;
  boardName: string;
  recipients: string[];
  deadline: string;
  /** The planned instant of this reminder: part of its idempotency key. */
  plannedAt: string;
  /** Workflow time when the reminder fired. */
  firedAt: string;
}

export interface SendReminderResult {
  idempotencyKey: string;
  messageId: string;
  /** False when an earlier attempt had already sent it (a retry after a crash). */
  sentNow: boolean;
}

/** The idempotency key of a planned notification: workflow ID, kind and planned instant. */
export function notificationKey(workflowId: string, kind: string, plannedAt: string): string {
  return `${workflowId}#${kind}@${new Date(plannedAt).toISOString()}`;
}

function stableMessageId(key: string): string {
  return `<${createHash('sha256').update(key).digest('hex').slice(0, 32)}@arshjul>`;
}

/** Activities over narrow ports; the worker decides what the ports are. */
export function createActivities({ db, mailer, clock }: ActivityDeps) {
  return {
    async recordEvent(input: RecordEventInput): Promise<void> {
      await appendAuditEvent(db, {
        occurredAt: new Date(input.occurredAt),
        workflowId: input.workflowId,
        runId: Context.current().info.workflowExecution?.runId,
        kind: input.kind,
        actor: input.actor ?? 'system',
        eventKey: `${input.workflowId}#${input.kind}@${input.occurredAt}`,
        payload: input.payload,
      });
    },

    /**
     * Sends one reminder at most once. The send-log row is locked for the whole attempt, so a
     * concurrent retry waits and then sees it sent. The one window left: the relay accepted the
     * mail and the process died before COMMIT; the retry then resends with the same Message-ID.
     */
    async sendReminder(input: SendReminderInput): Promise<SendReminderResult> {
      const key = notificationKey(input.workflowId, 'reminder', input.plannedAt);
      const mail = renderReminderMail({
        boardName: input.boardName,
        phaseName: input.phaseName,
        budgetYear: input.budgetYear,
        deadline: new Date(input.deadline),
      });
      return withTransaction(db, async (tx) => {
        const row = await claimSend(tx, {
          idempotencyKey: key,
          workflowId: input.workflowId,
          kind: 'reminder',
          plannedAt: new Date(input.plannedAt),
          recipients: input.recipients,
          subject: mail.subject,
        });
        if (row.status === 'sent') {
          return { idempotencyKey: key, messageId: row.message_id ?? '', sentNow: false };
        }
        const sent = await mailer.send({ to: input.recipients, ...mail, messageId: stableMessageId(key) });
        await markSent(tx, key, sent.messageId, clock.now());
        await appendAuditEvent(tx, {
          occurredAt: new Date(input.firedAt),
          workflowId: input.workflowId,
          runId: Context.current().info.workflowExecution?.runId,
          kind: 'reminder-sent',
          actor: 'system',
          eventKey: `${key}#sent`,
          payload: {
            recipients: input.recipients,
            subject: mail.subject,
            plannedAt: input.plannedAt,
            messageId: sent.messageId,
          },
        });
        return { idempotencyKey: key, messageId: sent.messageId, sentNow: true };
      });
    },
  };
}

export type Activities = ReturnType<typeof createActivities>;
