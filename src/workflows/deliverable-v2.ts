import {
  allHandlersFinished,
  condition,
  getExternalWorkflowHandle,
  patched,
  proxyActivities,
  setHandler,
  sleep,
  workflowInfo,
} from '@temporalio/workflow';
import { deliverableFinishedSignal } from './budget-cycle-messages';
import type { Activities, PhaseDeliverable, SendNotificationInput } from '../activities';
import type { RecipientRole } from '../domain/cycle-calendar';
import type { DeliverableSnapshot } from '../db/read-model';
import {
  applyAction,
  applyApprove,
  applyExempt,
  applyNewDeadline,
  applyReturn,
  applySubmit,
  checkApprove,
  checkExempt,
  checkExtension,
  checkReturn,
  checkSubmit,
  DeliverableState,
  initialState,
  isFinished,
} from '../domain/deliverable-state';
import type { DeliverablePlan, PlannedAction } from '../domain/planner';
import { localDateOf } from '../domain/zoned-time';
import { addressesFor } from '../domain/recipients';
import {
  ActionRecord,
  approveUpdate,
  deliverableViewQuery,
  exemptUpdate,
  grantExtensionUpdate,
  returnForCompletionUpdate,
  setDeadlineSignal,
  submitUpdate,
} from './deliverable-messages';
import { ACTIVITY_RETRY, tryCheck } from './workflow-support';

const { recordEvent, replanDeliverable } = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: ACTIVITY_RETRY,
});
// A send that died with its worker is retried after this long (the chaos benchmark measured the
// one-minute timeout as most of the recovery time). A retry while a slow attempt still runs
// waits on the send-log row's lock, so a shorter timeout cannot send twice.
const { sendNotification } = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: ACTIVITY_RETRY,
});

/** Input of the plan-driven deliverable workflow, as the cycle starts it. */
export interface DeliverableWorkflowInputV2 extends PhaseDeliverable {
  version: 2;
  municipality: string;
  budgetYear: number;
  /** Starting late: a deliverable already handed in before Årshjul took over. */
  imported?: { stage: 'submitted' | 'approved'; at: string; documentRef: string };
}

/**
 * How long after its instant an action still goes out when the workflow starts. The cycle starts
 * a deliverable at its opening instant, or when SLK confirms the milestone it waits for, which
 * may be later that day: an opening stays current for a day; anything else older than an hour is
 * stale and recorded as skipped, never sent late.
 */
const STALE_AFTER_MS = 60 * 60 * 1000;
const OPENING_STALE_AFTER_MS = 24 * 60 * 60 * 1000;

export async function runDeliverableV2(input: DeliverableWorkflowInputV2): Promise<DeliverableState> {
  const { workflowId } = workflowInfo();
  const reviewRequired = input.spec.phase.reviewRequired;
  const nowIso = (): string => new Date(Date.now()).toISOString();
  // "Today" is Stockholm's date (from 00:00 local time, not UTC). Validators always use it; they
  // never replay. Handlers do replay: runs that accepted an update before this existed keep the
  // UTC date they were checked with (patch).
  const stockholmToday = (): string => localDateOf(new Date(Date.now()), input.spec.calendar.timeZone);
  const handlerToday = (): string => (patched('stockholm-today') ? stockholmToday() : nowIso().slice(0, 10));

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
  let replanning = false;

  /** What the read model shows of this deliverable; sent with every recorded event. */
  const snapshot = (): DeliverableSnapshot => ({
    municipality: input.municipality,
    budgetYear: input.budgetYear,
    phaseId: plan.phaseId,
    boardId: plan.boardId,
    answeringBoardId: board.id,
    stage: state.stage,
    late: state.late,
    escalationLevel: state.escalationLevel,
    deadline: plan.deadline.date,
    deadlineAt: plan.deadlineAt,
  });
  const record = (kind: string, payload: Record<string, unknown>, actor = 'system') =>
    recordEvent({ workflowId, kind, occurredAt: nowIso(), actor, payload: { ...payload, snapshot: snapshot() } });

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

  const replanTo = async (deadline: string, reason: string, by: string): Promise<void> => {
    replanning = true;
    try {
      const next = await replanDeliverable({ spec: input.spec, deadline });
      const opened = (a: PlannedAction): boolean =>
        a.kind === 'opening' && state.stage !== 'planned' && !openingMailOwed;
      adoptPlan(next, Date.now(), () => 0, opened);
      await record(
        'deadline-changed',
        { deadline: next.deadline.date, shiftedFrom: next.deadline.shiftedFrom, reason },
        by,
      );
    } finally {
      replanning = false;
    }
  };

  /**
   * Tells the board of SLK's review (approved, or returned with the reason and new deadline).
   * Runs started before these mails existed replay without them (patch).
   */
  /** Sends one notification about this deliverable to the given roles, with the current state. */
  const notify = (
    kind: SendNotificationInput['kind'],
    actionId: string,
    plannedAt: string,
    firedAt: string,
    roles: RecipientRole[],
    extra: Pick<SendNotificationInput, 'level' | 'reason'> = {},
  ) =>
    sendNotification({
      workflowId,
      actionId,
      kind,
      ...extra,
      plannedAt,
      firedAt,
      budgetYear: input.budgetYear,
      phaseName: input.spec.phase.name,
      boardName: board.name,
      deadlineAt: plan.deadlineAt,
      to: addressesFor(roles, board, above),
      roles,
      snapshot: snapshot(),
    });

  /**
   * Tells the board of SLK's review (approved, or returned with the reason and new deadline).
   * Runs started before these mails existed replay without them (patch).
   */
  const notifyReview = async (kind: 'approved' | 'returned', reason?: string): Promise<void> => {
    if (!patched('review-mails')) return;
    const at = nowIso();
    const actionId = `${plan.phaseId}/${plan.boardId}/${kind}-${state.reviews.length}`;
    await notify(kind, actionId, at, at, ['registrator'], reason ? { reason } : {});
  };

  setHandler(
    submitUpdate,
    async (raw) => {
      const accepted = checkSubmit(state, raw);
      state = applySubmit(state, accepted, nowIso());
      await record(
        'submitted',
        {
          documentRef: accepted.documentRef,
          decisionDate: accepted.decisionDate,
          late: state.late,
          ...(accepted.content && { content: accepted.content }),
        },
        accepted.by,
      );
      return state;
    },
    { validator: (raw) => void tryCheck(() => checkSubmit(state, raw)) },
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
      const accepted = checkReturn(state, reviewRequired, raw, handlerToday());
      state = applyReturn(state, accepted, nowIso());
      await record('returned', { reason: accepted.reason, deadline: accepted.deadline }, accepted.by);
      ownDeadline = accepted.deadline;
      await replanTo(accepted.deadline, 'returned for completion', accepted.by);
      await notifyReview('returned', accepted.reason);
      return state;
    },
    { validator: (raw) => void tryCheck(() => checkReturn(state, reviewRequired, raw, stockholmToday())) },
  );
  setHandler(
    grantExtensionUpdate,
    async (raw) => {
      const accepted = checkExtension(state, raw, handlerToday(), plan.deadline.date);
      state = applyNewDeadline(state);
      ownDeadline = accepted.deadline;
      await replanTo(accepted.deadline, `extension: ${accepted.reason}`, accepted.by);
      return state;
    },
    { validator: (raw) => void tryCheck(() => checkExtension(state, raw, stockholmToday(), plan.deadline.date)) },
  );
  setHandler(setDeadlineSignal, async (raw) => {
    if (isFinished(state, reviewRequired) || raw.deadline === plan.deadline.date) return;
    // A deadline SLK gave this board alone (an extension, a return for completion) is not cut
    // short by a later move of the whole phase to an earlier date. Runs that took such a move
    // before this rule existed replay as they ran (patch).
    if (ownDeadline && raw.deadline < ownDeadline && patched('own-deadline-survives-phase-move')) {
      await record(
        'deadline-move-not-applied',
        { deadline: raw.deadline, keeps: ownDeadline, reason: raw.reason },
        raw.by,
      );
      return;
    }
    state = applyNewDeadline(state);
    await replanTo(raw.deadline, raw.reason, raw.by);
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
  await record('deliverable-started', {
    deadline: plan.deadline.date,
    deadlineAt: plan.deadlineAt,
    pending: pending.length,
    skippedStale: history.length,
    imported: input.imported ?? null,
  });

  if (input.handOver) {
    // A merger before the deadline: from its first day the successor receives the mails.
    const handOver = input.handOver;
    void sleep(Math.max(0, Date.parse(handOver.at) - Date.now())).then(async () => {
      if (isFinished(state, reviewRequired)) return;
      const from = board.id;
      board = handOver.board;
      above = handOver.above;
      await record('handed-over', { from, to: board.id, on: handOver.on });
    });
  }
  while (!isFinished(state, reviewRequired)) {
    const next = pending[0];
    if (!next) {
      await condition(() => isFinished(state, reviewRequired) || pending.length > 0);
      continue;
    }
    const version = planVersion;
    const due = await condition(
      () => planVersion !== version || isFinished(state, reviewRequired),
      Math.max(0, Date.parse(next.instant) - Date.now()),
    ).then((changed) => !changed);
    if (!due) continue;
    await condition(() => !replanning);
    if (planVersion !== version) continue;
    pending.shift();
    const outcome =
      next.kind === 'opening' && openingMailOwed
        ? { state, notify: state.stage !== 'exempt' && state.stage !== 'approved' }
        : applyAction(state, next.kind, next.level);
    if (next.kind === 'opening') openingMailOwed = false;
    state = outcome.state;
    const firedAt = nowIso();
    let failed: string | undefined;
    if (outcome.notify && (next.kind === 'opening' || next.kind === 'reminder' || next.kind === 'escalation')) {
      ({ failed } = await notify(next.kind, next.id, next.instant, firedAt, next.recipients, { level: next.level }));
    } else if (next.kind === 'deadline' && state.late) {
      await record('deadline-missed', { deadline: plan.deadline.date });
    }
    noteAction(
      next,
      failed ? 'failed' : outcome.notify ? 'sent' : next.kind === 'deadline' ? 'applied' : 'moot',
      firedAt,
    );
  }
  // Let update handlers that are still replying (recording the approval, say) finish first.
  await condition(allHandlersFinished);
  for (const left of pending) noteAction(left, 'moot');
  pending = [];
  await record('deliverable-finished', {
    stage: state.stage,
    late: state.late,
    escalationLevel: state.escalationLevel,
  });
  // Tell the cycle (whichever run of it is current: the signal goes by workflow ID). Runs that
  // finished before this existed did not signal; the patch keeps their histories replaying.
  const parent = workflowInfo().parent;
  if (parent && patched('notify-cycle-on-finish')) {
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
