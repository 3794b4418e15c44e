import { Queryable } from './database';
import type { Organisation } from '../domain/organisations';

/** What a dispatched reminder's mail needs, as the deliverable planned it. */
export interface ReminderNotification {
  actionId: string;
  plannedAt: string;
  level?: number;
  /** After this instant the reminder is moot (the next step of the plan): never sent then. */
  expiresAt: string;
  municipality: string;
  budgetYear: number;
  phaseId: string;
  phaseName: string;
  /** The board answering on the day it was planned, with its names over time (renamed companies). */
  board: Pick<Organisation, 'id' | 'name' | 'names'>;
  deadlineAt: string;
  to: string[];
  roles: string[];
}

export interface ReminderSchedule {
  workflowId: string;
  runId?: string;
  /** The sequence number of the event that adopted the plan: a later plan wins. */
  seq: number;
  dispatcherId: string;
  reminders: ReminderNotification[];
}

export type ReminderOutcome = 'sent' | 'moot' | 'failed' | 'expired' | 'digest';

export interface DueReminder {
  workflowId: string;
  notification: ReminderNotification;
}

/**
 * Writes a workflow's reminders of its current plan, in the caller's transaction: reminders of
 * an earlier plan not in this one are superseded, one already sent stays sent. A schedule older
 * than the one stored (same run, lower sequence number) changes nothing. Returns the instant to
 * wake the dispatcher for, when this plan has a reminder before the instant it sleeps to and
 * nobody woke it for one that early yet; `retried` (the plan's event was already recorded: an
 * activity retried after its commit) wakes it again rather than risk a lost signal.
 */
export async function scheduleReminders(
  tx: Queryable,
  schedule: ReminderSchedule,
  retried = false,
): Promise<{ wake?: string }> {
  const { workflowId, dispatcherId, reminders } = schedule;
  if (!retried) {
    const newer = await tx.query(
      `INSERT INTO reminder_schedules (workflow_id, run_id, seq) VALUES ($1, $2, $3)
       ON CONFLICT (workflow_id) DO UPDATE SET run_id = EXCLUDED.run_id, seq = EXCLUDED.seq
       WHERE reminder_schedules.run_id IS DISTINCT FROM EXCLUDED.run_id OR reminder_schedules.seq < EXCLUDED.seq
       RETURNING 1`,
      [workflowId, schedule.runId ?? null, schedule.seq],
    );
    if ((newer.rowCount ?? 0) === 0) return {};
    await tx.query(
      `UPDATE scheduled_reminders SET status = 'superseded', done_at = now()
       WHERE workflow_id = $1 AND status = 'planned'
         AND NOT ((action_id, planned_at) IN (SELECT * FROM unnest($2::text[], $3::timestamptz[])))`,
      [workflowId, reminders.map((r) => r.actionId), reminders.map((r) => r.plannedAt)],
    );
    if (reminders.length > 0) {
      await tx.query(
        `INSERT INTO scheduled_reminders (workflow_id, action_id, planned_at, dispatcher_id, notification, scheduled_seq)
         SELECT $1, a, p, $4, n, $5 FROM unnest($2::text[], $3::timestamptz[], $6::jsonb[]) AS t(a, p, n)
         ON CONFLICT (workflow_id, action_id, planned_at) DO UPDATE SET
           notification = EXCLUDED.notification, dispatcher_id = EXCLUDED.dispatcher_id,
           scheduled_seq = EXCLUDED.scheduled_seq,
           status = CASE WHEN scheduled_reminders.status IN ('planned', 'superseded') THEN 'planned'
                         ELSE scheduled_reminders.status END,
           done_at = CASE WHEN scheduled_reminders.status IN ('planned', 'superseded') THEN NULL
                          ELSE scheduled_reminders.done_at END`,
        [
          workflowId,
          reminders.map((r) => r.actionId),
          reminders.map((r) => r.plannedAt),
          dispatcherId,
          schedule.seq,
          reminders.map((r) => JSON.stringify(r)),
        ],
      );
    }
  }
  const earliest = reminders.map((r) => Date.parse(r.plannedAt)).sort((a, b) => a - b)[0];
  if (earliest === undefined) return {};
  await tx.query('INSERT INTO reminder_dispatchers (id) VALUES ($1) ON CONFLICT (id) DO NOTHING', [dispatcherId]);
  // A shared lock, held to the commit: it waits for a dispatcher planning its next instant (which
  // holds the row FOR UPDATE), so either the dispatcher's plan sees these reminders or this sees
  // its new target, as before; but schedules no longer wait for each other, so a city's
  // deliverables starting at once do not queue on one row.
  await tx.query('SELECT 1 FROM reminder_dispatchers WHERE id = $1 FOR KEY SHARE', [dispatcherId]);
  // Only a schedule with an instant before the target, and before any already signalled, takes
  // the row: the first of a burst for an instant signals, those after it see its mark (the row
  // lock makes them wait for it and check again), and only an earlier instant signals anew.
  const woken = await tx.query(
    `UPDATE reminder_dispatchers SET signalled_wake = LEAST(signalled_wake, $2), updated_at = now()
     WHERE id = $1 AND (next_wake IS NULL OR next_wake > $2)
       AND ($3 OR signalled_wake IS NULL OR signalled_wake > $2)
     RETURNING 1`,
    [dispatcherId, new Date(earliest), retried],
  );
  return (woken.rowCount ?? 0) > 0 ? { wake: new Date(earliest).toISOString() } : {};
}

/**
 * The dispatcher's next instant: the earliest reminder still planned. Stored as its target, in a
 * transaction that holds the dispatcher's row exclusively (against the schedules' shared locks),
 * so a plan committed meanwhile either is seen here or sees the new target and wakes the
 * dispatcher.
 */
export async function planNextWake(tx: Queryable, dispatcherId: string): Promise<Date | null> {
  await tx.query('INSERT INTO reminder_dispatchers (id) VALUES ($1) ON CONFLICT (id) DO NOTHING', [dispatcherId]);
  await tx.query('SELECT 1 FROM reminder_dispatchers WHERE id = $1 FOR UPDATE', [dispatcherId]);
  const { rows } = await tx.query<{ next: Date | null }>(
    `SELECT min(planned_at) AS next FROM scheduled_reminders WHERE dispatcher_id = $1 AND status = 'planned'`,
    [dispatcherId],
  );
  const next = rows[0]?.next ?? null;
  await tx.query(
    'UPDATE reminder_dispatchers SET next_wake = $2, signalled_wake = NULL, updated_at = now() WHERE id = $1',
    [dispatcherId, next],
  );
  return next;
}

/** Reminders due by `asOf` and not yet handled, oldest first. */
export async function dueReminders(
  db: Queryable,
  dispatcherId: string,
  asOf: Date,
  limit: number,
  /** The last reminder of the page before (keyset paging: one that failed for now is not read again). */
  after?: { plannedAt: string; workflowId: string; actionId: string },
): Promise<DueReminder[]> {
  const { rows } = await db.query<{ workflow_id: string; notification: ReminderNotification }>(
    `SELECT workflow_id, notification FROM scheduled_reminders
     WHERE dispatcher_id = $1 AND status = 'planned' AND planned_at <= $2
       AND ($4::timestamptz IS NULL OR (planned_at, workflow_id, action_id) > ($4, $5, $6))
     ORDER BY planned_at, workflow_id, action_id LIMIT $3`,
    [dispatcherId, asOf, limit, after?.plannedAt ?? null, after?.workflowId ?? null, after?.actionId ?? null],
  );
  return rows.map((r) => ({ workflowId: r.workflow_id, notification: r.notification }));
}

/** Records what became of dispatched reminders (one statement for a page of them). */
export async function markReminders(
  db: Queryable,
  outcomes: Array<{ workflowId: string; actionId: string; plannedAt: string; outcome: ReminderOutcome }>,
): Promise<void> {
  if (outcomes.length === 0) return;
  await db.query(
    `UPDATE scheduled_reminders s SET status = t.o, done_at = now()
     FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::text[]) AS t(w, a, p, o)
     WHERE s.workflow_id = t.w AND s.action_id = t.a AND s.planned_at = t.p AND s.status = 'planned'`,
    [
      outcomes.map((o) => o.workflowId),
      outcomes.map((o) => o.actionId),
      outcomes.map((o) => o.plannedAt),
      outcomes.map((o) => o.outcome),
    ],
  );
}
