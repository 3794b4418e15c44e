import { createHash } from 'node:crypto';
import { Context } from '@temporalio/activity';
import { appendAuditEvent } from '../db/audit-log';
import { withTransaction } from '../db/database';
import { claimSend, markFailed, markSent } from '../db/send-log';
import { ActivityDeps } from './ports';
import { renderNotificationMail, renderReminderMail } from './reminder-mail';
import { CycleCalendar } from '../domain/cycle-calendar';
import { LocalDate } from '../domain/local-date';
import { Organisation, Registry, responsibleOn } from '../domain/organisations';
import { addDays, compareDates } from '../domain/local-date';
import { DeliverablePlan, DeliverablePlanInput, deliverableSpecs, planDeliverable } from '../domain/planner';
import { EscalationAddresses, escalationAddresses } from '../domain/recipients';
import { zonedInstant } from '../domain/zoned-time';

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
  /** Failed for good (e.g. nobody to send to): recorded in the send log, not retried. */
  failed?: string;
  /** False when an earlier attempt had already sent it (a retry after a crash). */
  sentNow: boolean;
}

export interface SendNotificationInput {
  workflowId: string;
  /** Stable action ID from the plan, e.g. tertialrapport-1/farsta/reminder-2. */
  actionId: string;
  kind: 'opening' | 'reminder' | 'escalation';
  level?: number;
  plannedAt: string;
  firedAt: string;
  budgetYear: number;
  phaseName: string;
  boardName: string;
  deadlineAt: string;
  to: string[];
  /** The roles the addresses were resolved from (named when none resolved). */
  roles: string[];
}

export interface PhaseDeliverable {
  spec: DeliverablePlanInput;
  plan: DeliverablePlan;
  above: EscalationAddresses;
  /** The board ceases before its deadline (a merger): its successor takes over at `at`. */
  handOver?: { on: LocalDate; at: string; board: Organisation; above: EscalationAddresses };
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

    /** Sends one planned notification at most once (same locking as sendReminder). */
    async sendNotification(input: SendNotificationInput): Promise<SendReminderResult> {
      const key = notificationKey(input.workflowId, input.actionId, input.plannedAt);
      const mail = renderNotificationMail({
        kind: input.kind,
        level: input.level,
        boardName: input.boardName,
        phaseName: input.phaseName,
        budgetYear: input.budgetYear,
        deadline: new Date(input.deadlineAt),
      });
      return withTransaction(db, async (tx) => {
        const row = await claimSend(tx, {
          idempotencyKey: key,
          workflowId: input.workflowId,
          kind: input.kind === 'escalation' ? `escalation-${input.level ?? 1}` : input.kind,
          plannedAt: new Date(input.plannedAt),
          recipients: input.to,
          subject: mail.subject,
        });
        if (row.status === 'sent') return { idempotencyKey: key, messageId: row.message_id ?? '', sentNow: false };
        if (row.status === 'failed')
          return { idempotencyKey: key, messageId: '', sentNow: false, failed: row.last_error ?? 'failed' };
        if (input.to.length === 0) {
          const problem = `no address for ${input.roles.join(', ')} in the registry`;
          await markFailed(tx, key, problem);
          await appendAuditEvent(tx, {
            occurredAt: new Date(input.firedAt),
            workflowId: input.workflowId,
            runId: Context.current().info.workflowExecution?.runId,
            kind: `${input.kind}-failed`,
            actor: 'system',
            eventKey: `${key}#failed`,
            payload: { actionId: input.actionId, level: input.level, problem, plannedAt: input.plannedAt },
          });
          return { idempotencyKey: key, messageId: '', sentNow: false, failed: problem };
        }
        const sent = await mailer.send({ to: input.to, ...mail, messageId: stableMessageId(key) });
        await markSent(tx, key, sent.messageId, clock.now());
        await appendAuditEvent(tx, {
          occurredAt: new Date(input.firedAt),
          workflowId: input.workflowId,
          runId: Context.current().info.workflowExecution?.runId,
          kind: `${input.kind}-sent`,
          actor: 'system',
          eventKey: `${key}#sent`,
          payload: {
            actionId: input.actionId,
            level: input.level,
            recipients: input.to,
            subject: mail.subject,
            plannedAt: input.plannedAt,
          },
        });
        return { idempotencyKey: key, messageId: sent.messageId, sentNow: true };
      });
    },

    /**
     * Plans one phase for every board it addresses, on the day it opens. Workflows call this
     * (rather than computing dates) so the plan sits in their history: a later upgrade of the
     * holiday or time-zone data cannot change what a running workflow replays.
     */
    async planPhase(input: {
      calendar: CycleCalendar;
      registry: Registry;
      phaseId: string;
      opensOn?: LocalDate;
    }): Promise<PhaseDeliverable[]> {
      const phases = input.calendar.phases.map((p) =>
        p.id === input.phaseId && p.kind === 'deliverable' && input.opensOn
          ? { ...p, opens: { date: input.opensOn } }
          : p,
      );
      const calendar = {
        ...input.calendar,
        phases: phases.filter((p) => p.kind === 'milestone' || p.id === input.phaseId),
      };
      return deliverableSpecs(calendar, input.registry).map((spec) => {
        const plan = planDeliverable(spec);
        const deliverable: PhaseDeliverable = {
          spec,
          plan,
          above: escalationAddresses(input.registry, spec.board, spec.opensOn),
        };
        const { validTo } = spec.board;
        if (validTo && compareDates(validTo, plan.deadline.date) < 0) {
          const on = addDays(validTo, 1);
          const successor = responsibleOn(input.registry, spec.board.id, on);
          if (successor && successor.id !== spec.board.id) {
            deliverable.handOver = {
              on,
              at: zonedInstant(on, '00:00', calendar.timeZone).toISOString(),
              board: successor,
              above: escalationAddresses(input.registry, successor, on),
            };
          }
        }
        return deliverable;
      });
    },

    /** When each date-opened phase opens and each milestone falls: instants for the cycle to sleep to. */
    async cycleSchedule(input: {
      calendar: CycleCalendar;
    }): Promise<{ openings: Record<string, string>; milestones: Record<string, string> }> {
      const { calendar } = input;
      const at = (date: LocalDate): string => zonedInstant(date, calendar.notifyAt, calendar.timeZone).toISOString();
      const openings: Record<string, string> = {};
      const milestones: Record<string, string> = {};
      for (const phase of calendar.phases) {
        if (phase.kind === 'milestone') milestones[phase.id] = at(phase.date);
        else if ('date' in phase.opens) openings[phase.id] = at(phase.opens.date);
      }
      return { openings, milestones };
    },

    /** Replans one deliverable with another deadline (moved, extended, returned). */
    async replanDeliverable(input: { spec: DeliverablePlanInput; deadline: LocalDate }): Promise<DeliverablePlan> {
      return planDeliverable({ ...input.spec, deadline: input.deadline });
    },
  };
}

export type Activities = ReturnType<typeof createActivities>;
