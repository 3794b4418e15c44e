import { Context } from '@temporalio/activity';
import { appendAuditEvent, auditEventRecorded } from '../db/audit-log';
import { withTransaction } from '../db/database';
import { lockedStage, type DeliverableSnapshot } from '../db/read-model';
import { CycleCalendar } from '../domain/cycle-calendar';
import { addDays, compareDates, LocalDate } from '../domain/local-date';
import { Organisation, Registry, responsibleOn } from '../domain/organisations';
import type { RecipientPreference } from '../db/recipient-preferences';
import type { RecipientContext, RecipientContextRequest } from '../db/recipient-context';
import { batchedRecipientLookups } from './batched-lookups';
import { stockholmDays } from './stockholm-days';
import { boardPeopleRecipients } from '../domain/board-recipients';
import type { RecipientRole } from '../domain/cycle-calendar';
import {
  DeliverablePlan,
  DeliverablePlanInput,
  deliverableSpecs,
  planDeliverable,
  scheduledOpenings,
} from '../domain/planner';
import { addressesFor, EscalationAddresses, escalationAddresses } from '../domain/recipients';
import { zonedInstant } from '../domain/zoned-time';
import { ActivityDeps } from './ports';
import { createCommitteeActivities } from './committee-notice';
import { createDigestActivities } from './digest';
import { boardPageUrl } from './links';
import { mailLanguages, NotificationKind, renderNotificationMail } from './reminder-mail';
import { sendOnce, SendOnceResult } from './send-once';
import { markExpired } from '../db/send-log';
import {
  contentHash,
  loadPhasePlans,
  loadRegistrySnapshot,
  StoredPlanKey,
  storePhasePlans,
  storeRegistrySnapshot,
} from '../db/phase-plans';
import type { ContentCheck } from '../domain/report-submission';
import { checkSubmissionRules, SubmissionRulesInput } from './submission-rules';
import { createReminderDispatchActivities } from './reminder-dispatch';
import { ReminderNotification, scheduleReminders } from '../db/scheduled-reminders';

export interface RecordEventInput {
  workflowId: string;
  /** The event's sequence number in its workflow: with the run ID, its idempotency key. */
  seq: number;
  kind: string;
  /** Workflow time of the transition (virtual under the time-skipping server). */
  occurredAt: string;
  actor?: string;
  payload?: Record<string, unknown>;
  /**
   * The reminders of the plan this event adopted, for the dispatcher (a deliverable whose
   * reminders are dispatched per instant): written in the event's transaction.
   */
  schedule?: { dispatcherId: string; reminders: ReminderNotification[] };
}

export interface SendNotificationInput {
  workflowId: string;
  /** The sequence number the workflow gave this notification (none for a dispatched reminder). */
  seq?: number;
  /** Stable action ID from the plan, e.g. tertialrapport-1/farsta/reminder-2. */
  actionId: string;
  kind: 'opening' | 'reminder' | 'escalation' | 'returned' | 'approved';
  level?: number;
  /** Why a submission was returned (free text from SLK). */
  reason?: string;
  plannedAt: string;
  firedAt: string;
  /** The instant after which it is moot (the deadline, the next step): recorded as expired then. */
  expiresAt?: string;
  budgetYear: number;
  phaseName: string;
  boardName: string;
  deadlineAt: string;
  to: string[];
  /** The roles the addresses were resolved from (named when none resolved). */
  roles: string[];
  /** The deliverable's state after this action, for the read model. */
  snapshot?: DeliverableSnapshot;
  /** The municipality and answering board, for a notification without a snapshot (a dispatched reminder). */
  about?: { municipality: string; boardId: string };
  /**
   * Sent only while the deliverable's recorded stage is one of these, checked when the mail is
   * claimed (a dispatched reminder: the board handed in meanwhile, so it is moot).
   */
  onlyInStages?: DeliverableSnapshot['stage'][];
}

export interface PhaseDeliverable {
  spec: DeliverablePlanInput;
  plan: DeliverablePlan;
  above: EscalationAddresses;
  /** The board ceases before its deadline (a merger): its successor takes over at `at`. */
  handOver?: { on: LocalDate; at: string; board: Organisation; above: EscalationAddresses };
}

export interface PlanPhaseInput {
  /** The cycle the plans belong to: the stored plans are keyed by it. */
  cycleWorkflowId: string;
  calendar: CycleCalendar;
  /** The registry stored by `storeRegistry`. */
  registryHash: string;
  phaseId: string;
  opensOn?: LocalDate;
}

/** A phase planned and stored: its boards with their plans' hashes, in the planner's order. */
export interface PlannedPhase {
  boards: StoredPlanKey[];
  /** The day the first board's opening mail goes (the planner's business-day opening). */
  opensOn?: LocalDate;
}

/**
 * Every board's deliverable of one phase, on the day it opens: what planPhase stores (pure; the
 * CLI's dry run and the benchmarks call it directly).
 */
export function planPhaseDeliverables(
  input: Pick<PlanPhaseInput, 'calendar' | 'phaseId' | 'opensOn'>,
  registry: Registry,
): PhaseDeliverable[] {
  const phases = input.calendar.phases.map((p) =>
    p.id === input.phaseId && p.kind === 'deliverable' && input.opensOn ? { ...p, opens: { date: input.opensOn } } : p,
  );
  const calendar = {
    ...input.calendar,
    phases: phases.filter((p) => p.kind === 'milestone' || p.id === input.phaseId),
  };
  return deliverableSpecs(calendar, registry).map((spec) => {
    const plan = planDeliverable(spec);
    const deliverable: PhaseDeliverable = {
      spec,
      plan,
      above: escalationAddresses(registry, spec.board, spec.opensOn),
    };
    const { validTo } = spec.board;
    if (validTo && compareDates(validTo, plan.deadline.date) < 0) {
      const on = addDays(validTo, 1);
      const successor = responsibleOn(registry, spec.board.id, on);
      if (successor && successor.id !== spec.board.id) {
        deliverable.handOver = {
          on,
          at: zonedInstant(on, '00:00', calendar.timeZone).toISOString(),
          board: successor,
          above: escalationAddresses(registry, successor, on),
        };
      }
    }
    return deliverable;
  });
}

/** The idempotency key of a planned notification: workflow ID, kind and planned instant. */
export function notificationKey(workflowId: string, kind: string, plannedAt: string): string {
  return `${workflowId}#${kind}@${new Date(plannedAt).toISOString()}`;
}

/** Whose registry entry and people a notification goes by: its snapshot's, or the one it names. */
function aboutOf(input: SendNotificationInput): { municipality: string; boardId: string } | undefined {
  if (input.snapshot) return { municipality: input.snapshot.municipality, boardId: input.snapshot.answeringBoardId };
  return input.about;
}

/** Activities over narrow ports; the worker decides what the ports are. */
export function createActivities(deps: ActivityDeps) {
  const { db } = deps;
  /** Registries by content hash: immutable, so a copy read once serves every later plan. */
  const registries = new Map<string, Registry>();
  const registryOf = async (hash: string): Promise<Registry> => {
    const known = registries.get(hash);
    if (known) return known;
    const loaded = await loadRegistrySnapshot(db, hash);
    // A few registries at most (one per municipality and change): keep the latest eight.
    if (registries.size >= 8) registries.delete(registries.keys().next().value as string);
    registries.set(hash, loaded);
    return loaded;
  };

  // The pool's batch, asked for when a notification needs it (an activity set built without a
  // database, as the planning's tests build it, never does).
  const recipientContext = (request: RecipientContextRequest) => batchedRecipientLookups(db)(request);
  // The Stockholm days of the instants the notifications name (fired, planned, deadline).
  const dayOf = stockholmDays();
  const resolveRecipients = (
    input: SendNotificationInput,
    context: RecipientContext,
    on: LocalDate,
  ): { to: string[]; from: 'registry' | 'plan' } => {
    const stored = context.organisations;
    if (!stored) return { to: input.to, from: 'plan' };
    // The registry as it stands on `on`, the day the action fired (workflow time).
    const roles = input.roles as RecipientRole[];
    const above = escalationAddresses(stored.related, stored.board, on);
    return { to: addressesFor(roles, stored.board, above), from: 'registry' };
  };
  /**
   * The board's people by their duty (issue 13), as they stand when the mail is sent: their
   * grants in force at the instant the action fired, the stand-ins whose period covers that
   * Stockholm day, each with their own language, digest and boards. An address the registry
   * gave already keeps the registry's (the formal mailbox's) preferences.
   */
  const boardPeople = (
    input: SendNotificationInput,
    context: RecipientContext,
    registry: { to: string[] },
  ): RecipientPreference[] => {
    const boardId = aboutOf(input)?.boardId;
    if (!boardId) return [];
    const { members, standIns } = context;
    const taken = new Set(registry.to.map((a) => a.toLowerCase()));
    return boardPeopleRecipients({ boardId, kind: input.kind, roles: input.roles, members, standIns })
      .filter((r) => !taken.has(r.address.toLowerCase()))
      .map((r) => ({ address: r.address, language: r.language, weeklyDigest: r.weeklyDigest }));
  };
  /**
   * The audit record of a reminder left to the weekly digest, with who will get it there. Whether
   * it is left there: not when the deliverable has left the stages the reminder is for (checked
   * under the lock a submission's record takes, as a mail's claim checks it), unless an earlier
   * attempt recorded the deferral before the stage changed.
   */
  const recordDigestDeferral = (input: SendNotificationInput, key: string, addresses: string[]) =>
    withTransaction(db, async (tx) => {
      const eventKey = `${key}#digest`;
      if (input.onlyInStages) {
        const stage = await lockedStage(tx, input.workflowId);
        if (stage === undefined || !input.onlyInStages.includes(stage)) return auditEventRecorded(tx, eventKey);
      }
      await appendAuditEvent(tx, {
        occurredAt: new Date(input.firedAt),
        workflowId: input.workflowId,
        runId: Context.current().info.workflowExecution?.runId,
        seq: input.seq,
        kind: 'reminder-to-digest',
        actor: 'system',
        eventKey,
        payload: { actionId: input.actionId, plannedAt: input.plannedAt, recipients: addresses },
      });
      return true;
    });

  const activities = {
    ...createDigestActivities(deps),
    ...createCommitteeActivities(deps),

    /**
     * Records one event; with a schedule, also the plan's reminders for the dispatcher, and tells
     * whether the dispatcher must be woken for an earlier instant (`wake`).
     */
    async recordEvent(input: RecordEventInput): Promise<{ wake?: string }> {
      const runId = Context.current().info.workflowExecution?.runId;
      // One transaction: the event and the read model it updates are committed together. The key
      // is the run and the workflow's sequence number: unique per event (two messages handled in
      // one activation keep two events), and the same for every retry of one event.
      return withTransaction(db, async (tx) => {
        const inserted = await appendAuditEvent(tx, {
          occurredAt: new Date(input.occurredAt),
          workflowId: input.workflowId,
          runId,
          seq: input.seq,
          kind: input.kind,
          actor: input.actor ?? 'system',
          eventKey: `${input.workflowId}@${runId ?? '-'}#${input.seq}`,
          payload: input.payload,
        });
        if (!input.schedule) return {};
        const schedule = { workflowId: input.workflowId, runId, seq: input.seq, ...input.schedule };
        return scheduleReminders(tx, schedule, !inserted);
      });
    },

    /**
     * Sends one notification (opening, reminder, escalation, review decision) at most once. The
     * recipients are resolved now, from the registry stored in PostgreSQL, so a contact changed
     * since the phase opened takes effect; without a stored registry, the addresses planned at
     * opening are used.
     */
    async sendNotification(input: SendNotificationInput): Promise<SendOnceResult> {
      // The registry's board and committees, the board's people and the addresses' preferences,
      // read in one statement with the other mails in flight.
      const firedAt = new Date(input.firedAt);
      const firedDay = dayOf(firedAt);
      const about = aboutOf(input);
      const context = await recipientContext({
        ...(about && { about }),
        at: firedAt,
        day: firedDay,
        planned: input.to,
      });
      const recipients = resolveRecipients(input, context, firedDay);
      const registryPrefs = context.preferencesOf(recipients.to);
      const peoplePrefs = boardPeople(input, context, recipients);
      const key = notificationKey(input.workflowId, input.actionId, input.plannedAt);
      const prefs = [...registryPrefs, ...peoplePrefs];
      // A reminder goes to the weekly digest of those who chose it, instead of its own mail.
      const digested = input.kind === 'reminder' ? prefs.filter((p) => p.weeklyDigest) : [];
      const direct = prefs.filter((p) => !digested.includes(p));
      const deferred =
        digested.length > 0 &&
        (await recordDigestDeferral(
          input,
          key,
          digested.map((p) => p.address),
        ));
      // Moot for its digest readers; the others' mails are checked again by their claims.
      if (digested.length > 0 && !deferred && direct.length === 0)
        return { idempotencyKey: key, messageId: '', sentNow: false, moot: true };
      const deadline = new Date(input.deadlineAt);
      const kind: NotificationKind =
        input.kind === 'reminder' && dayOf(new Date(input.plannedAt)) === dayOf(deadline) ? 'deadline-day' : input.kind;
      const boardId = aboutOf(input)?.boardId;
      const link = deps.publicUrl && boardId ? boardPageUrl(deps.publicUrl, boardId) : undefined;
      // One mail per language. The Swedish mail keeps the plain key (as before languages existed).
      const byLanguage = mailLanguages
        .map((language) => ({ language, to: direct.filter((p) => p.language === language).map((p) => p.address) }))
        .filter((group) => group.to.length > 0 || (group.language === 'sv' && digested.length === 0));
      const results: SendOnceResult[] = [];
      for (const group of byLanguage) {
        results.push(
          await sendOnce(deps, {
            key: group.language === 'sv' ? key : `${key}#${group.language}`,
            workflowId: input.workflowId,
            ...(input.seq !== undefined && { seq: input.seq }),
            ...(input.expiresAt && { expiresAt: input.expiresAt }),
            ...(input.onlyInStages && { onlyInStages: input.onlyInStages }),
            logKind: input.kind === 'escalation' ? `escalation-${input.level ?? 1}` : kind,
            auditKind: input.kind,
            plannedAt: input.plannedAt,
            firedAt: input.firedAt,
            to: group.to,
            roles: input.roles,
            mail: renderNotificationMail({
              kind,
              level: input.level,
              reason: input.reason,
              boardName: input.boardName,
              phaseName: input.phaseName,
              budgetYear: input.budgetYear,
              deadline,
              language: group.language,
              link,
            }),
            payload: {
              actionId: input.actionId,
              level: input.level,
              language: group.language,
              recipientsFrom: recipients.from,
              ...(input.snapshot && { snapshot: input.snapshot }),
            },
          }),
        );
      }
      if (results.length === 0)
        return { idempotencyKey: key, messageId: '', sentNow: false, toDigest: digested.length };
      return results.find((r) => r.failed) ?? results.find((r) => r.expired) ?? results[0]!;
    },

    /**
     * A notification whose retries ran out of time (the relay was down until the instant it was
     * about): every language's mail not yet sent becomes expired, recorded once. Tells whether a
     * mail of it went out after all (a slow last attempt).
     */
    async expireNotification(input: {
      workflowId: string;
      seq: number;
      actionId: string;
      kind: SendNotificationInput['kind'];
      level?: number;
      plannedAt: string;
      firedAt: string;
      snapshot?: DeliverableSnapshot;
    }): Promise<{ sent: boolean }> {
      const key = notificationKey(input.workflowId, input.actionId, input.plannedAt);
      const keys = [key, ...mailLanguages.filter((l) => l !== 'sv').map((l) => `${key}#${l}`)];
      const logKind = input.kind === 'escalation' ? `escalation-${input.level ?? 1}` : input.kind;
      const outcome = await withTransaction(db, async (tx) => {
        const { expired, sent, expiredKinds } = await markExpired(tx, {
          idempotencyKey: key,
          workflowId: input.workflowId,
          kind: logKind,
          plannedAt: new Date(input.plannedAt),
          keys,
        });
        if (expired.length > 0) {
          await appendAuditEvent(tx, {
            occurredAt: new Date(input.firedAt),
            workflowId: input.workflowId,
            runId: Context.current().info.workflowExecution?.runId,
            seq: input.seq,
            kind: `${input.kind}-expired`,
            actor: 'system',
            eventKey: `${key}#expired`,
            payload: {
              actionId: input.actionId,
              level: input.level,
              plannedAt: input.plannedAt,
              keys: expired,
              ...(input.snapshot && { snapshot: input.snapshot }),
            },
          });
        }
        return { sent, expiredKinds };
      });
      // Counted after the commit: one per mail (language) that became expired now.
      for (const kind of outcome.expiredKinds) deps.metrics?.mailRecorded('expired', kind);
      return { sent: outcome.sent };
    },

    /**
     * The checks of a report marked ready that need the record, run from the deliverable's
     * submit handler: its answers against the template the cycle keeps, with a section per
     * priority area, LUP measure, nämndmål and goal as the record has them, and the district's
     * LUP at this stage. The content's size and shape were checked in the validator.
     */
    async checkSubmissionRules(input: SubmissionRulesInput): Promise<ContentCheck> {
      return checkSubmissionRules(db, input);
    },

    /**
     * Stores the registry a cycle plans with, once, under its content hash: the cycle hands the
     * hash to the activities that plan, not the registry (issue 16).
     */
    async storeRegistry(input: { registry: Registry }): Promise<{ registryHash: string }> {
      const registryHash = await storeRegistrySnapshot(db, input.registry);
      registries.set(registryHash, input.registry);
      return { registryHash };
    },

    /**
     * Plans one phase for every board it addresses, on the day it opens, and stores each board's
     * plan in PostgreSQL under its content hash; returns only the boards and hashes, so a phase
     * of thousands of boards stays a small payload. Workflows call this (rather than computing
     * dates) so what they act on is fixed when they take it: a later upgrade of the holiday or
     * time-zone data cannot change what a running workflow replays, and a stored plan is never
     * changed (a replan that plans otherwise is another hash).
     */
    async planPhase(input: PlanPhaseInput): Promise<PlannedPhase> {
      const registry = await registryOf(input.registryHash);
      const deliverables = planPhaseDeliverables(input, registry);
      const plans = deliverables.map((deliverable) => ({
        boardId: deliverable.spec.board.id,
        hash: contentHash(deliverable),
        deliverable,
      }));
      await storePhasePlans(db, input.cycleWorkflowId, input.phaseId, plans);
      return {
        boards: plans.map(({ boardId, hash }) => ({ boardId, hash })),
        ...(deliverables[0] && { opensOn: deliverables[0].spec.opensOn }),
      };
    },

    /** The stored plans of some boards of a phase, in the order asked (a page of a window). */
    async loadPhasePlans(input: {
      cycleWorkflowId: string;
      phaseId: string;
      boards: StoredPlanKey[];
    }): Promise<PhaseDeliverable[]> {
      return loadPhasePlans<PhaseDeliverable>(db, input.cycleWorkflowId, input.phaseId, input.boards);
    },

    /**
     * Each board's written deadline in a phase planned with `calendar` (after a move: a staggered
     * group keeps its offset), by board: what the cycle tells its open deliverables.
     */
    async phaseDeadlines(input: Omit<PlanPhaseInput, 'cycleWorkflowId'>): Promise<Record<string, LocalDate>> {
      const registry = await registryOf(input.registryHash);
      return Object.fromEntries(planPhaseDeliverables(input, registry).map((d) => [d.spec.board.id, d.spec.deadline]));
    },

    /** When each date-opened phase opens: the instants the cycle sleeps to. */
    async cycleSchedule(input: { calendar: CycleCalendar }): Promise<{ openings: Record<string, string> }> {
      return { openings: scheduledOpenings(input.calendar) };
    },

    /** Replans one deliverable with another deadline (moved, extended, returned). */
    async replanDeliverable(input: { spec: DeliverablePlanInput; deadline: LocalDate }): Promise<DeliverablePlan> {
      return planDeliverable({ ...input.spec, deadline: input.deadline });
    },
  };
  return { ...activities, ...createReminderDispatchActivities(deps, activities.sendNotification) };
}

export type Activities = ReturnType<typeof createActivities>;
