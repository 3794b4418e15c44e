import { listDeliverableStatus, rebuildReadModel } from '../../src/db/read-model';
import { SendLogRow } from '../../src/db/send-log';
import { replaceRegistry } from '../../src/db/registry';
import { holidayName, legalDeadline } from '../../src/domain/business-days';
import { CycleCalendar, deliverablePhaseSchema } from '../../src/domain/cycle-calendar';
import { withPhaseDeadline } from '../../src/domain/phase-deadline';
import { addDays, LocalDate } from '../../src/domain/local-date';
import { DeliverablePlan, planCycle, PlannedAction } from '../../src/domain/planner';
import { formatWithOffset, localTimeOf } from '../../src/domain/zoned-time';
import {
  confirmMilestoneUpdate,
  cycleStatusQuery,
  moveDeadlineUpdate,
} from '../../src/workflows/budget-cycle-messages';
import { budgetCycleWorkflow, cycleWorkflowId } from '../../src/workflows/budget-cycle-workflow';
import {
  approveUpdate,
  deliverableViewQuery,
  grantExtensionUpdate,
  returnForCompletionUpdate,
  submitUpdate,
} from '../../src/workflows/deliverable-messages';
import { shippedCalendarAhead, stockholmRegistry } from '../helpers/calendars';
import { useRunningWorker } from '../helpers/stack';
import { sleepUntilStockholm, startTimeSkippingEnv } from '../helpers/temporal';

/**
 * A whole Stockholm cycle (budget year 2028 as shipped, moved ahead of the server's clock) for
 * every board, under the time-skipping server: about 25 months in minutes. Every notification's
 * virtual instant is checked against the planner.
 */
const TZ = 'Europe/Stockholm';
const DAY = 86_400_000;

const ctx = useRunningWorker(startTimeSkippingEnv, 'ts_cycle_stockholm');

const sleepUntil = (date: string, time?: string): Promise<number> => sleepUntilStockholm(ctx.env, date, time);

function midsommarafton(year: number): LocalDate {
  for (let day = 19; day <= 25; day++) {
    const date = `${year}-06-${day}`;
    if (holidayName(date) === 'midsommarafton') return date;
  }
  throw new Error(`no midsommarafton in ${year}`);
}

const NOTIFYING = new Set(['opening', 'reminder', 'escalation']);
const sends = (plan: DeliverablePlan, keep: (a: PlannedAction) => boolean = () => true) =>
  plan.actions
    .filter((a) => NOTIFYING.has(a.kind) && keep(a))
    .map((a) => `${a.id}@${new Date(a.instant).toISOString()}`);

describe('a whole Stockholm cycle under the time-skipping server', () => {
  it('sends every planned notification at its virtual instant, and none that became moot', async () => {
    const wallStart = Date.now();
    const registry = stockholmRegistry();
    const base = shippedCalendarAhead(2028, await ctx.env.currentTimeMs());
    const t1 = base.phases.find((p) => p.id === 'tertialrapport-1')!;
    const year = Number((t1.kind === 'deliverable' ? t1.deadline : '').slice(0, 4));
    const midsommar = midsommarafton(year);
    const calendar: CycleCalendar = {
      ...base,
      phases: [
        // This test follows the year's mails: its boards hand in references, not report answers
        // (which the report tests cover), so the phases name no template here.
        ...base.phases.map((p) => (p.kind === 'deliverable' ? { ...p, template: undefined } : p)),
        deliverablePhaseSchema.parse({
          id: 'midsommarleverans',
          kind: 'deliverable',
          name: 'Extra leverans före midsommar',
          audience: { boards: ['farsta'] },
          opens: { date: addDays(midsommar, -21) },
          deadline: midsommar,
        }),
      ],
    };
    const phase = (id: string) => calendar.phases.find((p) => p.id === id)!;
    const deliverable = (id: string) => {
      const p = phase(id);
      if (p.kind !== 'deliverable') throw new Error(id);
      return p;
    };
    const opensOn = (id: string) => {
      const p = deliverable(id);
      return 'date' in p.opens ? p.opens.date : '';
    };
    const plan = planCycle(calendar, registry);
    // Stored as a deployment stores it: recipients and the content rules read it at send and submit time.
    await replaceRegistry(ctx.harness.db.pool, registry);
    const id = cycleWorkflowId(calendar.municipality, calendar.budgetYear);
    const cycle = await ctx.env.client.workflow.start(budgetCycleWorkflow, {
      args: [{ calendar, registry }],
      workflowId: id,
      taskQueue: ctx.harness.taskQueue,
    });
    const child = (phaseId: string, board: string) => ctx.env.client.workflow.getHandle(`${id}/${phaseId}/${board}`);

    // Budgetunderlag: Farsta submits, is returned for completion, resubmits, is approved.
    await sleepUntil(addDays(opensOn('budgetunderlag'), 1));
    const farstaBu = child('budgetunderlag', 'farsta');
    await farstaBu.executeUpdate(submitUpdate, { args: [{ documentRef: 'Dnr BU-1', by: 'Farsta stadsdelsnämnd' }] });
    await sleepUntil(addDays(opensOn('budgetunderlag'), 10));
    await farstaBu.executeUpdate(returnForCompletionUpdate, {
      args: [
        { by: 'SLK', reason: 'LUP-åtgärderna saknas', deadline: addDays(deliverable('budgetunderlag').deadline, 14) },
      ],
    });
    await sleepUntil(addDays(opensOn('budgetunderlag'), 20));
    await farstaBu.executeUpdate(submitUpdate, {
      args: [{ documentRef: 'Dnr BU-1 komplettering', by: 'Farsta stadsdelsnämnd' }],
    });
    await farstaBu.executeUpdate(approveUpdate, { args: [{ by: 'SLK' }] });

    // KF decides the budget; SLK confirms it that day at noon and the operational plans open.
    const kf = phase('kf-budget');
    const kfDate = kf.kind === 'milestone' ? kf.date : '';
    await sleepUntil(kfDate);
    await cycle.executeUpdate(confirmMilestoneUpdate, {
      args: [{ milestoneId: 'kf-budget', date: kfDate, by: 'SLK' }],
    });

    // Tertialrapport 1: an extension for Kulturnämnden three days after opening.
    const extendedAt = await sleepUntil(addDays(opensOn('tertialrapport-1'), 3));
    const kulturDeadline = addDays(deliverable('tertialrapport-1').deadline, 10);
    await child('tertialrapport-1', 'kulturnamnden').executeUpdate(grantExtensionUpdate, {
      args: [{ by: 'SLK', reason: 'Nämnden sammanträder senare', deadline: kulturDeadline }],
    });

    // Tertialrapport 2: SLK moves the deadline for every board, two days after opening.
    const movedAt = await sleepUntil(addDays(opensOn('tertialrapport-2'), 2));
    const t2Deadline = addDays(deliverable('tertialrapport-2').deadline, 7);
    await cycle.executeUpdate(moveDeadlineUpdate, {
      args: [{ phaseId: 'tertialrapport-2', deadline: t2Deadline, by: 'SLK', reason: 'KS sammanträde flyttat' }],
    });

    // Run to well past the last escalation of the cycle.
    const lastAction = plan.actions[plan.actions.length - 1]!;
    await sleepUntil(addDays(lastAction.localDate, 30));

    // ---- What should have been sent, from the planner ----
    const t2Replanned = planCycle(withPhaseDeadline(calendar, 'tertialrapport-2', t2Deadline), registry);
    const kulturExtended = planCycle(
      withPhaseDeadline(calendar, 'tertialrapport-1', kulturDeadline),
      registry,
    ).deliverables.find((x) => x.phaseId === 'tertialrapport-1' && x.boardId === 'kulturnamnden')!;
    const expected = new Set<string>();
    for (const d of plan.deliverables) {
      const wf = `${id}/${d.phaseId}/${d.boardId}`;
      let keys: string[];
      if (d.phaseId === 'budgetunderlag' && d.boardId === 'farsta') {
        keys = sends(d, (a) => a.kind === 'opening'); // submitted the next day; resubmitted before any new reminder
      } else if (d.phaseId === 'tertialrapport-1' && d.boardId === 'kulturnamnden') {
        keys = [
          ...sends(d, (a) => Date.parse(a.instant) < extendedAt),
          ...sends(kulturExtended, (a) => a.kind !== 'opening' && Date.parse(a.instant) > extendedAt),
        ];
      } else if (d.phaseId === 'tertialrapport-2') {
        const moved = t2Replanned.deliverables.find((x) => x.phaseId === d.phaseId && x.boardId === d.boardId)!;
        keys = [
          ...sends(d, (a) => Date.parse(a.instant) < movedAt),
          ...sends(moved, (a) => a.kind !== 'opening' && Date.parse(a.instant) > movedAt),
        ];
      } else {
        keys = sends(d);
      }
      for (const key of keys) expected.add(`${wf}#${key}`);
    }

    const rows = (
      await ctx.harness.db.pool.query<SendLogRow>(
        `SELECT * FROM send_log WHERE workflow_id LIKE $1 ORDER BY planned_at, idempotency_key`,
        [`${id}/%`],
      )
    ).rows;
    // SLK's review decisions are mailed too, at the moment of the decision (not planned).
    const reviews = rows.filter((r) => r.kind === 'returned' || r.kind === 'approved');
    expect(reviews.map((r) => [r.workflow_id, r.kind])).toEqual([
      [`${id}/budgetunderlag/farsta`, 'returned'],
      [`${id}/budgetunderlag/farsta`, 'approved'],
    ]);
    rows.splice(0, rows.length, ...rows.filter((r) => !reviews.includes(r)));
    const actual = new Set(rows.map((r) => r.idempotency_key));
    expect([...actual].filter((k) => !expected.has(k))).toEqual([]); // nothing unplanned or moot was sent
    expect([...expected].filter((k) => !actual.has(k))).toEqual([]); // nothing planned was lost
    expect(rows.every((r) => r.status === 'sent')).toBe(true);

    // The old plan's later reminders and escalations were dropped when the deadline moved.
    const superseded = (d: DeliverablePlan | undefined, since: number) =>
      sends(d!, (a) => a.kind !== 'opening' && Date.parse(a.instant) > since).map(
        (k) => `${id}/${d!.phaseId}/${d!.boardId}#${k}`,
      );
    const oldT2 = superseded(
      plan.deliverables.find((d) => d.phaseId === 'tertialrapport-2' && d.boardId === 'farsta'),
      movedAt,
    );
    const oldKultur = superseded(
      plan.deliverables.find((d) => d.phaseId === 'tertialrapport-1' && d.boardId === 'kulturnamnden'),
      extendedAt,
    );
    expect(oldT2.length).toBeGreaterThanOrEqual(3);
    expect(oldKultur.length).toBeGreaterThanOrEqual(3);
    expect([...oldT2, ...oldKultur].filter((k) => actual.has(k))).toEqual([]);

    // Each mail went out at its planned virtual instant (openings after a milestone: that day).
    const fired = await ctx.harness.db.pool.query<{ event_key: string; occurred_at: Date }>(
      `SELECT event_key, occurred_at FROM audit_log WHERE workflow_id LIKE $1 AND kind IN ('opening-sent', 'reminder-sent', 'escalation-sent')`,
      [`${id}/%`],
    );
    const firedAt = new Map(fired.rows.map((r) => [r.event_key.replace(/#sent$/, ''), r.occurred_at.getTime()]));
    expect(firedAt.size).toBe(rows.length);
    for (const row of rows) {
      const lateness = firedAt.get(row.idempotency_key)! - row.planned_at.getTime();
      const afterMilestone = row.idempotency_key.includes('/verksamhetsplan/') && row.kind === 'opening';
      expect([row.idempotency_key, lateness >= 0 && lateness < (afterMilestone ? DAY : 60_000)]).toEqual([
        row.idempotency_key,
        true,
      ]);
      if (row.kind !== 'opening') expect(localTimeOf(row.planned_at, TZ)).toBe('08:00');
    }
    // Both sides of the daylight-saving changes are in the run, all at 08:00 local.
    const offsets = new Set(rows.map((r) => formatWithOffset(r.planned_at, TZ).slice(-6)));
    expect(offsets).toEqual(new Set(['+01:00', '+02:00']));

    // Every mail reached the SMTP server once.
    expect(ctx.harness.sink.received.length).toBe(rows.length + reviews.length);
    expect(new Set(ctx.harness.sink.received.map((m) => m.parsed.messageId)).size).toBe(rows.length + reviews.length);

    // The midsommarafton deadline moved to the next business day; escalations count from there.
    const mids = await child('midsommarleverans', 'farsta').query(deliverableViewQuery);
    expect(mids.deadline).toBe(legalDeadline(midsommar).date);
    expect(mids.deadline).not.toBe(midsommar);
    expect(mids.state).toMatchObject({ stage: 'open', late: true, escalationLevel: 3 });

    // A company board that never delivers climbs to the committee through Stockholms Stadshus AB.
    const bostader = ctx.harness.sink.received
      .filter((m) => m.parsed.subject?.includes('AB Svenska Bostäder') && m.parsed.subject.includes('Budgetunderlag'))
      .map((m) => [m.parsed.subject!.match(/steg (\d)/)?.[1], m.envelope.to.sort().join(' ')]);
    expect(bostader).toEqual([
      ['1', 'ordforande.svenska-bostader@stockholm.example vd.svenska-bostader@stockholm.example'],
      ['2', 'registrator.stockholms-stadshus@stockholm.example'],
      ['3', 'registrator.ytterstadsutskottet@stockholm.example'],
    ]);
    expect((await child('budgetunderlag', 'svenska-bostader').query(deliverableViewQuery)).state.escalationLevel).toBe(
      3,
    );
    expect((await farstaBu.query(deliverableViewQuery)).state.stage).toBe('approved');

    // The read model agrees, and rebuilding it from the audit log gives the same rows.
    const readModel = await listDeliverableStatus(ctx.harness.db.pool, 'stockholm', calendar.budgetYear);
    expect(readModel).toHaveLength(plan.deliverables.length);
    const row = (phaseId: string, boardId: string) =>
      readModel.find((r) => r.phase_id === phaseId && r.board_id === boardId);
    expect(row('budgetunderlag', 'farsta')).toMatchObject({ stage: 'approved', late: false, escalation_level: 0 });
    expect(row('budgetunderlag', 'svenska-bostader')).toMatchObject({ stage: 'open', late: true, escalation_level: 3 });
    expect(row('tertialrapport-1', 'kulturnamnden')?.deadline).toBe(legalDeadline(kulturDeadline).date);
    expect(row('midsommarleverans', 'farsta')?.deadline).toBe(legalDeadline(midsommar).date);
    expect(readModel.filter((r) => r.stage === 'open' && r.late && r.escalation_level === 3)).toHaveLength(
      plan.deliverables.length - 1,
    );
    await rebuildReadModel(ctx.harness.db.pool);
    expect(await listDeliverableStatus(ctx.harness.db.pool, 'stockholm', calendar.budgetYear)).toEqual(readModel);

    const status = await cycle.query(cycleStatusQuery);
    expect(status.phases.filter((p) => p.kind === 'deliverable').every((p) => p.stage === 'open')).toBe(true);
    const history = await cycle.fetchHistory();
    process.stderr.write(
      `Stockholm cycle ${calendar.budgetYear}: ${plan.deliverables.length} deliverables, ${rows.length} mails, ` +
        `cycle history ${history.events?.length} events, wall time ${((Date.now() - wallStart) / 1000).toFixed(1)} s\n`,
    );
  }, 900_000);
});
