import { z } from 'zod';
import type { ActionKind } from './planner';
import { lazySchema } from './lazy-schema';
import { localDateSchema, Refusal, RefusalCode, RefusalParams, refusalFromZodError } from './refusals';

/**
 * The life of one board's deliverable, as pure transitions: the workflow holds the state, these
 * functions decide. Every message is validated here first, so a rejected one changes nothing.
 */

/** `cancelled`: the whole cycle was cancelled (started by mistake); nothing more is owed or sent. */
export type DeliverableStage = 'planned' | 'open' | 'submitted' | 'returned' | 'approved' | 'exempt' | 'cancelled';

export interface Submission {
  documentRef: string;
  decisionDate?: string;
  comment?: string;
  by: string;
  at: string;
}

export interface DeliverableState {
  stage: DeliverableStage;
  /** The deadline passed before a submission. Cleared by a later deadline (extension, return). */
  late: boolean;
  /** Highest escalation level sent for the current deadline; 0 = none. */
  escalationLevel: number;
  submissions: Submission[];
  reviews: Array<{ decision: 'approved' | 'returned'; by: string; at: string; comment?: string }>;
  exemption?: { by: string; at: string; reason: string };
  cancellation?: { by: string; at: string; reason: string };
}

export const initialState = (): DeliverableState => ({
  stage: 'planned',
  late: false,
  escalationLevel: 0,
  submissions: [],
  reviews: [],
});

const text = (max: number) =>
  z
    .string()
    .trim()
    .min(1, { message: 'must not be empty' })
    .max(max, { message: `must be at most ${max} characters` });
const actor = () => text(200);

// The messages' schemas are built on first use, not at load (lazy-schema.ts): the deliverable
// workflow imports this module, and builds one only when a message of its kind arrives.

export const submitSchema = lazySchema(() =>
  z
    .object({
      documentRef: text(200),
      decisionDate: localDateSchema().optional(),
      comment: text(4000).optional(),
      /**
       * The report's answers, for a phase with a template: checked against it in the workflow and
       * kept with the submission.
       */
      content: z.record(z.string(), z.unknown(), { message: 'must be the answers: an object of sections' }).optional(),
      /**
       * For a phase that asks for a sign-off: who marked the report ready (klarmarkerade) and when;
       * `by` is then who signed it off. Kept with the submission in the record.
       */
      markedReady: z.object({ by: actor(), at: z.string().datetime() }).strict().optional(),
      by: actor(),
    })
    .strict(),
);
export type SubmitInput = z.infer<ReturnType<typeof submitSchema>>;

export const approveSchema = lazySchema(() => z.object({ by: actor(), comment: text(4000).optional() }).strict());
export type ApproveInput = z.infer<ReturnType<typeof approveSchema>>;

export const returnSchema = lazySchema(() =>
  z.object({ by: actor(), reason: text(4000), deadline: localDateSchema() }).strict(),
);
export type ReturnInput = z.infer<ReturnType<typeof returnSchema>>;

export const extensionSchema = lazySchema(() =>
  z.object({ by: actor(), reason: text(4000), deadline: localDateSchema() }).strict(),
);
export type ExtensionInput = z.infer<ReturnType<typeof extensionSchema>>;

export const exemptSchema = lazySchema(() => z.object({ by: actor(), reason: text(4000) }).strict());
export type ExemptInput = z.infer<ReturnType<typeof exemptSchema>>;

/**
 * A message that cannot apply: `field` names what is wrong (a zod path or "stage"), `code` and
 * `params` say why in a form surfaces translate (see refusals.ts).
 */
export class TransitionRefused extends Error implements Refusal {
  override name = 'TransitionRefused';
  constructor(
    readonly field: string,
    readonly problem: string,
    readonly code: RefusalCode,
    readonly params?: RefusalParams,
  ) {
    super(`${field}: ${problem}`);
  }

  static of(refusal: Refusal): TransitionRefused {
    return new TransitionRefused(refusal.field, refusal.problem, refusal.code, refusal.params);
  }
}

export function parseOrRefuse<T>(schema: z.ZodType<T>, input: unknown, prefix: readonly string[] = []): T {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  throw TransitionRefused.of(refusalFromZodError(parsed.error, input, prefix));
}

/** The stages in the Swedish users read. */
export const STAGE_SV: Record<DeliverableStage, string> = {
  planned: 'inte öppnad än',
  open: 'öppen',
  submitted: 'inlämnad',
  returned: 'återremitterad',
  approved: 'godkänd',
  exempt: 'undantagen',
  cancelled: 'avbruten',
};

/** The deliverable's actions as the English problem names them, and as their code's `action` param. */
const ACTION_OF = {
  submit: 'submit',
  approve: 'approve',
  'return for completion': 'return',
  'an extension': 'extend',
  'an exemption': 'exempt',
} as const;

function stageRefusal(stage: DeliverableStage, what: keyof typeof ACTION_OF): TransitionRefused {
  return new TransitionRefused(
    'stage',
    `${what} is not possible while the deliverable is ${stage} (${STAGE_SV[stage]})`,
    'not-possible-in-stage',
    { action: ACTION_OF[what], stage },
  );
}

function requireStage(state: DeliverableState, allowed: DeliverableStage[], what: keyof typeof ACTION_OF): void {
  if (!allowed.includes(state.stage)) throw stageRefusal(state.stage, what);
}

/**
 * The refusal of an action on a deliverable whose workflow has ended (see isFinishedStage): the
 * same the workflow gives while it runs, in the same order (a phase without a review step first,
 * then the stage), so a request that comes just after the end gets the answer of one just before.
 */
export function endedDeliverableRefusal(
  stage: DeliverableStage,
  reviewRequired: boolean,
  action: (typeof ACTION_OF)[keyof typeof ACTION_OF],
): TransitionRefused {
  if (!reviewRequired && (action === 'approve' || action === 'return')) return noReviewStep();
  const what = (Object.keys(ACTION_OF) as (keyof typeof ACTION_OF)[]).find((w) => ACTION_OF[w] === action)!;
  return stageRefusal(stage, what);
}

function noReviewStep(): TransitionRefused {
  return new TransitionRefused('stage', 'this phase has no review step', 'no-review-step');
}

/** Whether the board still owes something: reminders and escalations apply only then. */
export function awaitsBoard(state: DeliverableState): boolean {
  return state.stage === 'open' || state.stage === 'returned';
}

export function isFinished(state: DeliverableState, reviewRequired: boolean): boolean {
  return isFinishedStage(state.stage, reviewRequired);
}

/**
 * The same judgement from the stage alone (the read model holds stages, not whole states). A
 * deliverable's workflow ends when it is finished: this also says which workflows have ended.
 */
export function isFinishedStage(stage: DeliverableStage, reviewRequired: boolean): boolean {
  return (
    stage === 'approved' || stage === 'exempt' || stage === 'cancelled' || (stage === 'submitted' && !reviewRequired)
  );
}

export function checkSubmit(state: DeliverableState, input: unknown): SubmitInput {
  const parsed = parseOrRefuse(submitSchema(), input);
  requireStage(state, ['open', 'returned'], 'submit');
  return parsed;
}

export function applySubmit(state: DeliverableState, input: SubmitInput, at: string): DeliverableState {
  return { ...state, stage: 'submitted', submissions: [...state.submissions, { ...input, at }] };
}

export function checkApprove(state: DeliverableState, reviewRequired: boolean, input: unknown): ApproveInput {
  const parsed = parseOrRefuse(approveSchema(), input);
  if (!reviewRequired) throw noReviewStep();
  requireStage(state, ['submitted'], 'approve');
  return parsed;
}

export function applyApprove(state: DeliverableState, input: ApproveInput, at: string): DeliverableState {
  return {
    ...state,
    stage: 'approved',
    reviews: [
      ...state.reviews,
      { decision: 'approved', by: input.by, at, ...(input.comment && { comment: input.comment }) },
    ],
  };
}

export function checkReturn(
  state: DeliverableState,
  reviewRequired: boolean,
  input: unknown,
  today: string,
): ReturnInput {
  const parsed = parseOrRefuse(returnSchema(), input);
  if (!reviewRequired) throw noReviewStep();
  requireStage(state, ['submitted'], 'return for completion');
  if (parsed.deadline <= today) {
    throw new TransitionRefused('deadline', `must be after today (${today})`, 'not-in-future', { today });
  }
  return parsed;
}

export function applyReturn(state: DeliverableState, input: ReturnInput, at: string): DeliverableState {
  return {
    ...state,
    stage: 'returned',
    late: false,
    escalationLevel: 0,
    reviews: [...state.reviews, { decision: 'returned', by: input.by, at, comment: input.reason }],
  };
}

export function checkExtension(
  state: DeliverableState,
  input: unknown,
  today: string,
  currentDeadline: string,
): ExtensionInput {
  const parsed = parseOrRefuse(extensionSchema(), input);
  requireStage(state, ['planned', 'open', 'returned'], 'an extension');
  if (parsed.deadline <= today) {
    throw new TransitionRefused('deadline', `must be after today (${today})`, 'not-in-future', { today });
  }
  if (parsed.deadline <= currentDeadline) {
    throw new TransitionRefused(
      'deadline',
      `must be after the current deadline (${currentDeadline})`,
      'before-current-deadline',
      { date: currentDeadline },
    );
  }
  return parsed;
}

/** A new deadline (extension, moved phase deadline): lateness and escalation start over. */
export function applyNewDeadline(state: DeliverableState): DeliverableState {
  return { ...state, late: false, escalationLevel: 0 };
}

export function checkExempt(state: DeliverableState, input: unknown): ExemptInput {
  const parsed = parseOrRefuse(exemptSchema(), input);
  requireStage(state, ['planned', 'open', 'returned'], 'an exemption');
  return parsed;
}

export function applyExempt(state: DeliverableState, input: ExemptInput, at: string): DeliverableState {
  return { ...state, stage: 'exempt', exemption: { by: input.by, at, reason: input.reason } };
}

/** The cycle was cancelled: whatever the stage, the deliverable ends (a finished one stays as it is). */
export function applyCancel(
  state: DeliverableState,
  input: { by: string; reason: string },
  at: string,
): DeliverableState {
  return { ...state, stage: 'cancelled', cancellation: { by: input.by, at, reason: input.reason } };
}

/** What a due action does to the state, and whether it sends a notification. */
export function applyAction(
  state: DeliverableState,
  kind: ActionKind,
  level: number | undefined,
): { state: DeliverableState; notify: boolean } {
  switch (kind) {
    case 'opening':
      return state.stage === 'planned'
        ? { state: { ...state, stage: 'open' }, notify: true }
        : { state, notify: false };
    case 'reminder':
      return { state, notify: awaitsBoard(state) };
    case 'deadline':
      return awaitsBoard(state) ? { state: { ...state, late: true }, notify: false } : { state, notify: false };
    case 'escalation':
      return awaitsBoard(state)
        ? { state: { ...state, escalationLevel: Math.max(state.escalationLevel, level ?? 1) }, notify: true }
        : { state, notify: false };
    default:
      return { state, notify: false };
  }
}

/**
 * What the read model shows of a deliverable as of its event `seq` (db/read-model.ts's
 * DeliverableSnapshot): the deliverable workflow sends it with every event it records, and the
 * benchmarks' seeded bursts write it with the start they record in the workflow's stead.
 */
export function deliverableSnapshot(
  seq: number,
  deliverable: { municipality: string; budgetYear: number },
  plan: { phaseId: string; boardId: string; deadline: { date: string }; deadlineAt: string },
  answeringBoard: { id: string },
  state: Pick<DeliverableState, 'stage' | 'late' | 'escalationLevel'>,
) {
  return {
    seq,
    municipality: deliverable.municipality,
    budgetYear: deliverable.budgetYear,
    phaseId: plan.phaseId,
    boardId: plan.boardId,
    answeringBoardId: answeringBoard.id,
    stage: state.stage,
    late: state.late,
    escalationLevel: state.escalationLevel,
    deadline: plan.deadline.date,
    deadlineAt: plan.deadlineAt,
  };
}
