import { randomUUID } from 'node:crypto';
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Pool } from 'pg';
import { z } from 'zod';
import { appendAuditEvent } from '../../../db/audit-log';
import { postgresRateLimitStore } from '../../../db/rate-limit-store';
import { actorId, Principal } from '../../../domain/principal';
import { boardTargets } from '../../../domain/board-target';
import { formatGrant } from '../../../domain/grants';
import { Action, boardActions, decide, readableBoards } from '../../../domain/permissions';
import { CycleOperations, DeliverableAction } from '../../operations/cycle-operations';
import { authorize, targetOf } from '../../operations/authorize';
import { OperationError, parseInput } from '../../operations/operation-error';
import { visibleDeliverable } from '../../operations/visible-deliverable';
import { ReportDraftOperations } from '../../operations/report-drafts';
import { pathInTemplate, ReportReviewOperations } from '../../operations/report-review';
import { peopleOverview, peopleQuerySchema } from '../../operations/people-admin';
import { createPersonSettingsOperations, PersonSettingsOperations } from '../../operations/person-settings';
import { personSettingsInputSchema } from '../../../domain/person-settings';
import { actorOf } from '../auth';
import { buildOpenApiDocument } from './openapi';
import * as s from './schemas';

/**
 * Who may call a route: `authenticated` for any caller (what it then sees is narrowed by board),
 * else the action of the permission functions (domain/permissions.ts). Cross-board actions are
 * checked before the handler; a board action (`draft`, `mark-ready` …) by the handler, on the
 * board the URL names (404 for a board the caller may not see).
 */
export type Access = Action | 'authenticated';

export interface RouteContext {
  principal: Principal;
  actor: string;
  params: Record<string, unknown>;
  query: Record<string, unknown>;
  body: unknown;
  ops: CycleOperations;
  drafts: ReportDraftOperations;
  review: ReportReviewOperations;
  pool: Pool;
  settings: PersonSettingsOperations;
}

export interface ApiRoute {
  method: 'GET' | 'POST' | 'PUT';
  url: string;
  summary: string;
  access: Access;
  params?: z.ZodType;
  query?: z.ZodType;
  body?: z.ZodType;
  /**
   * The operation checks the body itself, so its refusals carry their stable codes (`bad-path`,
   * `too-long` …); `body` then only documents it.
   */
  bodyCheckedByOperation?: true;
  response: z.ZodType;
  /**
   * Rate-limited as a write, but recorded by the operation itself (a body with personal data,
   * such as a stand-in's address, stays out of the audit log).
   */
  rateLimitedOnly?: true;
  /** Writes are rate-limited and audited with the caller. */
  write?: {
    operation: string;
    target: (params: Record<string, unknown>, ops: CycleOperations) => string;
    /** What of the body the audit log keeps, when not all of it (a long answer stays out). */
    recorded?: (body: unknown) => unknown;
  };
  handler(ctx: RouteContext): Promise<unknown>;
}

type DeliverableParams = z.infer<typeof s.deliverableParams>;

/** Loads a deliverable the caller may see, or answers 404 exactly as for one that does not exist. */
function visibleDeliverableOf(ctx: RouteContext) {
  const p = ctx.params as DeliverableParams;
  return visibleDeliverable(ctx.ops, ctx.principal, p.year, p.phaseId, p.boardId);
}

const deliverableTarget = (params: Record<string, unknown>, ops: CycleOperations): string => {
  const p = params as DeliverableParams;
  return `${ops.municipality}/${p.year}/${p.phaseId}/${p.boardId}`;
};

/** Submit is the board's (with a document reference); the rest are SLK's review and management. */
const DELIVERABLE_ACTIONS: Record<DeliverableAction, Action> = {
  submit: 'submit-document',
  approve: 'review',
  return: 'review',
  extend: 'admin',
  exempt: 'admin',
};

function deliverableActionRoute(action: DeliverableAction, body: z.ZodType, summary: string): ApiRoute {
  return {
    method: 'POST',
    url: `/api/cycles/:year/deliverables/:phaseId/:boardId/${action}`,
    summary,
    access: DELIVERABLE_ACTIONS[action],
    params: s.deliverableParams,
    body,
    response: s.deliverableState,
    write: { operation: `deliverable-${action}`, target: deliverableTarget },
    async handler(ctx) {
      const p = ctx.params as DeliverableParams;
      const summary = await visibleDeliverableOf(ctx);
      authorize(ctx.principal, DELIVERABLE_ACTIONS[action], await targetOf(ctx.ops, summary.answeringBoardId));
      return ctx.ops.actOnDeliverable(p.year, p.phaseId, p.boardId, action, ctx.body, ctx.actor);
    },
  };
}

/** A record the district makes in its programme (`POST /api/lup/:boardId/<what>`): its own people or SLK. */
function lupWriteRoute(
  what: string,
  body: z.ZodType,
  summary: string,
  run: (
    ops: CycleOperations,
    p: Record<string, unknown> & { boardId: string },
    body: unknown,
    actor: string,
  ) => Promise<unknown>,
): ApiRoute {
  return {
    method: 'POST',
    url: `/api/lup/:boardId/${what}`,
    summary,
    access: 'record-dialogue',
    params: s.lupParams,
    body,
    response: s.lupState,
    write: {
      operation: `lup-${what.split('/')[0]!}`,
      target: (p, ops) => `lup/${ops.municipality}/${String(p.boardId)}`,
    },
    async handler({ ops, params, principal, body: input, actor }) {
      const p = params as Record<string, unknown> & { boardId: string };
      authorize(principal, 'record-dialogue', await targetOf(ops, p.boardId));
      return run(ops, p, input, actor);
    },
  };
}

export const apiRoutes: ApiRoute[] = [
  {
    method: 'GET',
    url: '/api/me',
    summary: 'Who the caller is: a person or a token, its grants and a token’s scopes (Vem är jag)',
    access: 'authenticated',
    response: s.me,
    handler: async ({ principal }) => ({
      actor: actorId(principal),
      grants: principal.grants.map(formatGrant),
      ...(principal.kind === 'token' && {
        tokenId: principal.tokenId,
        owner: principal.owner,
        label: principal.label,
        scopes: [...principal.scopes],
      }),
    }),
  },
  {
    method: 'GET',
    url: '/api/people',
    summary:
      'Who holds which role at which board, from where and since when, with their last sign-in; per deliverable due within withinDays (default 14) the people with a duty at its board who have not signed in since it opened (Personer): SLK',
    access: 'admin',
    query: peopleQuerySchema,
    response: s.peopleOverview,
    handler: async ({ ops, pool, query }) =>
      peopleOverview(
        { pool, municipality: ops.municipality, snapshot: await ops.snapshot(), today: ops.today() },
        query,
      ),
  },
  {
    method: 'GET',
    url: '/api/me/settings',
    summary: 'A person’s own settings: mail language, weekly digest, boards mailed, stand-ins (Mina inställningar)',
    access: 'authenticated',
    response: s.personSettings,
    handler: ({ principal, settings }) => settings.read(principal),
  },
  {
    method: 'PUT',
    url: '/api/me/settings',
    summary:
      'Replaces a person’s own settings and coming stand-ins; machine tokens have none (403 person-only), a change based on an older version gets 409',
    access: 'authenticated',
    body: personSettingsInputSchema,
    // The operation checks the body, so a token hears 403 person-only before a body's faults;
    // it records the change itself, with ids only (the body names the stand-in by address).
    bodyCheckedByOperation: true,
    rateLimitedOnly: true,
    response: s.personSettings,
    handler: ({ principal, settings, body }) => settings.save(principal, body),
  },
  {
    method: 'GET',
    url: '/api/cycles',
    summary: 'The cycles started, with their phases and milestones (Budgetcykler)',
    access: 'authenticated',
    response: z.array(s.cycleSummary),
    async handler({ ops }) {
      return (await ops.listCycles()).map((c) => ({
        municipality: c.municipality,
        budgetYear: c.budgetYear,
        workflowId: c.workflowId,
        startedAt: c.startedAt.toISOString(),
        phases: c.calendar.phases.map((p) =>
          p.kind === 'milestone'
            ? { id: p.id, name: p.name, kind: p.kind, date: p.date }
            : { id: p.id, name: p.name, kind: p.kind, deadline: p.deadline },
        ),
      }));
    },
  },
  {
    method: 'GET',
    url: '/api/cycles/:year/status',
    summary: 'Status of a cycle’s phases and milestones, from the record (Cykelns läge)',
    access: 'read-all',
    params: s.yearParams,
    response: s.cycleStatus,
    // The record holds what the status shows (events and the read model): no workflow query,
    // which a worker may have to replay to answer, and an answer while Temporal is away.
    handler: async ({ ops, params }) => ops.cycleProgress(await ops.cycle((params as { year: number }).year)),
  },
  {
    method: 'GET',
    url: '/api/cycles/:year/deliverables',
    summary:
      'Every deliverable of a cycle the caller may see: all for admin and committee, its own for a board, the companies’ for Stockholms Stadshus AB',
    access: 'authenticated',
    params: s.yearParams,
    response: z.array(s.deliverableSummary),
    async handler({ ops, params, principal }) {
      const { year } = params as { year: number };
      await ops.cycle(year);
      const readable = readableBoards(principal, boardTargets((await ops.snapshot()).registry));
      if (readable === 'all') return ops.deliverables(year, {});
      if (readable.size === 1) return ops.deliverables(year, { boardId: [...readable][0]! });
      return (await ops.deliverables(year, {})).filter((d) => readable.has(d.answeringBoardId));
    },
  },
  {
    method: 'GET',
    url: '/api/cycles/:year/deliverables/:phaseId/:boardId',
    summary: 'One deliverable with its submissions, reviews and notifications',
    access: 'authenticated',
    params: s.deliverableParams,
    response: s.deliverableDetail,
    async handler(ctx) {
      const p = ctx.params as DeliverableParams;
      const summary = await visibleDeliverableOf(ctx);
      const view = await ctx.ops.deliverableView(p.year, p.phaseId, p.boardId);
      return {
        summary,
        state: view.state,
        pending: view.pending.map((a) => ({ id: a.id, kind: a.kind, instant: a.instant, level: a.level })),
        history: view.history.map((h) => ({
          actionId: h.actionId,
          kind: h.kind,
          plannedAt: h.plannedAt,
          outcome: h.outcome,
        })),
      };
    },
  },
  deliverableActionRoute('submit', s.submitBody, 'Hand in a deliverable (Lämna in): the board itself or SLK'),
  deliverableActionRoute('approve', s.approveBody, 'Approve a submitted deliverable (Godkänn): SLK'),
  deliverableActionRoute('return', s.returnBody, 'Return for completion with a new deadline (Återremittera): SLK'),
  deliverableActionRoute('extend', s.extendBody, 'Grant an extension (Anstånd): SLK'),
  deliverableActionRoute('exempt', s.exemptBody, 'Exempt a board from a deliverable (Undanta): SLK'),
  {
    method: 'POST',
    url: '/api/cycles/:year/deadlines',
    summary: 'Move a phase’s deadline, for all its boards or a group (Flytta sista dag): SLK',
    access: 'admin',
    params: s.yearParams,
    body: s.moveDeadlineBody,
    response: s.cycleStatus,
    write: { operation: 'move-deadline', target: (p, ops) => `${ops.municipality}/${String(p.year)}` },
    handler: ({ ops, params, body, actor }) => ops.moveDeadline((params as { year: number }).year, body, actor),
  },
  {
    method: 'POST',
    url: '/api/cycles/:year/cancel',
    summary:
      'Cancel a cycle started by mistake: its deliverables and the districts’ LUPs stop, nothing more is sent (Avbryt budgetår): SLK',
    access: 'admin',
    params: s.yearParams,
    body: s.cancelCycleBody,
    response: s.cycleStatus,
    write: { operation: 'cancel-cycle', target: (p, ops) => `${ops.municipality}/${String(p.year)}` },
    handler: ({ ops, params, body, actor }) => ops.cancelCycle((params as { year: number }).year, body, actor),
  },
  {
    method: 'POST',
    url: '/api/cycles/:year/milestones/:milestoneId/confirm',
    summary: 'Confirm that a milestone happened, on a date (Bekräfta milstolpe): SLK',
    access: 'admin',
    params: s.milestoneParams,
    body: s.confirmMilestoneBody,
    response: s.cycleStatus,
    write: { operation: 'confirm-milestone', target: (p, ops) => `${ops.municipality}/${String(p.year)}` },
    handler: ({ ops, params, body, actor }) => {
      const p = params as z.infer<typeof s.milestoneParams>;
      return ops.confirmMilestone(p.year, { ...(body as object), milestoneId: p.milestoneId }, actor);
    },
  },
  {
    method: 'GET',
    url: '/api/cycles/:year/local-development',
    summary:
      'Local development work: per priority area what each board planned and reported, per district its LUP and dialogues, punctuality per board (Lokalt utvecklingsarbete)',
    access: 'read-all',
    params: s.yearParams,
    response: s.localDevelopment,
    async handler({ ops, params }) {
      const { year } = params as { year: number };
      await ops.cycle(year);
      return ops.local.localDevelopment(year);
    },
  },
  {
    method: 'GET',
    url: '/api/lup/dialogues',
    summary:
      'Every district’s citizen dialogues, newest first: districts learn from each other (Medborgardialoger i staden)',
    access: 'authenticated',
    response: s.allDialogues,
    handler: ({ ops }) => ops.local.dialogues(),
  },
  {
    method: 'GET',
    url: '/api/lup/:boardId',
    summary:
      'A district’s local development programme across budget years: the programme in force, its versions and measures, analyses, consultations, dialogues, follow-ups (LUP)',
    access: 'read-board',
    params: s.lupParams,
    response: s.lupView,
    async handler({ ops, params, principal }) {
      const p = params as z.infer<typeof s.lupParams>;
      authorize(principal, 'read-board', await targetOf(ops, p.boardId));
      return ops.local.lupView(p.boardId);
    },
  },
  lupWriteRoute(
    'dialogues',
    s.dialogueBody,
    'Record a citizen dialogue in a district’s LUP (Medborgardialog): the district or SLK',
    (ops, p, body, actor) => ops.local.recordDialogue(p.boardId, body, actor),
  ),
  lupWriteRoute(
    'consultations',
    s.consultationBody,
    'Record a consultation with a service board or company (Samråd): the district or SLK',
    (ops, p, body, actor) => ops.local.recordConsultation(p.boardId, body, actor),
  ),
  {
    method: 'POST',
    url: '/api/lup/:boardId/dialogues/:dialogueId/parts',
    summary:
      'Record a service board’s or company’s part in a district’s citizen dialogue (Nämndens del i dialogen): what it contributed; the service board’s people or SLK, for a board the district consulted or that owns a measure of its programme',
    access: 'record-dialogue',
    params: s.dialogueParams,
    body: s.dialoguePartBody,
    response: s.lupState,
    write: {
      operation: 'lup-dialogue-part',
      target: (p, ops) => `lup/${ops.municipality}/${String(p.boardId)}`,
    },
    async handler({ ops, params, principal, body, actor }) {
      const p = params as z.infer<typeof s.dialogueParams>;
      // Authorised on the board whose part it is, not on the district whose dialogue it is.
      const { serviceBoardId } = parseInput(s.dialoguePartBody, body);
      authorize(principal, 'record-dialogue', await targetOf(ops, serviceBoardId));
      return ops.local.recordDialoguePart(p.boardId, p.dialogueId, body, actor);
    },
  },
  lupWriteRoute(
    'revisions',
    s.revisionBody,
    'Revise the programme: measures added, changed, ended, with the reason; a new version (Revidering): the district or SLK',
    (ops, p, body, actor) => ops.local.reviseProgramme(p.boardId, body, actor),
  ),
  lupWriteRoute(
    'register',
    s.registrationBody,
    'Register a programme the board adopted before Årshjul as in force: decision date, reference, measures, period; no dialogue asked for; refused when a programme is in force (Registrera gällande program): the district or SLK',
    (ops, p, body, actor) => ops.local.registerProgramme(p.boardId, body, actor),
  ),
  {
    ...lupWriteRoute(
      'measures/:measureId/status',
      s.measureStatusBody,
      'Set a measure’s status, with the date (Åtgärdens status): the district or SLK',
      (ops, p, body, actor) => ops.local.setMeasureStatus(p.boardId, String(p.measureId), body, actor),
    ),
    params: s.measureParams,
  },
  {
    method: 'POST',
    url: '/api/lup/:boardId/hand-over',
    summary: 'A merger: the district’s programme goes to the successor the registry names (Överlämning): SLK',
    access: 'admin',
    params: s.lupParams,
    response: s.lupState,
    write: { operation: 'lup-hand-over', target: (p, ops) => `lup/${ops.municipality}/${String(p.boardId)}` },
    handler: ({ ops, params, actor }) => ops.local.handOverProgramme((params as { boardId: string }).boardId, actor),
  },
  {
    method: 'GET',
    url: '/api/cycles/:year/deliverables/:phaseId/:boardId/report',
    summary:
      'A board’s report: the template of its phase with generated sections expanded, the saved draft answers and what is still missing (Rapport)',
    access: 'read-board',
    params: s.deliverableParams,
    response: s.boardReport,
    async handler({ drafts, params, principal }) {
      const p = params as DeliverableParams;
      const report = await drafts.loadReport(principal, p.year, p.phaseId, p.boardId);
      return { ...report, answers: report.answers.map(s.answerJson), signOff: s.signOffViewJson(report.signOff) };
    },
  },
  {
    method: 'PUT',
    url: '/api/cycles/:year/deliverables/:phaseId/:boardId/report/answers',
    summary:
      'Save one draft answer over the version last seen (Spara svar): the board itself or SLK; 409 edited-by-someone-else when another save came between',
    access: 'draft',
    params: s.deliverableParams,
    body: s.saveAnswerBody,
    response: s.savedAnswer,
    write: {
      operation: 'report-answer',
      target: deliverableTarget,
      recorded: (body) => {
        const b = body as { path?: unknown; expectedVersion?: unknown };
        return { path: b.path, expectedVersion: b.expectedVersion };
      },
    },
    async handler({ drafts, params, principal, body, actor }) {
      const p = params as DeliverableParams;
      const saved = await drafts.saveAnswer(principal, p.year, p.phaseId, p.boardId, body as s.SaveAnswerBody, actor);
      return s.answerJson(saved);
    },
  },
  {
    method: 'POST',
    url: '/api/cycles/:year/deliverables/:phaseId/:boardId/report/ready',
    summary:
      'Mark a report ready (Klarmarkera): hands in the saved answers, checked against the template; 409 not-ready names what is missing. In a phase that asks for a sign-off it hands nothing in: the report awaits its sign-off (the answer is then the sign-off state) and takes no saves (409 awaiting-sign-off)',
    access: 'mark-ready',
    params: s.deliverableParams,
    body: s.markReadyBody,
    response: z.union([s.deliverableState, s.signOffState]),
    write: { operation: 'report-ready', target: deliverableTarget },
    async handler({ drafts, params, principal, body, actor }) {
      const p = params as DeliverableParams;
      const outcome = await drafts.markReady(principal, p.year, p.phaseId, p.boardId, body, actor);
      return 'awaitingSignOff' in outcome ? s.signOffStateJson(outcome) : outcome;
    },
  },
  {
    method: 'POST',
    url: '/api/cycles/:year/deliverables/:phaseId/:boardId/report/ready/withdraw',
    summary:
      'Withdraw the ready mark of a report awaiting its sign-off (Återta klarmarkeringen), the reason optional: back to its draft; 409 not-awaiting-sign-off',
    access: 'mark-ready',
    params: s.deliverableParams,
    body: s.withdrawReadyBody,
    response: s.signOffState,
    write: { operation: 'report-ready-withdraw', target: deliverableTarget },
    async handler({ drafts, params, principal, body, actor }) {
      const p = params as DeliverableParams;
      return s.signOffStateJson(await drafts.withdrawReadyMark(principal, p.year, p.phaseId, p.boardId, body, actor));
    },
  },
  {
    method: 'POST',
    url: '/api/cycles/:year/deliverables/:phaseId/:boardId/report/sign-off',
    summary:
      'Sign off a report awaiting it (Påskrift): hands in the answers as marked ready, naming who marked it ready and who signed off; of two at once one succeeds, the other gets 409 not-awaiting-sign-off',
    access: 'sign-off',
    params: s.deliverableParams,
    body: s.signOffBody,
    response: s.deliverableState,
    write: { operation: 'report-sign-off', target: deliverableTarget },
    async handler({ drafts, params, principal, body, actor }) {
      const p = params as DeliverableParams;
      return drafts.signOff(principal, p.year, p.phaseId, p.boardId, body, actor);
    },
  },
  {
    method: 'POST',
    url: '/api/cycles/:year/deliverables/:phaseId/:boardId/report/sign-off/decline',
    summary:
      'Decline to sign off a report awaiting it (Avböj påskrift), with a required reason: back to its draft, the reason recorded and shown on the form; 409 not-awaiting-sign-off',
    access: 'sign-off',
    params: s.deliverableParams,
    body: s.declineSignOffBody,
    response: s.signOffState,
    write: { operation: 'report-sign-off-decline', target: deliverableTarget },
    async handler({ drafts, params, principal, body, actor }) {
      const p = params as DeliverableParams;
      return s.signOffStateJson(await drafts.declineSignOff(principal, p.year, p.phaseId, p.boardId, body, actor));
    },
  },
  {
    method: 'GET',
    url: '/api/cycles/:year/deliverables/:phaseId/:boardId/report/review',
    summary:
      'SLK’s review of a report (Granskning): the template, every version handed in, the latest answers, what changed since the returned version, attachments and comments per question; SLK and the committee, a board its own',
    access: 'read-board',
    params: s.deliverableParams,
    response: s.reportReview,
    async handler({ review, params, principal }) {
      const p = params as DeliverableParams;
      return s.reviewJson(await review.loadReview(principal, p.year, p.phaseId, p.boardId));
    },
  },
  {
    method: 'POST',
    url: '/api/cycles/:year/deliverables/:phaseId/:boardId/report/comments',
    summary:
      'Comment on a question or section of a report under review (Kommentera): SLK; 400 bad-path for a path the template does not ask, 409 not-under-review unless handed in',
    access: 'review',
    params: s.deliverableParams,
    body: s.addCommentBody,
    bodyCheckedByOperation: true,
    response: s.reviewComment,
    write: {
      operation: 'review-comment',
      target: deliverableTarget,
      recorded: (body) => {
        const b = body as { path?: unknown; comment?: unknown };
        return { path: b.path, commentLength: typeof b.comment === 'string' ? b.comment.length : undefined };
      },
    },
    async handler({ review, params, principal, body, actor }) {
      const p = params as DeliverableParams;
      return s.commentJson(await review.addComment(principal, p.year, p.phaseId, p.boardId, body, actor));
    },
  },
  {
    method: 'POST',
    url: '/api/cycles/:year/committee/comments',
    summary:
      'The committee comments on a board’s report (or one of its questions) or a district’s LUP (Utskottets kommentar): the committee; recorded, shown to the board and SLK, mailed to them once; 400 bad-path for a question the report does not ask',
    access: 'committee-act',
    params: s.yearParams,
    body: s.committeeCommentBody,
    bodyCheckedByOperation: true,
    response: s.committeeComment,
    // The operation records the comment in the audit log, against the report or LUP it concerns.
    rateLimitedOnly: true,
    async handler({ ops, drafts, params, principal, body, actor }) {
      const { year } = params as { year: number };
      const pathAsked = async (phaseId: string, boardId: string, path: string) =>
        pathInTemplate((await drafts.loadExpandedTemplate(principal, year, phaseId, boardId)).template, path);
      return s.committeeCommentJson(await ops.committee.addComment(principal, year, body, actor, pathAsked));
    },
  },
  {
    method: 'GET',
    url: '/api/cycles/:year/boards/:boardId/committee-comments',
    summary:
      'The committee’s comments on a board’s reports and LUP in a budget year, oldest first (Utskottets kommentarer)',
    access: 'read-board',
    params: s.yearBoardParams,
    response: z.array(s.committeeComment),
    async handler({ ops, params, principal }) {
      const p = params as z.infer<typeof s.yearBoardParams>;
      authorize(principal, 'read-board', await targetOf(ops, p.boardId));
      await ops.cycle(p.year);
      return (await ops.committee.comments(p.year, p.boardId)).map(s.committeeCommentJson);
    },
  },
  {
    method: 'POST',
    url: '/api/committee/priority-areas/:areaId/flag',
    summary:
      'Flag a priority area for attention, with a reason (Uppmärksamma området): the committee; recorded, shown on the local development page and the pages of the boards serving the area, mailed to them and SLK once; two flags at once are both kept',
    access: 'committee-act',
    params: s.areaParams,
    body: s.areaFlagBody,
    bodyCheckedByOperation: true,
    response: s.areaFlagAct,
    // The operation records the act in the audit log, against the area.
    rateLimitedOnly: true,
    async handler({ ops, params, principal, body, actor }) {
      const { areaId } = params as z.infer<typeof s.areaParams>;
      return s.areaFlagActJson(await ops.committee.actOnArea(principal, areaId, 'flag', body, actor, ops.today()));
    },
  },
  {
    method: 'POST',
    url: '/api/committee/priority-areas/:areaId/unflag',
    summary:
      'Take the committee’s attention from a priority area (Ta bort uppmärksamheten), the reason optional: the committee; 409 not-flagged when it is not flagged',
    access: 'committee-act',
    params: s.areaParams,
    body: s.areaUnflagBody,
    bodyCheckedByOperation: true,
    response: s.areaFlagAct,
    // The operation records the act in the audit log, against the area.
    rateLimitedOnly: true,
    async handler({ ops, params, principal, body, actor }) {
      const { areaId } = params as z.infer<typeof s.areaParams>;
      return s.areaFlagActJson(await ops.committee.actOnArea(principal, areaId, 'unflag', body, actor, ops.today()));
    },
  },
  {
    method: 'GET',
    url: '/api/committee/priority-areas/flags',
    summary:
      'The priority areas the committee flags for attention now, each with the flags since its last unflag (Uppmärksammade områden)',
    access: 'authenticated',
    response: s.areaFlags,
    async handler({ ops }) {
      return (await ops.committee.areaFlags()).map((f) => ({
        areaId: f.areaId,
        flags: f.flags.map(s.areaFlagActJson),
      }));
    },
  },
  {
    method: 'POST',
    url: '/api/cycles/:year/committee/supplements',
    summary:
      'The committee requests a supplementary report from a board by a deadline (Begär komplettering): the committee; started as the board’s deliverable with the planner’s deadline, reminders and escalations, recorded with the member as actor; the same requestId again starts nothing more; 400 not-in-future, 404 board, 409 cycle-cancelled',
    access: 'committee-act',
    params: s.yearParams,
    body: s.supplementRequestBody,
    bodyCheckedByOperation: true,
    response: s.supplementRequested,
    // The cycle workflow records the request in the audit log, with the member as actor.
    rateLimitedOnly: true,
    async handler({ ops, params, principal, body, actor }) {
      const { year } = params as { year: number };
      return ops.committee.requestSupplement(principal, year, body, actor, ops.today());
    },
  },
  {
    method: 'POST',
    url: '/api/cycles/:year/committee/decisions',
    summary:
      'Record a decision of the committee’s (Utskottets beslut): date, reference (diarienummer) and what was decided, against a board’s report, a district’s LUP or a priority area; the committee',
    access: 'committee-act',
    params: s.yearParams,
    body: s.committeeDecisionBody,
    bodyCheckedByOperation: true,
    response: s.committeeDecision,
    // The operation records the decision in the audit log, against what it concerns.
    rateLimitedOnly: true,
    async handler({ ops, params, principal, body, actor }) {
      const { year } = params as { year: number };
      return s.committeeDecisionJson(await ops.committee.recordDecision(principal, year, body, actor));
    },
  },
  {
    method: 'GET',
    url: '/api/cycles/:year/lup-trace',
    summary:
      'The trace of every district’s larger LUP measures (LUP-spårning): budgetunderlag, KF decision, tertial reports and annual report, each step’s state and what is missing; the committee and SLK',
    access: 'read-all',
    params: s.yearParams,
    response: s.lupTrace,
    async handler({ ops, params, principal }) {
      return ops.lupTrace.cityTrace(principal, (params as { year: number }).year);
    },
  },
  {
    method: 'GET',
    url: '/api/cycles/:year/lup-trace/:boardId',
    summary: 'One district’s trace of its larger LUP measures (LUP-spårning): the district, the committee and SLK',
    access: 'authenticated',
    params: s.yearBoardParams,
    response: s.lupTrace,
    async handler({ ops, params, principal }) {
      const { year, boardId } = params as { year: number; boardId: string };
      return ops.lupTrace.districtTrace(principal, year, boardId);
    },
  },
  {
    method: 'GET',
    url: '/api/boards/:boardId/lup-measures',
    summary:
      'The LUP measures in force of every district that name a service board or company as owner, with the district’s dialogues and its consultations with the board (LUP-åtgärder där nämnden är ansvarig): the board, the committee and SLK',
    access: 'authenticated',
    params: s.lupParams,
    response: s.boardLupMeasures,
    handler: ({ ops, params, principal }) =>
      ops.serviceView.boardLupMeasures(principal, (params as { boardId: string }).boardId),
  },
  {
    method: 'PUT',
    url: '/api/cycles/:year/kf-decisions/:boardId/:measureId',
    summary:
      'Record the KF budget decision on a district’s larger LUP measure (KF:s budgetbeslut): finansierad, delvis-finansierad or ej-finansierad, with the reference; the latest recording is kept; SLK',
    access: 'admin',
    params: s.kfDecisionParams,
    body: s.kfDecisionBody,
    bodyCheckedByOperation: true,
    response: s.kfDecision,
    // The operation records every recording in the audit log, against the district's programme.
    rateLimitedOnly: true,
    async handler({ ops, params, principal, body, actor }) {
      const { year, boardId, measureId } = params as { year: number; boardId: string; measureId: string };
      return s.kfDecisionJson(await ops.lupTrace.recordKfDecision(principal, year, boardId, measureId, body, actor));
    },
  },
  {
    method: 'GET',
    url: '/api/committee/decisions',
    summary: 'Every decision of the committee’s, by date (Utskottets beslut): the committee and SLK',
    access: 'read-all',
    response: z.array(s.committeeDecision),
    async handler({ ops }) {
      return (await ops.committee.decisions()).map(s.committeeDecisionJson);
    },
  },
  {
    method: 'GET',
    url: '/api/boards/:boardId/mails',
    summary: 'The mails sent about a board’s deliverables, newest first (Utskick)',
    access: 'read-board',
    params: s.boardParams,
    response: z.array(s.mailRecord),
    async handler({ ops, params, principal }) {
      const { boardId } = params as { boardId: string };
      authorize(principal, 'read-board', await targetOf(ops, boardId));
      return ops.boardMails(boardId);
    },
  },
];

const ERROR_CODES = {
  400: 'bad-request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not-found',
  409: 'conflict',
  429: 'too-many-requests',
} as const;

/** The JSON error body: a refusal adds its field, code and params to the status and the English message. */
function sendError(reply: FastifyReply, status: keyof typeof ERROR_CODES, message: string, refusal?: OperationError) {
  return reply.code(status).send({
    error: ERROR_CODES[status],
    message,
    ...(refusal && { field: refusal.field, code: refusal.code }),
    ...(refusal?.params && { params: refusal.params }),
  });
}

/** Validates one part of a request; the error names the field (unknown fields included). */
function parsePart(schema: z.ZodType | undefined, value: unknown, part: string): unknown {
  if (!schema) return value;
  return parseInput(schema, value ?? {}, part);
}

/** The route-level check: a board action waits for the handler, which knows the board. */
function checkAccess(principal: Principal, access: Access): void {
  if (access === 'authenticated' || boardActions.includes(access)) return;
  if (!decide(principal, access).allowed) authorize(principal, access);
}

export interface ApiDeps {
  ops: CycleOperations;
  drafts: ReportDraftOperations;
  review: ReportReviewOperations;
  pool: Pool;
  settings?: PersonSettingsOperations;
  /** Writes per token, route and minute (SLK's bulk work stays well under it). */
  writesPerMinute?: number;
  /** Where a failing rate limit store is reported (default: standard error). */
  warn?: (line: string) => void;
}

/** Registers every API route, the OpenAPI document and the write rate limit. */
export async function registerApi(app: FastifyInstance, deps: ApiDeps): Promise<void> {
  // Counted in PostgreSQL so that all API processes share the limit; if the database fails the
  // store warns and the write goes on to fail on its own error (src/db/rate-limit-store.ts).
  await app.register(rateLimit, {
    global: false,
    skipOnError: true,
    store: postgresRateLimitStore(deps.pool, deps.warn ? { warn: deps.warn } : {}),
  });
  const document = buildOpenApiDocument(apiRoutes);
  const settings = deps.settings ?? createPersonSettingsOperations(deps.pool);
  app.get('/api/openapi.json', async () => document);

  // The request's ID (X-Request-Id) goes into the record, so an event leads to the request's log lines.
  const audit = async (
    request: FastifyRequest,
    principal: Principal,
    route: ApiRoute,
    params: Record<string, unknown>,
    outcome: object,
  ) => {
    if (!route.write) return;
    await appendAuditEvent(deps.pool, {
      occurredAt: new Date(),
      workflowId: route.write.target(params, deps.ops),
      kind: `api-${route.write.operation}`,
      actor: actorOf(principal),
      eventKey: `api#${randomUUID()}`,
      payload: { route: route.url, requestId: request.id, ...outcome },
    });
  };

  for (const route of apiRoutes) {
    app.route({
      method: route.method,
      url: route.url,
      ...((route.write || route.rateLimitedOnly) && {
        config: {
          rateLimit: {
            max: deps.writesPerMinute ?? 60,
            timeWindow: '1 minute',
            hook: 'preHandler',
            keyGenerator: (request: FastifyRequest) => (request.principal ? actorId(request.principal) : request.ip),
          },
        },
      }),
      handler: async (request, reply) => {
        const principal = request.principal;
        if (!principal) {
          reply.header('www-authenticate', 'Bearer realm="arshjul"');
          return sendError(reply, 401, 'a valid bearer token is required');
        }
        let params: Record<string, unknown> = {};
        try {
          params = parsePart(route.params, request.params, 'params') as Record<string, unknown>;
          checkAccess(principal, route.access);
          const query = parsePart(route.query ?? s.noQuery, request.query, 'query') as Record<string, unknown>;
          const body =
            route.method === 'GET'
              ? undefined
              : route.bodyCheckedByOperation
                ? (request.body ?? {})
                : parsePart(route.body, request.body, 'body');
          const result = await route.handler({
            principal,
            actor: actorOf(principal),
            params,
            query,
            body,
            ops: deps.ops,
            drafts: deps.drafts,
            review: deps.review,
            pool: deps.pool,
            settings,
          });
          const recorded = route.write?.recorded ? route.write.recorded(body) : body;
          await audit(request, principal, route, params, { outcome: 'accepted', body: recorded });
          return reply.send(result);
        } catch (error) {
          if (!(error instanceof OperationError)) throw error;
          // A refused write is recorded too: who tried what, and why it was refused. A write the
          // caller may not even learn about (404 for another board) is recorded under its target.
          if (route.write && Object.keys(params).length > 0) {
            await audit(request, principal, route, params, {
              outcome: 'refused',
              status: error.status,
              field: error.field,
              problem: error.problem,
              code: error.code,
            });
          }
          return sendError(reply, error.status, error.problem, error);
        }
      },
    });
  }
}
