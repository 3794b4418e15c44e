import { join } from 'node:path';
import type { Pool } from 'pg';
import { z } from 'zod';
import { appendAuditEvent } from '../../db/audit-log';
import { listBoardContents } from '../../db/board-contents';
import { StoredCycle } from '../../db/cycles';
import { withTransaction } from '../../db/database';
import {
  insertFirstAnswer,
  listSavedAnswers,
  loadSavedAnswer,
  SavedAnswer,
  updateAnswerAtVersion,
} from '../../db/report-drafts';
import { answersWith, assembleAnswers, parseAnswerPath, relativeField } from '../../domain/answer-paths';
import { LocalDate } from '../../domain/local-date';
import { findOrganisation, isValidOn, priorityAreasOn, Registry } from '../../domain/organisations';
import {
  checkAnswers,
  GeneratedItem,
  MissingAnswer,
  missingForReady,
  ReportTemplate,
  Section,
  TemplateContext,
} from '../../domain/report-template';
import { canWrite, formatRole, Principal } from '../../domain/roles';
import { loadTemplateFile } from '../templates';
import { CycleOperations, DeliverableSummary } from './cycle-operations';
import { notFound, OperationError } from './operation-error';
import type { ReadSnapshot } from './read-cache';
import { visibleDeliverable } from './visible-deliverable';

/** What a save asks: one answer at its path, over the version its author last saw (0: none yet). */
export const saveAnswerSchema = z
  .object({
    path: z.string().min(1).max(300),
    value: z.unknown(),
    expectedVersion: z.number().int().min(0),
  })
  .strict();
export type SaveAnswerInput = z.infer<typeof saveAnswerSchema>;

/** A section as a board answers it: generated sections with their items, unasked ones left out. */
export type ExpandedSection = Section & { items?: GeneratedItem[] };

export interface BoardReport {
  deliverable: DeliverableSummary;
  template: Omit<ReportTemplate, 'sections'> & { sections: ExpandedSection[] };
  answers: SavedAnswer[];
  /** What is still missing before the report can be marked ready (fields relative to the answers). */
  missing: MissingAnswer[];
  /** Whether answers may be saved now (the deliverable is open or returned for completion). */
  editable: boolean;
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

/** A long value stays out of the audit log (the table holds it); its size is recorded instead. */
const AUDIT_VALUE_LIMIT = 200;

/** The verksamhetsplan table whose rows are the board's nämndmål, per KF goal. */
const NAMNDMAL_SECTION = 'kf-mal';
const NAMNDMAL_QUESTION = 'namndmal';

/**
 * The generated items and board kind a template is answered with, from PostgreSQL (no workflow
 * is asked):
 * - `priority-areas`: the areas in force today that the board serves today (registry);
 * - `lup-measures`: the measures of the district's latest submitted LUP programme;
 * - `goals`: the KF budget's goals in the cycle's calendar;
 * - `namndmal`: the nämndmål of the board's saved verksamhetsplan answers in the same cycle (rows
 *   of `kf-mal[<goal>].namndmal`), numbered `<goal>-<row>` in the order they are written.
 */
export async function buildTemplateContext(input: {
  pool: Pool;
  municipality: string;
  cycle: StoredCycle;
  registry: Registry | undefined;
  boardId: string;
  today: LocalDate;
  /** The board's saved verksamhetsplan answers of this cycle (empty when it has none). */
  verksamhetsplan: Array<{ path: string; value: unknown }>;
}): Promise<TemplateContext> {
  const { registry, boardId, today } = input;
  const board = registry && findOrganisation(registry, boardId);
  const areas = registry
    ? priorityAreasOn(registry, today).filter((a) =>
        a.servedBy.some((s) => s.boardId === boardId && isValidOn(s, today)),
      )
    : [];
  const programme = (await listBoardContents(input.pool, input.municipality, boardId, 'lup-programme'))[0];
  const measures = Array.isArray(programme?.content.measures)
    ? (programme.content.measures as Array<{ id: string; title: string }>)
    : [];
  return {
    ...(board && { boardKind: board.kind }),
    'priority-areas': areas.map((a) => ({ id: a.id, name: a.name })),
    'lup-measures': measures.map((m) => ({ id: m.id, name: m.title })),
    goals: input.cycle.calendar.goals?.map((g) => ({ id: g.id, name: g.name })) ?? [],
    namndmal: namndmalOf(input.verksamhetsplan),
  };
}

/** The nämndmål rows of saved verksamhetsplan answers (see buildTemplateContext). */
export function namndmalOf(saved: Array<{ path: string; value: unknown }>): GeneratedItem[] {
  return saved.flatMap(({ path, value }) => {
    const p = parseAnswerPath(path);
    if (p?.section !== NAMNDMAL_SECTION || p.question !== NAMNDMAL_QUESTION || !p.item || !Array.isArray(value)) {
      return [];
    }
    return value.flatMap((row: unknown, i) => {
      const name = (row as { mal?: unknown } | null)?.mal;
      return typeof name === 'string' && name.trim() ? [{ id: `${p.item}-${i + 1}`, name: name.trim() }] : [];
    });
  });
}

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

  /** The verksamhetsplan answers of the same board in the same cycle, for its nämndmål. */
  const verksamhetsplanOf = async (cycle: StoredCycle, boardId: string, phaseId: string) => {
    const phase = cycle.calendar.phases.find(
      (p) => p.kind === 'deliverable' && p.template === 'verksamhetsplan' && p.id !== phaseId,
    );
    return phase ? listSavedAnswers(pool, `${cycle.workflowId}/${phase.id}/${boardId}`) : [];
  };

  const contextFor = async (
    at: ReadSnapshot,
    cycle: StoredCycle,
    summary: DeliverableSummary,
  ): Promise<TemplateContext> =>
    buildTemplateContext({
      pool,
      municipality: ops.municipality,
      cycle,
      registry: at.registry,
      boardId: summary.answeringBoardId,
      today: ops.today(),
      verksamhetsplan: await verksamhetsplanOf(cycle, summary.boardId, summary.phaseId),
    });

  const prepare = async (principal: Principal, year: number, phaseId: string, boardId: string) => {
    const summary = await visibleDeliverable(ops, principal, year, phaseId, boardId);
    // The registry, calendar and template from one checked snapshot (see read-cache.ts).
    const at = await ops.snapshot();
    const cycle = at.cycles.find((c) => c.budgetYear === year);
    if (!cycle) throw notFound('budgetYear');
    const [template, context] = await Promise.all([templateOf(at, cycle, phaseId), contextFor(at, cycle, summary)]);
    return { summary, cycle, template, context };
  };

  return {
    async loadReport(principal: Principal, year: number, phaseId: string, boardId: string): Promise<BoardReport> {
      const { summary, template, context } = await prepare(principal, year, phaseId, boardId);
      const answers = await listSavedAnswers(pool, summary.workflowId);
      const sections = template.sections
        .filter((s) => !s.boardKinds || !context.boardKind || s.boardKinds.includes(context.boardKind))
        .map((s): ExpandedSection => (s.generate ? { ...s, items: context[s.generate] ?? [] } : s));
      return {
        deliverable: summary,
        template: { ...template, sections },
        answers,
        missing: missingForReady(template, context, assembleAnswers(answers)).map((m) => ({
          ...m,
          field: relativeField(m.field),
        })),
        editable: EDITABLE_STAGES.has(summary.stage),
      };
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
      const { summary, template, context } = await prepare(principal, year, phaseId, boardId);
      if (!canWrite(principal, summary.answeringBoardId)) {
        throw new OperationError(403, 'role', `${formatRole(principal.role)} may not answer reports`);
      }
      if (!EDITABLE_STAGES.has(summary.stage)) {
        throw new OperationError(
          409,
          'stage',
          `answers can be saved while open or returned, not ${summary.stage}`,
          'not-editable',
        );
      }
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
      if (issue) throw new OperationError(400, relativeField(issue.field), issue.problem, issue.code);

      return withTransaction(pool, async (tx) => {
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
