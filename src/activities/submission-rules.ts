import { listBoardContents, loadLupProgress } from '../db/board-contents';
import { Queryable } from '../db/database';
import { loadStoredRegistry } from '../db/registry';
import { TransitionRefused } from '../domain/deliverable-state';
import { checkStageAfter, LupStage } from '../domain/lup-state';
import { findOrganisation } from '../domain/organisations';
import type { Refusal } from '../domain/refusals';
import {
  checkSubmissionContent,
  ContentCheck,
  ContentKind,
  LUP_STAGE_OF,
  LupMeasure,
} from '../domain/submission-content';

export interface SubmissionRulesInput {
  municipality: string;
  budgetYear: number;
  phase: { id: string; content: ContentKind; lupLink: 'warn' | 'block' };
  boardId: string;
  content: unknown;
  decisionDate?: string;
  /** Stockholm's date when the submission was taken (workflow time). */
  onDate: string;
}

/**
 * Checks a submission against the guidelines' rules that need the record: the board's adopted
 * LUP measures, its latest operational plan, the priority areas in the stored registry and, for
 * a LUP stage, the district's LUP as the read model has it. Errors block; warnings are recorded.
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

  const lupStage = LUP_STAGE_OF[input.phase.content];
  if (lupStage) {
    const lup = await loadLupProgress(db, input.municipality, input.budgetYear, input.boardId);
    const stage: LupStage = lup.stagesSubmitted.includes('lup-follow-up')
      ? 'klar'
      : lup.stagesSubmitted.includes('lup-programme')
        ? 'uppfoljning'
        : lup.stagesSubmitted.includes('lup-analysis')
          ? 'program'
          : 'analys';
    try {
      // The LUP's own check, on its progress as recorded: the stages in order, a dialogue before the programme.
      checkStageAfter(
        { stage, dialogues: lup.dialogues },
        { stage: lupStage, content: input.content, decisionDate: input.decisionDate, by: 'check' },
      );
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

  const programme = (await listBoardContents(db, input.municipality, input.boardId, 'lup-programme'))[0];
  const plan = (
    await listBoardContents(db, input.municipality, input.boardId, 'operational-plan', input.budgetYear)
  )[0];
  const plannedAreas = (
    (plan?.content.priorityAreas ?? []) as Array<{ areaId: string; nämndmål?: string[]; aktiviteter?: string[] }>
  )
    .filter((p) => (p.nämndmål?.length ?? 0) + (p.aktiviteter?.length ?? 0) > 0)
    .map((p) => p.areaId);
  return checkSubmissionContent(input.content, {
    kind: input.phase.content,
    board,
    registry,
    onDate: input.onDate,
    lupMeasures: (programme?.content.measures ?? []) as LupMeasure[],
    plannedAreas,
    lupLink: input.phase.lupLink,
  });
}
