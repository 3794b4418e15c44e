import type { Client } from '@temporalio/client';
import { createCycleOperations } from '../../src/client/operations/cycle-operations';
import { recordCycle } from '../../src/db/cycles';
import { replaceRegistry } from '../../src/db/registry';
import type { BenchContext } from '../lib/context';
import { syntheticCalendar, syntheticRegistry } from '../lib/fixtures';
import { BenchOptions, BenchResult, Figure, goal, scaled } from '../lib/results';
import { median, percentile, round } from '../lib/stats';

const FULL_ROWS = 100_000;
const ITERATIONS = 200;
const WARMUP = 20;

interface Case {
  name: string;
  municipality: string;
  rows: number;
  boardScoped?: boolean;
}

/**
 * (5) The committee's overview (GET /api/cycles/:year/deliverables: the cycle's record, then every
 * deliverable of the cycle from the read model with phase and board names) on a read model of
 * 100,000 deliverables across 290 municipalities, vs a plain indexed SELECT of the same rows.
 * Two cycle sizes: Stockholm's (45 boards × 7 phases) and a 3,000-deliverable cycle; and a
 * board's own view of the large cycle (the same operation with a board filter).
 */
export async function overviewQuery(ctx: BenchContext, options: BenchOptions): Promise<BenchResult> {
  const wall = Date.now();
  const totalRows = scaled(FULL_ROWS, options.scale, 1_000);
  const bigRows = Math.min(3_000, Math.round(totalRows * 0.03));
  const cases: Case[] = [
    { name: 'Stockholm-size cycle (315 deliverables)', municipality: 'stockholm', rows: 315 },
    { name: `large cycle (${bigRows} deliverables)`, municipality: 'riket', rows: bigRows },
    { name: `one board's view of the large cycle`, municipality: 'riket', rows: bigRows, boardScoped: true },
  ];
  const db = await ctx.freshDatabase('overview');
  const year = 2027;
  const runs: Record<string, unknown>[] = [];
  const explain: Record<string, string> = {};
  try {
    // The two measured cycles, with their stored calendar and registry (names come from there).
    for (const c of cases.slice(0, 2)) {
      const boards = Math.ceil(c.rows / 7);
      const registry = syntheticRegistry(boards, c.municipality);
      await replaceRegistry(db.pool, registry);
      const calendar = syntheticCalendar(7, Date.now(), { municipality: c.municipality });
      await recordCycle(db.pool, {
        workflowId: `${c.municipality}/${year}`,
        calendar: { ...calendar, budgetYear: year },
        startedBy: 'bench',
      });
      await db.pool.query(
        `INSERT INTO deliverable_status (workflow_id, municipality, budget_year, phase_id, board_id, answering_board_id,
           stage, late, escalation_level, deadline, deadline_at, last_event_id, updated_at)
         SELECT $1 || '/' || $4 || '/' || p || '/' || b, $1, $2::integer, p, b, b,
                (ARRAY['open','submitted','approved','returned'])[1 + (i % 4)], i % 5 = 0, i % 4, date '2027-04-30',
                timestamptz '2027-04-30 23:59+02', i, now()
         FROM (SELECT i, 'fas-0' || (1 + (i % 7)) AS p, 'board-' || lpad((i / 7)::text, 5, '0') AS b
               FROM generate_series(0, $3 - 1) AS i) AS g`,
        [c.municipality, year, c.rows, String(year)],
      );
    }
    // The rest of the country: 288 more municipalities, three budget years each.
    const rest = totalRows - cases[0]!.rows - bigRows;
    await db.pool.query(
      `INSERT INTO deliverable_status (workflow_id, municipality, budget_year, phase_id, board_id, answering_board_id,
         stage, late, escalation_level, deadline, deadline_at, last_event_id, updated_at)
       SELECT 'kommun-' || m || '/' || y || '/fas-' || p || '/board-' || b, 'kommun-' || m, y, 'fas-' || p, 'board-' || b,
              'board-' || b, 'open', false, 0, date '2027-04-30', timestamptz '2027-04-30 23:59+02', i, now()
       FROM (SELECT i, i % 288 AS m, 2026 + (i / 288) % 3 AS y, (i / 864) % 7 AS p, i / 6048 AS b
             FROM generate_series(0, $1 - 1) AS i) AS g`,
      [rest],
    );
    await db.pool.query('ANALYZE');
    const count = Number(
      (await db.pool.query<{ n: string }>('SELECT count(*) AS n FROM deliverable_status')).rows[0]!.n,
    );

    for (const c of cases) {
      const ops = createCycleOperations({
        client: {} as Client, // the overview reads PostgreSQL only
        pool: db.pool,
        taskQueue: 'unused',
        municipality: c.municipality,
        today: () => '2027-01-01',
      });
      const boardId = 'board-00007';
      const oursOnce = async () => {
        await ops.cycle(year);
        return ops.deliverables(year, c.boardScoped ? { boardId } : {});
      };
      const plainSql = c.boardScoped
        ? 'SELECT * FROM deliverable_status WHERE municipality = $1 AND budget_year = $2 AND answering_board_id = $3'
        : 'SELECT * FROM deliverable_status WHERE municipality = $1 AND budget_year = $2';
      const plainArgs = c.boardScoped ? [c.municipality, year, boardId] : [c.municipality, year];
      const plainOnce = () => db.pool.query(plainSql, plainArgs);
      const rowsOurs = (await oursOnce()).length;
      const rowsPlain = (await plainOnce()).rowCount;
      if (rowsOurs !== rowsPlain)
        throw new Error(`${c.name}: ours returned ${rowsOurs} rows, the plain SELECT ${rowsPlain}`);
      for (let i = 0; i < WARMUP; i++) {
        await oursOnce();
        await plainOnce();
      }
      for (let rep = 0; rep < options.reps; rep++) {
        const ours: number[] = [];
        const plain: number[] = [];
        for (let i = 0; i < ITERATIONS; i++) {
          // Interleaved, alternating which goes first.
          const pair = i % 2 === 0 ? ([oursOnce, plainOnce] as const) : ([plainOnce, oursOnce] as const);
          for (const fn of pair) {
            const t = process.hrtime.bigint();
            await fn();
            const ms = Number(process.hrtime.bigint() - t) / 1e6;
            (fn === oursOnce ? ours : plain).push(ms);
          }
        }
        runs.push({
          rep,
          case: c.name,
          rows: rowsOurs,
          oursP50Ms: round(percentile(ours, 50), 2),
          oursP95Ms: round(percentile(ours, 95), 2),
          plainP50Ms: round(percentile(plain, 50), 2),
          plainP95Ms: round(percentile(plain, 95), 2),
        });
        ctx.log(`  overview rep ${rep + 1}: ${JSON.stringify(runs[runs.length - 1])}`);
      }
      const plan = await db.pool.query<{ 'QUERY PLAN': string }>(
        `EXPLAIN (ANALYZE, BUFFERS) SELECT workflow_id FROM deliverable_status WHERE municipality = $1 AND budget_year = $2 ORDER BY phase_id, board_id`,
        [c.municipality, year],
      );
      explain[c.name] = plan.rows.map((r) => r['QUERY PLAN']).join(' / ');
    }
    runs.push({ readModelRows: count });
  } finally {
    await db.drop();
  }
  const figures: Figure[] = [];
  for (const c of cases) {
    const of = (key: string) => median(runs.filter((r) => r.case === c.name).map((r) => r[key] as number));
    const p95 = of('oursP95Ms');
    figures.push(
      { name: `${c.name}: Årshjul p50`, value: of('oursP50Ms'), unit: 'ms' },
      goal(`${c.name}: Årshjul p95`, p95, 'ms', '≤ 100 ms', p95 <= 100),
      {
        name: `${c.name}: plain indexed SELECT p50 / p95`,
        value: `${of('plainP50Ms')} / ${of('plainP95Ms')}`,
        unit: 'ms',
      },
      { name: `${c.name}: ratio p50 plain / Årshjul`, value: round(of('plainP50Ms') / of('oursP50Ms'), 3) },
    );
  }
  return {
    id: 'overview-query',
    title: 'Committee overview query on the read model',
    mode: 'none',
    size: {
      readModelRows: totalRows,
      'issue size': FULL_ROWS,
      scale: options.scale,
      iterations: ITERATIONS,
      reps: options.reps,
    },
    figures,
    runs,
    notes: [
      'Årshjul = what GET /api/cycles/:year/deliverables runs before serialising: ops.cycle(year), then ops.deliverables(year) (the cycle record, board names and the read-model rows, mapped to summaries), timed in-process over the same pool. Plain = one indexed SELECT * of the same rows.',
      `EXPLAIN ANALYZE of the read-model query: ${JSON.stringify(explain)}`,
    ],
    wallSeconds: round((Date.now() - wall) / 1000, 1),
  };
}
