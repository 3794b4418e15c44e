import { MockActivityEnvironment } from '@temporalio/testing';
import { createActivities, RecordEventInput } from '../../src/activities';
import { systemClock } from '../../src/activities/ports';
import { listAuditEvents } from '../../src/db/audit-log';
import { withTransaction } from '../../src/db/database';
import type { DeliverableSnapshot } from '../../src/db/read-model';
import { replaceRegistry } from '../../src/db/registry';
import { ReminderNotification, scheduleReminders } from '../../src/db/scheduled-reminders';
import { SmtpSink } from '../../src/stack/smtp-sink';
import { createSmtpMailer, SmtpMailer } from '../../src/worker/mail-transport';
import { smallRegistry } from '../fixtures/small-registry';
import { createTestDatabase, TestDatabase } from '../helpers/database';

/**
 * Issue 16: reminders dispatched per instant. The dispatcher's activities over PostgreSQL and a
 * real SMTP server on loopback: plans written with their events, the dispatcher woken once and
 * only for an earlier instant, a later plan superseding an earlier one, and two dispatches of the
 * same instant at once sending each due reminder exactly once and never one whose board has
 * handed in.
 */
let db: TestDatabase;
let sink: SmtpSink;
let mailer: SmtpMailer;
const DISPATCHER = 'teststad/2030';
const T = '2030-03-04T08:00:00+01:00';

beforeAll(async () => {
  db = await createTestDatabase('reminder_dispatch');
  await withTransaction(db.pool, (tx) => replaceRegistry(tx, smallRegistry));
  sink = await new SmtpSink().start();
  mailer = createSmtpMailer(sink.url, 'Årshjul <arshjul@test.example>');
});
afterAll(async () => {
  mailer?.close();
  await sink?.stop();
  await db?.drop();
});

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

function snapshot(phase: string, board: string, seq: number, stage: DeliverableSnapshot['stage']): DeliverableSnapshot {
  return {
    seq,
    municipality: 'teststad',
    budgetYear: 2030,
    phaseId: phase,
    boardId: board,
    answeringBoardId: board,
    stage,
    late: false,
    escalationLevel: 0,
    deadline: '2030-03-10',
    deadlineAt: '2030-03-10T23:59:00+01:00',
  };
}

/** The deliverable's event that adopts a plan, as the workflow records it. */
const started = (phase: string, board: string, seq: number, reminders: ReminderNotification[]): RecordEventInput => ({
  workflowId: workflowOf(phase, board),
  seq,
  kind: seq === 1 ? 'deliverable-started' : 'deadline-changed',
  occurredAt: '2030-02-01T08:00:00+01:00',
  payload: { snapshot: snapshot(phase, board, seq, 'open') },
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

describe('dispatching an instant', () => {
  it('sends each due reminder exactly once with two dispatches at once, and none to a board that handed in', async () => {
    await db.pool.query('TRUNCATE scheduled_reminders, reminder_schedules, reminder_dispatchers');
    const a = activities();
    // Forty deliverables of one instant, each on the stored registry's Farsta (its contacts).
    await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        run(a.recordEvent, { ...started(`q${i}`, 'farsta', 1, [reminder(`q${i}`, 'farsta', T)]) }),
      ),
    );
    // Ten hand in before the instant: their read-model rows say submitted.
    for (let i = 0; i < 10; i++) {
      await run(a.recordEvent, {
        workflowId: workflowOf(`q${i}`, 'farsta'),
        seq: 2,
        kind: 'submitted',
        occurredAt: '2030-03-01T10:00:00+01:00',
        actor: 'Farsta',
        payload: { snapshot: snapshot(`q${i}`, 'farsta', 2, 'submitted') },
      });
    }
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
    const rows = await db.pool.query<{ status: string; n: string }>(
      'SELECT status, count(*) AS n FROM scheduled_reminders GROUP BY status ORDER BY status',
    );
    expect(rows.rows.map((r) => [r.status, Number(r.n)])).toEqual([
      ['moot', 10],
      ['sent', 30],
    ]);
    const log = await db.pool.query<{ n: string }>(`SELECT count(*) AS n FROM send_log WHERE status = 'sent'`);
    expect(Number(log.rows[0]!.n)).toBe(30);
    // The record: one `reminder-sent` for each board that still owed its report, none for the others.
    for (let i = 0; i < 40; i++) {
      const kinds = (await listAuditEvents(db.pool, workflowOf(`q${i}`, 'farsta'))).map((e) => e.kind);
      expect(kinds).toEqual(i < 10 ? ['deliverable-started', 'submitted'] : ['deliverable-started', 'reminder-sent']);
    }
    // Nothing is left for a later wake.
    expect(await run(a.planReminderWake, { dispatcherId: DISPATCHER })).toEqual({ next: null });
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
    });
    expect(await run(a.retireReminders, { dispatcherId: DISPATCHER })).toEqual({ retired: 1 });
    expect(await run(a.dispatchDueReminders, { dispatcherId: DISPATCHER, asOf: later })).toMatchObject({ sent: 0 });
    expect(sink.received.length).toBe(before);
  });
});
