import { randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import { z } from 'zod';
import { appendAuditEvent } from '../../db/audit-log';
import { withTransaction } from '../../db/database';
import { listBoardContents } from '../../db/board-contents';
import {
  isLargerMeasureInForce,
  listKfDecisions,
  listLargerMeasuresInForce,
  StoredKfDecision,
  upsertKfDecision,
} from '../../db/lup-kf-decisions';
import type { CycleCalendar } from '../../domain/cycle-calendar';
import { BOARD_ID_PATTERN } from '../../domain/grants';
import {
  FOLLOW_UP_STEPS,
  FollowUpStep,
  KF_OUTCOMES,
  MeasureTrace,
  TraceStep,
  traceMeasures,
} from '../../domain/lup-trace';
import { findOrganisation, Registry } from '../../domain/organisations';
import type { Principal } from '../../domain/principal';
import { lupWorkflowId } from '../../workflows/lup-messages';
import { authorize, targetOf } from './authorize';
import type { ReadSnapshot } from './read-cache';
import { notFound, parseInput } from './operation-error';

/** SLK's record of the KF budget decision on one larger LUP measure; the field names a refusal points at. */
export const kfDecisionSchema = z
  .object({
    outcome: z.enum(KF_OUTCOMES, { message: 'must be finansierad, delvis-finansierad or ej-finansierad' }),
    reference: z
      .string({ message: 'must be the decision’s reference' })
      .trim()
      .min(1, { message: 'must not be empty' })
      .max(100, { message: 'must be at most 100 characters' }),
    amount: z
      .number({ message: 'must be a number of kronor' })
      .int({ message: 'must be a whole number' })
      .min(0, { message: 'must be 0 or more' })
      .optional(),
  })
  .strict();
export type KfDecisionInput = z.infer<typeof kfDecisionSchema>;

const slug = z.string().regex(BOARD_ID_PATTERN);

/** The calendar's milestone of the council's budget decision (data/stockholm calendars). */
const KF_BUDGET_MILESTONE = 'kf-budget';

/** The trace of a budget year, per district, with the steps' dates. */
export interface LupTrace {
  budgetYear: number;
  due: Partial<Record<TraceStep, string>>;
  districts: Array<{
    boardId: string;
    boardName: string;
    measures: Array<MeasureTrace & { ownerName: string }>;
  }>;
}

/** The trace of larger LUP measures (issue 14): SLK's KF decisions, and the trace read. */
export function createLupTraceOperations(deps: {
  pool: Pool;
  municipality: string;
  /** Today's Stockholm date. */
  today: () => string;
  ops: {
    cycle(year: number): Promise<{ budgetYear: number; calendar: CycleCalendar }>;
    registry(): Promise<Registry>;
    snapshot(): Promise<Pick<ReadSnapshot, 'registry'>>;
  };
}) {
  const { pool, municipality, ops } = deps;

  /** Each step's date in the cycle: a report phase's deadline by its template, the KF budget milestone. */
  const dueDates = (calendar: CycleCalendar): Partial<Record<TraceStep, string>> => {
    const due: Partial<Record<TraceStep, string>> = {};
    for (const phase of calendar.phases) {
      if (phase.kind === 'deliverable' && phase.template !== undefined) {
        const step = [...FOLLOW_UP_STEPS, 'budgetunderlag'].find((t) => t === phase.template) as TraceStep | undefined;
        if (step && due[step] === undefined) due[step] = phase.deadline;
      }
      if (phase.kind === 'milestone' && phase.id === KF_BUDGET_MILESTONE) due['kf-beslut'] = phase.date;
    }
    return due;
  };

  /** The trace of the larger measures of a budget year: every district's, or one's. */
  const trace = async (year: number, boardId?: string): Promise<LupTrace> => {
    const cycle = await ops.cycle(year);
    const registry = await ops.registry();
    const measures = await listLargerMeasuresInForce(pool, municipality, boardId);
    const boards = [...new Set(measures.flatMap((m) => [m.boardId, m.ownerId]))];
    const submitted = (template: string) =>
      listBoardContents(pool, municipality, boards, { template }, year).then(
        // Newest first: the board's latest submission counts.
        (rows) => new Map([...rows].reverse().map((r) => [r.boardId, r.content as unknown])),
      );
    const followUps: Partial<Record<FollowUpStep, ReadonlyMap<string, unknown>>> = {};
    for (const step of FOLLOW_UP_STEPS) followUps[step] = await submitted(step);
    const traced = traceMeasures({
      today: deps.today(),
      due: dueDates(cycle.calendar),
      measures,
      budgetunderlag: await submitted('budgetunderlag'),
      decisions: await listKfDecisions(pool, municipality, year, boardId),
      followUps,
    });
    const nameOf = (id: string) => findOrganisation(registry, id)?.name ?? id;
    const districts = [...new Set(traced.map((t) => t.boardId))];
    return {
      budgetYear: year,
      due: dueDates(cycle.calendar),
      districts: districts.map((d) => ({
        boardId: d,
        boardName: nameOf(d),
        measures: traced.filter((t) => t.boardId === d).map((t) => ({ ...t, ownerName: nameOf(t.ownerId) })),
      })),
    };
  };

  return {
    /** The city's trace (the committee and SLK). */
    async cityTrace(principal: Principal, year: number): Promise<LupTrace> {
      authorize(principal, 'read-all');
      return trace(year);
    },

    /** One district's trace: its own people, the committee and SLK. */
    async districtTrace(principal: Principal, year: number, boardId: string): Promise<LupTrace> {
      authorize(principal, 'read-board', await targetOf(ops, boardId));
      if (findOrganisation(await ops.registry(), boardId)?.kind !== 'stadsdelsnamnd') throw notFound('board');
      return trace(year, boardId);
    },

    /**
     * SLK records (or corrects) the KF budget decision on a district's larger measure for a
     * budget year: one per measure and year, the latest recording kept, every one in the audit
     * log. Refused for anyone but SLK (403), bad input naming the field (400), a year without a
     * cycle, a board that is no district or a measure that is not a larger one of its programme
     * in force (404).
     */
    async recordKfDecision(
      principal: Principal,
      year: number,
      boardId: string,
      measureId: string,
      input: unknown,
      by: string,
    ): Promise<StoredKfDecision> {
      authorize(principal, 'admin');
      const parsed = parseInput(kfDecisionSchema, input ?? {});
      await ops.cycle(year);
      if (!slug.safeParse(boardId).success) throw notFound('board');
      if (findOrganisation(await ops.registry(), boardId)?.kind !== 'stadsdelsnamnd') throw notFound('board');
      if (!(await isLargerMeasureInForce(pool, municipality, boardId, measureId))) throw notFound('measure');
      return withTransaction(pool, async (tx) => {
        const stored = await upsertKfDecision(tx, municipality, {
          budgetYear: year,
          boardId,
          measureId,
          outcome: parsed.outcome,
          reference: parsed.reference,
          ...(parsed.amount !== undefined && { amount: parsed.amount }),
          recordedBy: by,
        });
        await appendAuditEvent(tx, {
          occurredAt: stored.recordedAt,
          workflowId: lupWorkflowId(municipality, boardId),
          kind: 'lup-kf-decision',
          actor: by,
          // Every recording is its own event: a correction is kept next to what it corrects.
          eventKey: `lup-kf-decision#${year}/${measureId}#${randomUUID()}`,
          payload: {
            budgetYear: year,
            measureId,
            outcome: stored.outcome,
            reference: stored.reference,
            ...(stored.amount !== undefined && { amount: stored.amount }),
          },
        });
        return stored;
      });
    },
  };
}
export type LupTraceOperations = ReturnType<typeof createLupTraceOperations>;
