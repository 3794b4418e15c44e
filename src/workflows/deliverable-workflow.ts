import {
  allHandlersFinished,
  condition,
  ActivityFailure,
  getExternalWorkflowHandle,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  sleep,
  TimeoutFailure,
  workflowInfo,
} from '@temporalio/workflow';
import { RetryState } from '@temporalio/common';
import type { Activities, PhaseDeliverable, SendNotificationInput } from '../activities';
import type { RecipientRole } from '../domain/cycle-calendar';
import type { DeliverableSnapshot } from '../db/read-model';
import {
  applyAction,
  applyApprove,
  applyCancel,
  applyExempt,
  applyNewDeadline,
  applyReturn,
  applySubmit,
  checkApprove,
  checkExempt,
  checkExtension,
  checkReturn,
  checkSubmit,
  deliverableSnapshot,
  DeliverableState,
  initialState,
  isFinished,
} from '../domain/deliverable-state';
import type { DeliverablePlan, PlannedAction } from '../domain/planner';
import type { Refusal } from '../domain/refusals';
import { localDateOf } from '../domain/zoned-time';
import { addressesFor } from '../domain/recipients';
import { nameOn } from '../domain/organisations';
import {
  ActionRecord,
  approveUpdate,
  cancelDeliverableSignal,
  deliverableViewQuery,
  exemptUpdate,
  grantExtensionUpdate,
  returnForCompletionUpdate,
  setDeadlineSignal,
  submitUpdate,
} from './deliverable-messages';
import { contentShapeProblem } from '../domain/report-submission';
import { deliverableFinishedSignal } from './budget-cycle-messages';
import { lupStageSubmittedSignal, lupWorkflowId } from './lup-messages';
import { remindersScheduledSignal } from './reminder-dispatch-messages';
import type { ReminderNotification } from '../db/scheduled-reminders';
import { ACTIVITY_RETRY, createLock, refuse, refuseWith, tryCheck } from './workflow-support';

const { replanDeliverable, checkSubmissionRules, expireNotification } = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: ACTIVITY_RETRY,
});
/**
 * Reading the stored plan and recording events run as local activities, inside the workflow task
 * that needs them: a city's deliverables start at once and reach their deadlines at once, and a
 * start or a missed deadline is then one workflow task, with no activity task to queue and no
 * second workflow task for its result (under the time-skipping server, each instant lasts as
 * long as its slowest such chain). Both are short and idempotent (a plan by its hash; an event
 * by its key: run and sequence number), so a task retried after a lost worker runs them again
 * harmlessly.
 */
const { loadPhasePlans, recordEvent } = proxyLocalActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: ACTIVITY_RETRY,
});

/**
 * One notification, its retries bounded by the instant it is about (`expiresAt`): a reminder
 * retried through a relay outage never goes out after the deadline or the next step of the
 * ladder. An attempt that died with its worker is retried after 30 s; the send log's lease keeps
 * a retry from sending while a slow attempt still runs.
 */
const sendNotificationBefore = (expiresAt: number) =>
  proxyActivities<Activities>({
    startToCloseTimeout: '30 seconds',
    scheduleToCloseTimeout: Math.max(1_000, expiresAt - Date.now()),
    retry: ACTIVITY_RETRY,
  }).sendNotification;

/** How long a notification without a next step (the last escalation, a review mail) may still go out. */
const LAST_STEP_VALID_MS = 7 * 24 * 60 * 60 * 1000;

/** Input of the deliverable workflow with its plan (a deliverable started on its own, a supplement). */
export interface DeliverableWorkflowInput extends PhaseDeliverable {
  municipality: string;
  budgetYear: number;
  /** Starting late: a deliverable already handed in before Årshjul took over. */
  imported?: { stage: 'submitted' | 'approved'; at: string; documentRef: string };
  /**
   * The cycle's reminder dispatcher (issue 16): its reminders are sent per instant by that
   * workflow, not by a timer here. Without it (a deliverable started on its own) this workflow
   * sends them itself, as it sends every other notification.
   */
  reminderDispatcher?: string;
}

/**
 * Input of the deliverable workflow as the cycle's fan-out starts it (issue 16): the key of its
 * plan in PostgreSQL (phase_plans, immutable, by content hash) instead of the plan, so the input
 * is a few hundred bytes and no plan passes through the parent's history.
 */
export type StoredDeliverableInput = Omit<DeliverableWorkflowInput, keyof PhaseDeliverable> & {
  storedPlan: { cycleWorkflowId: string; phaseId: string; boardId: string; hash: string };
};

/**
 * How long after its instant an action still goes out when the workflow starts. The cycle starts
 * a deliverable at its opening instant, or when SLK confirms the milestone it waits for, which
 * may be later that day: an opening stays current for a day; anything else older than an hour is
 * stale and recorded as skipped, never sent late.
 */
const STALE_AFTER_MS = 60 * 60 * 1000;
const OPENING_STALE_AFTER_MS = 24 * 60 * 60 * 1000;

/**
 * One board's deliverable in one phase: sleeps to each planned action (opening, reminders,
 * deadline, escalations) and sends its mail exactly once, takes the board's submission and SLK's
 * review, extensions and moved deadlines, and records every transition in order: each event
 * carries a sequence number this workflow assigns, so the record and the read model follow the
 * workflow's order whatever order the activities commit in.
 */
export async function deliverableWorkflow(
  given: DeliverableWorkflowInput | StoredDeliverableInput,
): Promise<DeliverableState> {
  return followDeliverable('storedPlan' in given ? await withStoredPlan(given) : given);
}

/** The input with its plan read from PostgreSQL (the plan then sits in this workflow's history). */
async function withStoredPlan({ storedPlan, ...rest }: StoredDeliverableInput): Promise<DeliverableWorkflowInput> {
  const { cycleWorkflowId, phaseId, boardId, hash } = storedPlan;
  const [deliverable] = await loadPhasePlans({ cycleWorkflowId, phaseId, boards: [{ boardId, hash }] });
  return { ...rest, ...deliverable! };
}

async function followDeliverable(input: DeliverableWorkflowInput): Promise<DeliverableState> {
  const { workflowId } = workflowInfo();
  const phase = input.spec.phase;
  const reviewRequired = phase.reviewRequired;
  const nowIso = (): string => new Date(Date.now()).toISOString();
  // "Today" is Stockholm's date (from 00:00 local time, not UTC).
  const today = (): string => localDateOf(new Date(Date.now()), input.spec.calendar.timeZone);

  let state: DeliverableState = initialState();
  // Who answers for the deliverable and who is above it: changes at a merger (handOver).
  let board = input.spec.board;
  let above = input.above;
  let plan: DeliverablePlan = input.plan;
  let pending: PlannedAction[] = [];
  /** The deadline SLK set for this board alone (extension or return), if any. */
  let ownDeadline: string | undefined;
  const history: ActionRecord[] = [];
  let planVersion = 0;
  /** The stage opened at start, before the opening mail went out: the mail is still owed. */
  let openingMailOwed = false;
  /** Replans under way (each holds the replan lock in turn): due actions wait for them. */
  let replans = 0;
  /** The sequence number of the last event this workflow recorded or sent. */
  let seq = 0;
  const exclusive = createLock();
  /** Reminders go through the cycle's dispatcher; set back to this workflow if it cannot be told. */
  let dispatcher = input.reminderDispatcher;
  const dispatched = (a: PlannedAction): boolean => dispatcher !== undefined && a.kind === 'reminder';

  /** What the read model shows of this deliverable, as of event `at`; sent with every event. */
  const snapshot = (at: number): DeliverableSnapshot => deliverableSnapshot(at, input, plan, board, state);
  /** The reminders of the current plan as the dispatcher sends them. */
  const remindersForDispatch = (): ReminderNotification[] =>
    pending.filter(dispatched).map((a) => ({
      actionId: a.id,
      plannedAt: a.instant,
      ...(a.level !== undefined && { level: a.level }),
      expiresAt: new Date(expiryOf(a)).toISOString(),
      municipality: input.municipality,
      budgetYear: input.budgetYear,
      phaseId: plan.phaseId,
      phaseName: phase.name,
      board: { id: board.id, name: board.name, ...(board.names && { names: board.names }) },
      deadlineAt: plan.deadlineAt,
      to: addressesFor(a.recipients, board, above),
      roles: a.recipients,
    }));
  /**
   * Records an event. One that adopts a plan or a board (`schedules`) writes the plan's reminders
   * for the dispatcher in the same transaction, and wakes it when one is earlier than it sleeps
   * to. A dispatcher that cannot be told (not running) leaves the reminders to this workflow.
   */
  const record = (
    kind: string,
    payload: Record<string, unknown>,
    actor = 'system',
    schedules = false,
  ): Promise<unknown> => {
    const at = ++seq;
    const to = schedules ? dispatcher : undefined;
    const recorded = recordEvent({
      workflowId,
      seq: at,
      kind,
      occurredAt: nowIso(),
      actor,
      payload: { ...payload, snapshot: snapshot(at) },
      ...(to && { schedule: { dispatcherId: to, reminders: remindersForDispatch() } }),
    });
    // Without a dispatcher, the activity's own promise, awaited as it always was (replay).
    if (!to) return recorded;
    return recorded.then(async ({ wake }) => {
      if (!wake) return;
      try {
        await getExternalWorkflowHandle(to).signal(remindersScheduledSignal, { at: wake });
      } catch {
        dispatcher = undefined;
        planVersion++;
        await record('reminder-dispatcher-missing', { dispatcher: to });
      }
    });
  };

  const noteAction = (action: PlannedAction, outcome: ActionRecord['outcome'], at = nowIso()): void => {
    history.push({
      actionId: action.id,
      kind: action.kind,
      level: action.level,
      plannedAt: action.instant,
      outcome,
      at,
    });
  };

  /** Takes a plan: past actions are recorded as stale (never sent late), the rest wait. */
  const adoptPlan = (
    next: DeliverablePlan,
    now: number,
    grace: (a: PlannedAction) => number,
    done: (a: PlannedAction) => boolean,
  ): void => {
    for (const old of pending) noteAction(old, 'superseded');
    plan = next;
    pending = [];
    for (const action of next.actions) {
      if (done(action)) continue;
      if (Date.parse(action.instant) < now - grace(action)) {
        // A deadline that already passed still makes the deliverable late; no mail goes out.
        if (action.kind === 'deadline' || action.kind === 'opening')
          state = applyAction(state, action.kind, action.level).state;
        noteAction(action, 'skipped-stale');
      } else {
        pending.push(action);
      }
    }
    planVersion++;
  };

  /**
   * The instant after which a planned action's mail is moot: the next step of the plan (the next
   * reminder, the deadline, the next escalation level), or a week for the last step.
   */
  const expiryOf = (action: PlannedAction): number => {
    const at = Date.parse(action.instant);
    const later = plan.actions.map((a) => Date.parse(a.instant)).filter((t) => t > at);
    return later.length > 0 ? Math.min(...later) : at + LAST_STEP_VALID_MS;
  };

  setHandler(deliverableViewQuery, () => ({
    workflowId,
    phaseId: plan.phaseId,
    boardId: plan.boardId,
    answeringBoardId: board.id,
    deadline: plan.deadline.date,
    deadlineAt: plan.deadlineAt,
    state,
    pending,
    history,
  }));

  /**
   * Replans with a new deadline under the replan lock: an extension and a phase move that arrive
   * together are applied one after the other, in the order they came, and the later one decides.
   */
  const replanTo = (deadline: string, reason: string, by: string, before: () => void = () => undefined) =>
    exclusive(async () => {
      replans++;
      try {
        before();
        const next = await replanDeliverable({ spec: input.spec, deadline });
        const opened = (a: PlannedAction): boolean =>
          a.kind === 'opening' && state.stage !== 'planned' && !openingMailOwed;
        adoptPlan(next, Date.now(), () => 0, opened);
        await record(
          'deadline-changed',
          { deadline: next.deadline.date, shiftedFrom: next.deadline.shiftedFrom, reason },
          by,
          true,
        );
      } finally {
        replans--;
      }
    });

  /**
   * Sends one notification about this deliverable to the given roles, with the current state.
   * Undeliverable before `expiresAt` (the relay down that long): recorded as expired, never sent.
   */
  const notify = async (
    kind: SendNotificationInput['kind'],
    actionId: string,
    plannedAt: string,
    firedAt: string,
    roles: RecipientRole[],
    expiresAt: number,
    extra: Pick<SendNotificationInput, 'level' | 'reason'> = {},
  ): Promise<'sent' | 'failed' | 'expired'> => {
    const at = ++seq;
    const common = { workflowId, actionId, kind, ...extra, plannedAt, firedAt, seq: at };
    try {
      const result = await sendNotificationBefore(expiresAt)({
        ...common,
        expiresAt: new Date(expiresAt).toISOString(),
        budgetYear: input.budgetYear,
        phaseName: phase.name,
        // The name the board has on the day the mail goes (a company renamed meanwhile).
        boardName: nameOn(board, today()),
        deadlineAt: plan.deadlineAt,
        to: addressesFor(roles, board, above),
        roles,
        snapshot: snapshot(at),
      });
      return result.failed ? 'failed' : result.expired ? 'expired' : 'sent';
    } catch (error) {
      // Out of time: either an attempt was cut off (TimeoutFailure) or the retries were (RetryState.TIMEOUT).
      const outOfTime =
        error instanceof ActivityFailure &&
        (error.cause instanceof TimeoutFailure || error.retryState === RetryState.TIMEOUT);
      if (!outOfTime) throw error;
      const { sent } = await expireNotification({ ...common, snapshot: snapshot(at) });
      return sent ? 'sent' : 'expired';
    }
  };

  /** Tells the board of SLK's review (approved, or returned with the reason and new deadline). */
  const notifyReview = async (kind: 'approved' | 'returned', reason?: string): Promise<void> => {
    const at = nowIso();
    const actionId = `${plan.phaseId}/${plan.boardId}/${kind}-${state.reviews.length}`;
    const validUntil = kind === 'returned' ? Date.parse(plan.deadlineAt) : Date.now() + LAST_STEP_VALID_MS;
    await notify(kind, actionId, at, at, ['registrator'], validUntil, reason ? { reason } : {});
  };

  /** The submission's content: the report's answers for a phase with a template, none otherwise. */
  const contentOf = (raw: unknown): unknown => (raw as { content?: unknown } | null)?.content;
  const checkContentShape = (raw: unknown): void => {
    const problem = contentShapeProblem(phase.template !== undefined, contentOf(raw));
    if (problem) refuse(problem, 'InvalidInput');
  };
  const lupStage = phase.lupStage;
  /**
   * A phase that asks for a sign-off takes a submission only from the sign-off, which names who
   * marked the report ready: whoever sends it (the API, the CLI, a script), it reaches SLK signed.
   */
  const checkSignedOff = (raw: unknown): void => {
    if (phase.signOff && !(raw as { markedReady?: unknown } | null)?.markedReady) {
      refuseWith(
        'stage',
        'this phase asks for a sign-off: mark the report ready (report/ready), then sign it off (report/sign-off)',
        'sign-off-required',
      );
    }
  };

  setHandler(
    submitUpdate,
    async (raw) => {
      let accepted = checkSubmit(state, raw);
      checkSignedOff(raw);
      checkContentShape(raw);
      const warnings: Refusal[] = [];
      if (phase.template) {
        // The report's answers against the template and the record (the district's LUP, the
        // board's plan): a report is marked ready whole, or not at all.
        const check = await checkSubmissionRules({
          municipality: input.municipality,
          budgetYear: input.budgetYear,
          phase: { id: phase.id, template: phase.template, ...(lupStage && { lupStage }) },
          boardId: board.id,
          plannedBoardId: plan.boardId,
          content: contentOf(raw) ?? {},
          decisionDate: accepted.decisionDate,
          onDate: today(),
        });
        // What the answers lack is the sender's to fix; a LUP not at this stage is a conflict.
        const first = check.errors[0];
        if (first) {
          const own = first.field.startsWith('answers') || first.field.startsWith('content');
          refuse(first, own ? 'InvalidInput' : 'TransitionRefused');
        }
        warnings.push(...check.warnings);
        // Another message may have moved the deliverable while the rules were checked.
        accepted = {
          ...tryCheck(() => checkSubmit(state, raw)),
          content: (contentOf(raw) ?? {}) as Record<string, unknown>,
        };
      }
      state = applySubmit(state, accepted, nowIso());
      await record(
        'submitted',
        {
          documentRef: accepted.documentRef,
          decisionDate: accepted.decisionDate,
          // The pages show the board's comment from the record, not by asking this workflow.
          ...(accepted.comment && { comment: accepted.comment }),
          late: state.late,
          ...(accepted.content && { content: accepted.content }),
          // A phase with a sign-off: who marked it ready; the event's actor signed it off.
          ...(accepted.markedReady && { markedReady: accepted.markedReady, signedOffBy: accepted.by }),
          ...(warnings.length > 0 && { warnings }),
        },
        accepted.by,
      );
      // A LUP stage is the district's LUP workflow's to record: told here, in the same workflow
      // that took the submission, so the two cannot fall out of step.
      if (lupStage) {
        // The district's programme across years: this budget year's phase is recorded against it.
        const lupId = lupWorkflowId(input.municipality, board.id);
        try {
          await getExternalWorkflowHandle(lupId).signal(lupStageSubmittedSignal, {
            stage: lupStage,
            budgetYear: input.budgetYear,
            phaseId: phase.id,
            content: accepted.content ?? {},
            ...(accepted.decisionDate && { decisionDate: accepted.decisionDate }),
            ...(accepted.documentRef && { documentRef: accepted.documentRef }),
            on: today(),
            by: accepted.by,
          });
        } catch {
          await record('lup-not-informed', { lupWorkflowId: lupId, stage: lupStage });
        }
      }
      return warnings.length > 0 ? { ...state, warnings } : state;
    },
    {
      validator: (raw) => {
        tryCheck(() => checkSubmit(state, raw));
        checkSignedOff(raw);
        checkContentShape(raw);
      },
    },
  );
  setHandler(
    approveUpdate,
    async (raw) => {
      const accepted = checkApprove(state, reviewRequired, raw);
      state = applyApprove(state, accepted, nowIso());
      await record('approved', { comment: accepted.comment }, accepted.by);
      await notifyReview('approved');
      return state;
    },
    { validator: (raw) => void tryCheck(() => checkApprove(state, reviewRequired, raw)) },
  );
  setHandler(
    returnForCompletionUpdate,
    async (raw) => {
      const accepted = checkReturn(state, reviewRequired, raw, today());
      state = applyReturn(state, accepted, nowIso());
      await record('returned', { reason: accepted.reason, deadline: accepted.deadline }, accepted.by);
      await replanTo(accepted.deadline, 'returned for completion', accepted.by, () => {
        ownDeadline = accepted.deadline;
      });
      await notifyReview('returned', accepted.reason);
      return state;
    },
    { validator: (raw) => void tryCheck(() => checkReturn(state, reviewRequired, raw, today())) },
  );
  setHandler(
    grantExtensionUpdate,
    async (raw) => {
      const asked = tryCheck(() => checkExtension(state, raw, today(), plan.deadline.date));
      await replanTo(asked.deadline, `extension: ${asked.reason}`, asked.by, () => {
        // Checked again under the lock: a replan before this one may have moved the deadline.
        tryCheck(() => checkExtension(state, raw, today(), plan.deadline.date));
        state = applyNewDeadline(state);
        ownDeadline = asked.deadline;
      });
      return state;
    },
    { validator: (raw) => void tryCheck(() => checkExtension(state, raw, today(), plan.deadline.date)) },
  );
  setHandler(setDeadlineSignal, async (raw) => {
    if (isFinished(state, reviewRequired) || raw.deadline === plan.deadline.date) return;
    // A deadline SLK gave this board alone (an extension, a return for completion) is not cut
    // short by a later move of the whole phase to an earlier date.
    if (ownDeadline && raw.deadline < ownDeadline) {
      await record(
        'deadline-move-not-applied',
        { deadline: raw.deadline, keeps: ownDeadline, reason: raw.reason },
        raw.by,
      );
      return;
    }
    await replanTo(raw.deadline, raw.reason, raw.by, () => {
      state = applyNewDeadline(state);
    });
  });
  setHandler(
    exemptUpdate,
    async (raw) => {
      const accepted = checkExempt(state, raw);
      state = applyExempt(state, accepted, nowIso());
      await record('exempted', { reason: accepted.reason }, accepted.by);
      return state;
    },
    { validator: (raw) => void tryCheck(() => checkExempt(state, raw)) },
  );

  // The cycle's cancellation comes as a signal rather than as Temporal's own cancellation
  // (handle.cancel()): handled like every other message, it is recorded by this workflow with its
  // sequence number and the read model's snapshot, and the loop below ends as for any finished
  // deliverable. A Temporal cancellation would arrive as a CancelledFailure inside whatever timer
  // or activity is running, and the record would have to be written from a non-cancellable scope.
  setHandler(cancelDeliverableSignal, async (raw) => {
    if (isFinished(state, reviewRequired)) return; // it needs nothing more: left as it ended
    state = applyCancel(state, raw, nowIso());
    await record('deliverable-cancelled', { reason: raw.reason, pending: pending.length }, raw.by);
  });

  const startedAt = Date.now();
  adoptPlan(
    input.plan,
    startedAt,
    (a) => (a.kind === 'opening' ? OPENING_STALE_AFTER_MS : STALE_AFTER_MS),
    () => false,
  );
  // An opening already due (the cycle starts us at the opening instant, or later that day after
  // a milestone): the board may submit from the first moment, before the opening mail has gone.
  if (pending[0]?.kind === 'opening' && Date.parse(pending[0].instant) <= startedAt) {
    state = applyAction(state, 'opening', undefined).state;
    openingMailOwed = true;
  }
  if (input.imported) {
    state = {
      ...state,
      stage: input.imported.stage,
      submissions: [{ documentRef: input.imported.documentRef, by: 'import', at: input.imported.at }],
    };
  }
  await record(
    'deliverable-started',
    {
      deadline: plan.deadline.date,
      deadlineAt: plan.deadlineAt,
      pending: pending.length,
      skippedStale: history.length,
      imported: input.imported ?? null,
      ...(dispatcher && { remindersDispatchedBy: dispatcher }),
    },
    'system',
    true,
  );

  if (input.handOver) {
    // A merger before the deadline: from its first day the successor receives the mails.
    const handOver = input.handOver;
    void sleep(Math.max(0, Date.parse(handOver.at) - Date.now())).then(async () => {
      if (isFinished(state, reviewRequired)) return;
      const from = board.id;
      board = handOver.board;
      above = handOver.above;
      await record('handed-over', { from, to: board.id, on: handOver.on }, 'system', true);
    });
  }
  while (!isFinished(state, reviewRequired)) {
    const version = planVersion;
    // The dispatcher's reminders are passed over: this workflow wakes only for the others.
    const next = pending.find((a) => !dispatched(a));
    if (!next) {
      await condition(() => isFinished(state, reviewRequired) || planVersion !== version);
      continue;
    }
    const wait = Date.parse(next.instant) - Date.now();
    // An action already due (the opening, when the cycle starts us at its instant) needs no timer:
    // condition(fn, 0) starts a zero timer, a round trip through the server (and the SDK's patch
    // marker) on every start.
    const due =
      wait <= 0 ||
      (await condition(() => planVersion !== version || isFinished(state, reviewRequired), wait).then(
        (changed) => !changed,
      ));
    if (!due) continue;
    await condition(() => replans === 0);
    if (planVersion !== version) continue;
    const passed = (a: PlannedAction): boolean => dispatched(a) && Date.parse(a.instant) <= Date.parse(next.instant);
    for (const reminder of pending.filter(passed)) noteAction(reminder, 'dispatched', reminder.instant);
    pending = pending.filter((a) => a !== next && !passed(a));
    const outcome =
      next.kind === 'opening' && openingMailOwed
        ? { state, notify: state.stage !== 'exempt' && state.stage !== 'approved' }
        : applyAction(state, next.kind, next.level);
    if (next.kind === 'opening') openingMailOwed = false;
    state = outcome.state;
    const firedAt = nowIso();
    let sendOutcome: 'sent' | 'failed' | 'expired' | undefined;
    if (outcome.notify && (next.kind === 'opening' || next.kind === 'reminder' || next.kind === 'escalation')) {
      sendOutcome = await notify(next.kind, next.id, next.instant, firedAt, next.recipients, expiryOf(next), {
        level: next.level,
      });
    } else if (next.kind === 'deadline' && state.late) {
      await record('deadline-missed', { deadline: plan.deadline.date });
    }
    noteAction(next, sendOutcome ?? (outcome.notify ? 'sent' : next.kind === 'deadline' ? 'applied' : 'moot'), firedAt);
  }
  // Let update handlers that are still replying (recording the approval, say) finish first.
  await condition(allHandlersFinished);
  if (state.stage === 'cancelled') {
    // Nothing more goes out; the cycle that cancelled us is not waiting to hear back.
    for (const left of pending) noteAction(left, 'cancelled');
    pending = [];
    return state;
  }
  for (const left of pending) noteAction(left, 'moot');
  pending = [];
  await record('deliverable-finished', {
    stage: state.stage,
    late: state.late,
    escalationLevel: state.escalationLevel,
  });
  // Tell the cycle (whichever run of it is current: the signal goes by workflow ID).
  const parent = workflowInfo().parent;
  if (parent) {
    try {
      await getExternalWorkflowHandle(parent.workflowId).signal(deliverableFinishedSignal, {
        phaseId: plan.phaseId,
        boardId: plan.boardId,
        stage: state.stage,
      });
    } catch {
      // The cycle has ended (or was terminated): nobody left to tell.
    }
  }
  return state;
}
