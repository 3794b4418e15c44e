import { WorkflowUpdateFailedError } from '@temporalio/client';
import { listAuditEvents } from '../../src/db/audit-log';
import { listDeliverableStatus } from '../../src/db/read-model';
import { legalDeadline } from '../../src/domain/business-days';
import { addBusinessDays } from '../../src/domain/business-days';
import { cycleCalendarSchema } from '../../src/domain/cycle-calendar';
import { addDays } from '../../src/domain/local-date';
import { localDateOf } from '../../src/domain/zoned-time';
import { RequestSupplementInput, requestSupplementUpdate } from '../../src/workflows/budget-cycle-messages';
import { budgetCycleWorkflow, cycleWorkflowId } from '../../src/workflows/budget-cycle-workflow';
import { deliverableViewQuery, submitUpdate } from '../../src/workflows/deliverable-messages';
import { smallRegistry } from '../fixtures/small-registry';
import { recordHistoryIfAsked } from '../helpers/histories';
import { useRunningWorker } from '../helpers/stack';
import { sleepUntilStockholm, startTimeSkippingEnv } from '../helpers/temporal';

/**
 * The committee's supplementary report (komplettering, issue 14) under the time-skipping server:
 * a request starts one deliverable for one board with the planner's deadline and ladders, which
 * then reminds and escalates as any other.
 */
const TZ = 'Europe/Stockholm';

const ctx = useRunningWorker(startTimeSkippingEnv, 'ts_cycle_supplement');

async function refusal(attempt: Promise<unknown>): Promise<{ message: string; details: unknown }> {
  const error = await attempt.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(WorkflowUpdateFailedError);
  const cause = (error as WorkflowUpdateFailedError).cause as Error & { details?: unknown[] };
  return { message: cause.message, details: cause.details?.[0] };
}

describe('a supplement the committee requests from a board', () => {
  it('starts one deliverable per request id that reminds, falls late and escalates; refuses bad input', async () => {
    const today = localDateOf(new Date(await ctx.env.currentTimeMs()), TZ);
    const calendar = cycleCalendarSchema.parse({
      municipality: 'teststad',
      budgetYear: 2091,
      phases: [
        // Opens long after this test: the cycle stays running and starts nothing of its own.
        {
          id: 'arsredovisning',
          kind: 'deliverable',
          name: 'Årsredovisning',
          opens: { date: addDays(today, 200) },
          deadline: addDays(today, 230),
        },
      ],
    });
    const id = cycleWorkflowId('teststad', 2091);
    const cycle = await ctx.env.client.workflow.start(budgetCycleWorkflow, {
      args: [{ calendar, registry: smallRegistry }],
      workflowId: id,
      taskQueue: ctx.harness.taskQueue,
    });
    const ask = (input: Partial<RequestSupplementInput>) =>
      cycle.executeUpdate(requestSupplementUpdate, { args: [input as RequestSupplementInput] });
    const good: RequestSupplementInput = {
      requestId: 'r1',
      boardId: 'farsta',
      what: 'Redovisa hur LUP-åtgärderna i Fisksätra följs upp',
      deadline: addDays(today, 14),
      by: 'ledamot-1',
    };

    // Bad input names the field and starts nothing.
    expect(await refusal(ask({ ...good, boardId: 'nowhere' }))).toMatchObject({
      details: { field: 'boardId', code: 'not-in-registry' },
    });
    expect(await refusal(ask({ ...good, what: '  ' }))).toMatchObject({ message: 'what: must say what is asked' });
    expect(await refusal(ask({ ...good, deadline: today }))).toMatchObject({
      message: 'deadline: must be after today',
      details: { code: 'not-in-future', params: { today } },
    });
    expect(await refusal(ask({ ...good, deadline: '2091-02-30' }))).toMatchObject({
      details: { field: 'deadline', code: 'bad-date' },
    });
    expect(await refusal(ask({ ...good, requestId: 'R 1' }))).toMatchObject({ details: { field: 'requestId' } });
    expect((await listAuditEvents(ctx.harness.db.pool, id)).map((e) => e.kind)).not.toContain('supplement-requested');

    // The request, then the same request again (a retry): one deliverable.
    const deadline = legalDeadline(good.deadline).date;
    const first = await ask(good);
    expect(first).toMatchObject({
      phaseId: 'komplettering-r1',
      boardId: 'farsta',
      workflowId: `${id}/komplettering-r1/farsta`,
      deadline,
      name: `Komplettering: ${good.what}`,
    });
    expect(await ask(good)).toEqual(first);
    expect(await refusal(ask({ ...good, boardId: 'jarva' }))).toMatchObject({
      details: { field: 'requestId', code: 'duplicate', params: { board: 'farsta' } },
    });
    const requested = (await listAuditEvents(ctx.harness.db.pool, id)).filter((e) => e.kind === 'supplement-requested');
    expect(requested).toHaveLength(1);
    expect(requested[0]).toMatchObject({
      actor: 'ledamot-1',
      payload: { requestId: 'r1', boardId: 'farsta', what: good.what, deadline },
    });

    const child = ctx.env.client.workflow.getHandle(first.workflowId);
    const view = await child.query(deliverableViewQuery);
    expect(view.deadline).toBe(deadline);
    const kinds = view.pending.map((a) => a.kind);
    expect(kinds.filter((k) => k === 'reminder').length).toBeGreaterThanOrEqual(2);
    expect(kinds.filter((k) => k === 'escalation')).toHaveLength(2); // level 2 is for companies only

    // A reminder before the deadline, then the first escalation once it has passed.
    const mailsTo = () =>
      ctx.harness.sink.received
        .filter((m) => m.parsed.subject?.includes('Komplettering: Redovisa'))
        .map((m) => [m.parsed.subject!.split(':')[0], m.envelope.to.join(' ')]);
    const escalationDay = addBusinessDays(deadline, 1);
    await sleepUntilStockholm(ctx.env, escalationDay, '12:00');
    expect(mailsTo()).toEqual(
      expect.arrayContaining([
        ['Öppnad', 'registrator.farsta@stockholm.example'],
        ['Påminnelse', 'registrator.farsta@stockholm.example'],
        ['Sista dag i dag', 'registrator.farsta@stockholm.example'],
      ]),
    );
    const escalations = mailsTo().filter(([kind]) => kind === 'Försenad leverans');
    expect(escalations).toHaveLength(1);

    // Handed in late: it finishes, late and escalated, in the read model as any deliverable.
    const handedIn = await child.executeUpdate(submitUpdate, { args: [{ documentRef: 'Dnr K-1', by: 'Farsta' }] });
    expect(handedIn).toMatchObject({ stage: 'submitted', late: true, escalationLevel: 1 });
    await child.result();
    const row = (await listDeliverableStatus(ctx.harness.db.pool, 'teststad', 2091)).find(
      (r) => r.phase_id === 'komplettering-r1',
    );
    expect(row).toMatchObject({ board_id: 'farsta', stage: 'submitted', late: true, escalation_level: 1 });

    // Two members at the same moment, different requests: both started, in the record in order.
    const [a, b] = await Promise.all([
      ask({ ...good, requestId: 'r2', boardId: 'jarva', deadline: addDays(escalationDay, 10), by: 'ledamot-2' }),
      ask({
        ...good,
        requestId: 'r3',
        boardId: 'kulturnamnden',
        deadline: addDays(escalationDay, 10),
        by: 'ledamot-3',
      }),
    ]);
    expect([a.workflowId, b.workflowId]).toEqual([
      `${id}/komplettering-r2/jarva`,
      `${id}/komplettering-r3/kulturnamnden`,
    ]);
    for (const started of [a, b]) {
      expect((await ctx.env.client.workflow.getHandle(started.workflowId).describe()).status.name).toBe('RUNNING');
    }
    const record = (await listAuditEvents(ctx.harness.db.pool, id)).filter((e) => e.kind === 'supplement-requested');
    expect(record.map((e) => e.payload.requestId).sort()).toEqual(['r1', 'r2', 'r3']);
    const seqs = record.map((e) => Number(e.seq));
    expect(new Set(seqs).size).toBe(3);
    expect([...seqs].sort((x, y) => x - y)).toEqual(seqs);

    await recordHistoryIfAsked(cycle, 'budget-cycle-supplements-running');
    await recordHistoryIfAsked(child, 'deliverable-supplement-late-escalated');
  });
});
