import {
  deliverableSummaryRowsQuery,
  DeliverableSnapshot,
  listDeliverableSummaryRows,
  loadDeliverableSummaryRow,
  projectSnapshot,
} from '../../src/db/read-model';
import { withTransaction } from '../../src/db/database';
import { createTestDatabase, TestDatabase } from '../helpers/database';

/**
 * Issue 16: the committee's overview reads a cycle's deliverables in a compact form (five fields
 * a row, instants made into ISO text in the client) from the cycle index, which covers them
 * (migration 1766610000000). What it hands on must be what the plain statement it replaced
 * returns, row for row and in its order, whatever the rows hold.
 */
const MUNICIPALITY = 'teststad';
const YEAR = 2093;
let db: TestDatabase;

/** The statement the overview sent before: every column as text from PostgreSQL, to_char for instants. */
const ISO = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS ${column}`;
async function reference(municipality: string, budgetYear: number, answeringBoardId?: string) {
  const result = await db.pool.query(
    `SELECT workflow_id, phase_id, board_id, answering_board_id, stage, late, escalation_level,
       deadline::text AS deadline, ${ISO('deadline_at')}, ${ISO('updated_at')}
     FROM deliverable_status
     WHERE municipality = $1 AND budget_year = $2 AND ($3::text IS NULL OR answering_board_id = $3)
     ORDER BY phase_id, board_id`,
    [municipality, budgetYear, answeringBoardId ?? null],
  );
  return result.rows;
}

const STAGES: DeliverableSnapshot['stage'][] = [
  'planned',
  'open',
  'submitted',
  'returned',
  'approved',
  'exempt',
  'cancelled',
];

async function project(
  workflowId: string,
  s: Partial<DeliverableSnapshot> & Pick<DeliverableSnapshot, 'phaseId' | 'boardId'>,
  occurredAt = new Date('2093-02-03T04:05:06.789Z'),
) {
  await projectSnapshot(db.pool, { workflowId, runId: 'run-1', occurredAt }, '1', {
    seq: 1,
    municipality: MUNICIPALITY,
    budgetYear: YEAR,
    answeringBoardId: s.boardId,
    stage: 'open',
    late: false,
    escalationLevel: 0,
    deadline: '2093-04-30',
    deadlineAt: '2093-04-30T23:59:00+02:00',
    ...s,
  });
}

beforeAll(async () => {
  db = await createTestDatabase('read_model_overview');
  // Three phases (inserted out of order) × boards, every stage, late or not, escalation levels.
  let i = 0;
  for (const phaseId of ['fas-b', 'fas-a', 'komplettering-1']) {
    for (const boardId of ['norr', 'alfa', 'syd-vast', 'b10', 'b2']) {
      await project(`${MUNICIPALITY}/${YEAR}/${phaseId}/${boardId}`, {
        phaseId,
        boardId,
        stage: STAGES[i % STAGES.length]!,
        late: i % 3 === 0,
        escalationLevel: i % 4,
        deadline: `2093-0${1 + (i % 9)}-1${i % 10}`,
        deadlineAt: `2093-0${1 + (i % 9)}-1${i % 10}T23:59:00+02:00`,
      });
      i++;
    }
  }
  // A successor answering for a predecessor's deliverable (a merger), a workflow ID that is not
  // the one the keys make (kept as it is), and instants with microseconds, cut to milliseconds.
  await project(`${MUNICIPALITY}/${YEAR}/fas-a/gamla`, {
    phaseId: 'fas-a',
    boardId: 'gamla',
    answeringBoardId: 'norr',
  });
  await project(`${MUNICIPALITY}/${YEAR}-omstart/fas-b/ost`, { phaseId: 'fas-b', boardId: 'ost' });
  const instants: [string, string, string][] = [
    ['fas-a', 'alfa', '2093-03-01 12:00:00.9996+00'],
    ['fas-a', 'b10', '2093-03-01 12:00:00.5+01'],
    ['fas-b', 'b2', '2093-03-01 12:00:00.123456+00'],
    ['fas-b', 'norr', '2093-03-01 12:00:00.12+00'],
    ['fas-b', 'syd-vast', '2093-03-01 12:00:00+00'],
  ];
  for (const [phaseId, boardId, at] of instants) {
    await db.pool.query(
      `UPDATE deliverable_status SET updated_at = $3, deadline_at = $3::timestamptz + interval '40 days 0.0007 seconds'
       WHERE workflow_id LIKE $4 AND phase_id = $1 AND board_id = $2`,
      [phaseId, boardId, at, `${MUNICIPALITY}/${YEAR}/%`],
    );
  }
  // Beside it: the same boards in the year before and in another municipality.
  await projectSnapshot(
    db.pool,
    { workflowId: `${MUNICIPALITY}/${YEAR - 1}/fas-a/alfa`, occurredAt: new Date() },
    '2',
    {
      seq: 1,
      municipality: MUNICIPALITY,
      budgetYear: YEAR - 1,
      phaseId: 'fas-a',
      boardId: 'alfa',
      answeringBoardId: 'alfa',
      stage: 'approved',
      late: false,
      escalationLevel: 0,
      deadline: '2092-04-30',
      deadlineAt: '2092-04-30T23:59:00+02:00',
    },
  );
  await projectSnapshot(db.pool, { workflowId: `annanstad/${YEAR}/fas-a/alfa`, occurredAt: new Date() }, '3', {
    seq: 1,
    municipality: 'annanstad',
    budgetYear: YEAR,
    phaseId: 'fas-a',
    boardId: 'alfa',
    answeringBoardId: 'alfa',
    stage: 'open',
    late: true,
    escalationLevel: 2,
    deadline: '2093-04-30',
    deadlineAt: '2093-04-30T23:59:00+02:00',
  });
  await db.pool.query('ANALYZE deliverable_status');
});

afterAll(async () => {
  await db?.drop();
});

it('lists a cycle as the plain statement did: every column, every row, in (phase, board) order', async () => {
  const expected = await reference(MUNICIPALITY, YEAR);
  expect(expected).toHaveLength(17);
  const rows = await listDeliverableSummaryRows(db.pool, MUNICIPALITY, YEAR);
  expect(rows).toEqual(expected);
  // The edge cases are in it, as they were written.
  const byKey = new Map(rows.map((r) => [`${r.phase_id}/${r.board_id}`, r]));
  expect(byKey.get('fas-a/gamla')!.answering_board_id).toBe('norr');
  expect(byKey.get('fas-b/ost')!.workflow_id).toBe(`${MUNICIPALITY}/${YEAR}-omstart/fas-b/ost`);
  expect(byKey.get('fas-a/alfa')!.updated_at).toBe('2093-03-01T12:00:00.999Z');
  expect(byKey.get('fas-a/b10')!.updated_at).toBe('2093-03-01T11:00:00.500Z');
  expect(byKey.get('fas-b/b2')!.deadline_at).toBe('2093-04-10T12:00:00.124Z');
  expect(new Set(rows.map((r) => r.stage))).toEqual(new Set(STAGES));
});

it('lists one board’s deliverables, other years and municipalities apart, and nothing for none', async () => {
  expect(await listDeliverableSummaryRows(db.pool, MUNICIPALITY, YEAR, 'norr')).toEqual(
    await reference(MUNICIPALITY, YEAR, 'norr'),
  );
  expect(await listDeliverableSummaryRows(db.pool, MUNICIPALITY, YEAR, 'norr')).toHaveLength(4);
  expect(await listDeliverableSummaryRows(db.pool, MUNICIPALITY, YEAR - 1)).toEqual(
    await reference(MUNICIPALITY, YEAR - 1),
  );
  expect(await listDeliverableSummaryRows(db.pool, 'annanstad', YEAR)).toEqual(await reference('annanstad', YEAR));
  expect(await listDeliverableSummaryRows(db.pool, MUNICIPALITY, YEAR, 'ingen')).toEqual([]);
  expect(await listDeliverableSummaryRows(db.pool, MUNICIPALITY, YEAR + 1)).toEqual([]);
});

it('shows one deliverable as the list does', async () => {
  for (const row of await listDeliverableSummaryRows(db.pool, MUNICIPALITY, YEAR)) {
    expect(await loadDeliverableSummaryRow(db.pool, MUNICIPALITY, YEAR, row.phase_id, row.board_id)).toEqual(row);
  }
});

/** The plan of the overview's statement; a table this small is read whole, so without that way (and, with `indexOnly`, without bitmaps), what the indexes offer shows. */
async function planOf(answeringBoardId: string | undefined, off: string[]): Promise<string> {
  const query = deliverableSummaryRowsQuery(MUNICIPALITY, YEAR, answeringBoardId);
  return withTransaction(db.pool, async (client) => {
    for (const setting of off) await client.query(`SET LOCAL ${setting} = off`);
    const explained = await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${query.text}`, query.values);
    return explained.rows.map((r) => r['QUERY PLAN']).join('\n');
  });
}

it('reads the cycle from its index alone, in order (the index covers what the overview shows)', async () => {
  const plan = await planOf(undefined, ['enable_seqscan', 'enable_bitmapscan']);
  expect(plan).toContain('Index Only Scan using deliverable_status_cycle_idx');
  expect(plan).not.toContain('Sort');
});

it('reads a board’s view of the cycle from the board index, by board and year', async () => {
  const plan = await planOf('norr', ['enable_seqscan']);
  expect(plan).toMatch(/Index Cond: .*answering_board_id = 'norr'.* AND \(budget_year = 2093\)/);
  expect(plan).toContain('deliverable_status_answering_board_idx');
});
