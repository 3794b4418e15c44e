import type { StoredCycle } from './cycles';
import { Queryable } from './database';
import type { LupStageKind } from '../domain/report-submission';

interface ContentRow {
  board_id: string;
  budget_year: number;
  phase_id: string;
  content: Record<string, unknown>;
  calendar: StoredCycle['calendar'] | null;
}

/**
 * What a phase's submissions are, as its calendar says: the template its boards answer and, for a
 * district's LUP phases, the LUP stage it records.
 */
export interface ContentKindOf {
  template?: string;
  lupStage?: LupStageKind;
}

/**
 * The boards' submitted answers to phases of one kind (a template, or a LUP stage), newest first
 * (across cycles, or in one budget year), for any number of boards at once (a phase's export reads
 * every board's in one statement). The kind is the phase's, looked up in the calendar the cycle
 * was started with.
 */
export async function listBoardContents(
  db: Queryable,
  municipality: string,
  boardIds: readonly string[],
  kind: ContentKindOf,
  budgetYear?: number,
): Promise<Array<{ boardId: string; budgetYear: number; phaseId: string; content: Record<string, unknown> }>> {
  if (boardIds.length === 0) return [];
  const rows = await db.query<ContentRow>(
    `SELECT sc.board_id, sc.budget_year, sc.phase_id, sc.content, c.calendar
       FROM submission_content sc
       LEFT JOIN cycles c ON c.municipality = sc.municipality AND c.budget_year = sc.budget_year
      WHERE sc.municipality = $1 AND sc.board_id = ANY($2::text[]) AND ($3::integer IS NULL OR sc.budget_year = $3)
      ORDER BY sc.submitted_at DESC`,
    [municipality, boardIds, budgetYear ?? null],
  );
  return rows.rows
    .filter((r) => {
      const phase = r.calendar?.phases.find((p) => p.id === r.phase_id);
      return (
        phase?.kind === 'deliverable' &&
        (kind.template === undefined || phase.template === kind.template) &&
        (kind.lupStage === undefined || phase.lupStage === kind.lupStage)
      );
    })
    .map((r) => ({ boardId: r.board_id, budgetYear: r.budget_year, phaseId: r.phase_id, content: r.content }));
}

/**
 * How far a district's LUP has come in one cycle, from what is committed when each message is
 * answered: its submitted LUP stages (projected with the submission) and its citizen dialogues
 * (projected with the dialogue), not the LUP workflow's own projection, which follows a moment later.
 */
export async function loadLupProgress(
  db: Queryable,
  municipality: string,
  budgetYear: number,
  boardId: string,
): Promise<{ stagesSubmitted: LupStageKind[]; dialogues: number }> {
  const stages = await db.query<{ kind: LupStageKind }>(
    `SELECT DISTINCT phase->>'lupStage' AS kind
       FROM submission_content sc
       JOIN cycles c ON c.municipality = sc.municipality AND c.budget_year = sc.budget_year
       CROSS JOIN LATERAL jsonb_array_elements(c.calendar->'phases') AS phase
      WHERE sc.municipality = $1 AND sc.budget_year = $2 AND sc.board_id = $3
        AND phase->>'id' = sc.phase_id AND phase ? 'lupStage'`,
    [municipality, budgetYear, boardId],
  );
  const dialogues = await db.query<{ n: string }>(
    'SELECT count(*) AS n FROM lup_dialogues WHERE municipality = $1 AND budget_year = $2 AND board_id = $3',
    [municipality, budgetYear, boardId],
  );
  return { stagesSubmitted: stages.rows.map((r) => r.kind), dialogues: Number(dialogues.rows[0]!.n) };
}
