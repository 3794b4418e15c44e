import { Queryable } from './database';
import type { DeliverableStage } from '../domain/deliverable-state';

/** The state of a deliverable as its workflow reports it with every recorded event. */
export interface DeliverableSnapshot {
  /** The sequence number of the event the snapshot came with, assigned by the workflow. */
  seq: number;
  municipality: string;
  budgetYear: number;
  phaseId: string;
  boardId: string;
  answeringBoardId: string;
  stage: 'planned' | 'open' | 'submitted' | 'returned' | 'approved' | 'exempt' | 'cancelled';
  late: boolean;
  escalationLevel: number;
  deadline: string;
  deadlineAt: string;
}

export interface DeliverableStatusRow {
  workflow_id: string;
  municipality: string;
  budget_year: number;
  phase_id: string;
  board_id: string;
  answering_board_id: string;
  stage: DeliverableSnapshot['stage'];
  late: boolean;
  escalation_level: number;
  deadline: string;
  deadline_at: Date;
  last_event_id: string;
  run_id: string | null;
  last_seq: string;
  updated_at: Date;
}

const COLUMNS = `workflow_id, municipality, budget_year, phase_id, board_id, answering_board_id, stage, late,
  escalation_level, deadline, deadline_at, last_event_id, run_id, last_seq, updated_at`;

/**
 * Within a run, the workflow's sequence number decides: an older snapshot (a reminder's,
 * committed after its SMTP exchange while the board submitted) never replaces a newer one. A
 * snapshot of another run (a cycle cancelled and started again) replaces it.
 */
const KEEP_NEWEST = `ON CONFLICT (workflow_id) DO UPDATE SET
       answering_board_id = EXCLUDED.answering_board_id, stage = EXCLUDED.stage, late = EXCLUDED.late,
       escalation_level = EXCLUDED.escalation_level, deadline = EXCLUDED.deadline,
       deadline_at = EXCLUDED.deadline_at, last_event_id = EXCLUDED.last_event_id, run_id = EXCLUDED.run_id,
       last_seq = EXCLUDED.last_seq, updated_at = EXCLUDED.updated_at
     WHERE deliverable_status.run_id IS DISTINCT FROM EXCLUDED.run_id OR deliverable_status.last_seq < EXCLUDED.last_seq`;

/** Projects one snapshot (see KEEP_NEWEST). */
export async function projectSnapshot(
  db: Queryable,
  event: { workflowId: string; runId?: string; occurredAt: Date },
  eventId: string,
  s: DeliverableSnapshot,
): Promise<void> {
  await db.query(
    `INSERT INTO deliverable_status (${COLUMNS})
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) ${KEEP_NEWEST}`,
    [
      event.workflowId,
      s.municipality,
      s.budgetYear,
      s.phaseId,
      s.boardId,
      s.answeringBoardId,
      s.stage,
      s.late,
      s.escalationLevel,
      s.deadline,
      s.deadlineAt,
      eventId,
      event.runId ?? null,
      s.seq,
      event.occurredAt,
    ],
  );
}

/**
 * The projection of the snapshots a query gives, as a statement to run inside a larger one (a
 * batch of mails' outcomes): `select` gives the read model's columns in order, each workflow
 * once (a row may change only once per statement; the caller keeps its newest snapshot).
 */
export function snapshotsUpsert(select: string): string {
  return `INSERT INTO deliverable_status (${COLUMNS}) ${select} ${KEEP_NEWEST}`;
}

/** The snapshot's columns, municipality to deadline_at, from the JSON of an event's payload. */
export function snapshotColumnsOf(payload: string): string {
  const field = (name: string) => `${payload}->'snapshot'->>'${name}'`;
  return `${field('municipality')}, (${field('budgetYear')})::integer, ${field('phaseId')}, ${field('boardId')},
       ${field('answeringBoardId')}, ${field('stage')}, (${field('late')})::boolean,
       (${field('escalationLevel')})::integer, (${field('deadline')})::date, (${field('deadlineAt')})::timestamptz`;
}

/** The snapshot's sequence number from the JSON of an event's payload (0 when it has none). */
export function snapshotSeqOf(payload: string): string {
  return `COALESCE((${payload}->'snapshot'->>'seq')::bigint, 0)`;
}

/** Throws the read model away and projects it again from the audit log (the source of truth). */
export async function rebuildReadModel(db: Queryable): Promise<number> {
  await db.query('DELETE FROM deliverable_status');
  const result = await db.query(
    `INSERT INTO deliverable_status (${COLUMNS})
     SELECT DISTINCT ON (workflow_id)
       workflow_id, ${snapshotColumnsOf('payload')}, id, run_id, ${snapshotSeqOf('payload')}, occurred_at
     FROM audit_log
     WHERE payload ? 'snapshot'
     -- The latest run (its first event is the newest), then the highest sequence number in it.
     ORDER BY workflow_id,
       (SELECT min(first.id) FROM audit_log first WHERE first.workflow_id = audit_log.workflow_id
          AND first.run_id IS NOT DISTINCT FROM audit_log.run_id) DESC,
       ${snapshotSeqOf('payload')} DESC, id DESC`,
  );
  return result.rowCount ?? 0;
}

/** A cycle's deliverables; with `answeringBoardId`, only those that board answers for. */
export async function listDeliverableStatus(
  db: Queryable,
  municipality: string,
  budgetYear: number,
  answeringBoardId?: string,
): Promise<DeliverableStatusRow[]> {
  const result = await db.query<DeliverableStatusRow>(
    `SELECT ${COLUMNS}, deadline::text AS deadline FROM deliverable_status
     WHERE municipality = $1 AND budget_year = $2 AND ($3::text IS NULL OR answering_board_id = $3)
     ORDER BY phase_id, board_id`,
    [municipality, budgetYear, answeringBoardId ?? null],
  );
  return result.rows;
}

/**
 * What the operations show of a deliverable (DeliverableSummary), its instants as ISO text made
 * by PostgreSQL: the pages list hundreds of rows per request, and parsing each timestamp into a
 * Date only to write it out again was a large share of a page's time.
 */
export type DeliverableSummaryRow = Pick<
  DeliverableStatusRow,
  'workflow_id' | 'phase_id' | 'board_id' | 'answering_board_id' | 'stage' | 'late' | 'escalation_level' | 'deadline'
> & { deadline_at: string; updated_at: string };

const ISO = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS ${column}`;
const SUMMARY_COLUMNS = `workflow_id, phase_id, board_id, answering_board_id, stage, late, escalation_level,
  deadline::text AS deadline, ${ISO('deadline_at')}, ${ISO('updated_at')}`;

/**
 * listDeliverableStatus as DeliverableSummaryRow, for the overview's thousands of rows. The
 * client's cost is per field (each one a string of its own to decode and collect), PostgreSQL's
 * to_char is dear, so a row comes in five fields: the phase and board; the workflow ID and the
 * answering board only where they differ from what the row's keys make of them (null otherwise);
 * and the typed columns in one text, split here: their output never holds a comma (the stage is
 * one of the CHECK's words; booleans, integers, dates and timestamps are written by PostgreSQL,
 * with its ISO DateStyle, which node-postgres needs anyway), the instants as UTC text made into
 * the ISO form of SUMMARY_COLUMNS here. Read in (phase, board) order from the cycle index,
 * which covers these columns.
 */
export async function listDeliverableSummaryRows(
  db: Queryable,
  municipality: string,
  budgetYear: number,
  answeringBoardId?: string,
): Promise<DeliverableSummaryRow[]> {
  const query = deliverableSummaryRowsQuery(municipality, budgetYear, answeringBoardId);
  const result = await db.query<CompactSummaryRow>(query.text, query.values);
  const prefix = deliverableIdPrefix(municipality, budgetYear);
  // Deadlines repeat across a phase's rows: each distinct instant is made into ISO text once.
  const isoOf = new Map<string, string>();
  const iso = (utc: string) => {
    let text = isoOf.get(utc);
    if (text === undefined) isoOf.set(utc, (text = isoFromUtcText(utc)));
    return text;
  };
  return result.rows.map((r): DeliverableSummaryRow => {
    const state = r.state.split(',');
    if (state.length !== 6)
      throw new Error(`deliverable_status ${r.phase_id}/${r.board_id}: unexpected state "${r.state}"`);
    return {
      workflow_id: r.workflow ?? `${prefix}/${r.phase_id}/${r.board_id}`,
      phase_id: r.phase_id,
      board_id: r.board_id,
      answering_board_id: r.answering ?? r.board_id,
      stage: state[0] as DeliverableSummaryRow['stage'],
      late: state[1] === 't',
      escalation_level: Number(state[2]),
      deadline: state[3]!,
      deadline_at: iso(state[4]!),
      updated_at: isoFromUtcText(state[5]!),
    };
  });
}

/** The statement listDeliverableSummaryRows sends (the benchmark explains it). */
export function deliverableSummaryRowsQuery(
  municipality: string,
  budgetYear: number,
  answeringBoardId?: string,
): { text: string; values: unknown[] } {
  return {
    text: `SELECT phase_id, board_id, NULLIF(answering_board_id, board_id) AS answering,
       NULLIF(workflow_id, $4 || '/' || phase_id || '/' || board_id) AS workflow,
       concat_ws(',', stage, late, escalation_level, deadline, deadline_at AT TIME ZONE 'UTC', updated_at AT TIME ZONE 'UTC') AS state
     FROM deliverable_status
     WHERE municipality = $1 AND budget_year = $2 AND ($3::text IS NULL OR answering_board_id = $3)
     ORDER BY phase_id, board_id`,
    values: [municipality, budgetYear, answeringBoardId ?? null, deliverableIdPrefix(municipality, budgetYear)],
  };
}

interface CompactSummaryRow {
  phase_id: string;
  board_id: string;
  answering: string | null;
  workflow: string | null;
  state: string;
}

/** A deliverable's workflow ID is its cycle's, its phase's and its board's (fan-out.ts, cycleWorkflowId). */
const deliverableIdPrefix = (municipality: string, budgetYear: number) => `${municipality}/${budgetYear}`;

/**
 * PostgreSQL's text of a UTC timestamp ("2027-04-30 21:59:00", or with up to six decimals of a
 * second; four-digit years) as to_char(…, 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') writes it:
 * milliseconds cut, not rounded.
 */
function isoFromUtcText(utc: string): string {
  return `${utc.slice(0, 10)}T${utc.slice(11, 19)}.${(utc.slice(20) + '000').slice(0, 3)}Z`;
}

/** One deliverable's row by its cycle, phase and board (the primary key's parts), or undefined. */
/**
 * A deliverable's recorded stage, read under a share lock held to the end of the transaction: a
 * record that changes the stage (a submission) waits for it, so what the transaction does on the
 * strength of the stage holds against the record.
 */
export async function lockedStage(tx: Queryable, workflowId: string): Promise<DeliverableStage | undefined> {
  const { rows } = await tx.query<{ stage: DeliverableStage }>(
    'SELECT stage FROM deliverable_status WHERE workflow_id = $1 FOR SHARE',
    [workflowId],
  );
  return rows[0]?.stage;
}

export async function loadDeliverableSummaryRow(
  db: Queryable,
  municipality: string,
  budgetYear: number,
  phaseId: string,
  boardId: string,
): Promise<DeliverableSummaryRow | undefined> {
  const result = await db.query<DeliverableSummaryRow>(
    `SELECT ${SUMMARY_COLUMNS} FROM deliverable_status
     WHERE municipality = $1 AND budget_year = $2 AND phase_id = $3 AND board_id = $4`,
    [municipality, budgetYear, phaseId, boardId],
  );
  return result.rows[0];
}
