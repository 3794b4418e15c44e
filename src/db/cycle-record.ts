import { Queryable } from './database';

/**
 * What the pages know of a cycle's progress, read from the record rather than asked of the cycle
 * workflow: a query on a workflow that a worker must replay (closed, or evicted from its cache)
 * costs seconds under load, and the record holds the same facts, written with each event.
 */

/** The cycle workflow's own events that change what its status shows. */
export const CYCLE_PROGRESS_EVENTS = [
  'cycle-started',
  'milestone-confirmed',
  'deadline-moved',
  'phase-opened',
  'cycle-cancelled',
] as const;
export type CycleProgressEventKind = (typeof CYCLE_PROGRESS_EVENTS)[number];

export interface CycleProgressEvent {
  kind: CycleProgressEventKind;
  actor: string;
  occurred_at: Date;
  payload: Record<string, unknown>;
}

/** The cycle's progress events in the workflow's own order (time, then its sequence number). */
export async function listCycleProgressEvents(db: Queryable, cycleWorkflowId: string): Promise<CycleProgressEvent[]> {
  const result = await db.query<CycleProgressEvent>(
    `SELECT kind, actor, occurred_at, payload FROM audit_log
      WHERE workflow_id = $1 AND kind = ANY($2::text[])
      ORDER BY occurred_at, seq NULLS LAST, id`,
    [cycleWorkflowId, CYCLE_PROGRESS_EVENTS],
  );
  return result.rows;
}

export interface PhaseStageCount {
  phase_id: string;
  stage: string;
  count: number;
}

/** How many of a cycle's deliverables are in each stage, per phase (from the read model). */
export async function countDeliverablesByPhaseAndStage(
  db: Queryable,
  municipality: string,
  budgetYear: number,
): Promise<PhaseStageCount[]> {
  const result = await db.query<PhaseStageCount>(
    `SELECT phase_id, stage, count(*)::integer AS count FROM deliverable_status
      WHERE municipality = $1 AND budget_year = $2
      GROUP BY phase_id, stage`,
    [municipality, budgetYear],
  );
  return result.rows;
}
