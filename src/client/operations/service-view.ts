import type { Pool } from 'pg';
import { findOrganisation, nameOn, Registry } from '../../domain/organisations';
import type { Principal } from '../../domain/principal';
import { authorize, targetOf } from './authorize';
import type { ReadSnapshot } from './read-cache';
import { notFound } from './operation-error';

/** One measure of a district's programme in force that names the board as its owner. */
export interface OwnedMeasure {
  measureId: string;
  title: string;
  goal: string | null;
  cost: number | null;
  larger: boolean;
  priorityArea: string | null;
  status: string;
  /** The day the measure got its present status (its status history's last entry). */
  statusSince: string | null;
}

/** Per district: the measures the board owns, the district's dialogues and its consultations with the board. */
export interface BoardLupMeasures {
  boardId: string;
  boardName: string;
  districts: Array<{
    boardId: string;
    boardName: string;
    measures: OwnedMeasure[];
    dialogues: Array<{
      id: string;
      heldOn: string;
      question: string;
      outcome: string | null;
      /** The service boards' and companies' parts in it (any board's: the dialogue is shared), in order. */
      parts: Array<{ boardId: string; boardName: string; contribution: string; by: string; recordedAt: string }>;
    }>;
    consultations: Array<{ id: string; heldOn: string; said: string }>;
  }>;
}

/** Only these keep no programme of their own but carry measures of the districts' (the guidelines). */
const OWNER_KINDS = new Set(['facknamnd', 'bolagsstyrelse']);

/**
 * What service boards and companies see of the districts' local development work (issue 14):
 * the measures in force that name them as owner, with the dialogues behind them.
 */
export function createServiceViewOperations(deps: {
  pool: Pool;
  municipality: string;
  today: () => string;
  ops: { registry(): Promise<Registry>; snapshot(): Promise<Pick<ReadSnapshot, 'registry'>> };
}) {
  const { pool, municipality, ops } = deps;

  return {
    /**
     * The measures of every district's programme in force (not ended) that name `boardId` as
     * owner: for the board's own people, the committee, SLK (and Stadshus for a company). A
     * board that is no service board or company is 404 past authorisation.
     */
    async boardLupMeasures(principal: Principal, boardId: string): Promise<BoardLupMeasures> {
      authorize(principal, 'read-board', await targetOf(ops, boardId));
      const registry = await ops.registry();
      const board = findOrganisation(registry, boardId);
      if (!board || !OWNER_KINDS.has(board.kind)) throw notFound('board');
      const [measures, dialogues, consultations, parts] = await Promise.all([
        pool.query<{
          board_id: string;
          measure_id: string;
          title: string;
          goal: string | null;
          cost: string | null;
          larger: boolean;
          priority_area: string | null;
          status: string;
          status_since: string | null;
        }>(
          `SELECT m.board_id, m.measure_id, m.title, m.goal, m.cost, m.larger, m.priority_area, m.status,
                  m.status_history -> -1 ->> 'on' AS status_since
             FROM lup_measures m
             JOIN lup_programmes p ON p.workflow_id = m.workflow_id AND p.programme_number = m.programme_number
            WHERE p.municipality = $1 AND p.stage = 'i-kraft' AND m.owner_id = $2 AND m.status <> 'avslutad'
            ORDER BY m.board_id, m.position`,
          [municipality, boardId],
        ),
        pool.query<{
          board_id: string;
          dialogue_id: string;
          held_on: string;
          question: string;
          outcome: string | null;
        }>(
          `SELECT board_id, dialogue_id, held_on::text AS held_on, question, outcome
             FROM lup_dialogues WHERE municipality = $1 ORDER BY board_id, held_on DESC, dialogue_id`,
          [municipality],
        ),
        pool.query<{ board_id: string; consultation_id: string; held_on: string; said: string }>(
          `SELECT board_id, consultation_id, held_on::text AS held_on, said
             FROM lup_consultations WHERE municipality = $1 AND with_board_id = $2
            ORDER BY board_id, held_on DESC, consultation_id`,
          [municipality, boardId],
        ),
        pool.query<{
          dialogue_board_id: string;
          dialogue_id: string;
          part_board_id: string;
          contribution: string;
          recorded_by: string;
          recorded_at: Date;
        }>(
          `SELECT dialogue_board_id, dialogue_id, part_board_id, contribution, recorded_by, recorded_at
             FROM lup_dialogue_parts WHERE municipality = $1 ORDER BY workflow_id, dialogue_id, position`,
          [municipality],
        ),
      ]);
      // The districts that name the board in a measure or consulted it.
      const districtIds = [
        ...new Set([...measures.rows.map((m) => m.board_id), ...consultations.rows.map((c) => c.board_id)]),
      ].sort();
      const today = deps.today();
      const nameOf = (id: string) => {
        const org = findOrganisation(registry, id);
        return org ? nameOn(org, today) : id;
      };
      return {
        boardId,
        boardName: nameOf(boardId),
        districts: districtIds.map((d) => ({
          boardId: d,
          boardName: nameOf(d),
          measures: measures.rows
            .filter((m) => m.board_id === d)
            .map((m) => ({
              measureId: m.measure_id,
              title: m.title,
              goal: m.goal,
              cost: m.cost === null ? null : Number(m.cost),
              larger: m.larger,
              priorityArea: m.priority_area,
              status: m.status,
              statusSince: m.status_since,
            })),
          // The dialogues behind the programme are the district's: they are not tied to one measure.
          dialogues: dialogues.rows
            .filter((x) => x.board_id === d)
            .map((x) => ({
              id: x.dialogue_id,
              heldOn: x.held_on,
              question: x.question,
              outcome: x.outcome,
              parts: parts.rows
                .filter((p) => p.dialogue_board_id === d && p.dialogue_id === x.dialogue_id)
                .map((p) => ({
                  boardId: p.part_board_id,
                  boardName: nameOf(p.part_board_id),
                  contribution: p.contribution,
                  by: p.recorded_by,
                  recordedAt: p.recorded_at.toISOString(),
                })),
            })),
          consultations: consultations.rows
            .filter((c) => c.board_id === d)
            .map((c) => ({ id: c.consultation_id, heldOn: c.held_on, said: c.said })),
        })),
      };
    },
  };
}
export type ServiceViewOperations = ReturnType<typeof createServiceViewOperations>;
