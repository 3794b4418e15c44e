import { condition, proxyActivities, setHandler } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { remindersScheduledSignal } from './reminder-dispatch-messages';
import { ACTIVITY_RETRY } from './workflow-support';

const { planReminderWake } = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: ACTIVITY_RETRY,
});
/**
 * A dispatch attempt sends for at most a third of this and then returns (`more`); the loop finds
 * reminders still due and dispatches again at once. The timeout is what a worker lost in the
 * middle of a burst costs: the attempt is retried once it has run out (the send log's lease keeps
 * the retry from sending a mail twice, and each page's outcomes are recorded as the attempt goes).
 */
const { dispatchDueReminders } = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: ACTIVITY_RETRY,
});

export interface ReminderDispatch {
  /** Ends the loop once a dispatch under way has finished (before the workflow ends or continues as new). */
  stop(): Promise<void>;
  /** Wakes it has run (a run continues as new after enough of them). */
  wakes(): number;
}

/**
 * Sends reminders per instant (issue 16), inside the workflow that calls it (the cycle). The
 * deliverable workflows keep their state machines and write their plans' reminders to PostgreSQL
 * (`scheduled_reminders`); this loop sleeps to the earliest one still planned, then an activity
 * sends every reminder due by then (again at once if an attempt's time ran out first), in pages,
 * each mail claimed through the send log and checked against its deliverable's recorded stage.
 * On Stockholm's 08:00 that is one timer and an activity or two for the whole city instead of a
 * timer, a workflow task and an activity per board. A plan with a reminder earlier than the loop
 * sleeps to wakes it by signal.
 */
export function startReminderDispatch(dispatcherId: string): ReminderDispatch {
  let woken = 0;
  let stopping = false;
  let wakes = 0;
  setHandler(remindersScheduledSignal, () => void woken++);
  const loop = async (): Promise<void> => {
    while (!stopping) {
      const seen = woken;
      const changed = (): boolean => woken !== seen || stopping;
      const { next } = await planReminderWake({ dispatcherId });
      if (stopping) return;
      if (next === null) {
        await condition(changed);
        continue;
      }
      const wait = Date.parse(next) - Date.now();
      if (wait > 0 && (await condition(changed, wait))) continue;
      wakes++;
      await dispatchDueReminders({ dispatcherId, asOf: new Date(Date.now()).toISOString() });
    }
  };
  const running = loop();
  return {
    stop: async () => {
      stopping = true;
      await running;
    },
    wakes: () => wakes,
  };
}
