import type { StoredKfDecision } from '../../../db/lup-kf-decisions';
import { KF_OUTCOMES, TRACE_STEPS } from '../../../domain/lup-trace';
import { kfDecisionSchema } from '../../operations/lup-trace';
import type { CommitteeComment } from '../../../db/committee-comments';
import type { AreaFlagAct } from '../../../db/committee-area-flags';
import type { CommitteeDecision } from '../../../db/committee-decisions';
import {
  areaFlagSchema,
  areaUnflagSchema,
  committeeCommentSchema,
  committeeDecisionSchema,
  supplementRequestSchema,
} from '../../operations/committee-acts';
import { z } from 'zod';
import {
  citizenDialogueSchema,
  dialoguePartSchema,
  consultationSchema,
  MEASURE_STATUSES,
  measureStatusSchema,
  revisionSchema,
  registrationSchema,
} from '../../../domain/lup-state';
import { refusalCodes } from '../../../domain/refusals';
import {
  cancelCycleSchema,
  confirmMilestoneSchema,
  deliverableActionSchemas,
  moveDeadlineSchema,
} from '../../operations/cycle-operations';
import type { SavedAnswer } from '../../../db/report-drafts';
import { markReadySchema, saveAnswerSchema, SignOffOutcome, SignOffView } from '../../operations/report-drafts';
import { declineSignOffSchema, signOffSchema, withdrawReadySchema } from '../../operations/report-sign-off';
import type { AwaitingSignOff, SignOffReturn } from '../../../db/report-sign-offs';
import type { ReviewComment } from '../../../db/review-comments';
import { addCommentSchema, ReportReview } from '../../operations/report-review';

/** Request and response shapes of the HTTP API: validated at the edge, documented in OpenAPI. */

const slug = z
  .string()
  .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, { message: 'must be lower-case letters, digits and dashes' });

export const yearParams = z.object({ year: z.coerce.number().int().min(2000).max(2200) }).strict();
export const deliverableParams = yearParams.extend({ phaseId: slug, boardId: slug }).strict();
export const milestoneParams = yearParams.extend({ milestoneId: slug }).strict();
export const boardParams = z.object({ boardId: slug }).strict();
export const yearBoardParams = yearParams.extend({ boardId: slug }).strict();
export const noQuery = z.object({}).strict();

export const submitBody = deliverableActionSchemas.submit;
export const approveBody = deliverableActionSchemas.approve;
export const returnBody = deliverableActionSchemas.return;
export const extendBody = deliverableActionSchemas.extend;
export const exemptBody = deliverableActionSchemas.exempt;
export const moveDeadlineBody = moveDeadlineSchema;
export const cancelCycleBody = cancelCycleSchema;
export const confirmMilestoneBody = confirmMilestoneSchema.omit({ milestoneId: true }).strict();

const refusalParams = z.record(z.string(), z.union([z.string(), z.number()]));

export const errorResponse = z.object({
  error: z.enum(['bad-request', 'unauthorized', 'forbidden', 'not-found', 'conflict', 'too-many-requests']),
  message: z.string(),
  field: z.string().optional(),
  /**
   * Why a request was refused, stable across releases (not-in-future, not-possible-in-stage,
   * too-long …): what clients should branch on and translate, never the English message. Every
   * 400, 403, 404 and 409 has one; 401 and 429 have none. During an upgrade a worker of another
   * version may send one this list lacks: treat an unknown code as a refusal to show as it is.
   */
  code: z.enum(refusalCodes).optional(),
  /** What the code's translation fills in, e.g. `{ "max": 300 }` or `{ "action": "approve", "stage": "open" }`. */
  params: refusalParams.optional(),
});

const stage = z.enum(['planned', 'open', 'submitted', 'returned', 'approved', 'exempt', 'cancelled']);

export const deliverableSummary = z.object({
  workflowId: z.string(),
  phaseId: z.string(),
  phaseName: z.string(),
  boardId: z.string(),
  boardName: z.string(),
  answeringBoardId: z.string(),
  stage,
  late: z.boolean(),
  escalationLevel: z.number().int(),
  deadline: z.string(),
  deadlineAt: z.string(),
  updatedAt: z.string(),
});

export const contentWarning = z.object({
  field: z.string(),
  problem: z.string(),
  code: z.enum(refusalCodes),
  params: refusalParams.optional(),
});

export const deliverableState = z.object({
  /** Content rules that warn without blocking (e.g. a LUP measure missing from the budgetunderlag). */
  warnings: z.array(contentWarning).optional(),
  stage,
  late: z.boolean(),
  escalationLevel: z.number().int(),
  submissions: z.array(
    z.object({
      documentRef: z.string(),
      decisionDate: z.string().optional(),
      comment: z.string().optional(),
      by: z.string(),
      at: z.string(),
    }),
  ),
  reviews: z.array(
    z.object({
      decision: z.enum(['approved', 'returned']),
      by: z.string(),
      at: z.string(),
      comment: z.string().optional(),
    }),
  ),
  exemption: z.object({ by: z.string(), at: z.string(), reason: z.string() }).optional(),
});

export const deliverableDetail = z.object({
  summary: deliverableSummary,
  state: deliverableState,
  pending: z.array(z.object({ id: z.string(), kind: z.string(), instant: z.string(), level: z.number().optional() })),
  history: z.array(z.object({ actionId: z.string(), kind: z.string(), plannedAt: z.string(), outcome: z.string() })),
});

export const cycleSummary = z.object({
  municipality: z.string(),
  budgetYear: z.number().int(),
  workflowId: z.string(),
  startedAt: z.string(),
  phases: z.array(
    z.object({
      id: z.string(),
      name: z.string(),
      kind: z.enum(['milestone', 'deliverable']),
      date: z.string().optional(),
      deadline: z.string().optional(),
    }),
  ),
});

export const cycleStatus = z.object({
  workflowId: z.string(),
  municipality: z.string(),
  budgetYear: z.number().int(),
  openDeliverables: z.number().int(),
  finishedDeliverables: z.number().int(),
  phases: z.array(
    z.object({
      id: z.string(),
      name: z.string(),
      kind: z.enum(['milestone', 'deliverable']),
      stage: z.string(),
      plannedDate: z.string(),
      confirmedOn: z.string().optional(),
      deadline: z.string().optional(),
    }),
  ),
  /** Set once the cycle was cancelled: who, why, when, how many deliverables it stopped. */
  cancelled: z
    .object({ by: z.string(), reason: z.string(), at: z.string(), stoppedDeliverables: z.number().int() })
    .optional(),
});

export const mailRecord = z.object({
  kind: z.string(),
  plannedAt: z.string(),
  sentAt: z.string().nullable(),
  status: z.string(),
  subject: z.string(),
  recipients: z.array(z.string()),
  problem: z.string().nullable(),
});

export const me = z.object({
  /** `person:<id>` or `token:<tok_id>`, as the audit log names the caller. */
  actor: z.string(),
  /** admin, committee, stadshus, board:<id>:<duty>. */
  grants: z.array(z.string()),
  tokenId: z.string().optional(),
  owner: z.string().optional(),
  label: z.string().optional(),
  scopes: z.array(z.enum(['read', 'submit', 'admin'])).optional(),
});

/** A person's own settings as GET /api/me/settings answers them (PUT takes personSettingsInputSchema). */
export const personSettings = z.object({
  /** Send it back with a change: a change based on an older version is refused (409). */
  version: z.number().int(),
  language: z.enum(['sv', 'en']),
  weeklyDigest: z.boolean(),
  /** The boards the person holds a role at, and whether their mails reach the person. */
  boards: z.array(z.object({ boardId: z.string(), mailed: z.boolean() })),
  mailBoards: z.array(z.string()),
  /** Stand-ins (ersättare) whose period has not ended; dates in Stockholm, both included. */
  standIns: z.array(z.object({ personId: z.string(), email: z.string().optional(), from: z.string(), to: z.string() })),
  /** Those the caller stands in for (their board grants are the caller's during the period). */
  standingInFor: z.array(
    z.object({ personId: z.string(), email: z.string().optional(), from: z.string(), to: z.string() }),
  ),
});

export const lupParams = z.object({ boardId: slug }).strict();
export const measureParams = lupParams.extend({ measureId: slug }).strict();
export const dialogueBody = citizenDialogueSchema().omit({ by: true });
export const consultationBody = consultationSchema().omit({ by: true });
export const dialogueParams = lupParams.extend({ dialogueId: slug }).strict();
export const dialoguePartBody = dialoguePartSchema().omit({ by: true, dialogueId: true });
/** A service board's or company's part in a district's dialogue, as the dialogues list it. */
const dialoguePartView = z.object({
  boardId: z.string(),
  contribution: z.string(),
  by: z.string(),
  recordedAt: z.string(),
});
export const revisionBody = revisionSchema().omit({ by: true });
export const registrationBody = registrationSchema().omit({ by: true });
export const measureStatusBody = measureStatusSchema().omit({ by: true, measureId: true });

const measure = z.object({
  id: z.string(),
  title: z.string(),
  ownerId: z.string(),
  goal: z.string().optional(),
  indicators: z.array(z.object({ name: z.string(), target: z.string() })),
  cost: z.number().optional(),
  larger: z.boolean(),
  priorityArea: z.string().optional(),
  status: z.enum(MEASURE_STATUSES),
  statusHistory: z.array(
    z.object({ status: z.enum(MEASURE_STATUSES), on: z.string(), by: z.string(), note: z.string().optional() }),
  ),
});
const programme = z.object({
  number: z.number().int(),
  boardId: z.string(),
  adoptedOn: z.string(),
  reference: z.string(),
  budgetYear: z.number().int().optional(),
  period: z.object({ from: z.string(), to: z.string() }).optional(),
  /** Adopted before Årshjul and registered afterwards: when and by whom. */
  registered: z.object({ on: z.string(), by: z.string() }).optional(),
  versions: z.array(
    z.object({
      version: z.number().int(),
      on: z.string(),
      by: z.string(),
      reference: z.string().optional(),
      reason: z.string(),
      added: z.array(z.string()),
      changed: z.array(z.string()),
      ended: z.array(z.string()),
    }),
  ),
  measures: z.array(measure),
});
export const lupState = z.object({
  boardId: z.string(),
  programme: programme.optional(),
  replaced: z.array(programme.extend({ replacedOn: z.string() })),
  analyses: z.array(
    z.object({
      budgetYear: z.number().int(),
      mainFocus: z.string().optional(),
      content: z.record(z.string(), z.unknown()),
      recordedOn: z.string(),
      by: z.string(),
    }),
  ),
  dialogues: z.array(
    citizenDialogueSchema().extend({ boardId: z.string(), parts: z.array(dialoguePartView).optional() }),
  ),
  consultations: z.array(consultationSchema().extend({ boardId: z.string() })),
  followUps: z.array(
    z.object({
      budgetYear: z.number().int(),
      phaseId: z.string(),
      programme: z.number().int(),
      version: z.number().int(),
      recordedOn: z.string(),
      by: z.string(),
    }),
  ),
  handOvers: z.array(z.object({ from: z.string(), to: z.string(), on: z.string(), by: z.string() })),
  handedOverTo: z.string().optional(),
});
export const lupView = z.object({
  workflowId: z.string(),
  municipality: z.string(),
  boardId: z.string(),
  stage: z.enum(['utan-program', 'i-kraft', 'overlamnat']),
  state: lupState,
});
export const allDialogues = z.array(
  z.object({
    boardId: z.string(),
    boardName: z.string(),
    id: z.string(),
    heldOn: z.string(),
    need: z.string(),
    question: z.string(),
    forms: z.array(z.string()),
    roomForInfluence: z.string(),
    participants: z.array(z.object({ group: z.string(), count: z.number() })),
    outcome: z.string().nullable(),
    feedback: z.string().nullable(),
  }),
);

/** An indicator of a LUP analysis with its baseline (src/domain/guideline-answers.ts). */
const indicatorView = z.object({
  name: z.string(),
  baseline: z.number().optional(),
  year: z.number().optional(),
  source: z.string().optional(),
});
const followUpStatus = z.object({ phaseId: z.string(), status: z.string(), comment: z.string().optional() }).nullable();
export const localDevelopment = z.object({
  budgetYear: z.number().int(),
  onDate: z.string(),
  priorityAreas: z.array(
    z.object({
      id: z.string(),
      name: z.string(),
      servedBy: z.array(z.object({ id: z.string(), name: z.string() })),
      /** Every board that served the area, with dates: the 2015 districts through the mergers. */
      servedByHistory: z.array(
        z.object({ id: z.string(), name: z.string(), validFrom: z.string(), validTo: z.string().nullable() }),
      ),
      boards: z.array(
        z.object({
          boardId: z.string(),
          boardName: z.string(),
          source: z.enum(['verksamhetsplan', 'lup']),
          nämndmål: z.array(z.string()),
          aktiviteter: z.array(z.string()),
          ingenDel: z.string().nullable(),
          followUp: followUpStatus,
        }),
      ),
    }),
  ),
  districts: z.array(
    z.object({
      boardId: z.string(),
      boardName: z.string(),
      stage: z.string(),
      mainFocus: z.string().nullable(),
      analysis: z
        .object({
          budgetYear: z.number().int(),
          mainFocus: z.string().optional(),
          areas: z.array(
            z.object({ name: z.string(), needs: z.string().optional(), indicators: z.array(indicatorView) }),
          ),
          indicatorsByGoal: z.array(z.object({ goal: z.string(), indicators: z.array(indicatorView) })),
        })
        .nullable(),
      measures: z.number().int(),
      servesPriorityAreas: z.array(z.string()),
      dialogues: z.array(
        z.object({
          id: z.string(),
          heldOn: z.string(),
          question: z.string(),
          roomForInfluence: z.string(),
          forms: z.array(z.string()),
          participants: z.array(z.object({ group: z.string(), count: z.number() })),
        }),
      ),
    }),
  ),
  punctuality: z.array(
    z.object({
      boardId: z.string(),
      boardName: z.string(),
      finished: z.number(),
      onTime: z.number(),
      lateNow: z.number(),
    }),
  ),
});

export const saveAnswerBody = saveAnswerSchema;
export const markReadyBody = markReadySchema;
export const signOffBody = signOffSchema;
export const declineSignOffBody = declineSignOffSchema;
export const withdrawReadyBody = withdrawReadySchema;

/** A report marked ready and awaiting its sign-off (påskrift): who marked it ready, when, with what. */
export const awaitingSignOff = z.object({
  markedReadyBy: z.string(),
  markedReadyAt: z.string(),
  documentRef: z.string().optional(),
  decisionDate: z.string().optional(),
  comment: z.string().optional(),
  /** SHA-256 (hex) of the answers as marked ready: what the sign-off hands in. */
  answersDigest: z.string(),
});
/** The last sign-off step that sent the report back to its draft, and why. */
export const signOffReturn = z.object({
  kind: z.enum(['sign-off-declined', 'ready-mark-withdrawn']),
  by: z.string(),
  at: z.string(),
  reason: z.string().optional(),
});
/** Where a report stands with its sign-off, on the report (GET …/report). */
export const signOffView = z.object({
  /** The phase asks for a sign-off before the report reaches SLK (the calendar's `signOff`). */
  required: z.boolean(),
  awaiting: awaitingSignOff.nullable(),
  lastReturn: signOffReturn.nullable(),
});
/** What klarmarkera (for a phase with a sign-off), a decline and a withdrawal answer. */
export const signOffState = z.object({
  stage,
  awaitingSignOff: awaitingSignOff.nullable(),
  lastReturn: signOffReturn.nullable(),
});

const awaitingJson = (w: AwaitingSignOff): z.infer<typeof awaitingSignOff> => ({
  markedReadyBy: w.markedReadyBy,
  markedReadyAt: w.markedReadyAt.toISOString(),
  ...(w.documentRef && { documentRef: w.documentRef }),
  ...(w.decisionDate && { decisionDate: w.decisionDate }),
  ...(w.comment && { comment: w.comment }),
  answersDigest: w.answersDigest,
});
const returnJson = (r: SignOffReturn): z.infer<typeof signOffReturn> => ({
  kind: r.kind,
  by: r.by,
  at: r.at.toISOString(),
  ...(r.reason && { reason: r.reason }),
});
export const signOffViewJson = (v: SignOffView): z.infer<typeof signOffView> => ({
  required: v.required,
  awaiting: v.awaiting && awaitingJson(v.awaiting),
  lastReturn: v.lastReturn && returnJson(v.lastReturn),
});
export const signOffStateJson = (o: SignOffOutcome): z.infer<typeof signOffState> => ({
  stage: o.stage,
  awaitingSignOff: o.awaitingSignOff && awaitingJson(o.awaitingSignOff),
  lastReturn: o.lastReturn && returnJson(o.lastReturn),
});
export type SaveAnswerBody = z.infer<typeof saveAnswerBody>;

export const savedAnswer = z.object({
  path: z.string(),
  value: z.unknown(),
  version: z.number().int(),
  savedBy: z.string(),
  savedAt: z.string(),
});
export const answerJson = (a: SavedAnswer): z.infer<typeof savedAnswer> => ({
  path: a.path,
  value: a.value,
  version: a.version,
  savedBy: a.savedBy,
  savedAt: a.savedAt.toISOString(),
});

const generatedItem = z.object({ id: z.string(), name: z.string() });
export const boardReport = z.object({
  deliverable: deliverableSummary,
  template: z.object({
    id: z.string(),
    version: z.number().int(),
    title: z.string(),
    help: z.string().optional(),
    sections: z.array(
      z
        .object({
          id: z.string(),
          title: z.string(),
          help: z.string().optional(),
          generate: z.string().optional(),
          items: z.array(generatedItem).optional(),
          requireOneOf: z.array(z.string()).optional(),
          questions: z.array(z.object({ id: z.string(), kind: z.string(), label: z.string() }).passthrough()),
        })
        .passthrough(),
    ),
  }),
  answers: z.array(savedAnswer),
  missing: z.array(
    z.object({ field: z.string(), section: z.string(), item: z.string().optional(), question: z.string() }),
  ),
  editable: z.boolean(),
  signOff: signOffView,
});

export const addCommentBody = addCommentSchema;

export const reviewComment = z.object({
  id: z.string(),
  /** The version (the sequence number of its `submitted` event) the comment was made on. */
  submissionSeq: z.number().int(),
  path: z.string(),
  comment: z.string(),
  author: z.string(),
  createdAt: z.string(),
});
export const commentJson = (c: ReviewComment): z.infer<typeof reviewComment> => ({
  id: c.id,
  submissionSeq: c.submissionSeq,
  path: c.path,
  comment: c.comment,
  author: c.author,
  createdAt: c.createdAt.toISOString(),
});

const answerChange = z.object({
  path: z.string(),
  change: z.enum(['added', 'changed', 'removed']),
  before: z.unknown().optional(),
  after: z.unknown().optional(),
});

export const reportReview = z.object({
  deliverable: deliverableSummary,
  template: boardReport.shape.template,
  versions: z.array(
    z.object({
      seq: z.number().int(),
      submittedAt: z.string(),
      submittedBy: z.string(),
      documentRef: z.string().nullable(),
      decisionDate: z.string().nullable(),
      comment: z.string().nullable(),
      /** In a phase with a sign-off: who marked it ready (`submittedBy` signed it off). */
      markedReadyBy: z.string().nullable(),
    }),
  ),
  latest: z.object({ seq: z.number().int(), answers: z.record(z.string(), z.unknown()) }).optional(),
  previousSeq: z.number().int().optional(),
  changes: z.array(answerChange),
  returns: z.array(
    z.object({
      seq: z.number().int(),
      returnedAt: z.string(),
      returnedBy: z.string(),
      reason: z.string(),
      deadline: z.string().nullable(),
    }),
  ),
  attachments: z.array(
    z.object({
      id: z.string(),
      fileName: z.string(),
      fileType: z.string(),
      sizeBytes: z.number().int(),
      sha256: z.string(),
      uploadedBy: z.string(),
      uploadedAt: z.string(),
    }),
  ),
  comments: z.array(reviewComment),
  canComment: z.boolean(),
});
export const reviewJson = (r: ReportReview): z.infer<typeof reportReview> => ({
  deliverable: r.deliverable,
  template: r.template,
  versions: r.versions.map((v) => ({ ...v, submittedAt: v.submittedAt.toISOString() })),
  ...(r.latest && { latest: r.latest }),
  ...(r.previousSeq !== undefined && { previousSeq: r.previousSeq }),
  changes: r.changes,
  returns: r.returns.map((x) => ({ ...x, returnedAt: x.returnedAt.toISOString() })),
  attachments: r.attachments.map((a) => ({
    id: a.id,
    fileName: a.fileName,
    fileType: a.fileType,
    sizeBytes: a.sizeBytes,
    sha256: a.sha256,
    uploadedBy: a.uploadedBy,
    uploadedAt: a.uploadedAt.toISOString(),
  })),
  comments: r.comments.map(commentJson),
  canComment: r.canComment,
});

/** SLK's people overview (GET /api/people), as operations/people-admin.ts builds it. */
export const peopleOverview = z.object({
  format: z.literal('arshjul-people/1'),
  today: z.string(),
  until: z.string(),
  withinDays: z.number().int(),
  memberships: z.array(
    z.object({
      personId: z.string(),
      /** null once the person's details are erased (pseudonymised). */
      name: z.string().nullable(),
      email: z.string().nullable(),
      /** admin, committee, stadshus, board:<id>:<duty>. */
      grant: z.string(),
      boardId: z.string().nullable(),
      boardName: z.string().nullable(),
      duty: z.string().nullable(),
      source: z.enum(['provider', 'manual']),
      since: z.string(),
      until: z.string().nullable(),
      lastSignInAt: z.string().nullable(),
    }),
  ),
  notSignedIn: z.array(
    z.object({
      workflowId: z.string(),
      budgetYear: z.number().int(),
      phaseId: z.string(),
      phaseName: z.string(),
      boardId: z.string(),
      boardName: z.string(),
      deadline: z.string(),
      openedAt: z.string().nullable(),
      people: z.array(
        z.object({
          personId: z.string(),
          name: z.string().nullable(),
          email: z.string().nullable(),
          duty: z.string(),
          lastSignInAt: z.string().nullable(),
        }),
      ),
    }),
  ),
});

/** The committee's comments (issue 14). */
export const committeeCommentBody = committeeCommentSchema;
export const committeeComment = z.object({
  id: z.string(),
  budgetYear: z.number().int(),
  boardId: z.string(),
  subject: z.enum(['report', 'lup']),
  phaseId: z.string().optional(),
  path: z.string().optional(),
  comment: z.string(),
  /** The committee member's pseudonymous id (`person:<id>`) or a token's. */
  author: z.string(),
  createdAt: z.string(),
});
export const committeeCommentJson = (c: CommitteeComment): z.infer<typeof committeeComment> => ({
  id: c.id,
  budgetYear: c.budgetYear,
  boardId: c.boardId,
  subject: c.subject,
  ...(c.phaseId !== undefined && { phaseId: c.phaseId }),
  ...(c.path !== undefined && { path: c.path }),
  comment: c.comment,
  author: c.author,
  createdAt: c.createdAt.toISOString(),
});

export const areaParams = z.object({ areaId: slug }).strict();
export const areaFlagBody = areaFlagSchema;
export const areaUnflagBody = areaUnflagSchema;
export const areaFlagAct = z.object({
  id: z.string(),
  areaId: z.string(),
  action: z.enum(['flag', 'unflag']),
  reason: z.string().optional(),
  author: z.string(),
  createdAt: z.string(),
});
export const areaFlagActJson = (a: AreaFlagAct): z.infer<typeof areaFlagAct> => ({
  id: a.id,
  areaId: a.areaId,
  action: a.action,
  ...(a.reason !== undefined && { reason: a.reason }),
  author: a.author,
  createdAt: a.createdAt.toISOString(),
});
export const areaFlags = z.array(z.object({ areaId: z.string(), flags: z.array(areaFlagAct) }));

export const supplementRequestBody = supplementRequestSchema;
export const supplementRequested = z.object({
  requestId: z.string(),
  phaseId: z.string(),
  name: z.string(),
  boardId: z.string(),
  workflowId: z.string(),
  deadline: z.string(),
  deadlineAt: z.string(),
  by: z.string(),
});
export const committeeDecisionBody = committeeDecisionSchema;
export const committeeDecision = z.object({
  id: z.string(),
  concerns: z.enum(['report', 'lup', 'area']),
  budgetYear: z.number().int().optional(),
  phaseId: z.string().optional(),
  boardId: z.string().optional(),
  areaId: z.string().optional(),
  decidedOn: z.string(),
  reference: z.string(),
  decision: z.string(),
  author: z.string(),
  createdAt: z.string(),
});
export const committeeDecisionJson = ({
  municipality: _m,
  createdAt,
  ...rest
}: CommitteeDecision): z.infer<typeof committeeDecision> => ({ ...rest, createdAt: createdAt.toISOString() });

// The trace of larger LUP measures (issue 14): SLK's KF decision per measure and year.
export const kfDecisionParams = yearParams.extend({ boardId: slug, measureId: slug }).strict();
export const kfDecisionBody = kfDecisionSchema;
export const kfDecision = z.object({
  budgetYear: z.number().int(),
  boardId: z.string(),
  measureId: z.string(),
  outcome: z.enum(KF_OUTCOMES),
  reference: z.string(),
  amount: z.number().int().optional(),
  recordedBy: z.string(),
  recordedAt: z.string(),
});
export const kfDecisionJson = ({ recordedAt, ...rest }: StoredKfDecision): z.infer<typeof kfDecision> => ({
  ...rest,
  recordedAt: recordedAt.toISOString(),
});

const traceStep = z.object({
  step: z.enum(TRACE_STEPS),
  state: z.enum(['klar', 'saknas', 'ej-aktuell-an']),
  due: z.string().optional(),
  gaps: z.array(z.string()),
  cost: z.number().optional(),
  decision: z
    .object({ outcome: z.enum(KF_OUTCOMES), reference: z.string(), amount: z.number().int().optional() })
    .optional(),
  followUpStatus: z.string().optional(),
});
/** The LUP measures in force that name a service board or company as owner, per district (issue 14). */
export const boardLupMeasures = z.object({
  boardId: z.string(),
  boardName: z.string(),
  districts: z.array(
    z.object({
      boardId: z.string(),
      boardName: z.string(),
      measures: z.array(
        z.object({
          measureId: z.string(),
          title: z.string(),
          goal: z.string().nullable(),
          cost: z.number().nullable(),
          larger: z.boolean(),
          priorityArea: z.string().nullable(),
          status: z.string(),
          statusSince: z.string().nullable(),
        }),
      ),
      dialogues: z.array(
        z.object({
          id: z.string(),
          heldOn: z.string(),
          question: z.string(),
          outcome: z.string().nullable(),
          /** The service boards' and companies' parts in it, in the order recorded. */
          parts: z.array(dialoguePartView.extend({ boardName: z.string() })),
        }),
      ),
      consultations: z.array(z.object({ id: z.string(), heldOn: z.string(), said: z.string() })),
    }),
  ),
});
/** The trace of larger LUP measures of a budget year (LUP-spårning), per district. */
export const lupTrace = z.object({
  budgetYear: z.number().int(),
  due: z.record(z.string(), z.string()),
  districts: z.array(
    z.object({
      boardId: z.string(),
      boardName: z.string(),
      measures: z.array(
        z.object({
          boardId: z.string(),
          measureId: z.string(),
          title: z.string(),
          ownerId: z.string(),
          ownerName: z.string(),
          cost: z.number().optional(),
          steps: z.array(traceStep),
        }),
      ),
    }),
  ),
});
