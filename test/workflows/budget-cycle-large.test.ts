import { temporal } from '@temporalio/proto';
import { storeRegistrySnapshot } from '../../src/db/phase-plans';
import { legalDeadline } from '../../src/domain/business-days';
import { cycleCalendarSchema } from '../../src/domain/cycle-calendar';
import { addDays } from '../../src/domain/local-date';
import { localDateOf } from '../../src/domain/zoned-time';
import { cancelCycleUpdate, cycleStatusQuery, moveDeadlineUpdate } from '../../src/workflows/budget-cycle-messages';
import { budgetCycleWorkflow, cycleWorkflowId, reportingBoardsOf } from '../../src/workflows/budget-cycle-workflow';
import { exemptUpdate, submitUpdate } from '../../src/workflows/deliverable-messages';
import { GROUP_SIZE } from '../../src/workflows/fan-out';
import { phaseGroupWorkflowId } from '../../src/workflows/phase-group-messages';
import type { PhaseGroupStatus } from '../../src/workflows/phase-group-messages';
import { largeRegistry } from '../fixtures/large-registry';
import { eventually } from '../helpers/eventually';
import { useRunningWorker } from '../helpers/stack';
import { startTimeSkippingEnv } from '../helpers/temporal';

/**
 * Issue 16's "Must show": a cycle of 2,000 boards in one phase starts, replans after a phase-wide
 * move and finishes under the time-skipping server, and no workflow's history comes near the
 * point where Temporal suggests continuing as new, nor any payload near the 2 MB limit.
 *
 * The limits are the server's defaults (go.temporal.io/server v1.29.1, common/dynamicconfig/
 * constants.go): `limit.historyCount.suggestContinueAsNew` 4 × 1024 events,
 * `limit.historySize.suggestContinueAsNew` 4 MiB, `limit.blobSize.error` 2 MiB per payload,
 * `limit.numPendingChildExecutions.error` 2,000 children.
 */
const TZ = 'Europe/Stockholm';
const BOARDS = 2_000;
const SUGGEST_CONTINUE_AS_NEW_EVENTS = 4 * 1024;
const SUGGEST_CONTINUE_AS_NEW_BYTES = 4 * 1024 * 1024;
const BLOB_LIMIT_BYTES = 2 * 1024 * 1024;
/** The TypeScript SDK warns of a payload this large. */
const PAYLOAD_WARNING_BYTES = 512 * 1024;

const ctx = useRunningWorker(startTimeSkippingEnv, 'ts_cycle_large');

/** Runs `work` on every item, `width` at a time: a client handing in a city's reports at once. */
async function inParallel<T>(items: T[], width: number, work: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) await work(items[next++]!);
    }),
  );
}

interface RunSize {
  runId: string;
  events: number;
  bytes: number;
  /** The largest event, which bounds every payload in it. */
  largestEvent: number;
  history: temporal.api.history.v1.IHistory;
}

/**
 * The size of every run of a workflow, from its first: a run that continued as new names the
 * next. Temporal's limits hold per run, so each is measured (the last alone would hide a first
 * run that grew past them before it continued).
 */
async function runSizes(workflowId: string, firstRunId: string): Promise<RunSize[]> {
  const runs: RunSize[] = [];
  for (let runId: string | undefined = firstRunId; runId;) {
    const history: temporal.api.history.v1.IHistory = await ctx.env.client.workflow
      .getHandle(workflowId, runId)
      .fetchHistory();
    const events: temporal.api.history.v1.IHistoryEvent[] = history.events ?? [];
    runs.push({
      runId,
      events: events.length,
      bytes: temporal.api.history.v1.History.encode(history).finish().length,
      largestEvent: Math.max(...events.map((e) => temporal.api.history.v1.HistoryEvent.encode(e).finish().length)),
      history,
    });
    runId = events.at(-1)?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId ?? undefined;
  }
  return runs;
}

/** The first runs of the children a workflow's runs started, by workflow ID. */
function childrenStarted(runs: RunSize[]): Map<string, string> {
  const started = new Map<string, string>();
  for (const run of runs) {
    for (const e of run.history.events ?? []) {
      const child = e.childWorkflowExecutionStartedEventAttributes?.workflowExecution;
      if (child?.workflowId && child.runId) started.set(child.workflowId, child.runId);
    }
  }
  return started;
}

describe('a cycle of 2,000 boards in one phase', () => {
  it('starts every deliverable, replans them all after a phase-wide move, and finishes, each history small', async () => {
    const wallStart = Date.now();
    const db = ctx.harness.db.pool;
    const today = localDateOf(new Date(await ctx.env.currentTimeMs()), TZ);
    const registry = largeRegistry(BOARDS);
    const calendar = cycleCalendarSchema.parse({
      municipality: 'storstad',
      budgetYear: Number(today.slice(0, 4)) + 1,
      // Opened two days ago whatever weekday that was: the cycle opens it at once, and the
      // opening is past (no opening mail); the reminders lie weeks ahead, beyond this test.
      openingOnNonBusinessDay: 'stay',
      phases: [
        {
          id: 'budgetunderlag',
          kind: 'deliverable',
          name: 'Budgetunderlag',
          opens: { date: addDays(today, -2) },
          deadline: addDays(today, 60),
        },
      ],
    });
    const id = cycleWorkflowId('storstad', calendar.budgetYear);
    // Started as startCycle starts a cycle: the registry stored first, the input carries its hash.
    const storedRegistry = {
      hash: await storeRegistrySnapshot(db, registry),
      reportingBoards: reportingBoardsOf(registry),
    };
    const cycle = await ctx.env.client.workflow.start(budgetCycleWorkflow, {
      args: [{ calendar, storedRegistry }],
      workflowId: id,
      taskQueue: ctx.harness.taskQueue,
    });
    const boards = registry.organisations.filter((o) => o.id.startsWith('namnd-')).map((o) => o.id);
    const child = (board: string) => ctx.env.client.workflow.getHandle(`${id}/budgetunderlag/${board}`);

    /** Deliverables of this cycle that recorded `kind`, each counted once. */
    const recorded = async (kind: string): Promise<number> => {
      const { rows } = await db.query<{ n: string }>(
        `SELECT count(DISTINCT workflow_id) AS n FROM audit_log WHERE kind = $1 AND workflow_id LIKE $2`,
        [kind, `${id}/budgetunderlag/%`],
      );
      return Number(rows[0]!.n);
    };
    const waitFor = (kind: string) =>
      eventually(
        () => recorded(kind),
        (n) => n >= BOARDS,
        600_000,
      );

    // Every child started, one `deliverable-started` each, through the groups.
    expect(await waitFor('deliverable-started')).toBe(BOARDS);
    const { rows: starts } = await db.query<{ n: string }>(
      `SELECT count(*) AS n FROM audit_log WHERE kind = 'deliverable-started' AND workflow_id LIKE $1`,
      [`${id}/%`],
    );
    expect(Number(starts[0]!.n)).toBe(BOARDS);
    const started = Date.now();
    // The plans are in PostgreSQL, one row per board, never changed once a workflow acted on them.
    const { rows: plans } = await db.query<{ n: string }>(
      'SELECT count(*) AS n FROM phase_plans WHERE cycle_workflow_id = $1',
      [id],
    );
    expect(Number(plans[0]!.n)).toBe(BOARDS);
    await expect(
      db.query(`UPDATE phase_plans SET deliverable = '{}' WHERE cycle_workflow_id = $1 AND board_id = $2`, [
        id,
        boards[0],
      ]),
    ).rejects.toThrow(/immutable/);
    const open = await cycle.query(cycleStatusQuery);
    expect(open.phases.map((p) => [p.id, p.stage, p.boards?.length])).toEqual([['budgetunderlag', 'open', BOARDS]]);
    expect(open.openDeliverables).toBe(BOARDS);
    const { rows: opened } = await db.query<{ payload: { boards: number } }>(
      `SELECT payload FROM audit_log WHERE workflow_id = $1 AND kind = 'phase-opened'`,
      [id],
    );
    expect(opened.map((r) => r.payload.boards)).toEqual([BOARDS]);

    // SLK moves the phase's deadline: every open deliverable is replanned to it.
    const moved = addDays(today, 70);
    await cycle.executeUpdate(moveDeadlineUpdate, {
      args: [{ phaseId: 'budgetunderlag', deadline: moved, by: 'SLK', reason: 'Nytt beslut i KS' }],
    });
    expect(await waitFor('deadline-changed')).toBe(BOARDS);
    const { rows: deadlines } = await db.query<{ deadline: string; n: string }>(
      `SELECT payload->>'deadline' AS deadline, count(*) AS n FROM audit_log
        WHERE kind = 'deadline-changed' AND workflow_id LIKE $1 GROUP BY 1`,
      [`${id}/%`],
    );
    expect(deadlines.map((r) => [r.deadline, Number(r.n)])).toEqual([[legalDeadline(moved).date, BOARDS]]);
    const replanned = Date.now();

    // The boards hand in (every tenth is exempted instead) through the client, 50 at a time.
    await inParallel(boards, 50, (board) => {
      const i = Number(board.slice('namnd-'.length));
      return i % 10 === 0
        ? child(board).executeUpdate(exemptUpdate, { args: [{ by: 'SLK', reason: 'Ingen verksamhet i år' }] })
        : child(board).executeUpdate(submitUpdate, { args: [{ documentRef: `Dnr ${i}`, by: `Nämnd ${i}` }] });
    });
    const finished = await cycle.result();
    expect(finished.finishedDeliverables).toBe(BOARDS);
    expect(finished.openDeliverables).toBe(0);
    expect(finished.phases.map((p) => [p.id, p.stage])).toEqual([['budgetunderlag', 'closed']]);
    expect(await recorded('deliverable-finished')).toBe(BOARDS);
    const { rows: ends } = await db.query<{ payload: { deliverables: number } }>(
      `SELECT payload FROM audit_log WHERE workflow_id = $1 AND kind = 'cycle-finished'`,
      [id],
    );
    expect(ends.map((r) => r.payload.deliverables)).toEqual([BOARDS]);

    // The histories: the cycle's, each group's (none with more than GROUP_SIZE children), and a
    // deliverable's, all under the server's continue-as-new suggestion; no payload near 2 MB.
    const groupCount = Math.ceil(BOARDS / GROUP_SIZE);
    const groups = Array.from({ length: groupCount }, (_, g) =>
      ctx.env.client.workflow.getHandle(phaseGroupWorkflowId(id, 'budgetunderlag', g + 1)),
    );
    // One at a time: each wait for a result locks and unlocks the test server's time skipping.
    const results: PhaseGroupStatus[] = [];
    for (const g of groups) results.push((await g.result()) as PhaseGroupStatus);
    expect(results.map((r) => r.started).reduce((a, b) => a + b, 0)).toBe(BOARDS);
    for (const r of results) {
      expect(r.started).toBeLessThanOrEqual(GROUP_SIZE);
      expect(r.finished).toBe(r.started);
    }
    const cycleRuns = await runSizes(id, cycle.firstExecutionRunId);
    const cycleChildren = childrenStarted(cycleRuns);
    // The cycle started its groups and no deliverable itself: it has no more than a handful of children.
    expect([...cycleChildren.keys()]).toEqual(groups.map((g) => g.workflowId));
    const sizes: Array<[string, RunSize]> = cycleRuns.map((r, i) => [`cycle run ${i + 1}`, r]);
    for (const group of groups) {
      const runs = await runSizes(group.workflowId, cycleChildren.get(group.workflowId)!);
      // A group started its share of the deliverables (250 each), and nothing else.
      expect(childrenStarted(runs).size).toBe(BOARDS / groupCount);
      sizes.push(...runs.map((r, i): [string, RunSize] => [`${group.workflowId.split('/').at(-1)} run ${i + 1}`, r]));
    }
    for (const board of [boards[0]!, boards[1]!]) {
      const { runId } = await child(board).describe();
      sizes.push(...(await runSizes(child(board).workflowId, runId)).map((r): [string, RunSize] => [board, r]));
    }
    // No payload of the cycle reaches the SDK's 512 KB warning: the registry is not in its input.
    expect(cycleRuns[0]!.largestEvent).toBeLessThan(PAYLOAD_WARNING_BYTES);
    for (const [name, size] of sizes) {
      expect({ name, events: size.events < SUGGEST_CONTINUE_AS_NEW_EVENTS }).toEqual({ name, events: true });
      expect({ name, bytes: size.bytes < SUGGEST_CONTINUE_AS_NEW_BYTES }).toEqual({ name, bytes: true });
      expect({ name, largest: size.largestEvent < BLOB_LIMIT_BYTES }).toEqual({ name, largest: true });
    }
    const wall = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
    process.stdout.write(
      `2,000 boards: started in ${wall(started - wallStart)}, replanned in ${wall(replanned - started)}, ` +
        `finished in ${wall(Date.now() - replanned)}; histories (events / KiB / largest event KiB): ` +
        sizes
          .map(([n, s]) => `${n} ${s.events}/${Math.round(s.bytes / 1024)}/${Math.round(s.largestEvent / 1024)}`)
          .join(', ') +
        '\n',
    );
  }, 1_800_000);

  it('sends a move of some boards to their groups only, and a cancellation through the groups to every deliverable', async () => {
    const db = ctx.harness.db.pool;
    const count = GROUP_SIZE + 50; // two groups of 150
    const today = localDateOf(new Date(await ctx.env.currentTimeMs()), TZ);
    const registry = largeRegistry(count);
    const calendar = cycleCalendarSchema.parse({
      municipality: 'storstad',
      budgetYear: Number(today.slice(0, 4)) + 2,
      openingOnNonBusinessDay: 'stay',
      phases: [
        {
          id: 'verksamhetsplan',
          kind: 'deliverable',
          name: 'Verksamhetsplan',
          opens: { date: addDays(today, -2) },
          deadline: addDays(today, 60),
        },
      ],
    });
    const id = cycleWorkflowId('storstad', calendar.budgetYear);
    const cycle = await ctx.env.client.workflow.start(budgetCycleWorkflow, {
      args: [{ calendar, registry }],
      workflowId: id,
      taskQueue: ctx.harness.taskQueue,
    });
    const recorded = async (kind: string): Promise<Array<{ workflow_id: string; payload: Record<string, unknown> }>> =>
      (
        await db.query<{ workflow_id: string; payload: Record<string, unknown> }>(
          'SELECT workflow_id, payload FROM audit_log WHERE kind = $1 AND workflow_id LIKE $2 ORDER BY workflow_id',
          [kind, `${id}/%`],
        )
      ).rows;
    await eventually(
      () => recorded('deliverable-started'),
      (rows) => rows.length >= count,
      300_000,
    );

    // Two boards, one in each group, get a later deadline; the others keep theirs.
    const moved = addDays(today, 75);
    const two = ['namnd-0001', `namnd-${String(count - 1).padStart(4, '0')}`];
    await cycle.executeUpdate(moveDeadlineUpdate, {
      args: [{ phaseId: 'verksamhetsplan', deadline: moved, boards: two, by: 'SLK', reason: 'Förlängt' }],
    });
    const changed = await eventually(
      () => recorded('deadline-changed'),
      (rows) => rows.length >= 2,
    );
    expect(changed.map((r) => [r.workflow_id, r.payload.deadline])).toEqual(
      two.map((b) => [`${id}/verksamhetsplan/${b}`, legalDeadline(moved).date]),
    );

    // One board has finished; SLK cancels the cycle: every other deliverable is told, through its group.
    await ctx.env.client.workflow
      .getHandle(`${id}/verksamhetsplan/namnd-0000`)
      .executeUpdate(exemptUpdate, { args: [{ by: 'SLK', reason: 'Ingen verksamhet' }] });
    await eventually(
      () => cycle.query(cycleStatusQuery),
      (s) => s.finishedDeliverables === 1,
    );
    await cycle.executeUpdate(cancelCycleUpdate, { args: [{ reason: 'Fel kalender', by: 'SLK' }] });
    const ended = await cycle.result();
    expect(ended.cancelled).toMatchObject({ by: 'SLK', stoppedDeliverables: count - 1 });
    const cancelled = await eventually(
      () => recorded('deliverable-cancelled'),
      (rows) => rows.length >= count - 1,
      300_000,
    );
    expect(cancelled).toHaveLength(count - 1);
    expect(cancelled.map((r) => r.workflow_id)).not.toContain(`${id}/verksamhetsplan/namnd-0000`);
    const cycleEvents = await db.query<{ kind: string; payload: Record<string, unknown> }>(
      'SELECT kind, payload FROM audit_log WHERE workflow_id = $1 ORDER BY seq',
      [id],
    );
    expect(cycleEvents.rows.map((e) => e.kind)).toEqual([
      'cycle-started',
      'phase-opened',
      'deadline-moved',
      'cycle-cancelled',
      'cycle-finished',
    ]);
    expect(cycleEvents.rows[3]!.payload).toMatchObject({ deliverables: count - 1, finishedDeliverables: 1 });
    for (const g of [1, 2]) {
      const group = ctx.env.client.workflow.getHandle(phaseGroupWorkflowId(id, 'verksamhetsplan', g));
      expect(await group.result()).toMatchObject({ boards: count / 2, started: count / 2, cancelled: true });
    }
  }, 900_000);
});
