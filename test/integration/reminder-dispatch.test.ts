import { MockActivityEnvironment } from '@temporalio/testing';
import { createActivities, notificationKey, RecordEventInput } from '../../src/activities';
import { systemClock } from '../../src/activities/ports';
import type { DispatchOutcome } from '../../src/activities/reminder-dispatch';
import { stableMessageId } from '../../src/activities/send-once';
import { listAuditEvents } from '../../src/db/audit-log';
import { withTransaction } from '../../src/db/database';
import { replaceRegistry } from '../../src/db/registry';
import { planNextWake, ReminderNotification, scheduleReminders } from '../../src/db/scheduled-reminders';
import type { SmtpSink } from '../../src/stack/smtp-sink';
import { createSmtpMailer, SmtpMailer } from '../../src/worker/mail-transport';
import { smallRegistry } from '../fixtures/small-registry';
import type { TestDatabase } from '../helpers/database';
import { eventually } from '../helpers/eventually';
import { startOutbox, stopOutbox, testSnapshot } from '../helpers/outbox';

/**
 * Issue 16: reminders dispatched per instant. The dispatcher's activities over PostgreSQL and a
 * real SMTP server on loopback: plans written with their events, the dispatcher woken once and
 * only for an earlier instant, a later plan superseding an earlier one, and two dispatches of the
 * same instant at once (started together, or a retry starting while a slow first attempt still
 * sends) sending each due reminder exactly once and never one whose board has handed in.
 */
let db: TestDatabase;
let sink: SmtpSink;
let mailer: SmtpMailer;
const DISPATCHER = 'teststad/2030';
const T = '2030-03-04T08:00:00+01:00';

beforeAll(async () => {
  ({ db, sink, mailer } = await startOutbox('reminder_dispatch'));
  await withTransaction(db.pool, (tx) => replaceRegistry(tx, smallRegistry));
});
afterAll(() => stopOutbox({ db, sink, mailer }));

const activities = () => createActivities({ db: db.pool, mailer, clock: systemClock });
const run = <A extends unknown[], R>(fn: (...args: A) => Promise<R>, ...args: A): Promise<R> =>
  new MockActivityEnvironment().run(fn, ...args);

const workflowOf = (phase: string, board: string) => `${DISPATCHER}/${phase}/${board}`;

function reminder(phase: string, board: string, plannedAt: string, level = 1): ReminderNotification {
  return {
    actionId: `${phase}/${board}/reminder-${level}`,
    plannedAt,
    level,
    expiresAt: '2030-03-10T08:00:00+01:00',
    municipality: 'teststad',
    budgetYear: 2030,
    phaseId: phase,
    phaseName: `Fas ${phase}`,
    board: { id: board, name: `Nämnd ${board}` },
    deadlineAt: '2030-03-10T23:59:00+01:00',
    to: [`registrator.${board}@stockholm.example`],
    roles: ['registrator'],
  };
}

/** The deliverable's event that adopts a plan, as the workflow records it. */
const started = (phase: string, board: string, seq: number, reminders: ReminderNotification[]): RecordEventInput => ({
  workflowId: workflowOf(phase, board),
  seq,
  kind: seq === 1 ? 'deliverable-started' : 'deadline-changed',
  occurredAt: '2030-02-01T08:00:00+01:00',
  payload: { snapshot: testSnapshot(phase, board, seq, 'open') },
  schedule: { dispatcherId: DISPATCHER, reminders },
});

async function statuses(): Promise<Record<string, string>> {
  const { rows } = await db.pool.query<{ workflow_id: string; action_id: string; planned_at: Date; status: string }>(
    'SELECT workflow_id, action_id, planned_at, status FROM scheduled_reminders ORDER BY 1, 3',
  );
  return Object.fromEntries(rows.map((r) => [`${r.workflow_id}@${r.planned_at.toISOString()}`, r.status]));
}

describe('scheduling reminders with the event that adopts a plan', () => {
  it('wakes the dispatcher once for a burst, again only for an earlier instant, and lets a later plan win', async () => {
    const a = activities();
    // The first plan wakes the dispatcher; a second for the same instant does not.
    expect(await run(a.recordEvent, started('p1', 'farsta', 1, [reminder('p1', 'farsta', T)]))).toEqual({
      wake: new Date(T).toISOString(),
    });
    expect(await run(a.recordEvent, started('p1', 'jarva', 1, [reminder('p1', 'jarva', T)]))).toEqual({});
    // The dispatcher plans its sleep: an earlier reminder wakes it, a later one does not.
    expect(await run(a.planReminderWake, { dispatcherId: DISPATCHER })).toEqual({ next: new Date(T).toISOString() });
    const later = '2030-03-05T08:00:00+01:00';
    const earlier = '2030-03-03T08:00:00+01:00';
    expect(await run(a.recordEvent, started('p1', 'stokab', 1, [reminder('p1', 'stokab', later)]))).toEqual({});
    expect(
      await run(a.recordEvent, started('p1', 'kulturnamnden', 1, [reminder('p1', 'kulturnamnden', earlier)])),
    ).toEqual({
      wake: new Date(earlier).toISOString(),
    });
    // The same event retried after its commit (the activity's answer lost) wakes it again.
    expect(
      await run(a.recordEvent, started('p1', 'kulturnamnden', 1, [reminder('p1', 'kulturnamnden', earlier)])),
    ).toEqual({
      wake: new Date(earlier).toISOString(),
    });

    // Farsta's deadline moves: the reminder of the old plan is superseded by the new one.
    expect(await run(a.recordEvent, started('p1', 'farsta', 2, [reminder('p1', 'farsta', later)]))).toEqual({});
    // A schedule older than the stored one of the same run (committed late) changes nothing.
    const { rows } = await db.pool.query<{ run_id: string }>(
      'SELECT run_id FROM reminder_schedules WHERE workflow_id = $1',
      [workflowOf('p1', 'farsta')],
    );
    await withTransaction(db.pool, (tx) =>
      scheduleReminders(tx, {
        workflowId: workflowOf('p1', 'farsta'),
        runId: rows[0]!.run_id,
        seq: 1,
        dispatcherId: DISPATCHER,
        reminders: [reminder('p1', 'farsta', earlier)],
      }),
    );
    expect(await statuses()).toEqual({
      [`${workflowOf('p1', 'farsta')}@${new Date(T).toISOString()}`]: 'superseded',
      [`${workflowOf('p1', 'farsta')}@${new Date(later).toISOString()}`]: 'planned',
      [`${workflowOf('p1', 'jarva')}@${new Date(T).toISOString()}`]: 'planned',
      [`${workflowOf('p1', 'kulturnamnden')}@${new Date(earlier).toISOString()}`]: 'planned',
      [`${workflowOf('p1', 'stokab')}@${new Date(later).toISOString()}`]: 'planned',
    });
    expect(await run(a.planReminderWake, { dispatcherId: DISPATCHER })).toEqual({
      next: new Date(earlier).toISOString(),
    });
  });
});

describe('schedules at once against one dispatcher', () => {
  const at = (days: number): string => new Date(Date.parse(T) + days * 86_400_000).toISOString();
  const wakeOf = (r: { wake?: string }): string | undefined => r.wake;
  const dispatcherRow = async () =>
    (
      await db.pool.query<{ next_wake: Date | null; signalled_wake: Date | null }>(
        'SELECT next_wake, signalled_wake FROM reminder_dispatchers WHERE id = $1',
        [DISPATCHER],
      )
    ).rows[0]!;

  it('signals each instant once whatever the order, and always the earliest', async () => {
    await db.pool.query('TRUNCATE scheduled_reminders, reminder_schedules, reminder_dispatchers');
    const a = activities();
    // The dispatcher sleeps to a reminder ten days ahead.
    await run(a.recordEvent, started('far', 'farsta', 1, [reminder('far', 'farsta', at(10))]));
    expect(await run(a.planReminderWake, { dispatcherId: DISPATCHER })).toEqual({ next: at(10) });
    // Forty deliverables start at once: five at each of eight instants before it, in a mixed order.
    const days = [7, 3, 5, 1, 6, 2, 8, 4];
    const starts = Array.from({ length: 40 }, (_, i) => ({ phase: `s${i}`, day: days[(i * 3) % 8]! }));
    const wakes = await Promise.all(
      starts.map(({ phase, day }) =>
        run(a.recordEvent, started(phase, 'farsta', 1, [reminder(phase, 'farsta', at(day))])).then(wakeOf),
      ),
    );
    const signalled = wakes.filter((w): w is string => w !== undefined);
    // No instant is signalled twice, the earliest always is, and the row keeps the earliest.
    expect(new Set(signalled).size).toBe(signalled.length);
    expect(signalled).toContain(at(1));
    expect((await dispatcherRow()).signalled_wake?.toISOString()).toBe(at(1));
    // Nothing at or after the dispatcher's own target is ever signalled.
    expect(await run(a.recordEvent, started('later', 'farsta', 1, [reminder('later', 'farsta', at(10))]))).toEqual({});
    expect(await run(a.planReminderWake, { dispatcherId: DISPATCHER })).toEqual({ next: at(1) });
  });

  it('lets schedules commit together while the dispatcher is already signalled for an earlier instant', async () => {
    await db.pool.query('TRUNCATE scheduled_reminders, reminder_schedules, reminder_dispatchers');
    const a = activities();
    await run(a.recordEvent, started('first', 'farsta', 1, [reminder('first', 'farsta', at(1))]));
    expect((await dispatcherRow()).signalled_wake?.toISOString()).toBe(at(1));
    // Two starts in transactions still open: the second must not wait for the first.
    const one = await db.pool.connect();
    const two = await db.pool.connect();
    try {
      await one.query('BEGIN');
      await two.query('BEGIN');
      await two.query(`SET LOCAL lock_timeout = '3s'`);
      const schedule = (workflow: string, day: number) => ({
        workflowId: workflowOf(workflow, 'farsta'),
        seq: 1,
        dispatcherId: DISPATCHER,
        reminders: [reminder(workflow, 'farsta', at(day))],
      });
      expect(await scheduleReminders(one, schedule('one', 2))).toEqual({});
      // A lock the first still holds would stop this one at the lock timeout.
      expect(await scheduleReminders(two, schedule('two', 3))).toEqual({});
      await two.query('COMMIT');
      await one.query('COMMIT');
    } finally {
      // A failed step leaves no transaction open on the pool's connections.
      for (const c of [one, two]) {
        await c.query('ROLLBACK').catch(() => undefined);
        c.release();
      }
    }
  });

  it('waits for the dispatcher planning its next instant, and signals an instant that plan missed', async () => {
    await db.pool.query('TRUNCATE scheduled_reminders, reminder_schedules, reminder_dispatchers');
    const a = activities();
    // The dispatcher slept to day 1 and sent it; a reminder on day 3 is planned next.
    await run(a.recordEvent, started('sent', 'farsta', 1, [reminder('sent', 'farsta', at(1))]));
    await run(a.recordEvent, started('next', 'farsta', 1, [reminder('next', 'farsta', at(3))]));
    expect(await run(a.planReminderWake, { dispatcherId: DISPATCHER })).toEqual({ next: at(1) });
    await db.pool.query(`UPDATE scheduled_reminders SET status = 'sent' WHERE workflow_id = $1`, [
      workflowOf('sent', 'farsta'),
    ]);
    // The dispatcher has taken its row to plan; a board starts meanwhile with a reminder on day 2.
    // The row still says day 1, which is earlier, yet the plan will say day 3: day 2 must be signalled.
    const planning = await db.pool.connect();
    try {
      await planning.query('BEGIN');
      await planning.query('SELECT 1 FROM reminder_dispatchers WHERE id = $1 FOR UPDATE', [DISPATCHER]);
      const starting = run(a.recordEvent, started('between', 'farsta', 1, [reminder('between', 'farsta', at(2))]));
      // It waits for the dispatcher's plan (a lock wait), rather than judge by the row as it was.
      const waiting = await eventually(
        async () =>
          (
            await db.pool.query<{ n: string }>(
              `SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`,
            )
          ).rows[0]!.n,
        (n) => n === '1',
        5_000,
      );
      expect(waiting).toBe('1');
      // The plan cannot see the uncommitted day 2.
      expect((await planNextWake(planning, DISPATCHER))?.toISOString()).toBe(at(3));
      await planning.query('COMMIT');
      expect(await starting).toEqual({ wake: at(2) });
    } finally {
      await planning.query('ROLLBACK').catch(() => undefined);
      planning.release();
    }
  });
});

describe('dispatching an instant', () => {
  /**
   * Forty deliverables of instant T, each on the stored registry's Farsta (its contacts), their
   * phases named `<prefix><i>`; the first ten hand in before the instant (read model: submitted).
   */
  async function dueAtT(a: ReturnType<typeof activities>, prefix: string): Promise<string[]> {
    const phases = Array.from({ length: 40 }, (_, i) => `${prefix}${i}`);
    await Promise.all(phases.map((p) => run(a.recordEvent, started(p, 'farsta', 1, [reminder(p, 'farsta', T)]))));
    for (const p of phases.slice(0, 10)) {
      await run(a.recordEvent, {
        workflowId: workflowOf(p, 'farsta'),
        seq: 2,
        kind: 'submitted',
        occurredAt: '2030-03-01T10:00:00+01:00',
        actor: 'Farsta',
        payload: { snapshot: testSnapshot(p, 'farsta', 2, 'submitted') },
      });
    }
    return phases;
  }

  /** The record: one `reminder-sent` for each board that still owed its report, none for the others. */
  async function expectRemindedOnce(phases: string[]): Promise<void> {
    for (const [i, p] of phases.entries()) {
      const kinds = (await listAuditEvents(db.pool, workflowOf(p, 'farsta'))).map((e) => e.kind);
      expect(kinds).toEqual(i < 10 ? ['deliverable-started', 'submitted'] : ['deliverable-started', 'reminder-sent']);
    }
    const rows = await db.pool.query<{ status: string; n: string }>(
      'SELECT status, count(*) AS n FROM scheduled_reminders GROUP BY status ORDER BY status',
    );
    expect(rows.rows.map((r) => [r.status, Number(r.n)])).toEqual([
      ['moot', 10],
      ['sent', 30],
    ]);
  }

  it('sends each due reminder exactly once with two dispatches at once, and none to a board that handed in', async () => {
    await db.pool.query('TRUNCATE scheduled_reminders, reminder_schedules, reminder_dispatchers');
    const a = activities();
    const phases = await dueAtT(a, 'q');
    const before = sink.received.length;
    const asOf = new Date(Date.parse(T) + 1_000).toISOString();
    const both = await Promise.allSettled([
      run(a.dispatchDueReminders, { dispatcherId: DISPATCHER, asOf }),
      run(a.dispatchDueReminders, { dispatcherId: DISPATCHER, asOf }),
    ]);
    // One may have found a mail leased by the other and failed for now: its retry finishes the instant.
    const retry = await run(a.dispatchDueReminders, { dispatcherId: DISPATCHER, asOf });
    expect(retry.moot + retry.failed + retry.expired).toBe(0);
    for (const attempt of both) {
      if (attempt.status === 'rejected') expect(String(attempt.reason)).toMatch(/being sent by another attempt/);
    }

    const mails = sink.received.slice(before);
    const ids = mails.map((m) => m.parsed.messageId);
    expect(new Set(ids).size).toBe(30);
    expect(mails).toHaveLength(30);
    const log = await db.pool.query<{ n: string }>(`SELECT count(*) AS n FROM send_log WHERE status = 'sent'`);
    expect(Number(log.rows[0]!.n)).toBe(30);
    await expectRemindedOnce(phases);
    // Nothing is left for a later wake.
    expect(await run(a.planReminderWake, { dispatcherId: DISPATCHER })).toEqual({ next: null });
  });

  it('sends each due reminder exactly once when a retried attempt starts while a slow first attempt is mid-page', async () => {
    await db.pool.query('TRUNCATE scheduled_reminders, reminder_schedules, reminder_dispatchers');
    const a = activities();
    const phases = await dueAtT(a, 'slow');
    const owing = phases.slice(10).map((p) => workflowOf(p, 'farsta'));
    const ours = `${DISPATCHER}/slow%`;
    const before = sink.received.length;
    const input = { dispatcherId: DISPATCHER, asOf: new Date(Date.parse(T) + 1_000).toISOString() };
    // The retry runs as on another worker: its own pooled transport, not queued behind the first's.
    const otherWorker = createSmtpMailer(sink.url, 'Årshjul <arshjul@test.example>');
    const retried = createActivities({ db: db.pool, mailer: otherWorker, clock: systemClock });
    sink.behaviour.acceptDelayMs = 400; // a slow relay: each mail held 0.4 s before it is accepted
    let both: PromiseSettledResult<unknown>[] = [];
    try {
      let firstSettled = false;
      const first = run(a.dispatchDueReminders, input).finally(() => (firstSettled = true));
      // The first attempt is mid-page: it holds leases on mails the relay has not yet accepted.
      const leased = await eventually(
        async () =>
          Number(
            (
              await db.pool.query<{ n: string }>(
                `SELECT count(*) AS n FROM send_log WHERE workflow_id LIKE $1 AND status = 'sending'`,
                [ours],
              )
            ).rows[0]!.n,
          ),
        (n) => n > 0,
        10_000,
      );
      expect(leased).toBeGreaterThan(0);
      expect(firstSettled).toBe(false);
      // Its start-to-close timeout passed (the worker looked lost): the same dispatch is retried.
      const second = new MockActivityEnvironment({ attempt: 2 }).run(retried.dispatchDueReminders, input);
      both = await Promise.allSettled([first, second]);
    } finally {
      sink.behaviour.acceptDelayMs = 0;
      otherWorker.close();
    }
    // The next retry finishes the instant: nothing is left to send.
    expect(await run(a.dispatchDueReminders, input)).toMatchObject({ moot: 0, failed: 0, expired: 0 });

    // Each mail once: as many received as distinct Message-IDs as planned, and only the owing boards'.
    const mails = sink.received.slice(before);
    const ids = mails.map((m) => m.parsed.messageId);
    const expected = owing.map((w, i) => stableMessageId(notificationKey(w, `${phases[i + 10]}/farsta/reminder-1`, T)));
    expect(new Set(ids)).toEqual(new Set(expected));
    expect(mails).toHaveLength(expected.length);
    // The send log holds each once, sent; nothing for a board that handed in.
    const log = await db.pool.query<{ workflow_id: string; status: string }>(
      'SELECT workflow_id, status FROM send_log WHERE workflow_id LIKE $1 ORDER BY workflow_id',
      [ours],
    );
    expect(log.rows).toEqual([...owing].sort().map((w) => ({ workflow_id: w, status: 'sent' })));
    await expectRemindedOnce(phases);
    expect(await run(a.planReminderWake, { dispatcherId: DISPATCHER })).toEqual({ next: null });
    // Where one attempt found a mail the other held, it failed for now; they did meet on at least one.
    const busy = both.filter((b) => b.status === 'rejected');
    expect(busy.length).toBeGreaterThan(0);
    for (const b of busy) expect(String(b.reason)).toMatch(/being sent by another attempt/);
  });

  it('leaves a reminder planned that is not due yet, and moots what is left when the cycle ends', async () => {
    await db.pool.query('TRUNCATE scheduled_reminders, reminder_schedules, reminder_dispatchers');
    const a = activities();
    const later = '2030-04-01T08:00:00+02:00';
    await run(a.recordEvent, started('r1', 'farsta', 1, [reminder('r1', 'farsta', later)]));
    const before = sink.received.length;
    expect(await run(a.dispatchDueReminders, { dispatcherId: DISPATCHER, asOf: T })).toEqual({
      sent: 0,
      moot: 0,
      failed: 0,
      expired: 0,
      digest: 0,
      more: false,
    });
    expect(await run(a.retireReminders, { dispatcherId: DISPATCHER })).toEqual({ retired: 1 });
    expect(await run(a.dispatchDueReminders, { dispatcherId: DISPATCHER, asOf: later })).toMatchObject({ sent: 0 });
    expect(sink.received.length).toBe(before);
  });

  it('ends an attempt whose time is up with the rest still planned, and the next attempts send it, each once', async () => {
    // A lost worker's attempt is retried only when its start-to-close timeout runs out, so an
    // attempt takes pages for a third of that and returns; the dispatcher comes back at once.
    await db.pool.query('TRUNCATE scheduled_reminders, reminder_schedules, reminder_dispatchers');
    const a = activities();
    const count = 300; // a full page (250) and part of another
    for (let i = 0; i < count; i += 50) {
      await Promise.all(
        Array.from({ length: 50 }, (_, k) =>
          run(a.recordEvent, started(`b${i + k}`, 'farsta', 1, [reminder(`b${i + k}`, 'farsta', T)])),
        ),
      );
    }
    const before = sink.received.length;
    const asOf = new Date(Date.parse(T) + 1_000).toISOString();
    // An attempt of 30 ms: a third of it is gone before the first page is sent.
    const attempt = (): Promise<DispatchOutcome> =>
      new MockActivityEnvironment({ startToCloseTimeoutMs: 30 }).run(a.dispatchDueReminders, {
        dispatcherId: DISPATCHER,
        asOf,
      });
    const first = await attempt();
    expect(first).toMatchObject({ sent: 250, more: true });
    expect(sink.received.length - before).toBe(250);
    expect(await run(a.planReminderWake, { dispatcherId: DISPATCHER })).toEqual({ next: new Date(T).toISOString() });
    const rest = [first];
    while (rest[rest.length - 1]!.more && rest.length < 5) rest.push(await attempt());
    expect(rest[rest.length - 1]!.more).toBe(false);
    expect(rest.reduce((n, r) => n + r.sent, 0)).toBe(count);
    const mails = sink.received.slice(before);
    expect(mails).toHaveLength(count);
    expect(new Set(mails.map((m) => m.parsed.messageId)).size).toBe(count);
    expect(await run(a.planReminderWake, { dispatcherId: DISPATCHER })).toEqual({ next: null });
  });
});
