import { CycleCalendar } from '../domain/cycle-calendar';
import { Queryable } from './database';

export interface StoredCycle {
  municipality: string;
  budgetYear: number;
  workflowId: string;
  calendar: CycleCalendar;
  startedAt: Date;
  startedBy: string;
}

/**
 * Records a started cycle; a second start of the same cycle keeps the first record. Returns
 * whether this call recorded it, so what belongs to the first start is stored only then.
 */
export async function recordCycle(
  db: Queryable,
  cycle: { workflowId: string; calendar: CycleCalendar; startedBy: string },
): Promise<boolean> {
  const result = await db.query(
    `INSERT INTO cycles (municipality, budget_year, workflow_id, calendar, started_by) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (municipality, budget_year) DO NOTHING RETURNING workflow_id`,
    [cycle.calendar.municipality, cycle.calendar.budgetYear, cycle.workflowId, cycle.calendar, cycle.startedBy],
  );
  return result.rows.length === 1;
}

interface CycleRow {
  municipality: string;
  budget_year: number;
  workflow_id: string;
  calendar: CycleCalendar;
  started_at: Date;
  started_by: string;
}

const toCycle = (r: CycleRow): StoredCycle => ({
  municipality: r.municipality,
  budgetYear: r.budget_year,
  workflowId: r.workflow_id,
  calendar: r.calendar,
  startedAt: r.started_at,
  startedBy: r.started_by,
});

export async function listCycles(db: Queryable, municipality?: string): Promise<StoredCycle[]> {
  const result = await db.query<CycleRow>(
    `SELECT * FROM cycles WHERE ($1::text IS NULL OR municipality = $1) ORDER BY municipality, budget_year`,
    [municipality ?? null],
  );
  return result.rows.map(toCycle);
}

/** The municipality's cycles with the version they were read at (read_versions), in one statement. */
export async function listVersionedCycles(
  db: Queryable,
  municipality: string,
): Promise<{ version: number; cycles: StoredCycle[] }> {
  const result = await db.query<{
    version: string;
    cycles: Array<Omit<CycleRow, 'started_at'> & { started_at: string }>;
  }>(
    `SELECT (SELECT version FROM read_versions WHERE subject = 'cycles') AS version,
       (SELECT coalesce(json_agg(c ORDER BY c.budget_year), '[]') FROM
         (SELECT municipality, budget_year, workflow_id, calendar, started_at, started_by FROM cycles
           WHERE municipality = $1) c) AS cycles`,
    [municipality],
  );
  const row = result.rows[0]!;
  return {
    version: Number(row.version ?? Number.NaN),
    cycles: row.cycles.map((c) => toCycle({ ...c, started_at: new Date(c.started_at) })),
  };
}

export async function loadCycle(
  db: Queryable,
  municipality: string,
  budgetYear: number,
): Promise<StoredCycle | undefined> {
  const result = await db.query<CycleRow>('SELECT * FROM cycles WHERE municipality = $1 AND budget_year = $2', [
    municipality,
    budgetYear,
  ]);
  return result.rows[0] && toCycle(result.rows[0]);
}

/**
 * The cycle, its row locked until the transaction ends: a change to what the cycle keeps (a new
 * template version) is checked against the current state and written without a race.
 */
export async function lockCycle(
  db: Queryable,
  municipality: string,
  budgetYear: number,
): Promise<StoredCycle | undefined> {
  const result = await db.query<CycleRow>(
    'SELECT * FROM cycles WHERE municipality = $1 AND budget_year = $2 FOR UPDATE',
    [municipality, budgetYear],
  );
  return result.rows[0] && toCycle(result.rows[0]);
}

/**
 * Share-locks a cycle's row until the transaction ends: a template publication (which locks it
 * for update) waits for the transaction or has committed before it. Read what the publication
 * writes in a later statement: a statement that waited sees only what was committed when it began.
 */
export async function lockCycleShared(db: Queryable, municipality: string, budgetYear: number): Promise<void> {
  await db.query('SELECT 1 FROM cycles WHERE municipality = $1 AND budget_year = $2 FOR SHARE', [
    municipality,
    budgetYear,
  ]);
}

/** Phase names by phase ID, across the given cycles (a phase ID is unique within a cycle). */
export function phaseNames(cycle: StoredCycle): Map<string, string> {
  return new Map(cycle.calendar.phases.map((p) => [p.id, p.name]));
}
