import { TestWorkflowEnvironment } from '@temporalio/testing';
import { systemClock } from '../../src/activities/ports';
import { planCycle } from '../../src/domain/planner';
import { zonedInstant } from '../../src/domain/zoned-time';
import { SmtpSink } from '../../src/stack/smtp-sink';
import { createArshjulWorker } from '../../src/worker/create-worker';
import { createSmtpMailer } from '../../src/worker/mail-transport';
import { installRuntime } from '../../src/worker/runtime';
import { confirmMilestoneUpdate } from '../../src/workflows/budget-cycle-messages';
import { budgetCycleWorkflow, cycleWorkflowId } from '../../src/workflows/budget-cycle-workflow';
import { shippedCalendarAhead, stockholmRegistry } from '../../test/helpers/calendars';
import type { BenchContext } from '../lib/context';
import { BenchOptions, BenchResult, goal } from '../lib/results';
import { interleaved, mapLimit, median, round } from '../lib/stats';

type Variant = 'arshjul' | 'sleep';

/**
 * (6) The whole Stockholm 2027 cycle (the shipped calendar and registry, moved ahead of the
 * server's clock by whole 52-week steps) under the time-skipping server: every board's
 * deliverables opened, reminded, escalated; KF's budget confirmed on its day. Wall time from the
 * cycle's start until virtual time is 30 days past the last planned action. Baseline: one
 * sleep-only workflow per deliverable with the same timers, over the same virtual span.
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
    const sink = await new SmtpSink().start();
    const mailer = createSmtpMailer(sink.url, 'Årshjul <arshjul@bench.example>');
    const taskQueue = `year-${variant}`;
    const worker = await createArshjulWorker({
      connection: env.nativeConnection,
      namespace: env.namespace ?? 'default',
      taskQueue,
      deps: { db: db.pool, mailer, clock: systemClock, publicUrl: 'https://arshjul.bench.example' },
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
        await mapLimit(plan.deliverables, 16, (d, i) =>
          env.client.workflow.start('benchSleepWorkflow', {
            args: [{ timers: d.actions.map((a) => a.instant), stayOpen: true }],
            workflowId: `sleep/${i}`,
            taskQueue,
          }),
        );
        if (kfDate) await sleepUntil(kfDate);
      }
      const now = await env.currentTimeMs();
      if (endMs > now) await env.sleep(endMs - now);
      const seconds = (Date.now() - t0) / 1000;
      const mails = Number(
        (await db.pool.query<{ n: string }>(`SELECT count(*) AS n FROM send_log WHERE status = 'sent'`)).rows[0]!.n,
      );
      runs.push({
        rep,
        variant,
        deliverables: plan.deliverables.length,
        timers: plan.deliverables.reduce((s, d) => s + d.actions.length, 0),
        mailsSent: mails,
        mailsReceived: sink.received.length,
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
      await db.drop();
    }
  }
  const pick = (v: Variant) => median(runs.filter((r) => r.variant === v).map((r) => r.seconds as number));
  const ours = pick('arshjul');
  const sleep = pick('sleep');
  return {
    id: 'year-simulation',
    title: 'Whole Stockholm 2027 cycle under the time-skipping server',
    mode: 'time-skipping',
    size: { deliverables: runs[0]?.deliverables as number, timers: runs[0]?.timers as number, reps: options.reps },
    figures: [
      goal('Årshjul wall time (cycle start → 30 days after the last action)', ours, 's', '≤ 60 s', ours <= 60),
      { name: 'baseline: sleep-only workflows, same timers', value: sleep, unit: 's' },
      { name: 'ratio sleep-only / Årshjul', value: round(sleep / ours, 3) },
      {
        name: 'mails sent (median run)',
        value: median(runs.filter((r) => r.variant === 'arshjul').map((r) => r.mailsSent as number)),
      },
    ],
    runs,
    notes: [
      'Each run: a new time-skipping server (its JVM start is shown apart, not in the wall time), a new database with the shipped registry stored, a loopback SMTP server, a worker in this process.',
      'The scale option does not apply: the cycle is the shipped one.',
    ],
    wallSeconds: round((Date.now() - wall) / 1000, 1),
  };
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
