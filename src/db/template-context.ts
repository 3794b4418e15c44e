import type { StoredCycle } from './cycles';
import { Queryable } from './database';
import { listBoardContents } from './board-contents';
import { listSavedAnswers } from './report-drafts';
import { parseAnswerPath } from '../domain/answer-paths';
import { measuresOfProgramme } from '../domain/guideline-answers';
import { LocalDate } from '../domain/local-date';
import { findOrganisation, isValidOn, priorityAreasOn, Registry } from '../domain/organisations';
import type { GeneratedItem, TemplateContext } from '../domain/report-template';

/** The verksamhetsplan table whose rows are the board's nämndmål, per KF goal. */
const NAMNDMAL_SECTION = 'kf-mal';
const NAMNDMAL_QUESTION = 'namndmal';

/**
 * The generated items and board kind a template is answered with, from PostgreSQL (no workflow
 * is asked). The form and the workflow's check when a report is marked ready both read it here,
 * so what the page asks is what the check demands:
 * - `priority-areas`: the areas in force on the day: those a district serves then, every one for a
 *   service or company board (registry);
 * - `lup-measures`: the measures of the district's latest submitted LUP programme, and
 *   `larger-lup-measures` those of them that need the council's budget;
 * - `goals`: the KF budget's goals in the cycle's calendar;
 * - `namndmal`: the nämndmål of the board's saved verksamhetsplan answers in the same cycle (rows
 *   of `kf-mal[<goal>].namndmal`), numbered `<goal>-<row>` in the order they are written.
 */
export async function buildTemplateContext(
  db: Queryable,
  input: {
    municipality: string;
    cycle: StoredCycle;
    registry: Registry | undefined;
    /** The board that answers (the successor after a merger). */
    boardId: string;
    /** The board the deliverable was planned for: its drafts hold the verksamhetsplan. */
    plannedBoardId: string;
    /** The phase answered (its own answers are never its nämndmål source). */
    phaseId: string;
    today: LocalDate;
  },
): Promise<TemplateContext> {
  const { registry, boardId, today, cycle } = input;
  const board = registry && findOrganisation(registry, boardId);
  // A district answers for the areas it serves; a service or company board names its part in
  // every area in force (guideline 3), as the committee follows each area across the city.
  const everyArea = board?.kind === 'facknamnd' || board?.kind === 'bolagsstyrelse';
  const areas = registry
    ? priorityAreasOn(registry, today).filter(
        (a) => everyArea || a.servedBy.some((s) => s.boardId === boardId && isValidOn(s, today)),
      )
    : [];
  const programme = (await listBoardContents(db, input.municipality, boardId, { lupStage: 'programme' }))[0];
  const measures = programme ? measuresOfProgramme(programme.content) : [];
  const planPhase = cycle.calendar.phases.find(
    (p) => p.kind === 'deliverable' && p.template === 'verksamhetsplan' && p.id !== input.phaseId,
  );
  const plan = planPhase
    ? await listSavedAnswers(db, `${cycle.workflowId}/${planPhase.id}/${input.plannedBoardId}`)
    : [];
  return {
    ...(board && { boardKind: board.kind }),
    'priority-areas': areas.map((a) => ({ id: a.id, name: a.name })),
    'lup-measures': measures.map((m) => ({ id: m.id, name: m.title })),
    'larger-lup-measures': measures.filter((m) => m.larger).map((m) => ({ id: m.id, name: m.title })),
    goals: cycle.calendar.goals?.map((g) => ({ id: g.id, name: g.name })) ?? [],
    namndmal: namndmalOf(plan),
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
