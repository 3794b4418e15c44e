import { BurstOutcome, drainBurst } from './burst';
import { cpuDelta } from './profile';
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
  /** Seeding the registries and deliverables; then starting the dispatchers until each planned its wake. */
  seedSeconds: number;
  dispatcherStartSeconds: number;
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
  const total = planned.reduce((sum, m) => sum + m.deliverables.length, 0);
  const dueAt = t0 + setupLead(total, planned.length);
  const municipalities = dueAtInstant(planned, dueAt, budgetYear);
  const now = Date.now();
  // The registries, then every deliverable's first event with its reminders, as its
  // recordEvent activity writes it, SEED_CHUNK of one dispatcher to a transaction.
  await mapLimit(municipalities, SEED_CONCURRENCY, (m) => seedRegistry(run.db, m));
  const chunks = municipalities.flatMap((m) =>
    Array.from({ length: Math.ceil(m.inputs.length / SEED_CHUNK) }, (_, i) => ({
      inputs: m.inputs.slice(i * SEED_CHUNK, (i + 1) * SEED_CHUNK),
      dispatcherId: m.dispatcherId,
    })),
  );
  // Seeding alongside running dispatchers (each plan waking its dispatcher by signal, as a
  // deliverable does) took six times as long on the loaded machine: the seeding's transactions and
  // the dispatchers' wake planning lock the same rows. So the dispatchers start after it and plan
  // their wakes from what is stored, as a dispatcher does when it starts or continues as new.
  await mapLimit(chunks, SEED_CONCURRENCY, ({ inputs, dispatcherId }) =>
    seedDeliverables(run.db, inputs, dispatcherId, now),
  );
  const t1 = Date.now();
  await mapLimit(municipalities, DISPATCHER_START_CONCURRENCY, (m) =>
    run.client.workflow.start('reminderDispatchWorkflow', {
      args: [],
      workflowId: m.dispatcherId,
      taskQueue: run.taskQueue,
    }),
  );
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
  const t2 = Date.now();
  measured(total, planned.length, (t1 - now) / total, (t2 - t1) / planned.length);
  const overran = t2 > dueAt - 200;
  const setupMs = t2 - t0;
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
    seedSeconds: round((t1 - t0) / 1000, 2),
    dispatcherStartSeconds: round((t2 - t1) / 1000, 2),
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
 * The slowest setup so far in this process, by shape: ms per deliverable seeded and per
 * dispatcher started. Each seeding transaction locks its dispatcher's row, so one city's 3,000
 * deliverables (one dispatcher) seed one transaction at a time, slower than the country's.
 */
const slowest = new Map<'one dispatcher' | 'many', { seedMs: number; startMs: number }>();
const shapeKey = (deliverables: number, dispatchers: number) =>
  deliverables / dispatchers > SEED_CHUNK ? 'one dispatcher' : 'many';

function measured(deliverables: number, dispatchers: number, seedMs: number, startMs: number): void {
  const key = shapeKey(deliverables, dispatchers);
  const seen = slowest.get(key);
  slowest.set(key, { seedMs: Math.max(seen?.seedMs ?? 0, seedMs), startMs: Math.max(seen?.startMs ?? 0, startMs) });
}

/**
 * From the instant's choice to the instant: seeding and starting the dispatchers, at the slowest
 * rates seen so far for the shape with a margin, or a first guess from the loaded machine (3.5 ms
 * a deliverable, 10 ms for one dispatcher's; 150 ms a dispatcher: load average 12 measured 2.8
 * ms, 7 ms and 113 ms), and 5 s more.
 */
function setupLead(deliverables: number, dispatchers: number): number {
  const key = shapeKey(deliverables, dispatchers);
  const seen = slowest.get(key);
  const seedMs = seen ? seen.seedMs * 1.2 : key === 'many' ? 3.5 : 10;
  const startMs = seen ? seen.startMs * 1.2 : 150;
  return Math.round(deliverables * seedMs + dispatchers * startMs + 5_000);
}
