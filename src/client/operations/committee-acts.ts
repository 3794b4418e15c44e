import { randomUUID } from 'node:crypto';
import { Client, WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import type { Pool } from 'pg';
import { z } from 'zod';
import {
  areaFlagMailKey,
  committeeCommentMailKey,
  renderAreaFlagMail,
  renderCommitteeCommentMail,
} from '../../activities/committee-notice';
import {
  AreaFlag,
  AreaFlagAct,
  currentAreaFlags,
  insertAreaFlagAct,
  listAreaFlagActs,
  lockArea,
} from '../../db/committee-area-flags';
import { appendAuditEvent } from '../../db/audit-log';
import { CommitteeComment, insertCommitteeComment, listCommitteeComments } from '../../db/committee-comments';
import { CommitteeDecision, insertCommitteeDecision, listCommitteeDecisions } from '../../db/committee-decisions';
import { withTransaction } from '../../db/database';
import { localDateSchema } from '../../domain/refusals';
import { claimSend } from '../../db/send-log';
import { BOARD_ID_PATTERN } from '../../domain/grants';
import { deliversReports, findOrganisation, priorityAreasOn, Registry } from '../../domain/organisations';
import type { Principal } from '../../domain/principal';
import { cycleWorkflowId, requestSupplementUpdate, SupplementRequested } from '../../workflows/budget-cycle-messages';
import { CommitteeNoticeInput, committeeNoticeId } from '../../workflows/committee-notice-workflow';
import { lupWorkflowId } from '../../workflows/lup-messages';
import { authorize } from './authorize';
import { type DeliverableSummary, viaWorkflow } from './cycle-operations';
import type { ReadSnapshot } from './read-cache';
import { notFound, OperationError, parseInput } from './operation-error';
import { visibleDeliverable } from './visible-deliverable';

/**
 * The committee acts (issue 14): its comments on a board's report (the whole report or one
 * question) or on a district's LUP. Each is stored with its audit event and its mail's send-log
 * row in one transaction (the outbox), then a workflow per comment delivers the mail: the board's
 * people by duty and its mailbox, and SLK's.
 */

/** What a comment is about and what the committee says; the field names a refusal points at. */
export const committeeCommentSchema = z
  .object({
    subject: z.enum(['report', 'lup'], { message: 'must be report or lup' }),
    boardId: z.string().regex(BOARD_ID_PATTERN, { message: 'must be an organisation id' }),
    phaseId: z.string().trim().min(1).max(100).optional(),
    path: z.string().trim().min(1).max(300).optional(),
    comment: z
      .string()
      .trim()
      .min(1, { message: 'must not be empty' })
      .max(4000, { message: 'must be at most 4000 characters' }),
  })
  .strict()
  .superRefine((v, ctx) => {
    if (v.subject === 'report' && v.phaseId === undefined)
      ctx.addIssue({
        code: 'custom',
        path: ['phaseId'],
        message: 'is required for a comment on a report',
        params: { refusal: 'required' },
      });
    if (v.subject === 'lup' && v.phaseId !== undefined)
      ctx.addIssue({ code: 'custom', path: ['phaseId'], message: 'must be left out for a comment on a LUP' });
    if (v.subject === 'lup' && v.path !== undefined)
      ctx.addIssue({ code: 'custom', path: ['path'], message: 'must be left out for a comment on a LUP' });
  });
export type CommitteeCommentInput = z.infer<typeof committeeCommentSchema>;

/** A flag of a priority area needs its reason; an unflag may say why. */
export const areaFlagSchema = z
  .object({
    reason: z
      .string()
      .trim()
      .min(1, { message: 'must not be empty' })
      .max(2000, { message: 'must be at most 2000 characters' }),
  })
  .strict();
export const areaUnflagSchema = z
  .object({ reason: z.string().trim().max(2000, { message: 'must be at most 2000 characters' }).optional() })
  .strict();

const slugSchema = z.string().regex(BOARD_ID_PATTERN, { message: 'must be an id' });
const decisionFields = {
  decidedOn: localDateSchema(),
  reference: z
    .string()
    .trim()
    .min(1, { message: 'must not be empty' })
    .max(100, { message: 'must be at most 100 characters' }),
  decision: z
    .string()
    .trim()
    .min(1, { message: 'must not be empty' })
    .max(4000, { message: 'must be at most 4000 characters' }),
};

/** A decision of the committee's and what it concerns: a board's report, a district's LUP, a priority area. */
export const committeeDecisionSchema = z.discriminatedUnion('concerns', [
  z.object({ concerns: z.literal('report'), phaseId: slugSchema, boardId: slugSchema, ...decisionFields }).strict(),
  z.object({ concerns: z.literal('lup'), boardId: slugSchema, ...decisionFields }).strict(),
  z.object({ concerns: z.literal('area'), areaId: slugSchema, ...decisionFields }).strict(),
]);

/**
 * The committee asks a board for a supplementary report (komplettering) by a deadline. The
 * request id makes a retry start nothing more; left out, the operation chooses one.
 */
export const supplementRequestSchema = z
  .object({
    boardId: z.string().regex(BOARD_ID_PATTERN, { message: 'must be an organisation id' }),
    what: z
      .string()
      .trim()
      .min(1, { message: 'must not be empty' })
      .max(4000, { message: 'must be at most 4000 characters' }),
    deadline: localDateSchema(),
    requestId: z
      .string()
      .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, { message: 'must be lower-case letters, digits and dashes' })
      .max(64, { message: 'must be at most 64 characters' })
      .optional(),
  })
  .strict();

/** A comment longer than this stays out of the audit log (the table holds it); its length is recorded. */
const AUDIT_TEXT_LIMIT = 200;

export function createCommitteeOperations(deps: {
  client: Client;
  pool: Pool;
  taskQueue: string;
  municipality: string;
  /** Spelled out rather than picked from CycleOperations, which is built with these operations. */
  ops: {
    cycle(year: number): Promise<{ budgetYear: number }>;
    deliverable(year: number, phaseId: string, boardId: string): Promise<DeliverableSummary>;
    snapshot(): Promise<ReadSnapshot>;
    registry(): Promise<Registry>;
  };
}) {
  const { client, pool, municipality, ops } = deps;

  /** Starts an act's mail; a second start (a retry) finds it started and leaves it. */
  const startNotice = async (scope: string, input: CommitteeNoticeInput): Promise<void> => {
    try {
      await client.workflow.start('committeeNoticeWorkflow', {
        workflowId: committeeNoticeId(scope, input),
        taskQueue: deps.taskQueue,
        args: [input],
      });
    } catch (error) {
      if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
    }
  };

  return {
    /**
     * A committee member comments on a board's report (optionally one question or section of it)
     * or a district's LUP. Refused for anyone but the committee (403), for a report the cycle does
     * not have or a board without a LUP (404), and for a question the report does not ask (400
     * bad-path, checked by `pathAsked`, which knows the report's template).
     */
    async addComment(
      principal: Principal,
      year: number,
      input: unknown,
      /** How the caller appears in the record: the person's pseudonymous id (actorOf). */
      by: string,
      pathAsked: (phaseId: string, boardId: string, path: string) => Promise<boolean>,
    ): Promise<CommitteeComment> {
      authorize(principal, 'committee-act');
      const parsed = parseInput(committeeCommentSchema, input ?? {});
      // The cycle must exist (404 otherwise): a comment belongs to a budget year's follow-up.
      await ops.cycle(year);
      let workflowId: string;
      let phaseName: string | undefined;
      let boardName: string;
      if (parsed.subject === 'report') {
        const phaseId = parsed.phaseId!;
        const summary = await visibleDeliverable(ops, principal, year, phaseId, parsed.boardId);
        workflowId = summary.workflowId;
        phaseName = summary.phaseName;
        boardName = summary.boardName;
        if (parsed.path !== undefined && !(await pathAsked(phaseId, parsed.boardId, parsed.path))) {
          throw new OperationError(400, 'path', `${parsed.path} is no question or section of this report`, 'bad-path');
        }
      } else {
        const board = findOrganisation(await ops.registry(), parsed.boardId);
        if (board?.kind !== 'stadsdelsnamnd') throw notFound('board');
        boardName = board.name;
        workflowId = lupWorkflowId(municipality, parsed.boardId);
      }
      const stored = await withTransaction(pool, async (tx) => {
        const comment = await insertCommitteeComment(tx, {
          municipality,
          budgetYear: year,
          boardId: parsed.boardId,
          subject: parsed.subject,
          ...(parsed.phaseId !== undefined && { phaseId: parsed.phaseId }),
          workflowId,
          ...(parsed.path !== undefined && { path: parsed.path }),
          comment: parsed.comment,
          author: by,
        });
        await appendAuditEvent(tx, {
          occurredAt: comment.createdAt,
          workflowId,
          kind: 'committee-comment',
          actor: by,
          eventKey: `committee-comment#${comment.id}`,
          payload: {
            commentId: comment.id,
            subject: comment.subject,
            boardId: comment.boardId,
            ...(comment.phaseId !== undefined && { phaseId: comment.phaseId }),
            ...(comment.path !== undefined && { path: comment.path }),
            ...(comment.comment.length <= AUDIT_TEXT_LIMIT
              ? { comment: comment.comment }
              : { commentLength: comment.comment.length }),
          },
        });
        // The outbox row: the mail is owed from the moment the comment exists, and shows as
        // pending in the send log until the notice workflow has sent it.
        await claimSend(tx, {
          idempotencyKey: committeeCommentMailKey(comment.id),
          workflowId,
          kind: 'committee-comment',
          plannedAt: comment.createdAt,
          recipients: [],
          subject: renderCommitteeCommentMail({
            boardName,
            ...(phaseName !== undefined && { phaseName }),
            budgetYear: year,
            comment: comment.comment,
          }).subject,
        });
        return comment;
      });
      await startNotice(cycleWorkflowId(municipality, year), { kind: 'comment', id: stored.id });
      return stored;
    },

    /**
     * A committee member flags a priority area for attention (with a reason) or unflags it.
     * Refused for anyone but the committee (403), for an area the registry does not have in force
     * today (404 area), and for an unflag of an area not flagged (409 not-flagged). Acts on one
     * area queue up (an advisory lock), so two flags at once are both kept, in order, and an
     * unflag sees every flag before it. Stored with its audit event and its mail's send-log row.
     */
    async actOnArea(
      principal: Principal,
      areaId: string,
      action: 'flag' | 'unflag',
      input: unknown,
      by: string,
      today: string,
    ): Promise<AreaFlagAct> {
      authorize(principal, 'committee-act');
      const { reason } = parseInput(action === 'flag' ? areaFlagSchema : areaUnflagSchema, input ?? {});
      const registry = await ops.registry();
      const area = priorityAreasOn(registry, today).find((a) => a.id === areaId);
      if (!area) throw notFound('area');
      const workflowId = `${municipality}/priority-area/${areaId}`;
      const stored = await withTransaction(pool, async (tx) => {
        await lockArea(tx, municipality, areaId);
        if (action === 'unflag') {
          const flagged = currentAreaFlags(await listAreaFlagActs(tx, municipality, areaId)).length > 0;
          if (!flagged)
            throw new OperationError(409, 'areaId', `${areaId} is not flagged for attention`, 'not-flagged');
        }
        const act = await insertAreaFlagAct(tx, {
          municipality,
          areaId,
          action,
          ...(reason !== undefined && reason !== '' && { reason }),
          author: by,
        });
        await appendAuditEvent(tx, {
          occurredAt: act.createdAt,
          workflowId,
          kind: `committee-area-${action}`,
          actor: by,
          eventKey: `committee-area-flag#${act.id}`,
          payload: { actId: act.id, areaId, ...(act.reason !== undefined && { reason: act.reason }) },
        });
        await claimSend(tx, {
          idempotencyKey: areaFlagMailKey(act.id),
          workflowId,
          kind: `committee-area-${action}`,
          plannedAt: act.createdAt,
          recipients: [],
          subject: renderAreaFlagMail({ areaName: area.name, action }).subject,
        });
        return act;
      });
      await startNotice(municipality, { kind: 'area-flag', id: stored.id });
      return stored;
    },

    /**
     * A committee member requests a supplementary report from a board: the cycle plans it as a
     * deliverable of that board alone (the planner's deadline, the default reminders and
     * escalations) and records the request with the member as actor; the board's opening mail
     * and everything after it follow as for any deliverable. Refused for anyone but the committee
     * (403), for a cycle that does not exist or a board that delivers no reports (404), for a
     * deadline not after today (400 not-in-future), and by the cycle when it was cancelled (409).
     */
    async requestSupplement(
      principal: Principal,
      year: number,
      input: unknown,
      by: string,
      today: string,
    ): Promise<SupplementRequested> {
      authorize(principal, 'committee-act');
      const parsed = parseInput(supplementRequestSchema, input ?? {});
      await ops.cycle(year);
      const board = findOrganisation(await ops.registry(), parsed.boardId);
      if (!board || !deliversReports(board)) throw notFound('board');
      if (parsed.deadline <= today) {
        throw new OperationError(400, 'deadline', `must be after today (${today})`, 'not-in-future', { today });
      }
      const args = {
        requestId: parsed.requestId ?? randomUUID(),
        boardId: parsed.boardId,
        what: parsed.what,
        deadline: parsed.deadline,
        by,
      };
      return viaWorkflow('budgetYear', () =>
        client.workflow
          .getHandle(cycleWorkflowId(municipality, year))
          .executeUpdate(requestSupplementUpdate, { args: [args] }),
      );
    },

    /** The priority areas flagged now, each with the flags since its last unflag. */
    async areaFlags(): Promise<AreaFlag[]> {
      return currentAreaFlags(await listAreaFlagActs(pool, municipality));
    },

    /**
     * Records a decision of the committee's against what it concerns (in budget year `year` for
     * a report or a LUP). Refused for anyone but the committee (403), for a report the cycle does
     * not have, a board without a LUP or an area the registry lacks (404). Stored with its audit event.
     */
    async recordDecision(principal: Principal, year: number, input: unknown, by: string): Promise<CommitteeDecision> {
      authorize(principal, 'committee-act');
      const parsed = parseInput(committeeDecisionSchema, input ?? {});
      let workflowId: string;
      if (parsed.concerns === 'report') {
        await ops.cycle(year);
        workflowId = (await visibleDeliverable(ops, principal, year, parsed.phaseId, parsed.boardId)).workflowId;
      } else if (parsed.concerns === 'lup') {
        await ops.cycle(year);
        if (findOrganisation(await ops.registry(), parsed.boardId)?.kind !== 'stadsdelsnamnd') throw notFound('board');
        workflowId = lupWorkflowId(municipality, parsed.boardId);
      } else {
        if (!(await ops.registry()).priorityAreas.some((a) => a.id === parsed.areaId)) throw notFound('area');
        workflowId = `${municipality}/priority-area/${parsed.areaId}`;
      }
      const { decidedOn, reference, decision } = parsed;
      return withTransaction(pool, async (tx) => {
        const stored = await insertCommitteeDecision(tx, {
          municipality,
          concerns: parsed.concerns,
          ...(parsed.concerns !== 'area' && { budgetYear: year, boardId: parsed.boardId }),
          ...(parsed.concerns === 'report' && { phaseId: parsed.phaseId }),
          ...(parsed.concerns === 'area' && { areaId: parsed.areaId }),
          decidedOn,
          reference,
          decision,
          author: by,
        });
        await appendAuditEvent(tx, {
          occurredAt: stored.createdAt,
          workflowId,
          kind: 'committee-decision',
          actor: by,
          eventKey: `committee-decision#${stored.id}`,
          payload: {
            decisionId: stored.id,
            concerns: stored.concerns,
            decidedOn,
            reference,
            ...(decision.length <= AUDIT_TEXT_LIMIT ? { decision } : { decisionLength: decision.length }),
          },
        });
        return stored;
      });
    },

    /** The decisions of the municipality, or those concerning one board and the areas it serves. */
    async decisions(filter: { boardId?: string; areaIds?: readonly string[] } = {}): Promise<CommitteeDecision[]> {
      return listCommitteeDecisions(pool, municipality, filter);
    },

    /** The committee's comments of a budget year, on one board or (for the cross-board views) all. */
    async comments(year: number, boardId?: string): Promise<CommitteeComment[]> {
      return listCommitteeComments(pool, municipality, { budgetYear: year, ...(boardId !== undefined && { boardId }) });
    },

    /** Every comment on one board, all budget years, oldest first (the board's page). */
    async boardComments(boardId: string): Promise<CommitteeComment[]> {
      return listCommitteeComments(pool, municipality, { boardId });
    },
  };
}

export type CommitteeOperations = ReturnType<typeof createCommitteeOperations>;
