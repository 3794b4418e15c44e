import { Context } from '@temporalio/activity';
import { digestItemsFor } from '../db/digest-items';
import { listDigestSubscribers } from '../db/recipient-preferences';
import { MUNICIPALITY_TIME_ZONE } from '../domain/glossary';
import { addDays, isoWeekday } from '../domain/local-date';
import { localDateOf } from '../domain/zoned-time';
import { renderDigestMail } from './digest-mail';
import { ActivityDeps } from './ports';
import { sendOnce } from './send-once';

/** How far ahead a digest looks: the coming five weeks, so a 28-day reminder is never missed. */
const DIGEST_HORIZON_DAYS = 35;

export interface WeeklyDigestResult {
  weekOf: string;
  subscribers: number;
  sent: number;
  /** Sent by an earlier run of the same week. */
  alreadySent: number;
  /** Subscribers with nothing due: they get no mail that week. */
  empty: number;
  failed: number;
}

/** The Monday (Stockholm date) of the week an instant falls in. */
export function mondayOf(instant: Date): string {
  const date = localDateOf(instant, MUNICIPALITY_TIME_ZONE);
  return addDays(date, 1 - isoWeekday(date));
}

export function createDigestActivities(deps: ActivityDeps) {
  return {
    /**
     * Sends each subscriber one mail listing their overdue and upcoming deliverables. The key is
     * the address and the week, so a second run in the same week (a retry, a manual trigger)
     * sends nobody a second digest.
     */
    async sendWeeklyDigests(input: { at: string }): Promise<WeeklyDigestResult> {
      const at = new Date(input.at);
      const weekOf = mondayOf(at);
      const until = new Date(at.getTime() + DIGEST_HORIZON_DAYS * 86_400_000);
      const subscribers = await listDigestSubscribers(deps.db);
      const result: WeeklyDigestResult = {
        weekOf,
        subscribers: subscribers.length,
        sent: 0,
        alreadySent: 0,
        empty: 0,
        failed: 0,
      };
      for (const subscriber of subscribers) {
        Context.current().heartbeat(subscriber.address);
        const items = await digestItemsFor(deps.db, subscriber.address, until, at);
        if (items.length === 0) {
          result.empty += 1;
          continue;
        }
        const overdue = items.filter((i) => i.deadlineAt.getTime() < at.getTime());
        const upcoming = items.filter((i) => i.deadlineAt.getTime() >= at.getTime());
        const workflowId = `weekly-digest/${weekOf}`;
        const sent = await sendOnce(deps, {
          key: `${workflowId}#${subscriber.address}`,
          workflowId,
          logKind: 'weekly-digest',
          auditKind: 'weekly-digest',
          plannedAt: input.at,
          firedAt: input.at,
          to: [subscriber.address],
          roles: ['digest'],
          mail: renderDigestMail({
            language: subscriber.language,
            weekOf,
            overdue,
            upcoming,
            ...(deps.publicUrl && { link: deps.publicUrl }),
          }),
          payload: { items: items.map((i) => `${i.municipality}/${i.budgetYear}/${i.phaseId}/${i.boardId}`) },
        });
        if (sent.failed) result.failed += 1;
        else if (sent.sentNow) result.sent += 1;
        else result.alreadySent += 1;
      }
      return result;
    },
  };
}
