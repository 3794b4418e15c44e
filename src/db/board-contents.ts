import type { StoredCycle } from './cycles';
import { Queryable } from './database';
import type { LupProgress } from '../domain/lup-state';
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

/** Whether a submitted content's phase (looked up in its cycle's calendar) is of `kind`. */
export function isContentOfKind(
  row: { phase_id: string; calendar: StoredCycle['calendar'] | null },
  kind: ContentKindOf,
): boolean {
  const phase = row.calendar?.phases.find((p) => p.id === row.phase_id);
  return (
    phase?.kind === 'deliverable' &&
    (kind.template === undefined || phase.template === kind.template) &&
    (kind.lupStage === undefined || phase.lupStage === kind.lupStage)
  );
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
    .filter((r) => isContentOfKind(r, kind))
    .map((r) => ({ boardId: r.board_id, budgetYear: r.budget_year, phaseId: r.phase_id, content: r.content }));
}

/**
 * How far a district's programme has come, from what is committed when each message is answered:
 * a programme adopted in any budget year (its submission is projected with the submission, the
 * programme workflow's own projection a moment later) and its citizen dialogues (projected with
 * the dialogue). A district's programme outlives the cycle, so no year narrows this.
 */
export async function loadLupProgress(db: Queryable, municipality: string, boardId: string): Promise<LupProgress> {
  const result = await db.query<{ programme: boolean; dialogues: string }>(
    `SELECT EXISTS (
              SELECT 1 FROM submission_content sc
                JOIN cycles c ON c.municipality = sc.municipality AND c.budget_year = sc.budget_year
                CROSS JOIN LATERAL jsonb_array_elements(c.calendar->'phases') AS phase
               WHERE sc.municipality = $1 AND sc.board_id = $2
                 AND phase->>'id' = sc.phase_id AND phase->>'lupStage' = 'programme')
            OR EXISTS (
              SELECT 1 FROM lup_programmes
               WHERE municipality = $1 AND board_id = $2 AND programme_number IS NOT NULL) AS programme,
            (SELECT count(*) FROM lup_dialogues WHERE municipality = $1 AND board_id = $2) AS dialogues`,
    [municipality, boardId],
  );
  const row = result.rows[0]!;
  return { programmeInForce: row.programme, dialogues: Number(row.dialogues) };
}
