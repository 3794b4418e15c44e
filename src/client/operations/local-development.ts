import { Client, WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import type { Pool } from 'pg';
import { loadCycle, StoredCycle } from '../../db/cycles';
import { loadStoredRegistry } from '../../db/registry';
import { citizenDialogueSchema, LupState } from '../../domain/lup-state';
import { findOrganisation, organisationsOn, priorityAreaMapping, Registry } from '../../domain/organisations';
import { areaPartsOfPlan, followUpsOf, measuresOfProgramme } from '../../domain/guideline-answers';
import { cycleWorkflowId } from '../../workflows/budget-cycle-workflow';
import { LupView, lupViewQuery, lupWorkflowId, recordDialogueUpdate } from '../../workflows/lup-messages';
import { lupWorkflow } from '../../workflows/lup-workflow';
import { notFound, OperationError, parseInput } from './operation-error';

export interface LocalDevelopmentDeps {
  client: Client;
  pool: Pool;
  taskQueue: string;
  municipality: string;
  today: () => string;
  /** Runs a workflow message and maps refusals (shared with the cycle operations). */
  viaWorkflow: <T>(what: string, call: () => Promise<T>) => Promise<T>;
}

/**
 * The guidelines for local development work as operations: content rules at submission, the
 * districts' LUP workflows (dialogues, stages), and what the committee follows up.
 */
export function createLocalDevelopmentOperations(deps: LocalDevelopmentDeps) {
  const { client, pool, municipality } = deps;

  const registry = async (): Promise<Registry> => {
    const stored = await loadStoredRegistry(pool, municipality);
    if (!stored) {
      throw new OperationError(409, 'organisations', `no registry stored for ${municipality}`, 'no-registry');
    }
    return stored;
  };

  const ensureLup = async (year: number, boardId: string): Promise<string> => {
    const workflowId = lupWorkflowId(cycleWorkflowId(municipality, year), boardId);
    try {
      await client.workflow.start(lupWorkflow, {
        workflowId,
        taskQueue: deps.taskQueue,
        args: [{ municipality, budgetYear: year, boardId }],
      });
    } catch (error) {
      if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
    }
    return workflowId;
  };

  const ops = {
    /** A district's LUP as its workflow has it (404 when the cycle has none for the board). */
    async lupView(year: number, boardId: string): Promise<LupView> {
      const workflowId = lupWorkflowId(cycleWorkflowId(municipality, year), boardId);
      return deps.viaWorkflow('lup', () => client.workflow.getHandle(workflowId).query(lupViewQuery));
    },

    async recordDialogue(year: number, boardId: string, dialogue: unknown, by: string): Promise<LupState> {
      const parsed = parseInput(citizenDialogueSchema.omit({ by: true }), dialogue);
      if (!(await loadCycle(pool, municipality, year))) throw notFound('budgetYear');
      const reg = await registry();
      if (findOrganisation(reg, boardId)?.kind !== 'stadsdelsnamnd') throw notFound('board');
      const workflowId = await ensureLup(year, boardId);
      return deps.viaWorkflow('lup', () =>
        client.workflow.getHandle(workflowId).executeUpdate(recordDialogueUpdate, { args: [{ ...parsed, by }] }),
      );
    },

    /** Starts the LUP workflow of every district of the cycle (when its calendar has LUP stages). */
    async startLups(year: number): Promise<number> {
      const cycle = await loadCycle(pool, municipality, year);
      if (!cycle?.calendar.phases.some((p) => p.kind === 'deliverable' && p.lupStage !== undefined)) return 0;
      const districts = organisationsOn(await registry(), deps.today()).filter((o) => o.kind === 'stadsdelsnamnd');
      for (const d of districts) await ensureLup(year, d.id);
      return districts.length;
    },

    /** What the committee follows up: priority areas, the districts' LUPs, punctuality. */
    async localDevelopment(year: number) {
      const reg = await registry();
      const onDate = deps.today();
      const [contents, lups, dialogues, punctuality] = await Promise.all([
        pool.query<{
          phase_id: string;
          board_id: string;
          content: Record<string, unknown>;
          calendar: StoredCycle['calendar'] | null;
        }>(
          `SELECT sc.phase_id, sc.board_id, sc.content, c.calendar FROM submission_content sc
             LEFT JOIN cycles c ON c.municipality = sc.municipality AND c.budget_year = sc.budget_year
            WHERE sc.municipality = $1 AND sc.budget_year = $2
            ORDER BY sc.board_id, sc.submitted_at DESC, sc.phase_id`,
          [municipality, year],
        ),
        pool.query<{ board_id: string; stage: string; main_focus: string | null; dialogues: number; measures: number }>(
          `SELECT board_id, stage, main_focus, dialogues, measures FROM lup_status
            WHERE municipality = $1 AND budget_year = $2 ORDER BY board_id`,
          [municipality, year],
        ),
        pool.query<{
          board_id: string;
          dialogue_id: string;
          held_on: string;
          question: string;
          room_for_influence: string;
          forms: string[];
          invited_parties: string[];
        }>(
          `SELECT board_id, dialogue_id, held_on::text AS held_on, question, room_for_influence, forms, invited_parties
             FROM lup_dialogues WHERE municipality = $1 AND budget_year = $2 ORDER BY board_id, held_on, dialogue_id`,
          [municipality, year],
        ),
        pool.query<{ board_id: string; finished: string; on_time: string; late_now: string }>(
          `SELECT answering_board_id AS board_id,
                  count(*) FILTER (WHERE stage IN ('submitted', 'approved')) AS finished,
                  count(*) FILTER (WHERE stage IN ('submitted', 'approved') AND NOT late) AS on_time,
                  count(*) FILTER (WHERE stage IN ('open', 'returned', 'planned') AND late) AS late_now
             FROM deliverable_status WHERE municipality = $1 GROUP BY answering_board_id ORDER BY answering_board_id`,
          [municipality],
        ),
      ]);
      const phaseOf = (row: { phase_id: string; calendar: StoredCycle['calendar'] | null }) => {
        const phase = row.calendar?.phases.find((p) => p.id === row.phase_id);
        return phase?.kind === 'deliverable' ? phase : undefined;
      };
      const nameOf = (id: string) => findOrganisation(reg, id)?.name ?? id;
      /** The latest follow-up of an item (the rows are newest first per board). */
      const statusOf = (boardId: string, ref: string) => {
        for (const row of contents.rows) {
          if (row.board_id !== boardId) continue;
          const item = followUpsOf(row.content).find((i) => i.ref === ref);
          if (item) return { phaseId: row.phase_id, status: item.status, comment: item.comment };
        }
        return undefined;
      };
      const plans = contents.rows.filter((r) => phaseOf(r)?.template === 'verksamhetsplan');
      const programmes = contents.rows.filter((r) => phaseOf(r)?.lupStage === 'programme');
      const priorityAreas = priorityAreaMapping(reg, onDate).map((area) => ({
        ...area,
        /** Who served the area when: the 2015 district, then its successors after the mergers. */
        servedByHistory: (reg.priorityAreas.find((a) => a.id === area.id)?.servedBy ?? []).map((s) => ({
          id: s.boardId,
          name: nameOf(s.boardId),
          validFrom: s.validFrom,
          validTo: s.validTo ?? null,
        })),
        boards: [
          ...plans.flatMap((row) => {
            const part = areaPartsOfPlan(row.content).find((p) => p.areaId === area.id);
            return part
              ? [
                  {
                    boardId: row.board_id,
                    boardName: nameOf(row.board_id),
                    source: 'verksamhetsplan' as const,
                    nämndmål: part.nämndmål,
                    aktiviteter: part.aktiviteter,
                    ingenDel: part.ingenDel ?? null,
                    followUp: statusOf(row.board_id, `area:${area.id}`) ?? null,
                  },
                ]
              : [];
          }),
          ...programmes.flatMap((row) =>
            measuresOfProgramme(row.content)
              .filter((m) => m.priorityArea === area.id)
              .map((m) => ({
                boardId: row.board_id,
                boardName: nameOf(row.board_id),
                source: 'lup' as const,
                nämndmål: [],
                aktiviteter: [m.title],
                ingenDel: null,
                followUp: statusOf(row.board_id, `measure:${m.id}`) ?? null,
              })),
          ),
        ],
      }));
      const cycle = await loadCycle(pool, municipality, year);
      return {
        budgetYear: year,
        onDate,
        /** The KF goals of the year, which a LUP's main focus names. */
        goals: cycle?.calendar.goals ?? [],
        priorityAreas,
        districts: lups.rows.map((l) => ({
          boardId: l.board_id,
          boardName: nameOf(l.board_id),
          stage: l.stage,
          mainFocus: l.main_focus,
          measures: l.measures,
          servesPriorityAreas: priorityAreas
            .filter((a) => a.servedBy.some((b) => b.id === l.board_id))
            .map((a) => a.id),
          dialogues: dialogues.rows
            .filter((d) => d.board_id === l.board_id)
            .map((d) => ({
              id: d.dialogue_id,
              heldOn: d.held_on,
              question: d.question,
              roomForInfluence: d.room_for_influence,
              forms: d.forms,
              invitedParties: d.invited_parties,
            })),
        })),
        punctuality: punctuality.rows.map((p) => ({
          boardId: p.board_id,
          boardName: nameOf(p.board_id),
          finished: Number(p.finished),
          onTime: Number(p.on_time),
          lateNow: Number(p.late_now),
        })),
      };
    },
  };
  return ops;
}

export type LocalDevelopmentOperations = ReturnType<typeof createLocalDevelopmentOperations>;
