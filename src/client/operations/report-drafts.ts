import { authorize, targetOf } from './authorize';
import { BoardTarget, may } from '../../domain/permissions';
import { boardTarget } from '../../domain/board-target';
import { join } from 'node:path';
import type { Pool } from 'pg';
import { z } from 'zod';
import type { AttachmentMeta } from '../../db/attachments';
import { appendAuditEvent } from '../../db/audit-log';
import { loadCycleTemplate } from '../../db/cycle-templates';
import { lockCycleShared, StoredCycle } from '../../db/cycles';
import { Queryable, withTransaction } from '../../db/database';
import {
  insertFirstAnswer,
  listSavedAnswers,
  loadSavedAnswer,
  SavedAnswer,
  updateAnswerAtVersion,
} from '../../db/report-drafts';
import {
  AwaitingSignOff,
  insertAwaitingSignOff,
  loadAwaitingSignOff,
  loadLastSignOffReturn,
  lockReportForSignOff,
  SignOffReturn,
  takeAwaitingSignOff,
} from '../../db/report-sign-offs';
import { answersWith, assembleAnswers, parseAnswerPath, relativeField } from '../../domain/answer-paths';
import {
  checkAnswers,
  GeneratedItem,
  MissingAnswer,
  missingForReady,
  Question,
  ReportTemplate,
  Section,
  TemplateContext,
  withResolvedOptions,
} from '../../domain/report-template';
import { loadDraftRecord } from '../../db/report-draft-record';
import { buildTemplateContext } from '../../db/template-context';
import type { TemplateCorrection } from '../../db/template-corrections';
import { localDateSchema } from '../../domain/refusals';
import type { Principal } from '../../domain/principal';
import { loadTemplateFile } from '../templates';
import { CycleOperations, DeliverableSummary, SubmitOutcome } from './cycle-operations';
import { notFound, OperationError, parseInput } from './operation-error';
import type { ReadSnapshot } from './read-cache';
import { visibleDeliverable } from './visible-deliverable';
import {
  answersDigest,
  awaitingSignOffRefusal,
  declineSignOffSchema,
  isLockTimeout,
  authorizeSignOffStep,
  notAwaitingSignOffRefusal,
  phaseNeedsSignOff,
  signOffSchema,
  withdrawReadySchema,
} from './report-sign-off';

/** What a save asks: one answer at its path, over the version its author last saw (0: none yet). */
export const saveAnswerSchema = z
  .object({
    path: z.string().min(1).max(300),
    value: z.unknown(),
    expectedVersion: z.number().int().min(0),
  })
  .strict();
export type SaveAnswerInput = z.infer<typeof saveAnswerSchema>;

const text = (max: number) =>
  z
    .string()
    .trim()
    .min(1, { message: 'must not be empty' })
    .max(max, { message: `must be at most ${max} characters` });

/**
 * What marking a report ready (klarmarkera) asks besides the answers: the reference of the
 * board's decision where it has one (absent: the report in Årshjul is the document), its date,
 * a comment to SLK.
 */
export const markReadySchema = z
  .object({
    documentRef: text(200).optional(),
    decisionDate: localDateSchema().optional(),
    comment: text(4000).optional(),
  })
  .strict();
export type MarkReadyInput = z.infer<typeof markReadySchema>;

/** The document reference of a report handed in without one: the report in Årshjul is the document. */
export const GENERATED_REF = 'Årshjul: ';

/** A report that cannot be marked ready yet: names what is missing, first field first. */
export class ReportNotReady extends OperationError {
  constructor(readonly missing: MissingAnswer[]) {
    super(
      409,
      missing[0]!.field,
      `${missing.length} required answer${missing.length === 1 ? ' is' : 's are'} missing: ${missing
        .slice(0, 5)
        .map((m) => m.field)
        .join(', ')}${missing.length > 5 ? ' …' : ''}`,
      'not-ready',
      { missing: missing.length },
    );
  }
}

/** A section as a board answers it: generated sections with their items, unasked ones left out. */
export type ExpandedSection = Section & { items?: GeneratedItem[] };

/** A template as one board answers it (see ExpandedSection). */
export type ExpandedTemplate = Omit<ReportTemplate, 'sections'> & { sections: ExpandedSection[] };

/**
 * The template as one board answers it: options resolved, generated sections with their items,
 * unasked ones left out. Shared by the form, SLK's review and SLK's preview of a template, so
 * the preview shows what a board is asked.
 */
export function expandTemplate(template: ReportTemplate, context: TemplateContext): ExpandedTemplate {
  const sections = withResolvedOptions(template, context)
    .sections.filter((s) => !s.boardKinds || !context.boardKind || s.boardKinds.includes(context.boardKind))
    // A board no district's measure names has no follow-up of owned measures: no section at all.
    .filter((s) => s.generate !== 'owned-lup-measures' || (context[s.generate] ?? []).length > 0)
    .map((s): ExpandedSection => (s.generate ? { ...s, items: context[s.generate] ?? [] } : s));
  return { ...template, sections };
}

export interface BoardReport {
  deliverable: DeliverableSummary;
  template: ExpandedTemplate;
  answers: SavedAnswer[];
  /** What is still missing before the report can be marked ready (fields relative to the answers). */
  missing: MissingAnswer[];
  /**
   * Whether answers may be saved now: the deliverable is open or returned for completion, and the
   * report does not await its sign-off.
   */
  editable: boolean;
  signOff: SignOffView;
}

/** Where a report stands with its sign-off (påskrift), for a phase that asks for one. */
export interface SignOffView {
  /** The phase asks for a sign-off before the report reaches SLK (the calendar's `signOff`). */
  required: boolean;
  /** Marked ready and waiting for the sign-off (only while the deliverable takes a hand-in). */
  awaiting: AwaitingSignOff | null;
  /** The last sign-off step sent the report back to its draft: declined or withdrawn, and why. */
  lastReturn: SignOffReturn | null;
}

/** What marking ready, declining or withdrawing tells a report awaiting or back from its sign-off. */
export interface SignOffOutcome {
  stage: DeliverableSummary['stage'];
  awaitingSignOff: AwaitingSignOff | null;
  lastReturn: SignOffReturn | null;
}

/** A save refused because someone else saved the answer in between: carries what they saved. */
export class AnswerConflict extends OperationError {
  constructor(readonly current: SavedAnswer) {
    super(
      409,
      current.path,
      `edited by someone else: ${current.savedBy} saved it at ${current.savedAt.toISOString()} (version ${current.version})`,
      'edited-by-someone-else',
    );
  }
}

/** Stages in which a board works on its answers; afterwards the report is handed in or closed. */
const EDITABLE_STAGES = new Set<DeliverableSummary['stage']>(['open', 'returned']);

/** Refuses a caller who may not answer this report, or a report that is handed in or closed. */
function mayAnswer(principal: Principal, summary: DeliverableSummary, target: BoardTarget): void {
  authorize(principal, 'draft', target, 'deliverable');
  if (!EDITABLE_STAGES.has(summary.stage)) {
    throw new OperationError(
      409,
      'stage',
      `answers can be saved while open or returned, not ${summary.stage}`,
      'not-editable',
      { stage: summary.stage },
    );
  }
}

/**
 * A sign-off step that waited past the lock timeout for another one on the same report (a
 * hand-in taking long) is refused as the other made it moot, not failed.
 */
async function onSignOffRow<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (isLockTimeout(error)) throw notAwaitingSignOffRefusal('someone else is signing the report off right now');
    throw error;
  }
}

/** A long value stays out of the audit log (the table holds it); its size is recorded instead. */
const AUDIT_VALUE_LIMIT = 200;

/**
 * A board's report: the template its phase names, answered as drafts saved on the server, one
 * answer at a time, each with its own version so that concurrent editors never silently
 * overwrite each other. A board works on its own reports only (another board's: 404); the
 * committee reads; SLK may write too.
 */
export function createReportDraftOperations(deps: {
  ops: CycleOperations;
  pool: Pool;
  /** Where the templates named by the calendars are (`data/<municipality>/templates`). */
  templatesDir: string;
}) {
  const { ops, pool } = deps;

  /**
   * The phase's template as the cycle keeps it (the version it started with, or the correction
   * SLK published since), so an edit to a file on disk never changes a running cycle. A cycle
   * started before cycles kept their templates reads the file.
   */
  const templateOf = async (at: ReadSnapshot, cycle: StoredCycle, phaseId: string): Promise<ReportTemplate> => {
    const phase = cycle.calendar.phases.find((p) => p.id === phaseId);
    const id = phase?.kind === 'deliverable' ? phase.template : undefined;
    if (!id) throw notFound('template');
    // Kept in memory per version of the cycles' templates (a correction published moves it).
    const kept = await ops.cycleTemplate(at, cycle.budgetYear, id);
    if (kept) return kept.template;
    const loaded = loadTemplateFile(join(deps.templatesDir, `${id}.yaml`));
    // The calendar was checked against its templates before the cycle started: a broken file
    // now is a deployment fault, not the caller's.
    if (!loaded.template)
      throw new Error(`template ${id}: ${loaded.errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`);
    return loaded.template;
  };

  const contextFor = async (
    at: ReadSnapshot,
    cycle: StoredCycle,
    summary: DeliverableSummary,
  ): Promise<TemplateContext> =>
    buildTemplateContext(pool, {
      municipality: ops.municipality,
      cycle,
      registry: at.registry,
      boardId: summary.answeringBoardId,
      plannedBoardId: summary.boardId,
      phaseId: summary.phaseId,
      today: ops.today(),
    });

  const prepare = async (principal: Principal, year: number, phaseId: string, boardId: string) => {
    // The deliverable's row, the registry, calendar and template beside one checked snapshot (see
    // read-cache.ts): the row is read while the snapshot is checked, and the check is not repeated.
    const snapshot = ops.snapshot();
    const summary = await visibleDeliverable(
      { deliverable: (y, p, b) => ops.deliverable(y, p, b, snapshot), snapshot: () => snapshot },
      principal,
      year,
      phaseId,
      boardId,
    );
    const at = await snapshot;
    const cycle = at.cycles.find((c) => c.budgetYear === year);
    if (!cycle) throw notFound('budgetYear');
    const [template, context] = await Promise.all([templateOf(at, cycle, phaseId), contextFor(at, cycle, summary)]);
    // Who may draft, judged on the registry of the same snapshot (no second check for the form).
    const target = boardTarget(at.registry, summary.answeringBoardId);
    return { summary, cycle, template, context, target };
  };

  /** The report's sign-off as the form and the API show it (a wait is moot once handed in or closed). */
  const signOffView = async (cycle: StoredCycle, summary: DeliverableSummary): Promise<SignOffView> => {
    const required = phaseNeedsSignOff(cycle, summary.phaseId);
    if (!required) return { required, awaiting: null, lastReturn: null };
    const [awaiting, lastReturn] = await Promise.all([
      loadAwaitingSignOff(pool, summary.workflowId),
      loadLastSignOffReturn(pool, summary.workflowId),
    ]);
    return {
      required,
      awaiting: awaiting && EDITABLE_STAGES.has(summary.stage) ? awaiting : null,
      lastReturn: lastReturn ?? null,
    };
  };

  /** Answers and files cannot change while the report awaits its sign-off. */
  const refuseWhileAwaiting = async (db: Queryable, workflowId: string): Promise<void> => {
    const wait = await loadAwaitingSignOff(db, workflowId);
    if (wait) throw awaitingSignOffRefusal(wait);
  };

  /**
   * Ends a report's wait for its sign-off without handing it in (declined, or the ready mark
   * withdrawn): back to its draft, recorded in the audit log with the reason, in one transaction.
   */
  const endWait = async (
    kind: SignOffReturn['kind'],
    principal: Principal,
    year: number,
    phaseId: string,
    boardId: string,
    reason: string | undefined,
    by: string,
  ): Promise<SignOffOutcome> => {
    const summary = await visibleDeliverable(ops, principal, year, phaseId, boardId);
    const step = kind === 'sign-off-declined' ? 'decline' : 'withdraw';
    authorizeSignOffStep(principal, step, await targetOf(ops, summary.answeringBoardId));
    return onSignOffRow(() =>
      withTransaction(pool, async (tx) => {
        const wait = await takeAwaitingSignOff(tx, summary.workflowId);
        if (!wait) throw notAwaitingSignOffRefusal();
        const at = new Date();
        await appendAuditEvent(tx, {
          occurredAt: at,
          workflowId: summary.workflowId,
          kind,
          actor: by,
          eventKey: `${kind}#${summary.workflowId}#${wait.markedReadyAt.toISOString()}`,
          payload: {
            ...(reason && { reason }),
            markedReadyBy: wait.markedReadyBy,
            markedReadyAt: wait.markedReadyAt.toISOString(),
            answersDigest: wait.answersDigest,
          },
        });
        return {
          stage: summary.stage,
          awaitingSignOff: null,
          lastReturn: { kind, by, at, ...(reason && { reason }) },
        };
      }),
    );
  };

  /** A report as the board answers it, from what prepare read, the saved answers and the sign-off's state. */
  const reportOf = (
    { summary, template, context }: Awaited<ReturnType<typeof prepare>>,
    answers: SavedAnswer[],
    signOff: SignOffView,
  ): BoardReport => ({
    deliverable: summary,
    template: expandTemplate(template, context),
    answers,
    missing: missingForReady(template, context, assembleAnswers(answers)).map((m) => ({
      ...m,
      field: relativeField(m.field),
    })),
    editable: EDITABLE_STAGES.has(summary.stage) && !signOff.awaiting,
    signOff,
  });

  return {
    /**
     * The deliverable the caller may see and its template as the board answers it, without the
     * drafts: what SLK's review draws a handed-in version in.
     */
    async loadExpandedTemplate(
      principal: Principal,
      year: number,
      phaseId: string,
      boardId: string,
    ): Promise<{ deliverable: DeliverableSummary; template: ExpandedTemplate }> {
      const { summary, template, context } = await prepare(principal, year, phaseId, boardId);
      return { deliverable: summary, template: expandTemplate(template, context) };
    },

    async loadReport(principal: Principal, year: number, phaseId: string, boardId: string): Promise<BoardReport> {
      const prepared = await prepare(principal, year, phaseId, boardId);
      const [answers, signOff] = await Promise.all([
        listSavedAnswers(pool, prepared.summary.workflowId),
        signOffView(prepared.cycle, prepared.summary),
      ]);
      return reportOf(prepared, answers, signOff);
    },

    /**
     * The report as loadReport gives it, with every file attached to it and the template
     * correction the board has not dismissed: what the board's form page shows, the drafts,
     * files and correction read in one statement (and the sign-off's state where the phase asks one).
     */
    async loadReportWithFiles(
      principal: Principal,
      year: number,
      phaseId: string,
      boardId: string,
    ): Promise<{
      report: BoardReport;
      attachments: AttachmentMeta[];
      correction?: TemplateCorrection;
      /** What the caller may do with this report (the form offers only that). */
      allowed: { draft: boolean; markReady: boolean; signOff: boolean };
    }> {
      const prepared = await prepare(principal, year, phaseId, boardId);
      const [{ answers, attachments, correction }, signOff] = await Promise.all([
        loadDraftRecord(pool, prepared.summary.workflowId, prepared.template.version),
        signOffView(prepared.cycle, prepared.summary),
      ]);
      return {
        report: reportOf(prepared, answers, signOff),
        attachments,
        ...(correction && { correction }),
        allowed: {
          draft: may(principal, 'draft', prepared.target),
          markReady: may(principal, 'mark-ready', prepared.target),
          signOff: may(principal, 'sign-off', prepared.target),
        },
      };
    },

    /**
     * Marks the report ready (klarmarkera): the saved answers, whole, are handed in through the
     * deliverable's workflow, which checks them again against the template the cycle keeps and
     * the record, and keeps them with the submission. Refused, with what is missing, while a
     * required answer is not given; nothing is handed in then.
     */
    async markReady(
      principal: Principal,
      year: number,
      phaseId: string,
      boardId: string,
      input: unknown,
      by: string,
    ): Promise<SubmitOutcome | SignOffOutcome> {
      const body = parseInput(markReadySchema, input ?? {});
      const { summary, cycle, template, context } = await prepare(principal, year, phaseId, boardId);
      authorize(principal, 'mark-ready', await targetOf(ops, summary.answeringBoardId), 'deliverable');
      if (!EDITABLE_STAGES.has(summary.stage)) {
        throw new OperationError(
          409,
          'stage',
          `a report can be marked ready while open or returned, not ${summary.stage}`,
          'not-editable',
        );
      }
      if (phaseNeedsSignOff(cycle, phaseId)) {
        return withTransaction(pool, async (tx) => {
          // No save comes between the answers read here and the row that refuses saves.
          await lockReportForSignOff(tx, summary.workflowId, 'exclusive');
          await refuseWhileAwaiting(tx, summary.workflowId);
          const answers = assembleAnswers(await listSavedAnswers(tx, summary.workflowId));
          const missing = missingForReady(template, context, answers).map((m) => ({
            ...m,
            field: relativeField(m.field),
          }));
          if (missing.length > 0) throw new ReportNotReady(missing);
          const wait = await insertAwaitingSignOff(tx, {
            workflowId: summary.workflowId,
            markedReadyBy: by,
            ...body,
            answersDigest: answersDigest(answers),
          });
          if (!wait) throw new Error(`${summary.workflowId}: awaits a sign-off after all`); // held by the lock
          await appendAuditEvent(tx, {
            occurredAt: wait.markedReadyAt,
            workflowId: summary.workflowId,
            kind: 'marked-ready-for-sign-off',
            actor: by,
            eventKey: `marked-ready-for-sign-off#${summary.workflowId}#${wait.markedReadyAt.toISOString()}`,
            payload: { ...body, answersDigest: wait.answersDigest },
          });
          return { stage: summary.stage, awaitingSignOff: wait, lastReturn: null };
        });
      }
      const answers = assembleAnswers(await listSavedAnswers(pool, summary.workflowId));
      const missing = missingForReady(template, context, answers).map((m) => ({ ...m, field: relativeField(m.field) }));
      if (missing.length > 0) throw new ReportNotReady(missing);
      const { documentRef, ...rest } = body;
      return ops.actOnDeliverable(
        year,
        phaseId,
        summary.boardId,
        'submit',
        { documentRef: documentRef ?? `${GENERATED_REF}${template.title} ${year}`, ...rest, content: answers },
        by,
      );
    },

    /**
     * Signs off a report that awaits it (påskrift): hands in the answers as they were marked
     * ready, exactly as klarmarkera does without a sign-off, with who marked it ready and who
     * signed it off in the submission. The wait ends in the same transaction as the hand-in: of
     * two sign-offs at once one hands it in and the other is refused (409), and a hand-in the
     * workflow refuses leaves the report awaiting its sign-off.
     */
    async signOff(
      principal: Principal,
      year: number,
      phaseId: string,
      boardId: string,
      input: unknown,
      by: string,
    ): Promise<SubmitOutcome> {
      parseInput(signOffSchema, input ?? {});
      const { summary, template } = await prepare(principal, year, phaseId, boardId);
      authorizeSignOffStep(principal, 'sign-off', await targetOf(ops, summary.answeringBoardId));
      return onSignOffRow(() =>
        withTransaction(pool, async (tx) => {
          const wait = await takeAwaitingSignOff(tx, summary.workflowId);
          if (!wait) throw notAwaitingSignOffRefusal();
          const answers = assembleAnswers(await listSavedAnswers(tx, summary.workflowId));
          if (answersDigest(answers) !== wait.answersDigest) {
            // Saves are refused while it waits: only SLK's template correction moves the drafts.
            throw new OperationError(
              409,
              'template',
              'the template was corrected since the report was marked ready: withdraw the ready mark and mark it ready again',
              'template-corrected',
            );
          }
          const markedReady = { by: wait.markedReadyBy, at: wait.markedReadyAt.toISOString() };
          const outcome = await ops.handInReport(year, phaseId, summary.boardId, {
            documentRef: wait.documentRef ?? `${GENERATED_REF}${template.title} ${year}`,
            ...(wait.decisionDate && { decisionDate: wait.decisionDate }),
            ...(wait.comment && { comment: wait.comment }),
            content: answers,
            markedReady,
            by,
          });
          await appendAuditEvent(tx, {
            occurredAt: new Date(),
            workflowId: summary.workflowId,
            kind: 'signed-off',
            actor: by,
            eventKey: `signed-off#${summary.workflowId}#${markedReady.at}`,
            payload: {
              markedReadyBy: markedReady.by,
              markedReadyAt: markedReady.at,
              answersDigest: wait.answersDigest,
            },
          });
          return outcome;
        }),
      );
    },

    /** Declines the sign-off with a reason: the report goes back to its draft, the reason on its form. */
    async declineSignOff(
      principal: Principal,
      year: number,
      phaseId: string,
      boardId: string,
      input: unknown,
      by: string,
    ): Promise<SignOffOutcome> {
      const { reason } = parseInput(declineSignOffSchema, input ?? {});
      return endWait('sign-off-declined', principal, year, phaseId, boardId, reason, by);
    },

    /** Withdraws the ready mark of a report awaiting its sign-off (the reason is optional). */
    async withdrawReadyMark(
      principal: Principal,
      year: number,
      phaseId: string,
      boardId: string,
      input: unknown,
      by: string,
    ): Promise<SignOffOutcome> {
      const { reason } = parseInput(withdrawReadySchema, input ?? {});
      return endWait('ready-mark-withdrawn', principal, year, phaseId, boardId, reason, by);
    },

    /**
     * A file question's answer before a file is attached to it or removed: refused as a save
     * would be (role, stage, a path that is no file question), so that a file is not stored for
     * an answer that cannot take it. Returns the question and the answer as saved now.
     */
    async fileAnswer(
      principal: Principal,
      year: number,
      phaseId: string,
      boardId: string,
      answerPath: string,
    ): Promise<{ question: Extract<Question, { kind: 'file' }>; saved?: SavedAnswer; workflowId: string }> {
      const { summary, template } = await prepare(principal, year, phaseId, boardId);
      mayAnswer(principal, summary, await targetOf(ops, summary.answeringBoardId));
      await refuseWhileAwaiting(pool, summary.workflowId);
      const path = parseAnswerPath(answerPath);
      const question = path
        ? template.sections.find((s) => s.id === path.section)?.questions.find((q) => q.id === path.question)
        : undefined;
      if (!question || question.kind !== 'file') {
        throw new OperationError(400, 'path', 'must name a file question of the template', 'bad-path');
      }
      const saved = await loadSavedAnswer(pool, summary.workflowId, answerPath);
      return { question, ...(saved && { saved }), workflowId: summary.workflowId };
    },

    /**
     * Saves one answer as a draft: checked for type and limits against its question, stored only
     * over the version the author saw, recorded in the audit log in the same transaction.
     */
    async saveAnswer(
      principal: Principal,
      year: number,
      phaseId: string,
      boardId: string,
      input: SaveAnswerInput,
      /** How the caller appears in the record (role and token). */
      by: string,
    ): Promise<SavedAnswer> {
      const { summary, cycle, template, context } = await prepare(principal, year, phaseId, boardId);
      mayAnswer(principal, summary, await targetOf(ops, summary.answeringBoardId));
      const path = parseAnswerPath(input.path);
      if (!path) {
        throw new OperationError(
          400,
          'path',
          'must be <section>.<question> or <section>[<item>].<question>',
          'bad-path',
        );
      }
      const value = input.value === undefined ? null : input.value;
      const issue = checkAnswers(template, context, answersWith(path, value), { forReady: false })[0];
      if (issue) throw new OperationError(400, relativeField(issue.field), issue.problem, issue.code, issue.params);

      return withTransaction(pool, async (tx) => {
        // SLK may have published a correction since the answer was checked: the drafts moved
        // onto it, so an answer checked against the version before is refused, not stored.
        const phase = cycle.calendar.phases.find((p) => p.id === phaseId);
        const templateId = phase?.kind === 'deliverable' ? phase.template : undefined;
        let current: number | undefined;
        if (templateId) {
          await lockCycleShared(tx, ops.municipality, cycle.budgetYear);
          current = (await loadCycleTemplate(tx, ops.municipality, cycle.budgetYear, templateId))?.version;
        }
        // Marking ready (for a sign-off) waits for this save, or this save finds it waiting.
        await lockReportForSignOff(tx, summary.workflowId, 'shared');
        await refuseWhileAwaiting(tx, summary.workflowId);
        if (current && current !== template.version) {
          throw new OperationError(
            409,
            'template',
            `the template was corrected to version ${current} meanwhile: load the report again`,
            'template-corrected',
          );
        }
        const answer = { workflowId: summary.workflowId, path: input.path, value, savedBy: by };
        const saved =
          input.expectedVersion === 0
            ? await insertFirstAnswer(tx, answer)
            : await updateAnswerAtVersion(tx, { ...answer, expectedVersion: input.expectedVersion });
        if (!saved) {
          const current = await loadSavedAnswer(tx, summary.workflowId, input.path);
          if (current) throw new AnswerConflict(current);
          // Expected a version of an answer nobody saved: the author's view is not what is stored.
          throw new OperationError(
            409,
            input.path,
            'has not been saved yet: save it with expectedVersion 0',
            'edited-by-someone-else',
          );
        }
        const text = JSON.stringify(value);
        await appendAuditEvent(tx, {
          occurredAt: saved.savedAt,
          workflowId: summary.workflowId,
          kind: 'answer-saved',
          actor: by,
          eventKey: `answer#${summary.workflowId}#${saved.path}#${saved.version}`,
          payload: {
            path: saved.path,
            version: saved.version,
            ...(text.length <= AUDIT_VALUE_LIMIT ? { value } : { valueLength: text.length }),
          },
        });
        return saved;
      });
    },
  };
}

export type ReportDraftOperations = ReturnType<typeof createReportDraftOperations>;
