import { loadLupProgress } from '../db/board-contents';
import { loadCycleTemplate } from '../db/cycle-templates';
import { loadCycle } from '../db/cycles';
import { Queryable } from '../db/database';
import { loadStoredRegistry } from '../db/registry';
import { buildTemplateContext } from '../db/template-context';
import { TransitionRefused } from '../domain/deliverable-state';
import { checkStageAfter } from '../domain/lup-state';
import { findOrganisation } from '../domain/organisations';
import { checkAnswers } from '../domain/report-template';
import type { Refusal } from '../domain/refusals';
import { ContentCheck, LupStageKind } from '../domain/report-submission';

export interface SubmissionRulesInput {
  municipality: string;
  budgetYear: number;
  phase: { id: string; template: string; lupStage?: LupStageKind };
  /** The board that answers (the successor after a merger). */
  boardId: string;
  /** The board the deliverable was planned for. */
  plannedBoardId: string;
  content: unknown;
  decisionDate?: string;
  /** Stockholm's date when the submission was taken (workflow time). */
  onDate: string;
}

/**
 * Checks a report marked ready against what needs the record: the template version the cycle
 * keeps, answered with the items the database knows (the priority areas the board serves, the
 * district's adopted LUP measures, the board's nämndmål, the year's goals), every required answer
 * given; and, for a LUP stage, the district's LUP as recorded (the stages in order, a dialogue
 * before the programme). Errors block; the answers' fields are `answers.<section>…`.
 */
export async function checkSubmissionRules(db: Queryable, input: SubmissionRulesInput): Promise<ContentCheck> {
  const refusal = (refused: Refusal): ContentCheck => ({ errors: [refused], warnings: [] });
  const registry = await loadStoredRegistry(db, input.municipality);
  if (!registry) {
    return refusal({
      field: 'organisations',
      problem: `no registry stored for ${input.municipality}`,
      code: 'no-registry',
    });
  }
  const board = findOrganisation(registry, input.boardId);
  if (!board) {
    return refusal({
      field: 'boardId',
      problem: `${input.boardId} is not in the registry`,
      code: 'not-in-registry',
      params: { id: input.boardId },
    });
  }
  const cycle = await loadCycle(db, input.municipality, input.budgetYear);
  const kept = await loadCycleTemplate(db, input.municipality, input.budgetYear, input.phase.template);
  if (!cycle || !kept) {
    return refusal({
      field: 'template',
      problem: `the cycle keeps no template ${input.phase.template}: start the cycle with its templates`,
      code: 'template-not-kept',
      params: { id: input.phase.template },
    });
  }

  const context = await buildTemplateContext(db, {
    municipality: input.municipality,
    cycle,
    registry,
    boardId: input.boardId,
    plannedBoardId: input.plannedBoardId,
    phaseId: input.phase.id,
    today: input.onDate,
  });
  const issues = checkAnswers(kept.template, context, input.content, { forReady: true });
  if (issues.length > 0) {
    return {
      errors: issues.map((i) => ({
        field: i.field,
        problem: i.problem,
        code: i.code,
        ...(i.params && { params: i.params }),
      })),
      warnings: [],
    };
  }

  if (input.phase.lupStage) {
    const progress = await loadLupProgress(db, input.municipality, input.boardId);
    try {
      // The programme's own check, on its progress as recorded.
      checkStageAfter(progress, {
        stage: input.phase.lupStage,
        budgetYear: input.budgetYear,
        phaseId: input.phase.id,
        content: input.content,
        decisionDate: input.decisionDate,
        on: input.onDate,
        by: 'check',
      });
    } catch (error) {
      if (!(error instanceof TransitionRefused)) throw error;
      return refusal({
        field: error.field,
        problem: error.problem,
        code: error.code,
        ...(error.params && { params: error.params }),
      });
    }
  }
  return { errors: [], warnings: [] };
}
