import { BurstOutcome, drainBurst } from './burst';
import { cpuDelta } from './profile';
import { remindersScheduledSignal } from '../../src/workflows/reminder-dispatch-messages';
import { dueAtInstant, expectedMessageIds, PlannedMunicipality, seedDeliverables, seedRegistry } from './seeded-burst';
import { mapLimit, round, sleepMs, waitUntil } from './stats';
import type { StoreRun } from './store-stack';

/** Dispatcher workflows started at once by the client (290 of them for the national burst). */
const DISPATCHER_START_CONCURRENCY = 16;
/** Seeding transactions at once (the worker's pool is 10; the benchmark's own pool too). */
const SEED_CONCURRENCY = 8;
/** Deliverables per seeding transaction (about one municipality of the national burst). */
const SEED_CHUNK = 50;

export interface SeededBurstOutcome extends BurstOutcome {
  reminders: number;
  dispatchers: number;
  workers: number;
  /** Starting the dispatchers (with the registries stored), seeding the deliverables, then until every dispatcher planned its wake. */
  dispatcherStartSeconds: number;
  seedSeconds: number;
  dispatcherWaitSeconds: number;
  /** Dispatchers woken by signal when a seeded plan found them sleeping past it. */
  signals: number;
  /** Mails at the SMTP sink, distinct Message-IDs among them, and those not expected. */
  received: number;
  duplicates: number;
  unexpected: number;
  /** Expected Message-IDs missing at the SMTP sink, or missing as sent in the send log. */
  lost: number;
  lostInSendLog: number;
  /** scheduled_reminders by outcome after the drain. */
  scheduled: Record<string, number>;
  cpu: ReturnType<typeof cpuDelta>;
}

/**
 * One seeded burst on a run: the fixtures planned for `dueAt` = now + `leadMs`, the deliverables'
 * first events and reminders seeded in PostgreSQL (seeded-burst.ts), one reminderDispatchWorkflow
 * per municipality started (the loop each cycle runs: it plans its wake from the database and
 * sleeps to the instant), then the drain: every reminder sent through the real activity, checked
 * by Message-ID at the SMTP sink and in the send log.
 */
export async function seededBurst(run: StoreRun, planned: PlannedMunicipality[]): Promise<SeededBurstOutcome> {
  const t0 = Date.now();
  const budgetYear = new Date(t0).getFullYear() + 1;
  // As in production, each municipality's dispatch loop runs before its deliverables record
  // their plans: the dispatchers start (and find nothing planned yet) while the registries are
  // stored. Neither depends on the instant, which is chosen after them.
  const unplanned = dueAtInstant(planned, t0, budgetYear);
  await Promise.all([
    mapLimit(unplanned, DISPATCHER_START_CONCURRENCY, (m) =>
      run.client.workflow.start('reminderDispatchWorkflow', {
        args: [],
        workflowId: m.dispatcherId,
        taskQueue: run.taskQueue,
      }),
    ),
    mapLimit(unplanned, SEED_CONCURRENCY, (m) => seedRegistry(run.db, m)),
  ]);
  const t1 = Date.now();
  const total = unplanned.reduce((sum, m) => sum + m.inputs.length, 0);
  const dueAt = t1 + seedLead(total, total / unplanned.length);
  const municipalities = dueAtInstant(planned, dueAt, budgetYear);
  const now = Date.now();
  // Every deliverable's first event with its reminders, as its recordEvent activity writes it,
  // SEED_CHUNK to a transaction; a plan that finds its dispatcher sleeping past its reminder
  // wakes it by signal, as the deliverable workflow does (once per dispatcher: the table keeps
  // who was woken).
  const chunks = municipalities.flatMap((m) =>
    Array.from({ length: Math.ceil(m.inputs.length / SEED_CHUNK) }, (_, i) => ({
      inputs: m.inputs.slice(i * SEED_CHUNK, (i + 1) * SEED_CHUNK),
      dispatcherId: m.dispatcherId,
    })),
  );
  let signals = 0;
  await mapLimit(chunks, SEED_CONCURRENCY, async ({ inputs, dispatcherId }) => {
    const wake = await seedDeliverables(run.db, inputs, dispatcherId, now);
    if (!wake) return;
    signals++;
    await run.client.workflow.getHandle(dispatcherId).signal(remindersScheduledSignal, { at: wake });
  });
  const t2 = Date.now();
  const key = seedKey(total / unplanned.length);
  slowestSeedMs.set(key, Math.max(slowestSeedMs.get(key) ?? 0, (t2 - now) / total));
  // Set up when every dispatcher has planned its wake for the instant (and sleeps to it).
  await waitUntil(
    async () =>
      Number(
        (
          await run.db.pool.query<{ n: string }>(
            'SELECT count(*) AS n FROM reminder_dispatchers WHERE next_wake IS NOT NULL',
          )
        ).rows[0]!.n,
      ),
    // Past the instant the dispatchers are sending (and plan no further wake): the setup overran.
    (n) => n >= municipalities.length || Date.now() >= dueAt,
    600_000,
    `${municipalities.length} dispatchers waiting for the instant`,
  );
  const t3 = Date.now();
  const overran = t3 > dueAt - 200;
  const setupMs = t3 - t0;
  await sleepMs(dueAt - Date.now() - 200);
  const before = run.cpu();
  const outcome = await drainBurst(run, total, dueAt, setupMs);
  const cpu = cpuDelta(before, run.cpu());
  // A moment for a late duplicate to reach the sink.
  await sleepMs(1_000);
  const expected = expectedMessageIds(municipalities, now);
  const atSink = run.sink.received.map((m) => m.parsed.messageId ?? '');
  const distinct = new Set(atSink);
  const sentIds = new Set(
    (
      await run.db.pool.query<{ message_id: string | null }>(`SELECT message_id FROM send_log WHERE status = 'sent'`)
    ).rows.map((r) => r.message_id ?? ''),
  );
  const scheduled = Object.fromEntries(
    (
      await run.db.pool.query<{ status: string; n: string }>(
        'SELECT status, count(*) AS n FROM scheduled_reminders GROUP BY status',
      )
    ).rows.map((r) => [r.status, Number(r.n)]),
  );
  return {
    ...outcome,
    setupOverran: overran,
    reminders: total,
    dispatchers: municipalities.length,
    workers: run.workers.length,
    dispatcherStartSeconds: round((t1 - t0) / 1000, 2),
    seedSeconds: round((t2 - t1) / 1000, 2),
    dispatcherWaitSeconds: round((t3 - t2) / 1000, 2),
    signals,
    received: atSink.length,
    duplicates: atSink.length - distinct.size,
    unexpected: [...distinct].filter((id) => !expected.has(id)).length,
    lost: [...expected].filter((id) => !distinct.has(id)).length,
    lostInSendLog: [...expected].filter((id) => !sentIds.has(id)).length,
    scheduled,
    cpu,
  };
}

/**
 * Milliseconds per deliverable of the slowest seeding so far in this process, by shape: each
 * seeding transaction locks its dispatcher's row, so one city's 3,000 deliverables (one
 * dispatcher) seed one transaction at a time, slower than the country's (a dispatcher each).
 */
const slowestSeedMs = new Map<'one dispatcher' | 'many', number>();
const seedKey = (perDispatcher: number) => (perDispatcher > SEED_CHUNK ? 'one dispatcher' : 'many');

/**
 * From the instant's choice to the instant: the seeding (at the slowest rate seen so far for the
 * shape, with a margin, or a first guess from the loaded machine: 5 ms a deliverable, 10 ms for
 * one dispatcher's), then 5 s for the dispatchers to plan their wakes.
 */
function seedLead(deliverables: number, perDispatcher: number): number {
  const seen = slowestSeedMs.get(seedKey(perDispatcher));
  const msEach = seen !== undefined ? seen * 1.3 : seedKey(perDispatcher) === 'many' ? 5 : 10;
  return Math.round(deliverables * msEach + 5_000);
}
