import type { Pool } from 'pg';
import { round } from './stats';

/** Deliverable phases per cycle in the synthetic read model (the calendar's phases fas-01…). */
export const PHASES = 7;
/** Budget years in the read model: the measured one and the earlier ones beside it. */
const YEARS = 4;
export const OTHER_MUNICIPALITIES = 288;

export interface ReadModelHistory {
  /** All rows, across municipalities and years. */
  totalRows: number;
  /** The budget year measured (the latest). */
  year: number;
  /** Municipalities whose cycle of `year` is measured, with their deliverables per year. */
  cycles: { municipality: string; rows: number }[];
}

/**
 * A read model (deliverable_status: one row per deliverable, updated by each of its events) as
 * a few years of use leave it, not as one INSERT would: the measured municipalities and 288 others
 * with cycles in earlier years too; each phase's deliverables written when the phase opens,
 * interleaved with the other municipalities' openings; each deliverable updated by its events (a
 * reminder, then its answer) over the following phases, and autovacuum's VACUUM after each year.
 * The measured cycles then have their deadline day (every row of them updated once more, too few
 * rows for autovacuum to run again): the heap holds the measured cycle's rows scattered among
 * the others' and not all-visible, as a committee reading the overview on a busy day finds it.
 * Set-based (one INSERT or UPDATE per phase), about ten seconds at 100,000 rows.
 */
export async function fillReadModel(
  pool: Pool,
  h: ReadModelHistory,
): Promise<{ rows: number; years: number; seconds: number }> {
  const started = Date.now();
  const perYear = h.cycles.reduce((sum, c) => sum + c.rows, 0);
  // Earlier years for the measured municipalities while they take at most half of the rows.
  let years = YEARS;
  while (years > 1 && perYear * years > h.totalRows / 2) years--;
  const firstYear = h.year - years + 1;
  const rest = Math.max(0, h.totalRows - perYear * years);
  const client = await pool.connect();
  try {
    // Every deliverable with the phase step it opens at and the state its events end in.
    await client.query(`CREATE TEMP TABLE history (
      workflow_id text, municipality text, budget_year integer, phase_id text, board_id text,
      step integer, final_stage text, late boolean, escalation_level integer, interleave integer)`);
    for (const c of h.cycles) {
      await client.query(
        `INSERT INTO history
         SELECT $1 || '/' || y || '/' || p || '/' || b, $1, y, p, b, (y - $2) * ${PHASES} + i % ${PHASES},
                CASE WHEN y < $3 THEN (CASE WHEN i % 23 = 0 THEN 'exempt' ELSE 'approved' END)
                     ELSE (ARRAY['open', 'submitted', 'approved', 'returned'])[1 + i % 4] END,
                i % 5 = 0, i % 4, hashtext($1)
         FROM generate_series($2::integer, $3::integer) AS y, generate_series(0, $4::integer - 1) AS i,
              LATERAL (SELECT 'fas-' || lpad((1 + i % ${PHASES})::text, 2, '0') AS p,
                              'board-' || lpad((i / ${PHASES})::text, 5, '0') AS b) AS names`,
        [c.municipality, firstYear, h.year, c.rows],
      );
    }
    await client.query(
      `INSERT INTO history
       SELECT m || '/' || y || '/' || p || '/' || b, m, y, p, b, (y - $1) * ${PHASES} + ph,
              CASE WHEN y < $2 THEN 'approved' ELSE (ARRAY['open', 'submitted', 'approved'])[1 + i % 3] END,
              i % 7 = 0, i % 3, hashtext(m)
       FROM (SELECT i, 'kommun-' || i % ${OTHER_MUNICIPALITIES} AS m,
                    $1 + (i / ${OTHER_MUNICIPALITIES}) % $3 AS y,
                    (i / (${OTHER_MUNICIPALITIES} * $3)) % ${PHASES} AS ph,
                    'board-' || lpad((i / (${OTHER_MUNICIPALITIES * PHASES} * $3))::text, 5, '0') AS b
             FROM generate_series(0, $4::integer - 1) AS i) AS g,
            LATERAL (SELECT 'fas-' || lpad((1 + ph)::text, 2, '0') AS p) AS names`,
      [firstYear, h.year, years, rest],
    );
    await client.query('CREATE INDEX ON history (step)');
    await client.query('CREATE TEMP SEQUENCE event_ids');
    // A budget year's phases open six weeks apart from the December before it.
    const at = (step: number) =>
      `(timestamptz '${firstYear - 1 + Math.floor(step / PHASES)}-12-01 08:00+01' + interval '${(step % PHASES) * 6} weeks')`;
    // An event on the rows of one step: a new version of each row, as projectSnapshot writes it.
    const event = (step: number, set: string) =>
      client.query(
        `UPDATE deliverable_status d SET ${set}, last_event_id = nextval('event_ids'), last_seq = d.last_seq + 1,
           updated_at = ${at(step)} + (d.last_seq || ' hours')::interval
         FROM history h WHERE h.step = $1 AND d.workflow_id = h.workflow_id`,
        [step],
      );
    const steps = years * PHASES;
    for (let step = 0; step < steps; step++) {
      // The phase opens for every municipality at about the same time: their rows interleave.
      await client.query(
        `INSERT INTO deliverable_status (workflow_id, municipality, budget_year, phase_id, board_id, answering_board_id,
           stage, late, escalation_level, deadline, deadline_at, last_event_id, last_seq, updated_at)
         SELECT workflow_id, municipality, budget_year, phase_id, board_id, board_id, 'open', false, 0,
                (${at(step)} + interval '6 weeks')::date, ${at(step)} + interval '6 weeks',
                nextval('event_ids'), 1, ${at(step)}
         FROM history WHERE step = $1 ORDER BY interleave, board_id`,
        [step],
      );
      // The phase opened a step ago gets its reminder; the one before that its answer.
      if (step >= 1) await event(step - 1, `escalation_level = least(h.escalation_level, 1)`);
      if (step >= 2)
        await event(step - 2, `stage = h.final_stage, late = h.late, escalation_level = h.escalation_level`);
      if ((step + 1) % PHASES === 0) await client.query('VACUUM deliverable_status');
    }
    // The measured cycles' deadline day: every deliverable of them once more, after the last VACUUM.
    await client.query(
      `UPDATE deliverable_status d SET stage = h.final_stage, late = h.late, escalation_level = h.escalation_level,
         last_event_id = nextval('event_ids'), last_seq = d.last_seq + 1, updated_at = ${at(steps - 1)} + interval '6 weeks'
       FROM history h WHERE h.workflow_id = d.workflow_id AND h.budget_year = $1 AND h.municipality = ANY($2)`,
      [h.year, h.cycles.map((c) => c.municipality)],
    );
    await client.query('DROP TABLE history');
    await client.query('ANALYZE deliverable_status');
    const count = await client.query<{ n: string }>('SELECT count(*) AS n FROM deliverable_status');
    return { rows: Number(count.rows[0]!.n), years, seconds: round((Date.now() - started) / 1000, 1) };
  } finally {
    client.release();
  }
}
