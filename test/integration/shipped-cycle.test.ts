import { shippedTemplatesDir, templateIdsOf, templateLookup } from '../../src/client/templates';
import { startCycle, startDistrictLups } from '../../src/client/start-cycles';
import { withTransaction } from '../../src/db/database';
import { loadRegistrySnapshot } from '../../src/db/phase-plans';
import { listDeliverableStatus } from '../../src/db/read-model';
import { loadStoredRegistry, replaceRegistry } from '../../src/db/registry';
import { CycleCalendar } from '../../src/domain/cycle-calendar';
import { addDays } from '../../src/domain/local-date';
import { nameOn, organisationsOn } from '../../src/domain/organisations';
import { planCycle } from '../../src/domain/planner';
import { localDateOf } from '../../src/domain/zoned-time';
import { BudgetCycleInput, cycleWorkflowId } from '../../src/workflows/budget-cycle-workflow';
import { lupViewQuery, lupWorkflowId } from '../../src/workflows/lup-messages';
import { shippedCalendarAhead, stockholmRegistry } from '../helpers/calendars';
import { eventually } from '../helpers/eventually';
import { useRunningWorker } from '../helpers/stack';
import { sleepUntilStockholm, startTimeSkippingEnv } from '../helpers/temporal';

/**
 * A cycle from a shipped calendar on the shipped registry, started as `npm start` starts one
 * (startCycle, then the districts' LUP workflows): the districts get their LUP stage and a LUP
 * workflow each, and the boards with phases of their own (Valnämnden, Revisorskollegiet) only
 * those. The phases keep the shipped audiences, templates and LUP stages; their dates are moved
 * to open tomorrow, so that one short skip opens them all.
 */
const ctx = useRunningWorker(startTimeSkippingEnv, 'shipped_cycle');
const KEPT = ['lup-analys', 'budgetunderlag', 'tertialrapport-1'];
let calendar: CycleCalendar;
let day0: string;

beforeAll(async () => {
  const now = await ctx.env.currentTimeMs();
  day0 = localDateOf(new Date(now), 'Europe/Stockholm');
  const shipped = shippedCalendarAhead(2028, now);
  calendar = {
    ...shipped,
    openingOnNonBusinessDay: 'stay',
    phases: shipped.phases
      .filter((p) => KEPT.includes(p.id))
      .map((p) =>
        p.kind === 'deliverable' ? { ...p, opens: { date: addDays(day0, 1) }, deadline: addDays(day0, 60) } : p,
      ),
  };
});

describe('the shipped registry in PostgreSQL', () => {
  it('keeps dated names and the housing mark, and reads an old district head title as stadsdelsdirektör', async () => {
    const pool = ctx.harness.db.pool;
    await withTransaction(pool, (tx) => replaceRegistry(tx, stockholmRegistry()));
    // A row stored before the rename (as a registry of then wrote it).
    await pool.query(
      `UPDATE organisations SET contacts = jsonb_build_array(
         jsonb_build_object('role', 'forvaltningschef', 'email', 'fc.farsta@stockholm.example'))
        WHERE municipality = 'stockholm' AND id = 'farsta'`,
    );
    const stored = (await loadStoredRegistry(pool, 'stockholm'))!;
    const org = (id: string) => stored.organisations.find((o) => o.id === id)!;
    expect(nameOn(org('stockholm-vatten-och-avfall'), '2016-06-01')).toBe('Stockholm Vatten AB');
    expect(org('svenska-bostader').greaterLocalResponsibility).toBe(true);
    expect(org('sisab').greaterLocalResponsibility).toBeUndefined();
    expect(org('stockholms-stadshus').reportsAsCompany).toBe(true);
    expect(org('farsta').contacts).toEqual([{ role: 'stadsdelsdirektor', email: 'fc.farsta@stockholm.example' }]);
    expect(org('socialnamnden').contacts.map((c) => c.role)).toContain('forvaltningschef');
    await withTransaction(pool, (tx) => replaceRegistry(tx, stockholmRegistry()));
  });
});

describe('a cycle from a shipped calendar', () => {
  it("starts every district's LUP, and gives each board the phases that apply to it", async () => {
    const { client } = ctx.env;
    const pool = ctx.harness.db.pool;
    const registry = stockholmRegistry();
    const shipped = templateLookup(shippedTemplatesDir());
    const templates = templateIdsOf(calendar).map((id) => shipped(id).template!);
    const { taskQueue } = ctx.harness;
    expect(await startCycle(client, pool, taskQueue, calendar, registry, day0, 'test', templates)).toBe('started');
    const districts = organisationsOn(registry, day0).filter((o) => o.kind === 'stadsdelsnamnd');
    expect(await startDistrictLups(client, taskQueue, calendar, registry, day0)).toBe(11);
    // A second start (npm start again) finds them running and starts nothing twice.
    expect(await startDistrictLups(client, taskQueue, calendar, registry, day0)).toBe(11);

    for (const district of districts) {
      const view = await client.workflow.getHandle(lupWorkflowId('stockholm', district.id)).query(lupViewQuery);
      expect(view.stage).toBe('utan-program');
    }
    // No LUP for a service board.
    await expect(
      client.workflow.getHandle(lupWorkflowId('stockholm', 'socialnamnden')).describe(),
    ).rejects.toMatchObject({
      name: 'WorkflowNotFoundError',
    });

    const planned = planCycle(calendar, registry).deliverables.length;
    await sleepUntilStockholm(ctx.env, addDays(day0, 1), '12:00');
    const rows = await eventually(
      () => listDeliverableStatus(pool, 'stockholm', calendar.budgetYear),
      (r) => r.filter((d) => d.stage === 'open').length === planned,
      120_000,
    );
    expect(rows.filter((d) => d.stage === 'open')).toHaveLength(planned);
    const phasesOf = (boardId: string) =>
      rows
        .filter((r) => r.board_id === boardId)
        .map((r) => r.phase_id)
        .sort();
    expect(
      rows
        .filter((r) => r.phase_id === 'lup-analys')
        .map((r) => r.board_id)
        .sort(),
    ).toEqual(districts.map((d) => d.id).sort());
    expect(phasesOf('farsta')).toEqual(['budgetunderlag', 'lup-analys', 'tertialrapport-1']);
    expect(phasesOf('valnamnden')).toEqual(['budgetunderlag']);
    expect(phasesOf('revisorskollegiet')).toEqual([]);
    expect(phasesOf('kommunstyrelsen')).toEqual(['budgetunderlag', 'tertialrapport-1']);
    expect(phasesOf('stockholms-stadshus')).toEqual(['budgetunderlag', 'tertialrapport-1']);

    // The registry went to PostgreSQL before the start: the cycle's input and history carry its
    // hash and the reporting boards, never the registry (issue 16), and no activity stores it again.
    const history = await client.workflow.getHandle(cycleWorkflowId('stockholm', calendar.budgetYear)).fetchHistory();
    const started = history.events![0]!.workflowExecutionStartedEventAttributes!.input!.payloads![0]!;
    const input = JSON.parse(Buffer.from(started.data!).toString('utf8')) as BudgetCycleInput;
    expect(input.registry).toBeUndefined();
    expect(await loadRegistrySnapshot(pool, input.storedRegistry!.hash)).toEqual(registry);
    expect(input.storedRegistry!.reportingBoards.map((b) => b.id)).toContain('farsta');
    // The activities it ran, as activity tasks or as local activities (a marker names each).
    const ran = history.events!.flatMap((e) => {
      const scheduled = e.activityTaskScheduledEventAttributes?.activityType?.name;
      if (scheduled) return [scheduled];
      const marker = e.markerRecordedEventAttributes;
      if (marker?.markerName !== 'core_local_activity') return [];
      const data = marker.details?.data?.payloads?.[0]?.data;
      return data ? [(JSON.parse(Buffer.from(data).toString('utf8')) as { activity_type: string }).activity_type] : [];
    });
    expect(ran).toContain('planPhase');
    expect(ran).not.toContain('storeRegistry');
  }, 300_000);
});
