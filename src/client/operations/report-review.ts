import { authorize } from './authorize';
import type { Pool } from 'pg';
import { z } from 'zod';
import type { AttachmentMeta, AttachmentStore } from '../../db/attachments';
import { appendAuditEvent } from '../../db/audit-log';
import { withTransaction } from '../../db/database';
import { insertReviewComment, listReviewComments, ReviewComment } from '../../db/review-comments';
import { lockedStage } from '../../db/read-model';
import { listSubmissionHistory, ReturnRecord, SubmissionVersion } from '../../db/submission-versions';
import { AnswerChange, diffAnswers } from '../../domain/answer-diff';
import { parseAnswerPath } from '../../domain/answer-paths';
import type { Principal } from '../../domain/principal';
import { may } from '../../domain/permissions';
import type { DeliverableSummary } from './cycle-operations';
import { OperationError, parseInput } from './operation-error';
import type { ExpandedTemplate, ReportDraftOperations } from './report-drafts';

/**
 * SLK's review of a handed-in report, per question (issue 12): the whole answer in the
 * template's structure, every version handed in and what changed since the one SLK returned,
 * the attachments, and SLK's comments per question, kept per version so the board sees, next to
 * its questions, what SLK said about the version it got back.
 */

/** What a comment asks: where (an answer path or a section's ID) and what SLK says. */
export const addCommentSchema = z
  .object({
    path: z.string().min(1).max(300),
    comment: z
      .string()
      .trim()
      .min(1, { message: 'must not be empty' })
      .max(4000, { message: 'must be at most 4000 characters' }),
  })
  .strict();
export type AddCommentInput = z.infer<typeof addCommentSchema>;

/** One handed-in version without its answers (the latest one's are in the review). */
export type VersionSummary = Omit<SubmissionVersion, 'content'>;

export interface ReportReview {
  deliverable: DeliverableSummary;
  template: ExpandedTemplate;
  /** Every version handed in, oldest first. */
  versions: VersionSummary[];
  /** The latest version: its sequence number and answers (absent before the first submission). */
  latest?: { seq: number; answers: Record<string, unknown> };
  /** The version before the latest: the one SLK returned, which `changes` compare with. */
  previousSeq?: number;
  /** What changed from the previous version to the latest, per answer path. */
  changes: AnswerChange[];
  /** Every return for completion, oldest first. */
  returns: ReturnRecord[];
  attachments: AttachmentMeta[];
  /** SLK's comments, oldest first, each with the version it was made on. A board sees those on versions returned to it. */
  comments: ReviewComment[];
  /** Whether the caller may comment now: SLK, while the report is handed in and under review. */
  canComment: boolean;
}

/** What the board's form shows of a return: SLK's reason, the new deadline and the comments on the returned version. */
export interface ReturnNotes {
  reason: string;
  deadline: string | null;
  returnedAt: Date;
  comments: ReviewComment[];
}

/** A comment longer than this stays out of the audit log (the table holds it); its length is recorded. */
const AUDIT_TEXT_LIMIT = 200;

/** Whether `path` names a section, or a question (with its item in a generated section) the board is asked. */
export function pathInTemplate(template: ExpandedTemplate, path: string): boolean {
  const section = template.sections.find((s) => s.id === path);
  if (section) return true;
  const p = parseAnswerPath(path);
  if (!p) return false;
  const target = template.sections.find((s) => s.id === p.section);
  if (!target || !target.questions.some((q) => q.id === p.question)) return false;
  if (target.generate) return p.item !== undefined && (target.items ?? []).some((i) => i.id === p.item);
  return p.item === undefined;
}

/** The versions SLK returned: for each return, the latest version handed in before it. */
function returnedSeqs(versions: SubmissionVersion[], returns: ReturnRecord[]): Set<number> {
  const seqs = new Set<number>();
  for (const r of returns) {
    const before = versions.filter((v) => v.seq < r.seq).at(-1);
    if (before) seqs.add(before.seq);
  }
  return seqs;
}

export function createReportReviewOperations(deps: {
  pool: Pool;
  drafts: Pick<ReportDraftOperations, 'loadExpandedTemplate'>;
  attachments: Pick<AttachmentStore, 'list'>;
}) {
  const { pool, drafts } = deps;

  return {
    /** The review of one report, for SLK and the committee; a board sees its own. */
    async loadReview(principal: Principal, year: number, phaseId: string, boardId: string): Promise<ReportReview> {
      const { deliverable, template } = await drafts.loadExpandedTemplate(principal, year, phaseId, boardId);
      const [{ versions, returns }, comments, attachments] = await Promise.all([
        listSubmissionHistory(pool, deliverable.workflowId),
        listReviewComments(pool, deliverable.workflowId),
        deps.attachments.list(deliverable.workflowId),
      ]);
      const latest = versions.at(-1);
      const previous = versions.at(-2);
      // A board reads what SLK said about the versions it got back, not SLK's notes in progress.
      const returned = returnedSeqs(versions, returns);
      const visible = may(principal, 'read-all') ? comments : comments.filter((c) => returned.has(c.submissionSeq));
      return {
        deliverable,
        template,
        versions: versions.map(({ content: _content, ...rest }) => rest),
        ...(latest && { latest: { seq: latest.seq, answers: latest.content } }),
        ...(previous && { previousSeq: previous.seq }),
        changes: previous && latest ? diffAnswers(previous.content, latest.content) : [],
        returns,
        attachments,
        comments: visible,
        canComment: may(principal, 'review') && deliverable.stage === 'submitted' && latest !== undefined,
      };
    },

    /**
     * What the board's form shows when its report is returned: the reason, the new deadline and
     * SLK's comments on the version returned. Undefined unless the report is returned now. The
     * caller has already loaded the deliverable for this principal (visibility checked there).
     */
    async returnNotes(deliverable: DeliverableSummary): Promise<ReturnNotes | undefined> {
      if (deliverable.stage !== 'returned') return undefined;
      const { versions, returns } = await listSubmissionHistory(pool, deliverable.workflowId);
      const last = returns.at(-1);
      if (!last) return undefined;
      const version = versions.filter((v) => v.seq < last.seq).at(-1);
      const comments = version
        ? (await listReviewComments(pool, deliverable.workflowId)).filter((c) => c.submissionSeq === version.seq)
        : [];
      return { reason: last.reason, deadline: last.deadline, returnedAt: last.returnedAt, comments };
    },

    /**
     * SLK comments on one question (or a section) of the version under review. Refused for
     * anyone but SLK (403), for a path the template does not ask this board (400 bad-path), and
     * unless the report is handed in and not yet approved or returned (409 not-under-review).
     * Stored with its audit event in one transaction.
     */
    async addComment(
      principal: Principal,
      year: number,
      phaseId: string,
      boardId: string,
      input: unknown,
      /** How the caller appears in the record (role and token). */
      by: string,
    ): Promise<ReviewComment> {
      const { deliverable, template } = await drafts.loadExpandedTemplate(principal, year, phaseId, boardId);
      authorize(principal, 'review');
      const { path, comment } = parseInput(addCommentSchema, input ?? {});
      if (!pathInTemplate(template, path)) {
        throw new OperationError(400, 'path', `${path} is no question or section of this report`, 'bad-path');
      }
      return withTransaction(pool, async (tx) => {
        // Checked with the stage locked: a return or approval at the same moment waits for this
        // comment, or has already moved the report on and the comment is refused.
        // Locked against a change of stage until the comment is stored: a comment checked against
        // "under review" is never stored on a version a concurrent return or approval took away.
        const stage = (await lockedStage(tx, deliverable.workflowId)) ?? deliverable.stage;
        const latest = (await listSubmissionHistory(tx, deliverable.workflowId)).versions.at(-1);
        if (stage !== 'submitted' || !latest) {
          throw new OperationError(
            409,
            'stage',
            `comments are made while the report is handed in and under review, not ${stage}`,
            'not-under-review',
            { stage },
          );
        }
        const stored = await insertReviewComment(tx, {
          workflowId: deliverable.workflowId,
          submissionSeq: latest.seq,
          path,
          comment,
          author: by,
        });
        await appendAuditEvent(tx, {
          occurredAt: stored.createdAt,
          workflowId: deliverable.workflowId,
          kind: 'review-comment',
          actor: by,
          eventKey: `review-comment#${stored.id}`,
          payload: {
            commentId: stored.id,
            path,
            submissionSeq: latest.seq,
            ...(comment.length <= AUDIT_TEXT_LIMIT ? { comment } : { commentLength: comment.length }),
          },
        });
        return stored;
      });
    },
  };
}

export type ReportReviewOperations = ReturnType<typeof createReportReviewOperations>;
