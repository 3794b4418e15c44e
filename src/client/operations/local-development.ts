import { Client, WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError } from '@temporalio/client';
import type { UpdateDefinition } from '@temporalio/common';
import type { Pool } from 'pg';
import { listCycles, loadCycle, StoredCycle } from '../../db/cycles';
import { loadStoredRegistry } from '../../db/registry';
import { TransitionRefused } from '../../domain/deliverable-state';
import {
  checkRegistration,
  citizenDialogueSchema,
  consultationSchema,
  dialoguePartSchema,
  initialLupState,
  LupState,
  measureStatusSchema,
  registrationSchema,
  revisionSchema,
  stageOf,
} from '../../domain/lup-state';
import { findOrganisation, organisationsOn, priorityAreaMapping, Registry } from '../../domain/organisations';
import { areaPartsOfPlan, focusOfAnalysis, followUpsOf, measuresOfProgramme } from '../../domain/guideline-answers';
import {
  handOverProgrammeUpdate,
  LupView,
  lupViewQuery,
  lupWorkflowId,
  receiveProgrammeUpdate,
  recordConsultationUpdate,
  recordDialoguePartUpdate,
  recordDialogueUpdate,
  registerProgrammeUpdate,
  reviseProgrammeUpdate,
  setMeasureStatusUpdate,
} from '../../workflows/lup-messages';
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

  /** The district's programme workflow, started on first need (a second start is the same workflow). */
  const ensureLup = async (boardId: string): Promise<string> => {
    const workflowId = lupWorkflowId(municipality, boardId);
    try {
      await client.workflow.start(lupWorkflow, {
        workflowId,
        taskQueue: deps.taskQueue,
        args: [{ municipality, boardId }],
      });
    } catch (error) {
      if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
    }
    return workflowId;
  };

  /** A district of the registry (404 otherwise): only districts keep a programme. */
  const district = async (boardId: string): Promise<Registry> => {
    const reg = await registry();
    if (findOrganisation(reg, boardId)?.kind !== 'stadsdelsnamnd') throw notFound('board');
    return reg;
  };

  /** A measure's owner: the district itself, or a service board or company of the registry. */
  const checkOwners = (
    reg: Registry,
    boardId: string,
    revision: { add?: unknown; change?: unknown; measures?: unknown },
  ) => {
    for (const key of ['add', 'change', 'measures'] as const) {
      const list = Array.isArray(revision[key]) ? (revision[key] as { ownerId?: unknown }[]) : [];
      list.forEach((m, i) => {
        if (typeof m?.ownerId !== 'string' || m.ownerId === boardId) return;
        const kind = findOrganisation(reg, m.ownerId)?.kind;
        if (kind !== 'facknamnd' && kind !== 'bolagsstyrelse') {
          throw new OperationError(
            400,
            `${key}.${i}.ownerId`,
            `${m.ownerId} is not the district, a service board or a company of the registry`,
            'not-in-registry',
            { id: m.ownerId },
          );
        }
      });
    }
  };

  /**
   * A measure's goal: one of the KF goals of a stored cycle (the goals are data per budget year,
   * and a programme outlives the year that set them).
   */
  const checkGoals = async (revision: { add?: unknown; change?: unknown; measures?: unknown }) => {
    const goals = new Set(
      (await listCycles(pool, municipality)).flatMap((c) => (c.calendar.goals ?? []).map((g) => g.id)),
    );
    for (const key of ['add', 'change', 'measures'] as const) {
      const list = Array.isArray(revision[key]) ? (revision[key] as { goal?: unknown }[]) : [];
      list.forEach((m, i) => {
        if (typeof m?.goal !== 'string' || goals.has(m.goal)) return;
        throw new OperationError(
          400,
          `${key}.${i}.goal`,
          `${m.goal} is not one of ${[...goals].join(', ') || 'the goals of a budget year'}`,
          'not-an-option',
          { options: [...goals].join(', ') },
        );
      });
    }
  };

  const update = async (boardId: string, what: UpdateDefinition<LupState, [unknown]>, input: unknown) => {
    const workflowId = await ensureLup(boardId);
    return deps.viaWorkflow('lup', () => client.workflow.getHandle(workflowId).executeUpdate(what, { args: [input] }));
  };

  const ops = {
    /** A district's programme as its workflow has it (404 for a board that is not a district). */
    async lupView(boardId: string): Promise<LupView> {
      await district(boardId);
      // A read starts nothing: a district whose programme workflow has not started yet (nothing
      // recorded) reads as one without a programme; the first write starts it.
      const workflowId = lupWorkflowId(municipality, boardId);
      try {
        return await client.workflow.getHandle(workflowId).query(lupViewQuery);
      } catch (error) {
        if (!(error instanceof WorkflowNotFoundError)) return deps.viaWorkflow('lup', () => Promise.reject(error));
        const state = initialLupState(boardId);
        return { workflowId, municipality, boardId, stage: stageOf(state), state };
      }
    },

    async recordDialogue(boardId: string, dialogue: unknown, by: string): Promise<LupState> {
      const parsed = parseInput(citizenDialogueSchema().omit({ by: true }), dialogue);
      await district(boardId);
      return update(boardId, recordDialogueUpdate, { ...parsed, by });
    },

    async recordConsultation(boardId: string, consultation: unknown, by: string): Promise<LupState> {
      const parsed = parseInput(consultationSchema().omit({ by: true }), consultation);
      const reg = await district(boardId);
      const kind = findOrganisation(reg, parsed.withBoardId)?.kind;
      if (kind !== 'facknamnd' && kind !== 'bolagsstyrelse') {
        throw new OperationError(
          400,
          'withBoardId',
          'must be a service board or a company of the registry',
          'not-in-registry',
          {
            id: parsed.withBoardId,
          },
        );
      }
      return update(boardId, recordConsultationUpdate, { ...parsed, by });
    },

    /**
     * A service board's or company's part in one of the district's dialogues: what it
     * contributed. The caller has been authorised for the service board (its people or SLK); the
     * workflow decides whether the district's record names the board (consulted, or owning a
     * measure). A dialogue the district has not recorded is a 404, as the URL names it.
     */
    async recordDialoguePart(boardId: string, dialogueId: string, part: unknown, by: string): Promise<LupState> {
      const parsed = parseInput(dialoguePartSchema().omit({ by: true, dialogueId: true }), part);
      const reg = await district(boardId);
      const kind = findOrganisation(reg, parsed.serviceBoardId)?.kind;
      if (kind !== 'facknamnd' && kind !== 'bolagsstyrelse') {
        throw new OperationError(
          400,
          'serviceBoardId',
          'must be a service board or a company of the registry',
          'not-in-registry',
          { id: parsed.serviceBoardId },
        );
      }
      try {
        return await update(boardId, recordDialoguePartUpdate, { ...parsed, dialogueId, by });
      } catch (error) {
        if (error instanceof OperationError && error.code === 'unknown-dialogue') throw notFound('dialogue');
        throw error;
      }
    },

    /** A revision by the district: measures added, changed, ended, with the reason (a new version). */
    async reviseProgramme(boardId: string, revision: unknown, by: string): Promise<LupState> {
      const parsed = parseInput(revisionSchema().omit({ by: true }), revision);
      checkOwners(await district(boardId), boardId, parsed);
      await checkGoals(parsed);
      return update(boardId, reviseProgrammeUpdate, { ...parsed, by });
    },

    /**
     * A programme the board adopted before Årshjul, registered as in force (version 1, marked as
     * registered): no dialogue asked for, refused when a programme is in force. The workflow checks
     * the decision date against its own today.
     */
    async registerProgramme(boardId: string, registration: unknown, by: string): Promise<LupState> {
      const parsed = parseInput(registrationSchema().omit({ by: true }), registration);
      const reg = await district(boardId);
      // What is wrong in the input itself (a date after today, a period backwards, a measure named
      // twice) is a bad request: the same check against an empty record, before the workflow's.
      try {
        checkRegistration(initialLupState(boardId), { ...parsed, by }, deps.today());
      } catch (error) {
        if (error instanceof TransitionRefused) throw OperationError.of(400, error);
        throw error;
      }
      checkOwners(reg, boardId, parsed);
      await checkGoals(parsed);
      return update(boardId, registerProgrammeUpdate, { ...parsed, by });
    },

    async setMeasureStatus(boardId: string, measureId: string, change: unknown, by: string): Promise<LupState> {
      const parsed = parseInput(measureStatusSchema().omit({ by: true, measureId: true }), change);
      await district(boardId);
      return update(boardId, setMeasureStatusUpdate, { ...parsed, measureId, by });
    },

    /**
     * A merger: the district's programme goes to the successor the registry names, on the day the
     * district ceased. Both sides record it; asked again, nothing more happens.
     */
    async handOverProgramme(boardId: string, by: string): Promise<LupState> {
      const reg = await district(boardId);
      const org = findOrganisation(reg, boardId)!;
      if (!org.successorId || !org.validTo) {
        throw new OperationError(409, 'board', `${boardId} has no successor in the registry`, 'not-in-registry', {
          id: boardId,
        });
      }
      const handed = await update(boardId, handOverProgrammeUpdate, { to: org.successorId, on: org.validTo, by });
      const successor = await ensureLup(org.successorId);
      return deps.viaWorkflow('lup', () =>
        client.workflow
          .getHandle(successor)
          .executeUpdate(receiveProgrammeUpdate, { args: [{ predecessor: handed, by }] }),
      );
    },

    /** Every district's citizen dialogues, newest first: districts learn from each other (the guidelines). */
    async dialogues() {
      const rows = await pool.query<{
        board_id: string;
        dialogue_id: string;
        held_on: string;
        need: string;
        question: string;
        forms: string[];
        room_for_influence: string;
        participants: { group: string; count: number }[];
        outcome: string | null;
        feedback: string | null;
      }>(
        `SELECT board_id, dialogue_id, held_on::text AS held_on, need, question, forms, room_for_influence, participants,
                outcome, feedback
           FROM lup_dialogues WHERE municipality = $1 ORDER BY held_on DESC, board_id, dialogue_id`,
        [municipality],
      );
      const reg = await registry();
      return rows.rows.map((d) => ({
        boardId: d.board_id,
        boardName: findOrganisation(reg, d.board_id)?.name ?? d.board_id,
        id: d.dialogue_id,
        heldOn: d.held_on,
        need: d.need,
        question: d.question,
        forms: d.forms,
        roomForInfluence: d.room_for_influence,
        participants: d.participants,
        outcome: d.outcome,
        feedback: d.feedback,
      }));
    },

    /** Starts the programme workflow of every district (when the cycle's calendar has LUP phases). */
    async startLups(year: number): Promise<number> {
      const cycle = await loadCycle(pool, municipality, year);
      if (!cycle?.calendar.phases.some((p) => p.kind === 'deliverable' && p.lupStage !== undefined)) return 0;
      const districts = organisationsOn(await registry(), deps.today()).filter((o) => o.kind === 'stadsdelsnamnd');
      for (const d of districts) await ensureLup(d.id);
      return districts.length;
    },

    /** What the committee follows up: priority areas, the districts' LUPs, punctuality. */
    async localDevelopment(year: number) {
      const reg = await registry();
      const onDate = deps.today();
      const [contents, lups, dialogues, punctuality, analyses] = await Promise.all([
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
        pool.query<{ board_id: string; stage: string; main_focus: string | null; measures: string }>(
          `SELECT p.board_id, p.stage, p.main_focus->>$2::text AS main_focus,
                  (SELECT count(*) FROM lup_measures m
                    WHERE m.workflow_id = p.workflow_id AND m.programme_number = p.programme_number
                      AND m.status <> 'avslutad') AS measures
             FROM lup_programmes p WHERE p.municipality = $1 AND p.stage <> 'overlamnat' ORDER BY p.board_id`,
          [municipality, year],
        ),
        pool.query<{
          board_id: string;
          dialogue_id: string;
          held_on: string;
          question: string;
          room_for_influence: string;
          forms: string[];
          participants: { group: string; count: number }[];
        }>(
          `SELECT board_id, dialogue_id, held_on::text AS held_on, question, room_for_influence, forms, participants
             FROM lup_dialogues WHERE municipality = $1 ORDER BY board_id, held_on, dialogue_id`,
          [municipality],
        ),
        pool.query<{ board_id: string; finished: string; on_time: string; late_now: string }>(
          `SELECT answering_board_id AS board_id,
                  count(*) FILTER (WHERE stage IN ('submitted', 'approved')) AS finished,
                  count(*) FILTER (WHERE stage IN ('submitted', 'approved') AND NOT late) AS on_time,
                  count(*) FILTER (WHERE stage IN ('open', 'returned', 'planned') AND late) AS late_now
             FROM deliverable_status WHERE municipality = $1 GROUP BY answering_board_id ORDER BY answering_board_id`,
          [municipality],
        ),
        // Each district's latest analysis up to this year: the submitted content of a phase its
        // cycle's calendar marks as the LUP analysis (the newest year, then the newest submission).
        pool.query<{ board_id: string; budget_year: number; content: Record<string, unknown> }>(
          `SELECT DISTINCT ON (sc.board_id) sc.board_id, sc.budget_year, sc.content
             FROM submission_content sc
             JOIN cycles c ON c.municipality = sc.municipality AND c.budget_year = sc.budget_year
            WHERE sc.municipality = $1 AND sc.budget_year <= $2
              AND EXISTS (SELECT 1 FROM jsonb_array_elements(c.calendar->'phases') ph
                           WHERE ph->>'id' = sc.phase_id AND ph->>'lupStage' = 'analysis')
            ORDER BY sc.board_id, sc.budget_year DESC, sc.submitted_at DESC`,
          [municipality, year],
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
          /** The latest analysis's focus (main goal, focus areas, indicators per goal); null before one. */
          analysis: (() => {
            const a = analyses.rows.find((r) => r.board_id === l.board_id);
            return a ? { budgetYear: a.budget_year, ...focusOfAnalysis(a.content) } : null;
          })(),
          measures: Number(l.measures),
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
              participants: d.participants,
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
