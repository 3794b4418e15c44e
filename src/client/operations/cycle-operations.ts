import { createCommitteeOperations } from './committee-acts';
import { createLupTraceOperations } from './lup-trace';
import { createServiceViewOperations } from './service-view';
import { Client, WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import type { Pool } from 'pg';
import { z } from 'zod';
import { countDeliverablesByPhaseAndStage, listCycleProgressEvents, PhaseStageCount } from '../../db/cycle-record';
import { StoredCycle } from '../../db/cycles';
import { listLatestSubmissionsAndReturns } from '../../db/deliverable-record';
import { listExpiredSends } from '../../db/send-log';
import {
  DeliverableStatusRow,
  DeliverableSummaryRow,
  listDeliverableSummaryRows,
  loadDeliverableSummaryRow,
} from '../../db/read-model';
import { CycleCalendar } from '../../domain/cycle-calendar';
import {
  approveSchema,
  DeliverableStage,
  DeliverableState,
  endedDeliverableRefusal,
  exemptSchema,
  extensionSchema,
  isFinishedStage,
  returnSchema,
  submitSchema,
} from '../../domain/deliverable-state';
import { localDateSchema, RefusalParams } from '../../domain/refusals';
import { Registry } from '../../domain/organisations';
import { ReportTemplate } from '../../domain/report-template';
import { cycleWorkflowId } from '../../workflows/budget-cycle-workflow';
import {
  CancelCycleInput,
  cancelCycleUpdate,
  ConfirmMilestoneInput,
  confirmMilestoneUpdate,
  CycleStatus,
  MoveDeadlineInput,
  moveDeadlineUpdate,
  SUPPLEMENT_PHASE_PREFIX,
} from '../../workflows/budget-cycle-messages';
import {
  approveUpdate,
  DeliverableView,
  deliverableViewQuery,
  exemptUpdate,
  grantExtensionUpdate,
  returnForCompletionUpdate,
  submitUpdate,
} from '../../workflows/deliverable-messages';
import { startCycle, CycleStartOutcome } from '../start-cycles';
import { cycleStatusFromRecord } from './cycle-progress';
import { createLocalDevelopmentOperations } from './local-development';
import { notFound, OperationError, parseInput } from './operation-error';
import { createReadCache, ReadSnapshot } from './read-cache';
import type { ContentIssue } from '../../domain/report-submission';

/** What a write is, for the updates a deliverable accepts: the input without `by` (the caller). */
export const deliverableActionSchemas = {
  // Who marked a report ready is the sign-off's to say (report-drafts.ts), never a caller's.
  submit: submitSchema().omit({ by: true, markedReady: true }),
  approve: approveSchema().omit({ by: true }),
  return: returnSchema().omit({ by: true }),
  extend: extensionSchema().omit({ by: true }),
  exempt: exemptSchema().omit({ by: true }),
} as const;
export type DeliverableAction = keyof typeof deliverableActionSchemas;
export const deliverableActions = Object.keys(deliverableActionSchemas) as DeliverableAction[];

const dateSchema = localDateSchema();
const reasonSchema = z.string().trim().min(1, { message: 'must not be empty' }).max(4000);
export const moveDeadlineSchema = z
  .object({
    phaseId: z.string().min(1, { message: 'must not be empty' }),
    deadline: dateSchema,
    boards: z.array(z.string().min(1)).min(1).optional(),
    reason: reasonSchema,
  })
  .strict();
export const cancelCycleSchema = z.object({ reason: reasonSchema }).strict();
export const confirmMilestoneSchema = z.object({ milestoneId: z.string().min(1), date: dateSchema }).strict();

/** A deliverable's state after a submission, with the content rules' warnings if any. */
export type SubmitOutcome = DeliverableState & { warnings?: ContentIssue[] };

/** A mail that expired unsent, as SLK's cycle page lists it. */
export interface ExpiredMail {
  workflowId: string;
  phaseId: string;
  boardId: string;
  boardName: string;
  /** Kind in the send log: opening, reminder, deadline-day, escalation-N, … */
  kind: string;
  plannedAt: string;
  /** The relay's last answer, when it gave one. */
  lastError: string | null;
}

/** What the record holds of a deliverable's latest submission and latest return for completion. */
export interface SubmissionRecord {
  lastSubmission?: { documentRef: string; decisionDate?: string; comment?: string; by: string; at: string };
  lastReturn?: { reason: string; by: string; at: string };
}

/** One deliverable as the pages and the API show it: the read model row with names. */
export interface DeliverableSummary {
  workflowId: string;
  phaseId: string;
  phaseName: string;
  boardId: string;
  boardName: string;
  answeringBoardId: string;
  stage: DeliverableStatusRow['stage'];
  late: boolean;
  escalationLevel: number;
  deadline: string;
  deadlineAt: string;
  updatedAt: string;
}

export interface OperationsDeps {
  client: Client;
  pool: Pool;
  taskQueue: string;
  municipality: string;
  /** Today's Stockholm date (a port, so tests and a late start agree on "today"). */
  today: () => string;
}

const parse = parseInput;

/**
 * Maps a workflow's refusal or a missing workflow to an OperationError. The refusal travels in
 * the ApplicationFailure's details (see `refuse` in workflow-support.ts) and is handed on as it
 * is: field, English problem, code and params.
 */
export async function viaWorkflow<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) throw notFound(what);
    if (error instanceof WorkflowUpdateFailedError) {
      const cause = error.cause as (Error & { type?: string; details?: unknown[] }) | undefined;
      // Wrong in itself (content of the wrong shape) is a bad request; not possible now, a conflict.
      const status = cause?.type === 'InvalidInput' ? 400 : 409;
      const details = (cause?.details?.[0] ?? {}) as Partial<Record<'field' | 'problem' | 'code', unknown>> & {
        params?: RefusalParams;
      };
      const message = cause?.message ?? error.message;
      const at = message.indexOf(': ');
      const field = typeof details.field === 'string' ? details.field : at > 0 ? message.slice(0, at) : '(workflow)';
      const problem = typeof details.problem === 'string' ? details.problem : at > 0 ? message.slice(at + 2) : message;
      const code = typeof details.code === 'string' ? details.code : 'unexplained';
      throw OperationError.received(status, { field, problem, code, params: details.params });
    }
    throw error;
  }
}

/** How many of the given deliverables are in each stage, per phase (as countDeliverablesByPhaseAndStage). */
function stageCountsOf(rows: readonly DeliverableSummary[]): PhaseStageCount[] {
  const counts = new Map<string, PhaseStageCount>();
  for (const d of rows) {
    const key = `${d.phaseId}\u0000${d.stage}`;
    const count = counts.get(key) ?? { phase_id: d.phaseId, stage: d.stage, count: 0 };
    count.count++;
    counts.set(key, count);
  }
  return [...counts.values()];
}

function toSummary(row: DeliverableSummaryRow, cycle: StoredCycle | undefined, names: Map<string, string>) {
  const phase = cycle?.calendar.phases.find((p) => p.id === row.phase_id);
  return {
    workflowId: row.workflow_id,
    phaseId: row.phase_id,
    // A supplement the committee requested has no phase in the calendar: named by what it is.
    phaseName: phase?.name ?? (row.phase_id.startsWith(SUPPLEMENT_PHASE_PREFIX) ? 'Komplettering' : row.phase_id),
    boardId: row.board_id,
    boardName: names.get(row.board_id) ?? row.board_id,
    answeringBoardId: row.answering_board_id,
    stage: row.stage,
    late: row.late,
    escalationLevel: row.escalation_level,
    deadline: row.deadline,
    deadlineAt: row.deadline_at,
    updatedAt: row.updated_at,
  } satisfies DeliverableSummary;
}

/**
 * Everything people do to a cycle, shared by the CLI, the HTTP API and the web pages: they
 * differ in how they ask and who may ask, never in what happens.
 */
export function createCycleOperations(deps: OperationsDeps) {
  const { client, pool, municipality } = deps;
  const cycleHandle = (year: number) => client.workflow.getHandle(cycleWorkflowId(municipality, year));
  const deliverableId = (year: number, phaseId: string, boardId: string) =>
    `${cycleWorkflowId(municipality, year)}/${phaseId}/${boardId}`;

  // The registry and the cycles' calendars are read on every request and change rarely: kept in
  // memory, checked against PostgreSQL's versions on every use (see read-cache.ts).
  const cache = createReadCache({ pool, municipality });
  const registryOf = (at: ReadSnapshot): Registry => {
    if (!at.registry)
      throw new OperationError(409, 'organisations', `no registry stored for ${municipality}`, 'no-registry');
    return at.registry;
  };
  const registry = async (): Promise<Registry> => registryOf(await cache.snapshot());
  const cycleOf = (at: ReadSnapshot, year: number): StoredCycle | undefined =>
    at.cycles.find((c) => c.budgetYear === year);

  const local = createLocalDevelopmentOperations({ ...deps, viaWorkflow });

  /**
   * A submission: the deliverable checks its content (shape and size in the update's validator,
   * the guidelines' rules against the record in its handler) and tells the district's LUP of a
   * LUP stage itself. Warnings (e.g. a LUP measure missing from the budgetunderlag when the phase
   * only warns) come back with the new state.
   */
  const submitWithContent = (
    year: number,
    phaseId: string,
    boardId: string,
    input: z.infer<ReturnType<typeof submitSchema>>,
  ): Promise<SubmitOutcome> =>
    viaDeliverable(year, phaseId, boardId, 'submit', () =>
      client.workflow.getHandle(deliverableId(year, phaseId, boardId)).executeUpdate(submitUpdate, { args: [input] }),
    );

  /**
   * An update to one deliverable. Its workflow ends with the deliverable (approved, exempt,
   * cancelled, or submitted in a phase without a review step), so a request that comes after that finds no workflow: it is refused for the
   * stage the record holds, as the workflow refuses it a moment before, not answered 404.
   */
  const viaDeliverable = <T>(
    year: number,
    phaseId: string,
    boardId: string,
    action: DeliverableAction,
    call: () => Promise<T>,
  ): Promise<T> =>
    viaWorkflow('deliverable', call).catch(async (error: unknown) => {
      if (!(error instanceof OperationError && error.status === 404)) throw error;
      const row = await loadDeliverableSummaryRow(pool, municipality, year, phaseId, boardId);
      const phase = cycleOf(await cache.snapshot(), year)?.calendar.phases.find((p) => p.id === phaseId);
      const reviewRequired = phase?.kind === 'deliverable' && phase.reviewRequired === true;
      const stage = row?.stage as DeliverableStage | undefined;
      if (!stage || !isFinishedStage(stage, reviewRequired)) throw error;
      throw OperationError.of(409, endedDeliverableRefusal(stage, reviewRequired, action));
    });

  const ops = {
    municipality,
    /** The guidelines for local development work: LUPs, priority areas, the committee's view. */
    local,
    /** Today's Stockholm date, as the deployment sees it. */
    today: deps.today,

    /**
     * The registry, the board names and the cycles as PostgreSQL holds them now (kept in memory,
     * checked on each call): a page takes one snapshot and reads the rest of its data beside it.
     */
    snapshot: (): Promise<ReadSnapshot> => cache.snapshot(),
    /** The current version of a template a cycle keeps, checked against a snapshot's versions. */
    cycleTemplate: cache.cycleTemplate,

    listCycles: async (): Promise<StoredCycle[]> => (await cache.snapshot()).cycles,

    async cycle(year: number): Promise<StoredCycle> {
      const cycle = cycleOf(await cache.snapshot(), year);
      if (!cycle) throw notFound('budgetYear');
      return cycle;
    },

    /**
     * The cycle's mails that could not go out before the instant they were about (the relay was
     * down past the deadline or the next step): recorded as expired, never sent. For SLK to follow up.
     */
    async expiredMails(year: number, snapshot?: ReadSnapshot): Promise<ExpiredMail[]> {
      const [{ boardNames: names }, rows] = await Promise.all([
        snapshot ?? cache.snapshot(),
        listExpiredSends(pool, cycleWorkflowId(municipality, year)),
      ]);
      return rows.map((r) => {
        const [, , phaseId = '', boardId = ''] = r.workflow_id.split('/');
        return {
          workflowId: r.workflow_id,
          phaseId,
          boardId,
          boardName: names.get(boardId) ?? boardId,
          kind: r.kind,
          plannedAt: r.planned_at.toISOString(),
          lastError: r.last_error,
        };
      });
    },

    /** Every deliverable of a cycle from the read model (fast; what the overview shows). */
    async deliverables(year: number, filter: { boardId?: string } = {}): Promise<DeliverableSummary[]> {
      const [at, rows] = await Promise.all([
        cache.snapshot(),
        listDeliverableSummaryRows(pool, municipality, year, filter.boardId),
      ]);
      return rows.map((r) => toSummary(r, cycleOf(at, year), at.boardNames));
    },

    /** The same for a cycle the caller has loaded already (a page): one query fewer per request. */
    async deliverablesOf(
      cycle: StoredCycle,
      filter: { boardId?: string } = {},
      /** The caller's snapshot, when it took one for this request. */
      snapshot?: ReadSnapshot,
    ): Promise<DeliverableSummary[]> {
      const [at, rows] = await Promise.all([
        snapshot ?? cache.snapshot(),
        listDeliverableSummaryRows(pool, municipality, cycle.budgetYear, filter.boardId),
      ]);
      return rows.map((r) => toSummary(r, cycle, at.boardNames));
    },

    /**
     * One deliverable's row, or a 404 that says nothing more (not even whether it exists). Beside
     * the caller's snapshot when it takes one for this request (it may still be under way).
     */
    async deliverable(
      year: number,
      phaseId: string,
      boardId: string,
      snapshot?: ReadSnapshot | Promise<ReadSnapshot>,
    ): Promise<DeliverableSummary> {
      const [at, row] = await Promise.all([
        snapshot ?? cache.snapshot(),
        loadDeliverableSummaryRow(pool, municipality, year, phaseId, boardId),
      ]);
      if (!row) throw notFound('deliverable');
      return toSummary(row, cycleOf(at, year), at.boardNames);
    },

    /**
     * The cycle's status as the pages show it, from the record (its events and the read model):
     * no question to the cycle workflow, which a worker may have to replay to answer.
     */
    async cycleProgress(cycle: StoredCycle, rows?: readonly DeliverableSummary[]): Promise<CycleStatus> {
      const [events, stages] = await Promise.all([
        listCycleProgressEvents(pool, cycle.workflowId),
        // A page that read the cycle's deliverables counts them itself: one query fewer.
        rows ? stageCountsOf(rows) : countDeliverablesByPhaseAndStage(pool, municipality, cycle.budgetYear),
      ]);
      return cycleStatusFromRecord(cycle.workflowId, cycle.calendar, events, stages);
    },

    /** The latest submission and return of each deliverable named, by workflow ID, from the audit log. */
    async submissionRecords(workflowIds: string[]): Promise<Map<string, SubmissionRecord>> {
      const records = new Map<string, SubmissionRecord>();
      for (const e of await listLatestSubmissionsAndReturns(pool, workflowIds)) {
        const record = records.get(e.workflow_id) ?? {};
        const p = e.payload as Record<string, string | undefined>;
        const at = e.occurred_at;
        if (e.kind === 'submitted') {
          record.lastSubmission = {
            documentRef: p.documentRef ?? '',
            ...(p.decisionDate && { decisionDate: p.decisionDate }),
            ...(p.comment && { comment: p.comment }),
            by: e.actor,
            at,
          };
        } else {
          record.lastReturn = { reason: p.reason ?? '', by: e.actor, at };
        }
        records.set(e.workflow_id, record);
      }
      return records;
    },

    /**
     * The live view from the workflow: state, submissions, pending and past actions. For one
     * deliverable's detail only (the API's deliverable route): its pending planned actions exist
     * nowhere but in the workflow. Pages read the record instead (cycleProgress, submissionRecords).
     */
    deliverableView: (year: number, phaseId: string, boardId: string): Promise<DeliverableView> =>
      viaWorkflow('deliverable', () =>
        client.workflow.getHandle(deliverableId(year, phaseId, boardId)).query(deliverableViewQuery),
      ),

    /** `templates`: those the calendar names, as validated with it (see startCycle). */
    async startCycle(
      calendar: CycleCalendar,
      startedBy: string,
      templates: readonly ReportTemplate[] = [],
    ): Promise<CycleStartOutcome> {
      const outcome = await startCycle(
        client,
        pool,
        deps.taskQueue,
        calendar,
        await registry(),
        deps.today(),
        startedBy,
        templates,
      );
      await local.startLups(calendar.budgetYear);
      return outcome;
    },

    async moveDeadline(year: number, input: unknown, by: string): Promise<CycleStatus> {
      const body = parse(moveDeadlineSchema, input);
      const args: MoveDeadlineInput = { ...body, by };
      return viaWorkflow('budgetYear', () => cycleHandle(year).executeUpdate(moveDeadlineUpdate, { args: [args] }));
    },

    /**
     * Cancels a cycle started by mistake (see budgetCycleWorkflow). A cycle that has already
     * ended cannot take the update: it is refused with what ended it.
     */
    async cancelCycle(year: number, input: unknown, by: string): Promise<CycleStatus> {
      const body = parse(cancelCycleSchema, input);
      const args: CancelCycleInput = { ...body, by };
      const handle = cycleHandle(year);
      try {
        return await viaWorkflow('budgetYear', () => handle.executeUpdate(cancelCycleUpdate, { args: [args] }));
      } catch (error) {
        if (!(error instanceof OperationError && error.status === 404)) throw error;
        const ended = await handle.describe().catch(() => undefined);
        if (!ended || ended.status.name === 'RUNNING') throw error;
        const result = ended.status.name === 'COMPLETED' ? ((await handle.result()) as CycleStatus) : undefined;
        if (result?.cancelled) {
          const { by, reason } = result.cancelled;
          throw new OperationError(
            409,
            'budgetYear',
            `the cycle was already cancelled by ${by}: ${reason}`,
            'already-cancelled',
            { by, reason },
          );
        }
        const status = ended.status.name.toLowerCase();
        throw new OperationError(409, 'budgetYear', `the cycle has already ended (${status})`, 'cycle-ended', {
          status,
        });
      }
    },

    async confirmMilestone(year: number, input: unknown, by: string): Promise<CycleStatus> {
      const body = parse(confirmMilestoneSchema, input);
      const args: ConfirmMilestoneInput = { ...body, by };
      return viaWorkflow('budgetYear', () => cycleHandle(year).executeUpdate(confirmMilestoneUpdate, { args: [args] }));
    },

    /** Submit, approve, return, extend or exempt one deliverable, validated before it is sent. */
    async actOnDeliverable(
      year: number,
      phaseId: string,
      boardId: string,
      action: DeliverableAction,
      input: unknown,
      by: string,
    ): Promise<SubmitOutcome> {
      const body = { ...parse(deliverableActionSchemas[action] as z.ZodType<object>, input), by };
      const handle = client.workflow.getHandle(deliverableId(year, phaseId, boardId));
      const via = <T>(call: () => Promise<T>) => viaDeliverable(year, phaseId, boardId, action, call);
      switch (action) {
        case 'submit':
          return submitWithContent(year, phaseId, boardId, submitSchema().parse(body));
        case 'approve':
          return via(() => handle.executeUpdate(approveUpdate, { args: [approveSchema().parse(body)] }));
        case 'return':
          return via(() => handle.executeUpdate(returnForCompletionUpdate, { args: [returnSchema().parse(body)] }));
        case 'extend':
          return via(() => handle.executeUpdate(grantExtensionUpdate, { args: [extensionSchema().parse(body)] }));
        case 'exempt':
          return via(() => handle.executeUpdate(exemptUpdate, { args: [exemptSchema().parse(body)] }));
      }
    },

    /**
     * Hands a report in as the report's own operations make the submission (for a signed-off
     * report with who marked it ready): they have checked who may, and the workflow checks the rest.
     */
    handInReport(
      year: number,
      phaseId: string,
      boardId: string,
      input: z.input<ReturnType<typeof submitSchema>>,
    ): Promise<SubmitOutcome> {
      return submitWithContent(year, phaseId, boardId, parse(submitSchema(), input));
    },

    /** The mails about a board's deliverables (send log), newest first. */
    async boardMails(boardId: string, limit = 200) {
      const result = await pool.query<{
        kind: string;
        planned_at: Date;
        sent_at: Date | null;
        status: string;
        subject: string;
        recipients: string[];
        last_error: string | null;
      }>(
        `SELECT s.kind, s.planned_at, s.sent_at, s.status, s.subject, s.recipients, s.last_error
           FROM send_log s JOIN deliverable_status d ON d.workflow_id = s.workflow_id
          WHERE d.municipality = $1 AND d.answering_board_id = $2
          ORDER BY s.planned_at DESC, s.idempotency_key LIMIT $3`,
        [municipality, boardId, limit],
      );
      return result.rows.map((r) => ({
        kind: r.kind,
        plannedAt: r.planned_at.toISOString(),
        sentAt: r.sent_at?.toISOString() ?? null,
        status: r.status,
        subject: r.subject,
        recipients: r.recipients,
        problem: r.last_error,
      }));
    },

    registry,
  };
  /** The committee's acts: comments on reports and LUPs (issue 14). */
  return Object.assign(ops, {
    committee: createCommitteeOperations({ ...deps, ops }),
    /** The trace of larger LUP measures: SLK's KF decisions and the trace (issue 14). */
    lupTrace: createLupTraceOperations({ ...deps, ops }),
    /** What service boards and companies see of the districts' LUP measures (issue 14). */
    serviceView: createServiceViewOperations({ ...deps, ops }),
  });
}

export type CycleOperations = ReturnType<typeof createCycleOperations>;
