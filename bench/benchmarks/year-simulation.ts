import { TestWorkflowEnvironment } from '@temporalio/testing';
import { temporal } from '@temporalio/proto';
import { systemClock } from '../../src/activities/ports';
import { planCycle } from '../../src/domain/planner';
import { zonedInstant } from '../../src/domain/zoned-time';
import { createPool } from '../../src/db/database';
import { createArshjulWorker, poolSizeFor } from '../../src/worker/create-worker';
import { createSmtpMailer } from '../../src/worker/mail-transport';
import { installRuntime } from '../../src/worker/runtime';
import { confirmMilestoneUpdate } from '../../src/workflows/budget-cycle-messages';
import { budgetCycleWorkflow, cycleWorkflowId } from '../../src/workflows/budget-cycle-workflow';
import { shippedCalendarAhead, stockholmRegistry } from '../../test/helpers/calendars';
import type { BenchContext } from '../lib/context';
import { CountingSmtpSink } from '../lib/counting-smtp-sink';
import { BenchOptions, BenchResult, goal } from '../lib/results';
import { interleaved, mapLimit, median, round } from '../lib/stats';
import { yearTimers } from '../lib/year-timers';

type Variant = 'arshjul' | 'sleep';

const TIMER_FIRED = temporal.api.enums.v1.EventType.EVENT_TYPE_TIMER_FIRED;
const NOTIFYING = new Set(['opening', 'reminder', 'escalation']);

/**
 * (6) The whole Stockholm 2027 cycle (the shipped calendar and registry, moved ahead of the
 * server's clock by whole 52-week steps) under the time-skipping server: every board's
 * deliverables opened, reminded, escalated; KF's budget confirmed on its day. Wall time from the
 * cycle's start until virtual time is 30 days past the last planned action. Every planned mail
 * must have been sent and received (the run fails otherwise). Baseline: sleep-only workflows
 * with the timers Årshjul's year sets (yearTimers), over the same virtual span.
 */
export async function yearSimulation(ctx: BenchContext, options: BenchOptions): Promise<BenchResult> {
  const wall = Date.now();
  installRuntime('ERROR');
  const runs: Record<string, unknown>[] = [];
  for (const { rep, variant } of interleaved<Variant>(['arshjul', 'sleep'], options.reps)) {
    const tEnv = Date.now();
    const env = await startTimeSkipping(ctx.testServer);
    const envSeconds = (Date.now() - tEnv) / 1000;
    const registry = stockholmRegistry();
    const db = await ctx.freshDatabase(`year-${variant}`, registry);
    // The worker's activities get the pool a worker process has (a connection per concurrent activity).
    const pool = createPool(db.url, poolSizeFor({ worker: true, http: false }));
    const sink = await new CountingSmtpSink().start();
    const mailer = createSmtpMailer(sink.url, 'Årshjul <arshjul@bench.example>');
    const taskQueue = `year-${variant}`;
    const worker = await createArshjulWorker({
      connection: env.nativeConnection,
      namespace: env.namespace ?? 'default',
      taskQueue,
      deps: { db: pool, mailer, clock: systemClock, publicUrl: 'https://arshjul.bench.example' },
      workflowBundle: { codePath: ctx.bundlePath },
    });
    const running = worker.run();
    try {
      const calendar = shippedCalendarAhead(2027, await env.currentTimeMs());
      const plan = planCycle(calendar, registry);
      const sleepUntil = async (date: string, time = '12:00') => {
        const target = zonedInstant(date, time, calendar.timeZone).getTime();
        const now = await env.currentTimeMs();
        if (target > now) await env.sleep(target - now);
      };
      const kf = calendar.phases.find((p) => p.id === 'kf-budget');
      const kfDate = kf?.kind === 'milestone' ? kf.date : undefined;
      const last = plan.actions[plan.actions.length - 1]!;
      const endMs = Date.parse(last.instant) + 30 * 86_400_000;
      const t0 = Date.now();
      if (variant === 'arshjul') {
        const cycle = await env.client.workflow.start(budgetCycleWorkflow, {
          args: [{ calendar, registry }],
          workflowId: cycleWorkflowId(calendar.municipality, calendar.budgetYear),
          taskQueue,
        });
        if (kfDate) {
          await sleepUntil(kfDate);
          await cycle.executeUpdate(confirmMilestoneUpdate, {
            args: [{ milestoneId: 'kf-budget', date: kfDate, by: 'SLK' }],
          });
        }
      } else {
        await mapLimit(yearTimers(calendar, plan).workflows, 16, (timers, i) =>
          env.client.workflow.start('benchSleepWorkflow', {
            args: [{ timers, stayOpen: true }],
            workflowId: `sleep/${i}`,
            taskQueue,
          }),
        );
        if (kfDate) await sleepUntil(kfDate);
      }
      const now = await env.currentTimeMs();
      if (endMs > now) await env.sleep(endMs - now);
      const seconds = (Date.now() - t0) / 1000;
      const count = async (sql: string) => Number((await db.pool.query<{ n: string }>(sql)).rows[0]!.n);
      const mails = await count(`SELECT count(*) AS n FROM send_log WHERE status = 'sent'`);
      const planned = plan.actions.filter((a) => NOTIFYING.has(a.kind)).length;
      const timers = yearTimers(calendar, plan).total;
      const fired =
        variant === 'arshjul'
          ? await firedTimers(env, [
              cycleWorkflowId(calendar.municipality, calendar.budgetYear),
              ...plan.deliverables.map(
                (d) => `${cycleWorkflowId(calendar.municipality, calendar.budgetYear)}/${d.phaseId}/${d.boardId}`,
              ),
            ])
          : timers;
      if (variant === 'arshjul' && (mails !== planned || sink.messages !== planned)) {
        throw new Error(`year simulation: ${planned} mails planned, ${mails} sent, ${sink.messages} received`);
      }
      runs.push({
        rep,
        variant,
        deliverables: plan.deliverables.length,
        plannedActions: plan.actions.length,
        timers,
        timersFired: fired,
        mailsPlanned: variant === 'arshjul' ? planned : 0,
        mailsSent: mails,
        mailsReceived: sink.messages,
        events: await count('SELECT count(*) AS n FROM audit_log'),
        seconds: round(seconds, 2),
        serverStartSeconds: round(envSeconds, 2),
      });
      ctx.log(`  year rep ${rep + 1} ${variant}: ${JSON.stringify(runs[runs.length - 1])}`);
    } finally {
      worker.shutdown();
      await running.catch(() => undefined);
      mailer.close();
      await sink.stop();
      await env.teardown();
      await pool.end();
      await db.drop();
    }
  }
  const pick = (v: Variant) => median(runs.filter((r) => r.variant === v).map((r) => r.seconds as number));
  const ours = pick('arshjul');
  const sleep = pick('sleep');
  const ourRuns = runs.filter((r) => r.variant === 'arshjul');
  return {
    id: 'year-simulation',
    title: 'Whole Stockholm 2027 cycle under the time-skipping server',
    mode: 'time-skipping',
    size: {
      deliverables: runs[0]?.deliverables as number,
      plannedActions: runs[0]?.plannedActions as number,
      timers: runs[0]?.timers as number,
      reps: options.reps,
    },
    figures: [
      goal('Årshjul wall time (cycle start → 30 days after the last action)', ours, 's', '≤ 20 s', ours <= 20),
      { name: 'baseline: sleep-only workflows, the timers Årshjul sets', value: sleep, unit: 's' },
      { name: 'ratio sleep-only / Årshjul', value: round(sleep / ours, 3) },
      goal(
        'timers fired by Årshjul (its histories) = the baseline’s',
        median(ourRuns.map((r) => r.timersFired as number)),
        '',
        `${runs[0]?.timers as number}`,
        ourRuns.every((r) => r.timersFired === r.timers),
      ),
      {
        name: 'mails sent = planned = received (median run)',
        value: median(ourRuns.map((r) => r.mailsSent as number)),
      },
      { name: 'events recorded (median run)', value: median(ourRuns.map((r) => r.events as number)) },
    ],
    runs,
    notes: [
      'Each run: a new time-skipping server (its JVM start is shown apart, not in the wall time), a new database with the shipped registry stored, a loopback SMTP server that counts every mail whole without parsing it, a worker in this process with a worker process’s pool (a connection per concurrent activity).',
      'Every opening, reminder and escalation mail the planner plans is sent and received (the run fails otherwise); deadlines are recorded as events.',
      'Baseline timers: each deliverable’s opening, deadline and escalations, one per distinct reminder instant (the cycle’s dispatcher) and one per phase opening on a date (the cycle) — what Årshjul sets since reminders go through the dispatcher; Årshjul’s fired timers are counted from its histories after the run.',
      'The time-skipping server moves time only when no workflow task or activity is outstanding anywhere: each virtual instant is a wave that lasts as long as its slowest chain. A deliverable’s timer due “now” is a 1 ms timer (condition(…, 0)), so a phase’s opening mails wait until every board of the phase has been started and recorded.',
      'The scale option does not apply: the cycle is the shipped one.',
    ],
    wallSeconds: round((Date.now() - wall) / 1000, 1),
  };
}

/** Timers fired in the current runs of these workflows (from their histories). */
async function firedTimers(env: TestWorkflowEnvironment, workflowIds: string[]): Promise<number> {
  const counts = await mapLimit(workflowIds, 8, async (id) => {
    const history = await env.client.workflow.getHandle(id).fetchHistory();
    return (history.events ?? []).filter((e) => e.eventType === TIMER_FIRED).length;
  });
  return counts.reduce((s, n) => s + n, 0);
}

/** The JVM must listen within the SDK's few seconds; on a loaded machine the first start can miss: retry. */
async function startTimeSkipping(path: string): Promise<TestWorkflowEnvironment> {
  let lastError: unknown;
  for (let attempt = 1; attempt <= 3; attempt++) {
    try {
      return await TestWorkflowEnvironment.createTimeSkipping({
        server: { executable: { type: 'existing-path', path } },
      });
    } catch (error) {
      lastError = error;
    }
  }
  throw lastError;
}
