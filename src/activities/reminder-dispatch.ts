import { Context } from '@temporalio/activity';
import { withTransaction } from '../db/database';
import type { DeliverableSnapshot } from '../db/read-model';
import { dueReminders, markReminders, planNextWake, ReminderOutcome } from '../db/scheduled-reminders';
import { MUNICIPALITY_TIME_ZONE } from '../domain/glossary';
import { nameOn } from '../domain/organisations';
import { localDateOf } from '../domain/zoned-time';
import type { SendNotificationInput } from './index';
import type { ActivityDeps } from './ports';
import type { SendOnceResult } from './send-once';

/** The stages in which a board still owes its report: a reminder is sent only then. */
export const REMINDED_STAGES: DeliverableSnapshot['stage'][] = ['open', 'returned'];

/** Reminders read and sent per page: one statement reads them, one records their outcomes. */
const PAGE = 250;
/**
 * Mails in flight at once: enough to keep the pooled SMTP transport and the database pool busy
 * while each mail waits on the other; past the pool's connections more only queue.
 */
const IN_FLIGHT = 24;
/**
 * The share of its start-to-close timeout an attempt spends taking new pages. An attempt whose
 * worker died is only retried once that timeout has run out, so the timeout is short (a minute)
 * and an attempt ends early with what it has sent; the dispatcher then finds reminders still due
 * and dispatches again at once. Each page is done well within the rest of the timeout.
 */
const ATTEMPT_SHARE = 1 / 3;

async function eachLimited<T>(items: T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    for (let i = next++; i < items.length; i = next++) await work(items[i]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
}

export interface DispatchOutcome {
  sent: number;
  moot: number;
  failed: number;
  expired: number;
  digest: number;
  /** The attempt's time was up before every due reminder was handled: the rest stays planned. */
  more: boolean;
}

/**
 * The reminder dispatcher's activities: when it should wake next, and sending every reminder due
 * by an instant, through the same per-mail path as every other notification (the send log's
 * lease, exactly once by the same key; recipients, languages and digests as of now), each checked
 * against the deliverable's recorded stage when it is claimed.
 */
export function createReminderDispatchActivities(
  { db }: ActivityDeps,
  sendNotification: (input: SendNotificationInput) => Promise<SendOnceResult>,
) {
  return {
    async planReminderWake(input: { dispatcherId: string }): Promise<{ next: string | null }> {
      const next = await withTransaction(db, (tx) => planNextWake(tx, input.dispatcherId));
      return { next: next?.toISOString() ?? null };
    },

    /**
     * The cycle has ended: what it still held planned can no longer go out (every deliverable
     * finished, or was cancelled with the cycle).
     */
    async retireReminders(input: { dispatcherId: string }): Promise<{ retired: number }> {
      const result = await db.query(
        `UPDATE scheduled_reminders SET status = 'moot', done_at = now()
         WHERE dispatcher_id = $1 AND status = 'planned'`,
        [input.dispatcherId],
      );
      return { retired: result.rowCount ?? 0 };
    },

    /**
     * Sends the reminders due by `asOf` (the dispatcher's workflow time). A mail that fails for
     * now (the relay away) stays planned and the activity fails after the others went, so its
     * retry sends what is left; each page's outcomes are recorded as soon as it is done. Takes no
     * new page once its share of the attempt's time is spent (`more`: the dispatcher comes back).
     */
    async dispatchDueReminders(input: { dispatcherId: string; asOf: string }): Promise<DispatchOutcome> {
      const asOf = new Date(input.asOf);
      const today = localDateOf(asOf, MUNICIPALITY_TIME_ZONE);
      const counts: DispatchOutcome = { sent: 0, moot: 0, failed: 0, expired: 0, digest: 0, more: false };
      const stopTakingPagesAt = Date.now() + Context.current().info.startToCloseTimeoutMs * ATTEMPT_SHARE;
      let transient: unknown;
      let after: { plannedAt: string; workflowId: string; actionId: string } | undefined;
      for (let first = true; ; first = false) {
        if (!first && Date.now() >= stopTakingPagesAt) {
          counts.more = true;
          break;
        }
        const page = await dueReminders(db, input.dispatcherId, asOf, PAGE, after);
        if (page.length === 0) break;
        const last = page[page.length - 1]!;
        after = {
          plannedAt: last.notification.plannedAt,
          workflowId: last.workflowId,
          actionId: last.notification.actionId,
        };
        // Most moot reminders are known at once (one statement); the claim checks again under lock.
        const { rows } = await db.query<{ workflow_id: string; stage: string }>(
          'SELECT workflow_id, stage FROM deliverable_status WHERE workflow_id = ANY($1)',
          [[...new Set(page.map((r) => r.workflowId))]],
        );
        const stages = new Map(rows.map((r) => [r.workflow_id, r.stage]));
        const outcomes: Parameters<typeof markReminders>[1] = [];
        await eachLimited(page, IN_FLIGHT, async ({ workflowId, notification: n }) => {
          const done = (outcome: ReminderOutcome) => {
            outcomes.push({ workflowId, actionId: n.actionId, plannedAt: n.plannedAt, outcome });
            counts[outcome] += 1;
          };
          if (!REMINDED_STAGES.includes(stages.get(workflowId) as DeliverableSnapshot['stage'])) return done('moot');
          try {
            const result = await sendNotification({
              workflowId,
              actionId: n.actionId,
              kind: 'reminder',
              ...(n.level !== undefined && { level: n.level }),
              plannedAt: n.plannedAt,
              firedAt: input.asOf,
              expiresAt: n.expiresAt,
              budgetYear: n.budgetYear,
              phaseName: n.phaseName,
              // The name the board has on the day the mail goes (a company renamed meanwhile).
              boardName: nameOn(n.board, today),
              deadlineAt: n.deadlineAt,
              to: n.to,
              roles: n.roles,
              about: { municipality: n.municipality, boardId: n.board.id },
              onlyInStages: REMINDED_STAGES,
            });
            if (result.moot) done('moot');
            else if (result.failed) done('failed');
            else if (result.expired) done('expired');
            else if (!result.messageId && result.toDigest) done('digest');
            else done('sent');
          } catch (error) {
            transient = error;
          }
        });
        await markReminders(db, outcomes);
      }
      if (transient) throw transient;
      return counts;
    },
  };
}
