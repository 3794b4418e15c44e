import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { listAuditEvents } from '../../src/db/audit-log';
import { listSends } from '../../src/db/send-log';
import { listDeliverableStatus } from '../../src/db/read-model';
import { withTransaction } from '../../src/db/database';
import { replaceRegistry } from '../../src/db/registry';
import { cycleCalendarSchema } from '../../src/domain/cycle-calendar';
import { addDays } from '../../src/domain/local-date';
import { legalDeadline } from '../../src/domain/business-days';
import { localDateOf } from '../../src/domain/zoned-time';
import {
  confirmMilestoneUpdate,
  cycleStatusQuery,
  moveDeadlineUpdate,
} from '../../src/workflows/budget-cycle-messages';
import { budgetCycleWorkflow, cycleWorkflowId } from '../../src/workflows/budget-cycle-workflow';
import {
  approveUpdate,
  deliverableViewQuery,
  exemptUpdate,
  grantExtensionUpdate,
  returnForCompletionUpdate,
  submitUpdate,
} from '../../src/workflows/deliverable-messages';
import { smallRegistry } from '../fixtures/small-registry';
import { registrySchema } from '../../src/domain/registry-schema';
import { recordHistoryIfAsked } from '../helpers/histories';
import { useRunningWorker } from '../helpers/stack';
import { sleepUntilStockholm, startTimeSkippingEnv } from '../helpers/temporal';
import { smallCalendar } from '../fixtures/small-calendar';
import { expectRefused } from '../helpers/update-refusals';

/**
 * The messages of a cycle and its deliverables on a small registry: every transition, and every
 * refusal leaving the workflow as it was. Under the time-skipping server.
 */
const TZ = 'Europe/Stockholm';
const DAY = 86_400_000;

const ctx = useRunningWorker(startTimeSkippingEnv, 'ts_cycle_small');

const sleepUntil = (date: string, time?: string): Promise<number> => sleepUntilStockholm(ctx.env, date, time);

describe('budgetCycleWorkflow and its deliverables', () => {
  it('runs every transition and refuses what cannot apply without changing anything', async () => {
    const today = localDateOf(new Date(await ctx.env.currentTimeMs()), TZ);
    const calendar = smallCalendar(today);
    const id = cycleWorkflowId('teststad', 2090);
    const cycle = await ctx.env.client.workflow.start(budgetCycleWorkflow, {
      args: [{ calendar, registry: smallRegistry }],
      workflowId: id,
      taskQueue: ctx.harness.taskQueue,
    });

    // A second start of the same cycle is refused, never duplicated.
    await expect(
      ctx.env.client.workflow.start(budgetCycleWorkflow, {
        args: [{ calendar, registry: smallRegistry }],
        workflowId: id,
        taskQueue: ctx.harness.taskQueue,
      }),
    ).rejects.toBeInstanceOf(WorkflowExecutionAlreadyStartedError);

    await sleepUntil(addDays(today, 8));
    const status = await cycle.query(cycleStatusQuery);
    expect(status.phases.map((p) => [p.id, p.stage])).toEqual([
      ['kf-budget', 'planned'],
      ['budgetunderlag', 'open'],
      ['verksamhetsplan', 'waiting-for-milestone'],
    ]);
    expect(status.phases[1]!.boards).toEqual(['farsta', 'jarva', 'kulturnamnden', 'stokab']);

    const farsta = ctx.env.client.workflow.getHandle(`${id}/budgetunderlag/farsta`);
    const before = await farsta.query(deliverableViewQuery);
    expect(before.state.stage).toBe('open');

    // Bad input names the field; the deliverable stays as it was.
    await expectRefused(
      farsta.executeUpdate(submitUpdate, { args: [{ documentRef: '', by: 'Farsta' }] }),
      'documentRef: must not be empty',
      { field: 'documentRef', problem: 'must not be empty', code: 'required' },
    );
    await expectRefused(
      farsta.executeUpdate(submitUpdate, { args: [{ documentRef: 'Dnr 1', by: 'Farsta', extra: 1 } as never] }),
      'extra: unknown field',
      { field: 'extra', code: 'unknown-field' },
    );
    await expectRefused(
      farsta.executeUpdate(approveUpdate, { args: [{ by: 'SLK' }] }),
      'stage: approve is not possible while the deliverable is open (öppen)',
      { field: 'stage', code: 'not-possible-in-stage', params: { action: 'approve', stage: 'open' } },
    );
    expect((await farsta.query(deliverableViewQuery)).state).toEqual(before.state);

    // Submit, return for completion with a new deadline, resubmit, approve.
    const submitted = await farsta.executeUpdate(submitUpdate, {
      args: [{ documentRef: 'Dnr 2090/1', decisionDate: addDays(today, 8), by: 'Farsta stadsdelsnämnd' }],
    });
    expect(submitted.stage).toBe('submitted');
    await expectRefused(
      farsta.executeUpdate(returnForCompletionUpdate, {
        args: [{ by: 'SLK', reason: 'Saknar LUP-åtgärder', deadline: today }],
      }),
      `deadline: must be after today (${addDays(today, 8)})`,
    );
    const newDeadline = addDays(today, 40);
    const returned = await farsta.executeUpdate(returnForCompletionUpdate, {
      args: [{ by: 'SLK', reason: 'Saknar LUP-åtgärder', deadline: newDeadline }],
    });
    expect(returned.stage).toBe('returned');
    const afterReturn = await farsta.query(deliverableViewQuery);
    expect(afterReturn.deadline).toBe(legalDeadline(newDeadline).date);
    expect(afterReturn.pending.find((a) => a.kind === 'deadline')?.localDate).toBe(afterReturn.deadline);
    await farsta.executeUpdate(submitUpdate, {
      args: [{ documentRef: 'Dnr 2090/1 rev', by: 'Farsta stadsdelsnämnd' }],
    });
    const approved = await farsta.executeUpdate(approveUpdate, { args: [{ by: 'SLK' }] });
    expect(approved.stage).toBe('approved');
    expect(await farsta.result()).toMatchObject({ stage: 'approved', late: false, escalationLevel: 0 });

    // An extension for one board; an exemption for another.
    const kultur = ctx.env.client.workflow.getHandle(`${id}/budgetunderlag/kulturnamnden`);
    await expectRefused(
      kultur.executeUpdate(grantExtensionUpdate, {
        args: [{ by: 'SLK', reason: 'Sent nämndsammanträde', deadline: addDays(today, 45) }],
      }),
      `deadline: must be after the current deadline (${(await kultur.query(deliverableViewQuery)).deadline})`,
    );
    await kultur.executeUpdate(grantExtensionUpdate, {
      args: [{ by: 'SLK', reason: 'Sent nämndsammanträde', deadline: addDays(today, 70) }],
    });
    expect((await kultur.query(deliverableViewQuery)).deadline).toBe(legalDeadline(addDays(today, 70)).date);
    const stokab = ctx.env.client.workflow.getHandle(`${id}/budgetunderlag/stokab`);
    await stokab.executeUpdate(exemptUpdate, { args: [{ by: 'SLK', reason: 'Redovisas via Stadshus AB' }] });
    expect(await stokab.result()).toMatchObject({ stage: 'exempt' });

    // Moving a group's deadline on the cycle reaches only that board.
    await expectRefused(
      cycle.executeUpdate(moveDeadlineUpdate, {
        args: [{ phaseId: 'nope', deadline: addDays(today, 55), by: 'SLK', reason: 'x' }],
      }),
      'phaseId: unknown deliverable phase nope',
    );
    await cycle.executeUpdate(moveDeadlineUpdate, {
      args: [
        {
          phaseId: 'budgetunderlag',
          deadline: addDays(today, 56),
          boards: ['jarva'],
          by: 'SLK',
          reason: 'Sammanträdet flyttat',
        },
      ],
    });
    await ctx.env.sleep(DAY);
    const jarva = await ctx.env.client.workflow.getHandle(`${id}/budgetunderlag/jarva`).query(deliverableViewQuery);
    expect(jarva.deadline).toBe(legalDeadline(addDays(today, 56)).date);
    const kulturKeepsItsExtension = await ctx.env.client.workflow
      .getHandle(`${id}/budgetunderlag/kulturnamnden`)
      .query(deliverableViewQuery);
    expect(kulturKeepsItsExtension.deadline).toBe(legalDeadline(addDays(today, 70)).date);

    // Moving the whole phase earlier than Kulturnämnden's own extension leaves the extension.
    await cycle.executeUpdate(moveDeadlineUpdate, {
      args: [{ phaseId: 'budgetunderlag', deadline: addDays(today, 58), by: 'SLK', reason: 'KS tidigarelägger' }],
    });
    await ctx.env.sleep(DAY);
    const afterPhaseMove = async (board: string) =>
      (await ctx.env.client.workflow.getHandle(`${id}/budgetunderlag/${board}`).query(deliverableViewQuery)).deadline;
    expect(await afterPhaseMove('jarva')).toBe(legalDeadline(addDays(today, 58)).date);
    expect(await afterPhaseMove('kulturnamnden')).toBe(legalDeadline(addDays(today, 70)).date);
    const kulturEvents = await listAuditEvents(ctx.harness.db.pool, `${id}/budgetunderlag/kulturnamnden`);
    expect(kulturEvents.find((e) => e.kind === 'deadline-move-not-applied')?.payload).toMatchObject({
      deadline: addDays(today, 58),
      keeps: addDays(today, 70),
    });

    // The verksamhetsplan opens when SLK confirms KF's decision, not before.
    await expectRefused(
      cycle.executeUpdate(confirmMilestoneUpdate, { args: [{ milestoneId: 'kf-budget', date: 'igår', by: 'SLK' }] }),
      'date: must be a date YYYY-MM-DD',
    );
    await sleepUntil(addDays(today, 22));
    expect((await cycle.query(cycleStatusQuery)).phases[2]!.stage).toBe('waiting-for-milestone');
    await cycle.executeUpdate(confirmMilestoneUpdate, {
      args: [{ milestoneId: 'kf-budget', date: addDays(today, 21), by: 'SLK' }],
    });
    await ctx.env.sleep(DAY);
    const vp = (await cycle.query(cycleStatusQuery)).phases[2]!;
    expect(vp.stage).toBe('open');
    await expectRefused(
      cycle.executeUpdate(confirmMilestoneUpdate, {
        args: [{ milestoneId: 'kf-budget', date: addDays(today, 21), by: 'SLK' }],
      }),
      `milestoneId: kf-budget was already confirmed on ${addDays(today, 21)}`,
    );

    await recordHistoryIfAsked(cycle, 'budget-cycle-running');
    await recordHistoryIfAsked(farsta, 'deliverable-returned-approved-notifies-cycle');
    await recordHistoryIfAsked(stokab, 'deliverable-exempt-notifies-cycle');
    await recordHistoryIfAsked(kultur, 'deliverable-own-deadline-kept-running');

    const readModel = await listDeliverableStatus(ctx.harness.db.pool, 'teststad', 2090);
    expect(readModel.map((r) => [r.phase_id, r.board_id, r.stage, r.deadline])).toEqual([
      ['budgetunderlag', 'farsta', 'approved', legalDeadline(addDays(today, 40)).date],
      ['budgetunderlag', 'jarva', 'open', legalDeadline(addDays(today, 58)).date],
      ['budgetunderlag', 'kulturnamnden', 'open', legalDeadline(addDays(today, 70)).date],
      ['budgetunderlag', 'stokab', 'exempt', legalDeadline(addDays(today, 50)).date],
      ['verksamhetsplan', 'farsta', 'open', legalDeadline(addDays(today, 60)).date],
      ['verksamhetsplan', 'jarva', 'open', legalDeadline(addDays(today, 60)).date],
      ['verksamhetsplan', 'kulturnamnden', 'open', legalDeadline(addDays(today, 60)).date],
      ['verksamhetsplan', 'stokab', 'open', legalDeadline(addDays(today, 60)).date],
    ]);

    const events = await listAuditEvents(ctx.harness.db.pool, `${id}/budgetunderlag/farsta`);
    expect(events.map((e) => e.kind)).toEqual([
      'deliverable-started',
      'opening-sent',
      'submitted',
      'returned',
      'deadline-changed',
      'returned-sent',
      'submitted',
      'approved',
      'approved-sent',
      'deliverable-finished',
    ]);
    // The board heard of both decisions, the reason and the new deadline included.
    const reviewMails = ctx.harness.sink.received.filter((m) =>
      /^(Återremitterad|Godkänd): Budgetunderlag från Farsta/.test(m.parsed.subject ?? ''),
    );
    expect(reviewMails.map((m) => [m.parsed.subject!.split(':')[0], m.envelope.to])).toEqual([
      ['Återremitterad', ['registrator.farsta@stockholm.example']],
      ['Godkänd', ['registrator.farsta@stockholm.example']],
    ]);
    expect(reviewMails[0]!.parsed.text).toContain('Skäl: Saknar LUP-åtgärder');
  });
});

describe('today, as a civil servant in Stockholm sees it', () => {
  it('refuses a new deadline of today just after midnight in Stockholm, when it is still yesterday in UTC', async () => {
    const today = localDateOf(new Date(await ctx.env.currentTimeMs()), TZ);
    const calendar = cycleCalendarSchema.parse({ ...smallCalendar(today), budgetYear: 2093 });
    const id = cycleWorkflowId('teststad', 2093);
    await ctx.env.client.workflow.start(budgetCycleWorkflow, {
      args: [{ calendar, registry: smallRegistry }],
      workflowId: id,
      taskQueue: ctx.harness.taskQueue,
    });
    await sleepUntil(addDays(today, 8));
    const farsta = ctx.env.client.workflow.getHandle(`${id}/budgetunderlag/farsta`);
    await farsta.executeUpdate(submitUpdate, { args: [{ documentRef: 'Dnr 2093/1', by: 'Farsta stadsdelsnämnd' }] });
    // 00:30 in Stockholm is 23:30 or 22:30 UTC of the day before.
    const stockholmDay = addDays(today, 12);
    await sleepUntil(stockholmDay, '00:30');
    expect(new Date(await ctx.env.currentTimeMs()).toISOString().slice(0, 10)).toBe(addDays(today, 11));
    await expectRefused(
      farsta.executeUpdate(returnForCompletionUpdate, {
        args: [{ by: 'SLK', reason: 'Komplettera', deadline: stockholmDay }],
      }),
      `deadline: must be after today (${stockholmDay})`,
    );
    const returned = await farsta.executeUpdate(returnForCompletionUpdate, {
      args: [{ by: 'SLK', reason: 'Komplettera', deadline: addDays(stockholmDay, 1) }],
    });
    expect(returned.stage).toBe('returned');
    await recordHistoryIfAsked(farsta, 'deliverable-returned-stockholm-today-running');
  });
});

describe('a merger during the cycle', () => {
  it('hands the open deliverable to the successor board, whose contacts get the later mails', async () => {
    const today = localDateOf(new Date(await ctx.env.currentTimeMs()), TZ);
    const mergerDay = addDays(today, 40);
    const contact = (board: string) => [
      { role: 'registrator' as const, email: `registrator.${board}@stockholm.example` },
    ];
    const registry = registrySchema.parse({
      municipality: 'teststad',
      organisations: [
        {
          id: 'norrmalm',
          name: 'Norrmalms stadsdelsnämnd',
          kind: 'stadsdelsnamnd',
          validFrom: '2007-01-01',
          validTo: addDays(mergerDay, -1),
          successorId: 'norra-innerstaden',
          contacts: contact('norrmalm'),
        },
        {
          id: 'norra-innerstaden',
          name: 'Norra innerstadens stadsdelsnämnd',
          kind: 'stadsdelsnamnd',
          validFrom: mergerDay,
          contacts: contact('norra-innerstaden'),
        },
        {
          id: 'ytterstadsutskottet',
          name: 'Utskottet',
          kind: 'utskott',
          validFrom: '2007-01-01',
          contacts: contact('utskottet'),
        },
      ],
    });
    const calendar = cycleCalendarSchema.parse({
      municipality: 'teststad',
      budgetYear: 2091,
      openingOnNonBusinessDay: 'stay', // days from today, whatever weekday that is
      phases: [
        {
          id: 'tertialrapport-1',
          kind: 'deliverable',
          name: 'Tertialrapport 1',
          opens: { date: addDays(today, 7) },
          deadline: addDays(today, 60),
          coversPeriod: true,
        },
      ],
    });
    const id = cycleWorkflowId('teststad', 2091);
    await ctx.env.client.workflow.start(budgetCycleWorkflow, {
      args: [{ calendar, registry }],
      workflowId: id,
      taskQueue: ctx.harness.taskQueue,
    });
    const before = ctx.harness.sink.received.length;
    await sleepUntil(addDays(calendar.phases[0]!.kind === 'deliverable' ? calendar.phases[0]!.deadline : '', 10));

    const deliverable = ctx.env.client.workflow.getHandle(`${id}/tertialrapport-1/norrmalm`);
    await recordHistoryIfAsked(deliverable, 'deliverable-handed-over-running');
    const view = await deliverable.query(deliverableViewQuery);
    expect(view).toMatchObject({ boardId: 'norrmalm', answeringBoardId: 'norra-innerstaden' });
    const mails = ctx.harness.sink.received
      .slice(before)
      .filter((m) => m.parsed.subject!.includes('Tertialrapport 1'))
      .map((m) => [m.parsed.subject!.split(':')[0], m.envelope.to.join(' ')]);
    // Opening and the 28-day reminder before the merger; the last reminders and the escalations after.
    expect(mails.map(([kind, to]) => `${kind} → ${to}`)).toEqual([
      'Öppnad → registrator.norrmalm@stockholm.example',
      'Påminnelse → registrator.norrmalm@stockholm.example',
      'Påminnelse → registrator.norra-innerstaden@stockholm.example',
      'Sista dag i dag → registrator.norra-innerstaden@stockholm.example',
      'Försenad leverans → registrator.utskottet@stockholm.example',
    ]);
    // Step 1 goes to förvaltningschef, VD and ordförande: this registry has none, so it is
    // recorded as failed (shown, never retried) and the ladder goes on.
    const sends = await listSends(ctx.harness.db.pool, `${id}/tertialrapport-1/norrmalm`);
    expect(sends.filter((r) => r.status === 'failed').map((r) => [r.kind, r.last_error])).toEqual([
      ['escalation-1', 'no address for forvaltningschef, vd, ordforande in the registry'],
    ]);
    const events = await listAuditEvents(ctx.harness.db.pool, `${id}/tertialrapport-1/norrmalm`);
    expect(events.find((e) => e.kind === 'handed-over')?.payload).toMatchObject({
      from: 'norrmalm',
      to: 'norra-innerstaden',
      on: mergerDay,
      snapshot: { boardId: 'norrmalm', answeringBoardId: 'norra-innerstaden' },
    });
  });
});

describe('recipients resolved at send time', () => {
  it('sends later mails to a contact changed after the phase opened', async () => {
    const today = localDateOf(new Date(await ctx.env.currentTimeMs()), TZ);
    const withMailbox = (email: string) =>
      registrySchema.parse({
        municipality: 'provstad',
        organisations: [
          {
            id: 'kulturnamnden',
            name: 'Kulturnämnden',
            kind: 'facknamnd',
            validFrom: '2007-01-01',
            contacts: [{ role: 'registrator', email }],
          },
        ],
      });
    const registry = withMailbox('registrator.kultur@stockholm.example');
    await withTransaction(ctx.harness.db.pool, (tx) => replaceRegistry(tx, registry));
    const calendar = cycleCalendarSchema.parse({
      municipality: 'provstad',
      budgetYear: 2094,
      openingOnNonBusinessDay: 'stay', // days from today, whatever weekday that is
      phases: [
        {
          id: 'verksamhetsplan',
          kind: 'deliverable',
          name: 'Verksamhetsplan 2094',
          opens: { date: addDays(today, 2) },
          deadline: addDays(today, 20),
        },
      ],
    });
    const id = cycleWorkflowId('provstad', 2094);
    await ctx.env.client.workflow.start(budgetCycleWorkflow, {
      args: [{ calendar, registry }],
      workflowId: id,
      taskQueue: ctx.harness.taskQueue,
    });
    await sleepUntil(addDays(today, 3));
    // SLK corrects the mailbox after the phase opened.
    await withTransaction(ctx.harness.db.pool, (tx) =>
      replaceRegistry(tx, withMailbox('diariet.kultur@stockholm.example')),
    );
    // Noon on the deadline day (wherever the law puts it): both reminders have gone, no escalation yet.
    await sleepUntil(legalDeadline(addDays(today, 20)).date);

    const mails = ctx.harness.sink.received
      .filter((m) => m.parsed.subject?.includes('Verksamhetsplan 2094'))
      .map((m) => `${m.parsed.subject!.split(':')[0]} → ${m.envelope.to.join(' ')}`);
    expect(mails).toEqual([
      'Öppnad → registrator.kultur@stockholm.example',
      'Påminnelse → diariet.kultur@stockholm.example',
      'Påminnelse → diariet.kultur@stockholm.example',
      'Sista dag i dag → diariet.kultur@stockholm.example',
    ]);
    const events = await listAuditEvents(ctx.harness.db.pool, `${id}/verksamhetsplan/kulturnamnden`);
    expect(events.filter((e) => e.kind === 'reminder-sent').map((e) => e.payload.recipientsFrom)).toEqual([
      'registry',
      'registry',
      'registry',
    ]);
  });
});

describe('escalations resolved at send time', () => {
  it('reaches the group parent and the committee as the stored registry has them when the step falls due', async () => {
    const today = localDateOf(new Date(await ctx.env.currentTimeMs()), TZ);
    const registry = (stadshusMailbox: string) =>
      registrySchema.parse({
        municipality: 'bolagsstad',
        organisations: [
          {
            id: 'hamnen',
            name: 'Hamnbolaget AB',
            kind: 'bolagsstyrelse',
            validFrom: '2007-01-01',
            parentId: 'stadshus',
            contacts: [{ role: 'vd', email: 'vd.hamnen@stockholm.example' }],
          },
          {
            id: 'stadshus',
            name: 'Stadshus AB',
            kind: 'koncernmoder',
            validFrom: '2007-01-01',
            contacts: [{ role: 'registrator', email: stadshusMailbox }],
          },
          {
            id: 'utskottet',
            name: 'Utskottet',
            kind: 'utskott',
            validFrom: '2007-01-01',
            contacts: [{ role: 'registrator', email: 'registrator.utskottet@stockholm.example' }],
          },
        ],
      });
    await withTransaction(ctx.harness.db.pool, (tx) =>
      replaceRegistry(tx, registry('registrator.stadshus@stockholm.example')),
    );
    const calendar = cycleCalendarSchema.parse({
      municipality: 'bolagsstad',
      budgetYear: 2095,
      openingOnNonBusinessDay: 'stay', // days from today, whatever weekday that is
      phases: [
        {
          id: 'tertialrapport-1',
          kind: 'deliverable',
          name: 'Tertialrapport 1 2095',
          opens: { date: addDays(today, 2) },
          deadline: addDays(today, 20),
        },
      ],
    });
    const id = cycleWorkflowId('bolagsstad', 2095);
    await ctx.env.client.workflow.start(budgetCycleWorkflow, {
      args: [{ calendar, registry: registry('registrator.stadshus@stockholm.example') }],
      workflowId: id,
      taskQueue: ctx.harness.taskQueue,
    });
    await sleepUntil(addDays(today, 3));
    // The group parent's mailbox changes after the phase opened; the plan still has the old one.
    await withTransaction(ctx.harness.db.pool, (tx) =>
      replaceRegistry(tx, registry('diariet.stadshus@stockholm.example')),
    );
    await sleepUntil(addDays(legalDeadline(addDays(today, 20)).date, 12));

    const escalations = ctx.harness.sink.received
      .filter((m) => m.parsed.subject?.includes('Tertialrapport 1 2095') && m.parsed.subject.includes('eskalering'))
      .map((m) => `${m.parsed.subject!.match(/steg (\d)/)?.[1]} → ${m.envelope.to.join(' ')}`);
    expect(escalations).toEqual([
      '1 → vd.hamnen@stockholm.example',
      '2 → diariet.stadshus@stockholm.example',
      '3 → registrator.utskottet@stockholm.example',
    ]);
  });
});
