import type { StoredCycle } from './cycles';
import { Queryable } from './database';
import { isContentOfKind } from './board-contents';
import { listSavedAnswersOf, SavedAnswer } from './report-drafts';
import { parseAnswerPath } from '../domain/answer-paths';
import { LupMeasure, measuresOfProgramme, ownedMeasureItemId } from '../domain/guideline-answers';
import { LocalDate } from '../domain/local-date';
import {
  findOrganisation,
  isValidOn,
  nameOn,
  organisationsOn,
  priorityAreasOn,
  Registry,
} from '../domain/organisations';
import type { GeneratedItem, TemplateContext } from '../domain/report-template';

/** The verksamhetsplan table whose rows are the board's nämndmål, per KF goal. */
const NAMNDMAL_SECTION = 'kf-mal';
const NAMNDMAL_QUESTION = 'namndmal';

/** What the context is built for: the phase answered, and the day and registry it is read on. */
interface ContextInput {
  municipality: string;
  cycle: StoredCycle;
  registry: Registry | undefined;
  /** The phase answered (its own answers are never its nämndmål source). */
  phaseId: string;
  today: LocalDate;
}

/** One board's part of a phase. */
interface ContextBoard {
  /** The board that answers (the successor after a merger). */
  boardId: string;
  /** The board the deliverable was planned for: its drafts hold the verksamhetsplan. */
  plannedBoardId: string;
}

/**
 * The generated items and board kind a template is answered with, from PostgreSQL (no workflow
 * is asked). The form and the workflow's check when a report is marked ready both read it here,
 * so what the page asks is what the check demands:
 * - `priority-areas`: the areas in force on the day: those a district serves then, every one for a
 *   service or company board (registry);
 * - `lup-measures`: the measures in force of the district's programme (lupWorkflow's read model:
 *   a revision's new measures are asked for, ended ones no longer), or, before the programme
 *   workflow's projection has one, those of the latest submitted LUP programme; and
 *   `larger-lup-measures` those of them that need the council's budget;
 * - `owned-lup-measures`: the measures in force (not ended) of every district's programme in
 *   force that name the board as owner, named `<district's name>: <measure>`, by district name
 *   then as the programme lists them (a district's own measures are its `lup-measures`);
 * - `goals`: the KF budget's goals in the cycle's calendar;
 * - `boards` (an option source, not a section's items): who may own a LUP measure, the board
 *   itself first, then the registry's service boards and companies in force, by name;
 * - `namndmal`: the nämndmål of the board's saved verksamhetsplan answers in the same cycle (rows
 *   of `kf-mal[<goal>].namndmal`), numbered `<goal>-<row>` in the order they are written.
 */
export async function buildTemplateContext(
  db: Queryable,
  input: ContextInput & ContextBoard,
): Promise<TemplateContext> {
  const [context] = await buildTemplateContexts(db, input, [input]);
  return context!;
}

/**
 * The same for many boards of one phase (a phase's export): each kind of item read for every
 * board in one statement (the LUP programmes, the verksamhetsplan drafts), then each board's
 * context built in memory; as many statements for 300 boards as for one. In the boards' order.
 */
export async function buildTemplateContexts(
  db: Queryable,
  input: ContextInput,
  boards: readonly ContextBoard[],
): Promise<TemplateContext[]> {
  const { cycle } = input;
  const planPhase = cycle.calendar.phases.find(
    (p) => p.kind === 'deliverable' && p.template === 'verksamhetsplan' && p.id !== input.phaseId,
  );
  const planOf = (b: ContextBoard) => (planPhase ? `${cycle.workflowId}/${planPhase.id}/${b.plannedBoardId}` : '');
  const boardIds = [...new Set(boards.map((b) => b.boardId))];
  // One after the other: `db` may be a transaction's client (the workflow's check).
  // The programmes in one statement: each district's submitted LUP programmes (newest first), the
  // measures of the programme in force as revised since, where its workflow's projection has it,
  // and the measures in force in other districts' programmes that name the board as owner.
  const lup = await db.query<{
    source: 'submitted' | 'in-force' | 'owned';
    /** For an owned measure: the district whose programme it is (`board_id` is the owner). */
    district_id: string | null;
    board_id: string;
    phase_id: string;
    content: Record<string, unknown> | null;
    calendar: StoredCycle['calendar'] | null;
    measure_id: string | null;
    title: string | null;
    larger: boolean | null;
  }>(
    `SELECT 'submitted' AS source, NULL::text AS district_id, sc.board_id, sc.phase_id, sc.content, c.calendar,
            NULL::text AS measure_id, NULL::text AS title, NULL::boolean AS larger,
            sc.submitted_at AS at, NULL::integer AS position
       FROM submission_content sc
       LEFT JOIN cycles c ON c.municipality = sc.municipality AND c.budget_year = sc.budget_year
      WHERE sc.municipality = $1 AND sc.board_id = ANY($2::text[])
     UNION ALL
     SELECT 'in-force', NULL, p.board_id, NULL, NULL, NULL, m.measure_id, m.title, m.larger, NULL, m.position
       FROM lup_programmes p
       JOIN lup_measures m ON m.workflow_id = p.workflow_id AND m.programme_number = p.programme_number
      WHERE p.municipality = $1 AND p.board_id = ANY($2::text[]) AND p.stage = 'i-kraft' AND m.status <> 'avslutad'
     UNION ALL
     SELECT 'owned', p.board_id, m.owner_id, NULL, NULL, NULL, m.measure_id, m.title, m.larger, NULL, m.position
       FROM lup_programmes p
       JOIN lup_measures m ON m.workflow_id = p.workflow_id AND m.programme_number = p.programme_number
      WHERE p.municipality = $1 AND m.owner_id = ANY($2::text[]) AND m.owner_id <> p.board_id
        AND p.stage = 'i-kraft' AND m.status <> 'avslutad'
      ORDER BY source DESC, at DESC, board_id, district_id, position`,
    [input.municipality, boardIds],
  );
  const plans = planPhase ? await listSavedAnswersOf(db, [...new Set(boards.map(planOf))]) : [];
  // Newest first: each board's latest programme is its first.
  const programmes = new Map<string, LupMeasure[]>();
  for (const row of lup.rows) {
    if (row.source !== 'submitted' || programmes.has(row.board_id)) continue;
    if (isContentOfKind(row, { lupStage: 'programme' })) {
      programmes.set(row.board_id, measuresOfProgramme(row.content ?? {}));
    }
  }
  const revised = new Map<string, LupMeasure[]>();
  for (const r of lup.rows) {
    if (r.source !== 'in-force') continue;
    revised.set(r.board_id, [
      ...(revised.get(r.board_id) ?? []),
      { id: r.measure_id!, title: r.title!, larger: r.larger! },
    ]);
  }
  for (const [boardId, measures] of revised) programmes.set(boardId, measures);
  const answersByPlan = new Map<string, SavedAnswer[]>();
  for (const a of plans) answersByPlan.set(a.workflowId, [...(answersByPlan.get(a.workflowId) ?? []), a]);
  const districtName = (id: string) => {
    const org = input.registry && findOrganisation(input.registry, id);
    return org ? nameOn(org, input.today) : id;
  };
  const ownedBy = new Map<string, Array<GeneratedItem & { district: string }>>();
  for (const r of lup.rows) {
    if (r.source !== 'owned') continue;
    ownedBy.set(r.board_id, [
      ...(ownedBy.get(r.board_id) ?? []),
      {
        id: ownedMeasureItemId(r.district_id!, r.measure_id!),
        name: `${districtName(r.district_id!)}: ${r.title!}`,
        district: districtName(r.district_id!),
      },
    ]);
  }
  // By district name (stable: each district's measures stay in the programme's order).
  const ownedOf = (boardId: string): GeneratedItem[] =>
    [...(ownedBy.get(boardId) ?? [])]
      .sort((a, b) => a.district.localeCompare(b.district, 'sv'))
      .map(({ id, name }) => ({ id, name }));
  return boards.map((b) => ({
    ...templateContextOf(input, b.boardId, programmes.get(b.boardId) ?? [], answersByPlan.get(planOf(b)) ?? []),
    'owned-lup-measures': ownedOf(b.boardId),
  }));
}

/** One board's context from what was read for it (see buildTemplateContext). */
function templateContextOf(
  input: ContextInput,
  boardId: string,
  measures: LupMeasure[],
  plan: SavedAnswer[],
): TemplateContext {
  const { registry, today, cycle } = input;
  const board = registry && findOrganisation(registry, boardId);
  // A district answers for the areas it serves; a service or company board names its part in
  // every area in force (guideline 3), as the committee follows each area across the city.
  const everyArea = board?.kind === 'facknamnd' || board?.kind === 'bolagsstyrelse';
  const areas = registry
    ? priorityAreasOn(registry, today).filter(
        (a) => everyArea || a.servedBy.some((s) => s.boardId === boardId && isValidOn(s, today)),
      )
    : [];
  return {
    ...(board && { boardKind: board.kind }),
    ...(board?.greaterLocalResponsibility && { greaterLocalResponsibility: true }),
    'priority-areas': areas.map((a) => ({ id: a.id, name: a.name })),
    'lup-measures': measures.map((m) => ({ id: m.id, name: m.title })),
    'larger-lup-measures': measures.filter((m) => m.larger).map((m) => ({ id: m.id, name: m.title })),
    goals: cycle.calendar.goals?.map((g) => ({ id: g.id, name: g.name })) ?? [],
    namndmal: namndmalOf(plan),
    boards: registry ? ownersOn(registry, boardId, today) : [],
  };
}

/**
 * Who may own a district's LUP measure on a day (guideline 2: the district itself or a named
 * service board or company): the board first, then the service boards and companies in force,
 * by their names then.
 */
export function ownersOn(registry: Registry, boardId: string, today: LocalDate): GeneratedItem[] {
  const board = findOrganisation(registry, boardId);
  const others = organisationsOn(registry, today)
    .filter((o) => (o.kind === 'facknamnd' || o.kind === 'bolagsstyrelse') && o.id !== boardId)
    .map((o) => ({ id: o.id, name: nameOn(o, today) }))
    .sort((a, b) => a.name.localeCompare(b.name, 'sv'));
  return [...(board ? [{ id: board.id, name: nameOn(board, today) }] : []), ...others];
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
