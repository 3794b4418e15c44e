import { WorkflowUpdateFailedError } from '@temporalio/client';
import { rememberingLookup, shippedTemplatesDir, templateLookup } from '../../src/client/templates';
import { startCycle, startDistrictLups } from '../../src/client/start-cycles';
import { createLupTraceOperations } from '../../src/client/operations/lup-trace';
import { createServiceViewOperations } from '../../src/client/operations/service-view';
import { listAuditEvents } from '../../src/db/audit-log';
import { loadCycleTemplate } from '../../src/db/cycle-templates';
import { loadCycle } from '../../src/db/cycles';
import { withTransaction } from '../../src/db/database';
import { listDeliverableStatus } from '../../src/db/read-model';
import { replaceRegistry } from '../../src/db/registry';
import { buildTemplateContext } from '../../src/db/template-context';
import { addBusinessDays, legalDeadline } from '../../src/domain/business-days';
import { addDays } from '../../src/domain/local-date';
import type { TraceStep, TraceStepResult } from '../../src/domain/lup-trace';
import { registrySchema } from '../../src/domain/registry-schema';
import type { Principal } from '../../src/domain/principal';
import {
  optionsOf,
  Question,
  ReportTemplate,
  TableColumn,
  TemplateContext,
  withResolvedOptions,
} from '../../src/domain/report-template';
import { validateCalendar } from '../../src/domain/validate-calendar';
import { localDateOf } from '../../src/domain/zoned-time';
import { requestSupplementUpdate } from '../../src/workflows/budget-cycle-messages';
import { cycleWorkflowId } from '../../src/workflows/budget-cycle-workflow';
import { submitUpdate } from '../../src/workflows/deliverable-messages';
import {
  lupViewQuery,
  lupWorkflowId,
  recordDialogueUpdate,
  reviseProgrammeUpdate,
} from '../../src/workflows/lup-messages';
import { eventually } from '../helpers/eventually';
import { useRunningWorker } from '../helpers/stack';
import { sleepUntilStockholm, startTimeSkippingEnv } from '../helpers/temporal';

/**
 * Issue 14's "Must show": a district's local development programme across two budget years under
 * the time-skipping server, through the real cycle, deliverable and LUP workflows and the shipped
 * report templates. Adopted through the programme phase in year 1; its larger measure traced
 * budgetunderlag → KF decision → T1, T2, annual report as the committee's trace reads it (missing
 * before each step, done after); the service board named as owner hands in its budgetunderlag,
 * sees the measure and answers for it in its tertial reports and annual report; revised in year 2, whose tertial report asks about the revised measures; a
 * supplement the committee requests is handed in late, after both escalations.
 *
 * The calendars are compressed (weeks, not months) so the two years pass in a few minutes.
 */
const ctx = useRunningWorker(startTimeSkippingEnv, 'ts_lup_two_years');
const M = 'teststad';

const registry = registrySchema.parse({
  municipality: M,
  organisations: [
    {
      id: 'farsta',
      name: 'Farsta stadsdelsnämnd',
      kind: 'stadsdelsnamnd',
      validFrom: '2007-01-01',
      contacts: [
        { role: 'registrator', email: 'registrator.farsta@stockholm.example' },
        { role: 'stadsdelsdirektor', email: 'sdd.farsta@stockholm.example' },
        { role: 'ordforande', email: 'ordf.farsta@stockholm.example' },
      ],
    },
    {
      id: 'idrottsnamnden',
      name: 'Idrottsnämnden',
      kind: 'facknamnd',
      validFrom: '2007-01-01',
      contacts: [{ role: 'registrator', email: 'registrator.idrott@stockholm.example' }],
    },
    {
      id: 'ytterstadsutskottet',
      name: 'Kommunstyrelsens ytterstads- och demokratiutskott',
      kind: 'utskott',
      validFrom: '2007-01-01',
      contacts: [{ role: 'registrator', email: 'utskottet@stockholm.example' }],
    },
  ],
});

const slk: Principal = { kind: 'person', personId: 'p_slk', grants: [{ kind: 'admin' }] };
const committee: Principal = { kind: 'person', personId: 'p_utskott', grants: [{ kind: 'committee' }] };
const idrottHandlaggare: Principal = {
  kind: 'person',
  personId: 'p_idrott',
  grants: [{ kind: 'board', boardId: 'idrottsnamnden', duty: 'handlaggare' }],
};

/** The server's Stockholm date, kept as the clock moves (the trace reads "today"). */
let today = '';
async function moveTo(date: string, time = '12:00'): Promise<void> {
  today = localDateOf(new Date(await sleepUntilStockholm(ctx.env, date, time)), 'Europe/Stockholm');
}

/** A required answer of each kind, as a board would write it. */
function valueFor(spec: Question | TableColumn, on: string): unknown {
  switch (spec.kind) {
    case 'short-text':
    case 'long-text':
      return 'Se nämndens protokoll';
    case 'number':
      return spec.min ?? 0;
    case 'yes-no':
      return false;
    case 'choice':
      return optionsOf(spec)[0]!.id;
    case 'choices':
      return [spec.options[0]!.id];
    case 'date':
      return on;
    case 'table':
      return [Object.fromEntries(spec.columns.filter((c) => c.required).map((c) => [c.id, valueFor(c, on)]))];
    default:
      return undefined;
  }
}

/**
 * Every required answer the template asks of the board (with the items the form would show),
 * then the sections the test writes itself in place of the filler's.
 */
function answersFor(
  template: ReportTemplate,
  context: TemplateContext,
  on: string,
  own: Record<string, unknown>,
): Record<string, unknown> {
  const answers: Record<string, unknown> = {};
  for (const section of withResolvedOptions(template, context).sections) {
    if (section.boardKinds && context.boardKind && !section.boardKinds.includes(context.boardKind)) continue;
    const given = () =>
      Object.fromEntries(
        section.questions
          .filter((q) => q.required || section.requireOneOf?.[0] === q.id)
          .map((q) => [q.id, valueFor(q, on)])
          .filter(([, v]) => v !== undefined),
      );
    answers[section.id] = section.generate
      ? Object.fromEntries((context[section.generate] ?? []).map((item) => [item.id, given()]))
      : given();
  }
  return { ...answers, ...own };
}

/** The message of a refused update (the field and the problem), or `accepted`. */
async function refusalOf(attempt: Promise<unknown>): Promise<string> {
  const error = await attempt.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (error === undefined) return 'accepted';
  expect(error).toBeInstanceOf(WorkflowUpdateFailedError);
  return ((error as WorkflowUpdateFailedError).cause as Error).message;
}

describe('a district’s local development programme across two budget years (issue 14, Must show)', () => {
  it('adopts, traces a larger measure to the annual report, revises in year 2, and a supplement is late and escalated', async () => {
    const pool = ctx.harness.db.pool;
    const client = ctx.env.client;
    const queue = ctx.harness.taskQueue;
    // Day 0 is the first Monday ahead, so the phases' days fall on the same weekdays in every run
    // (the server's clock starts at the real present); holidays are the law's to shift.
    const now = localDateOf(new Date(await ctx.env.currentTimeMs()), 'Europe/Stockholm');
    const weekday = new Date(`${now}T12:00:00Z`).getUTCDay();
    const t0 = addDays(now, ((8 - weekday) % 7) + (weekday === 1 ? 7 : 0));
    await moveTo(t0, '09:00');
    const d = (n: number) => addDays(t0, n);
    const y1 = Number(t0.slice(0, 4)) + 1;
    const y2 = y1 + 1;
    await withTransaction(pool, (tx) => replaceRegistry(tx, registry));

    // Two cycles over the shipped templates, compressed: year 1 from the programme to the annual
    // report; year 2's first tertial report, then an annual report far off that keeps it running.
    const both = { boards: ['farsta', 'idrottsnamnden'] };
    const templates = rememberingLookup(templateLookup(shippedTemplatesDir()));
    const startYear = async (budgetYear: number, phases: unknown[]) => {
      const checked = validateCalendar(
        { municipality: M, budgetYear, goals: [{ id: 'trygg', name: 'Ett tryggt Stockholm' }], phases },
        registry,
        templates.lookup,
      );
      expect(checked.errors).toEqual([]);
      const calendar = checked.calendar!;
      await startCycle(client, pool, queue, calendar, registry, today, 'SLK', templates.templatesOf(calendar));
      await startDistrictLups(client, queue, calendar, registry, today);
    };
    await startYear(y1, [
      {
        id: 'lup-program',
        kind: 'deliverable',
        name: 'Lokalt utvecklingsprogram',
        template: 'lup-program',
        lupStage: 'programme',
        audience: { kinds: ['stadsdelsnamnd'] },
        opens: { date: d(1) },
        deadline: d(21),
      },
      {
        id: 'budgetunderlag',
        kind: 'deliverable',
        name: 'Budgetunderlag',
        template: 'budgetunderlag',
        audience: both,
        opens: { date: d(28) },
        deadline: d(49),
      },
      { id: 'kf-budget', kind: 'milestone', name: 'KF beslutar budget', owner: 'KF', date: d(70) },
      ...(
        [
          ['tertialrapport-1', 84],
          ['tertialrapport-2', 126],
          ['verksamhetsberattelse', 168],
        ] as const
      ).map(([id, at]) => ({
        id,
        kind: 'deliverable',
        name: id,
        template: id,
        audience: both,
        opens: { date: d(at) },
        deadline: d(at + 21),
      })),
    ]);

    const deliverable = async (cycleId: string, phaseId: string, boardId: string) => {
      const handle = client.workflow.getHandle(`${cycleId}/${phaseId}/${boardId}`);
      await eventually(
        () =>
          handle.describe().then(
            () => true,
            () => false,
          ),
        (started) => started,
      );
      return handle;
    };
    /** Hands a report in through its deliverable workflow, answered as the form would ask it. */
    const handIn = async (year: number, phaseId: string, boardId: string, own: Record<string, unknown> = {}) => {
      const cycle = (await loadCycle(pool, M, year))!;
      const phase = cycle.calendar.phases.find((p) => p.id === phaseId)!;
      const template = (await loadCycleTemplate(pool, M, year, (phase as { template: string }).template))!.template;
      const context = await buildTemplateContext(pool, {
        municipality: M,
        cycle,
        registry,
        boardId,
        plannedBoardId: boardId,
        phaseId,
        today,
      });
      const handle = await deliverable(cycle.workflowId, phaseId, boardId);
      return handle.executeUpdate(submitUpdate, {
        args: [
          {
            documentRef: `Dnr ${boardId} ${year}/${phaseId}`,
            decisionDate: today,
            content: answersFor(template, context, today, own),
            by: boardId,
          },
        ],
      });
    };
    const lup = client.workflow.getHandle(lupWorkflowId(M, 'farsta'));
    const traceOps = createLupTraceOperations({
      pool,
      municipality: M,
      today: () => today,
      ops: {
        cycle: async (year) => (await loadCycle(pool, M, year))!,
        registry: async () => registry,
        snapshot: async () => ({ registry }),
      },
    });
    /** The committee's trace of one measure, step by step: [state, gaps]. */
    const traced = async (year: number, measureId: string) => {
      const trace = await traceOps.cityTrace(committee, year);
      const measure = trace.districts.flatMap((x) => x.measures).find((m) => m.measureId === measureId);
      return Object.fromEntries(measure!.steps.map((s) => [s.step, s])) as Record<TraceStep, TraceStepResult>;
    };
    const stateOf = async (year: number, measureId: string) =>
      Object.fromEntries(Object.entries(await traced(year, measureId)).map(([k, s]) => [k, [s.state, s.gaps]]));

    // 1. Year 1: a dialogue, then the programme phase adopts version 1 (one larger measure, one not).
    await moveTo(addBusinessDays(d(1), 1));
    const adoptedOn = today;
    await lup.executeUpdate(recordDialogueUpdate, {
      args: [
        {
          id: 'torget',
          need: 'Unga saknar en mötesplats',
          question: 'Vad behöver unga i Hökarängen?',
          forms: ['workshop'],
          roomForInfluence: 'Nämnden väljer plats och öppettider',
          participants: [{ group: 'invanare', count: 30 }],
          heldOn: adoptedOn,
          outcome: 'En fritidsgård',
          feedback: 'Möte med deltagarna',
          by: 'farsta',
        },
      ],
    });
    // The owner is a choice among the district and the registry's service boards and companies;
    // a larger measure carries its cost, since the trace follows it to the council's budget.
    const gard = {
      id: 'fritidsgard',
      titel: 'Fritidsgård i Hökarängen',
      mal: 'trygg',
      storre: 'ja',
      agare: 'idrottsnamnden',
      kostnad: 2_500_000,
      indikator: 'Besökare per vecka',
      malvarde: '200',
    };
    const laxhjalp = { id: 'laxhjalp', titel: 'Läxhjälp på biblioteket', mal: 'trygg', storre: 'nej' };
    const programmeOf = (...rows: object[]) => ({ atgarder: { atgarder: rows } });
    expect(
      await refusalOf(handIn(y1, 'lup-program', 'farsta', programmeOf({ ...gard, kostnad: undefined }, laxhjalp))),
    ).toBe(
      'answers.atgarder.atgarder[0].kostnad: a larger measure needs its cost (the trace follows it to the council’s budget)',
    );
    expect(
      await refusalOf(
        handIn(y1, 'lup-program', 'farsta', programmeOf({ ...gard, agare: 'ytterstadsutskottet' }, laxhjalp)),
      ),
    ).toMatch(/^answers\.atgarder\.atgarder\[0\]\.agare: /);
    await handIn(y1, 'lup-program', 'farsta', programmeOf(gard, laxhjalp));
    const programme = (
      await eventually(
        () => lup.query(lupViewQuery),
        (v) => v.state.programme !== undefined,
      )
    ).state.programme!;
    expect(programme).toMatchObject({ number: 1, adoptedOn: today, budgetYear: y1 });
    // Adopted as the phase's table states it: the owner, the cost and the indicator with its target;
    // a measure that names no owner is the district's.
    expect(programme.measures.map((m) => [m.id, m.ownerId, m.larger, m.cost, m.indicators])).toEqual([
      ['fritidsgard', 'idrottsnamnden', true, 2_500_000, [{ name: 'Besökare per vecka', target: '200' }]],
      ['laxhjalp', 'farsta', false, undefined, []],
    ]);
    expect(programme.versions.map((v) => v.version)).toEqual([1]);
    await eventually(
      () => traceOps.cityTrace(committee, y1),
      (t) => t.districts[0]?.measures[0]?.ownerId === 'idrottsnamnden',
    );
    // Only the larger measure is traced; nothing is due yet.
    expect((await traceOps.cityTrace(committee, y1)).districts.map((x) => x.measures.map((m) => m.measureId))).toEqual([
      ['fritidsgard'],
    ]);
    expect(await stateOf(y1, 'fritidsgard')).toEqual({
      budgetunderlag: ['ej-aktuell-an', ['underlag-ej-inlamnat', 'agarens-underlag-ej-inlamnat']],
      'kf-beslut': ['ej-aktuell-an', ['beslut-saknas']],
      // Idrottsnämnden owns the measure: its reports follow it up.
      'tertialrapport-1': ['ej-aktuell-an', ['agarens-rapport-ej-inlamnad']],
      'tertialrapport-2': ['ej-aktuell-an', ['agarens-rapport-ej-inlamnad']],
      verksamhetsberattelse: ['ej-aktuell-an', ['agarens-rapport-ej-inlamnad']],
    });

    // 2. The budgetunderlag: the district's names the measure with its cost; the owner's comes late.
    await moveTo(addBusinessDays(d(28), 1));
    const budget = { fritidsgard: { 'atgard-kostnad': 2500, 'atgard-finansiering': 'annan-namnd' } };
    expect(await handIn(y1, 'budgetunderlag', 'farsta', { 'lup-atgarder': budget })).toMatchObject({
      stage: 'submitted',
      late: false,
    });
    const budgetDue = legalDeadline(d(49)).date;
    await moveTo(addDays(budgetDue, 1));
    let steps = await traced(y1, 'fritidsgard');
    expect([steps.budgetunderlag.state, steps.budgetunderlag.gaps, steps.budgetunderlag.cost]).toEqual([
      'saknas',
      ['agarens-underlag-ej-inlamnat'],
      2500,
    ]);
    // 3. The service board named as owner sees the measure, and answers with its own budgetunderlag
    // (and, below, follows the measure up in its tertial reports and annual report).
    const serviceView = createServiceViewOperations({
      pool,
      municipality: M,
      today: () => today,
      ops: { registry: async () => registry, snapshot: async () => ({ registry }) },
    });
    const seen = await serviceView.boardLupMeasures(idrottHandlaggare, 'idrottsnamnden');
    expect(seen.districts).toEqual([
      expect.objectContaining({
        boardId: 'farsta',
        measures: [expect.objectContaining({ measureId: 'fritidsgard', cost: 2_500_000, larger: true })],
      }),
    ]);
    expect(await handIn(y1, 'budgetunderlag', 'idrottsnamnden')).toMatchObject({ late: true });
    steps = await eventually(
      () => traced(y1, 'fritidsgard'),
      (s) => s.budgetunderlag.state === 'klar',
    );
    expect([steps.budgetunderlag.state, steps.budgetunderlag.gaps]).toEqual(['klar', []]);

    // The KF decision: missing once the council has met, then recorded by SLK (the API's operation).
    await moveTo(d(71));
    expect((await stateOf(y1, 'fritidsgard'))['kf-beslut']).toEqual(['saknas', ['beslut-saknas']]);
    await traceOps.recordKfDecision(
      slk,
      y1,
      'farsta',
      'fritidsgard',
      { outcome: 'delvis-finansierad', reference: `KF ${d(70)} §12`, amount: 1_500_000 },
      'person:p_slk',
    );
    steps = await traced(y1, 'fritidsgard');
    expect(steps['kf-beslut']).toMatchObject({
      state: 'klar',
      gaps: [],
      decision: { outcome: 'delvis-finansierad', reference: `KF ${d(70)} §12`, amount: 1_500_000 },
    });

    // T1, T2 and the annual report: each asks the district about both measures, and Idrottsnämnden
    // about the one it owns; the owner's answer is what the trace follows (guideline 2).
    // The annual report asks for the result where the tertial reports ask for a comment.
    const followUp = (status: string, note = 'atgard-kommentar') => ({
      'lup-atgarder': {
        fritidsgard: { 'atgard-status': status, [note]: 'Lokalen är hittad' },
        laxhjalp: { 'atgard-status': 'pagar' },
      },
    });
    // In T1 the district has not heard that the owner has begun: the trace shows the owner's word.
    for (const [step, at, status, ownerStatus] of [
      ['tertialrapport-1', 84, 'ej-paborjad', 'pagar'],
      ['tertialrapport-2', 126, 'pagar', 'pagar'],
      ['verksamhetsberattelse', 168, 'klar', 'klar'],
    ] as const) {
      await moveTo(addBusinessDays(d(at), 1));
      expect((await stateOf(y1, 'fritidsgard'))[step]).toEqual(['ej-aktuell-an', ['agarens-rapport-ej-inlamnad']]);
      // A follow-up that leaves the larger measure out is refused, naming it.
      expect(
        await refusalOf(handIn(y1, step, 'farsta', { 'lup-atgarder': { laxhjalp: { 'atgard-status': 'pagar' } } })),
      ).toBe('answers.lup-atgarder[fritidsgard].atgard-status: must be answered');
      const note = step === 'verksamhetsberattelse' ? 'atgard-resultat' : 'atgard-kommentar';
      expect(await handIn(y1, step, 'farsta', followUp(status, note))).toMatchObject({
        stage: 'submitted',
        late: false,
      });
      // The district's report alone does not follow up a measure the service board owns.
      expect((await stateOf(y1, 'fritidsgard'))[step]).toEqual(['ej-aktuell-an', ['agarens-rapport-ej-inlamnad']]);
      const ownerNote = step === 'verksamhetsberattelse' ? 'agar-resultat' : 'agar-kommentar';
      if (step === 'tertialrapport-1') {
        // Idrottsnämnden's report asks about the measure that names it, by district and title.
        const ownerContext = await buildTemplateContext(pool, {
          municipality: M,
          cycle: (await loadCycle(pool, M, y1))!,
          registry,
          boardId: 'idrottsnamnden',
          plannedBoardId: 'idrottsnamnden',
          phaseId: step,
          today,
        });
        expect(ownerContext['owned-lup-measures']).toEqual([
          { id: 'farsta-fritidsgard', name: 'Farsta stadsdelsnämnd: Fritidsgård i Hökarängen' },
        ]);
        expect(await refusalOf(handIn(y1, step, 'idrottsnamnden', { 'ansvariga-lup-atgarder': {} }))).toBe(
          'answers.ansvariga-lup-atgarder[farsta-fritidsgard].agar-status: must be answered',
        );
      }
      await handIn(y1, step, 'idrottsnamnden', {
        'ansvariga-lup-atgarder': {
          'farsta-fritidsgard': { 'agar-status': ownerStatus, [ownerNote]: 'Idrottsnämnden har tecknat hyresavtal' },
        },
      });
      steps = await eventually(
        () => traced(y1, 'fritidsgard'),
        (s) => s[step].state === 'klar',
      );
      expect(steps[step]).toMatchObject({ state: 'klar', gaps: [], followUpStatus: ownerStatus });
    }
    await moveTo(addDays(legalDeadline(d(189)).date, 1));
    expect(await stateOf(y1, 'fritidsgard')).toEqual({
      budgetunderlag: ['klar', []],
      'kf-beslut': ['klar', []],
      'tertialrapport-1': ['klar', []],
      'tertialrapport-2': ['klar', []],
      verksamhetsberattelse: ['klar', []],
    });

    // 4. Year 2: the district revises the programme (an added larger measure, a changed one, one ended).
    await moveTo(d(210));
    const revised = await lup.executeUpdate(reviseProgrammeUpdate, {
      args: [
        {
          basedOnVersion: 1,
          on: today,
          reason: 'Uppföljningen visar att läxhjälpen nu ges av skolan; unga vill ha inflytande',
          add: [
            {
              id: 'ungdomsrad',
              title: 'Ungdomsråd i Farsta',
              ownerId: 'farsta',
              goal: 'trygg',
              larger: true,
              cost: 400_000,
            },
          ],
          change: [
            {
              id: 'fritidsgard',
              title: 'Fritidsgård i Hökarängen med kvällsöppet',
              ownerId: 'idrottsnamnden',
              goal: 'trygg',
              cost: 3_000_000,
              larger: true,
            },
          ],
          end: ['laxhjalp'],
          by: 'farsta',
        },
      ],
    });
    expect(revised.programme!.versions.map((v) => [v.version, v.added, v.changed, v.ended])).toEqual([
      [1, ['fritidsgard', 'laxhjalp'], [], []],
      [2, ['ungdomsrad'], ['fritidsgard'], ['laxhjalp']],
    ]);
    const versions = await eventually(
      () =>
        pool
          .query('SELECT version, reason, added, changed, ended FROM lup_programme_versions ORDER BY version')
          .then((r) => r.rows),
      (rows) => rows.length === 2,
    );
    expect(versions[1]).toMatchObject({
      version: 2,
      reason: 'Uppföljningen visar att läxhjälpen nu ges av skolan; unga vill ha inflytande',
      added: ['ungdomsrad'],
      ended: ['laxhjalp'],
    });

    // The programme's record across both years, in order. SLK's KF decision is recorded by the API
    // at PostgreSQL's clock, which the time-skipping server does not move: it is looked up apart.
    const lupEvents = await eventually(
      () => listAuditEvents(pool, lup.workflowId),
      (events) => events.length >= 5,
    );
    expect(
      lupEvents
        .filter((e) => e.kind !== 'lup-kf-decision')
        .map((e) => [e.kind, (e.payload as { version?: number }).version]),
    ).toEqual([
      ['lup-started', undefined],
      ['lup-dialogue-recorded', undefined],
      ['lup-programme-adopted', undefined],
      ['lup-programme-revised', 2],
    ]);
    expect(lupEvents.find((e) => e.kind === 'lup-kf-decision')).toMatchObject({
      actor: 'person:p_slk',
      payload: { budgetYear: y1, measureId: 'fritidsgard', outcome: 'delvis-finansierad' },
    });

    // The service board sees the measure as revised; the ended one was never its.
    const seenNow = await eventually(
      () => serviceView.boardLupMeasures(idrottHandlaggare, 'idrottsnamnden'),
      (v) => v.districts[0]?.measures[0]?.cost === 3_000_000,
    );
    expect(seenNow.districts[0]!.measures).toEqual([
      expect.objectContaining({
        measureId: 'fritidsgard',
        title: 'Fritidsgård i Hökarängen med kvällsöppet',
        cost: 3_000_000,
        statusSince: adoptedOn,
      }),
    ]);

    await startYear(y2, [
      {
        id: 'tertialrapport-1',
        kind: 'deliverable',
        name: 'Tertialrapport 1',
        template: 'tertialrapport-1',
        audience: { boards: ['farsta'] },
        opens: { date: d(238) },
        deadline: d(259),
      },
      {
        id: 'verksamhetsberattelse',
        kind: 'deliverable',
        name: 'Verksamhetsberättelse',
        template: 'verksamhetsberattelse',
        audience: { boards: ['farsta'] },
        opens: { date: d(500) },
        deadline: d(530),
      },
    ]);
    await moveTo(addBusinessDays(d(238), 1));
    // Year 2's follow-up asks about the measures in force: the added one, not the ended one.
    const y2Cycle = (await loadCycle(pool, M, y2))!;
    const context = await buildTemplateContext(pool, {
      municipality: M,
      cycle: y2Cycle,
      registry,
      boardId: 'farsta',
      plannedBoardId: 'farsta',
      phaseId: 'tertialrapport-1',
      today,
    });
    expect(context['lup-measures']).toEqual([
      { id: 'fritidsgard', name: 'Fritidsgård i Hökarängen med kvällsöppet' },
      { id: 'ungdomsrad', name: 'Ungdomsråd i Farsta' },
    ]);
    // Year 1's answers leave the added measure out; an answer on the ended one is no longer asked for.
    expect(await refusalOf(handIn(y2, 'tertialrapport-1', 'farsta', followUp('pagar')))).toBe(
      'answers.lup-atgarder[ungdomsrad].atgard-status: must be answered',
    );
    expect(
      await refusalOf(
        handIn(y2, 'tertialrapport-1', 'farsta', {
          'lup-atgarder': {
            fritidsgard: { 'atgard-status': 'pagar' },
            ungdomsrad: { 'atgard-status': 'ej-paborjad' },
            laxhjalp: { 'atgard-status': 'klar' },
          },
        }),
      ),
    ).toBe('answers.lup-atgarder[laxhjalp]: not a LUP measure here');
    await handIn(y2, 'tertialrapport-1', 'farsta', {
      'lup-atgarder': {
        fritidsgard: { 'atgard-status': 'pagar' },
        ungdomsrad: { 'atgard-status': 'ej-paborjad' },
      },
    });
    const y2Steps = await eventually(
      () => traced(y2, 'ungdomsrad'),
      (s) => s['tertialrapport-1'].state === 'klar',
    );
    expect(y2Steps['tertialrapport-1']).toMatchObject({ state: 'klar', followUpStatus: 'ej-paborjad' });
    expect((await traceOps.cityTrace(committee, y2)).districts[0]!.measures.map((m) => m.measureId)).toEqual([
      'fritidsgard',
      'ungdomsrad',
    ]);

    // 5. The committee requests a supplement with a deadline; Farsta hands it in after both escalations.
    const y2Handle = client.workflow.getHandle(cycleWorkflowId(M, y2));
    const requested = await y2Handle.executeUpdate(requestSupplementUpdate, {
      args: [
        {
          requestId: 'ungdomsrad-1',
          boardId: 'farsta',
          what: 'Redovisa hur ungdomsrådet ska finansieras',
          deadline: addDays(today, 14),
          by: 'person:p_utskott',
        },
      ],
    });
    const due = requested.deadline;
    expect(due).toBe(legalDeadline(addDays(today, 14)).date);
    await moveTo(addBusinessDays(due, 6));
    const mails = ctx.harness.sink.received
      .filter((m) => m.parsed.subject?.includes('Komplettering: Redovisa hur ungdomsrådet'))
      .map((m) => [m.parsed.subject!.split(':')[0], m.envelope.to.join(' ')]);
    expect(mails).toEqual([
      ['Öppnad', 'registrator.farsta@stockholm.example'],
      // Seven days before, and the last business day before.
      ['Påminnelse', 'registrator.farsta@stockholm.example'],
      ['Påminnelse', 'registrator.farsta@stockholm.example'],
      ['Sista dag i dag', 'registrator.farsta@stockholm.example'],
      ['Försenad leverans', 'sdd.farsta@stockholm.example ordf.farsta@stockholm.example'],
      ['Försenad leverans', 'utskottet@stockholm.example'],
    ]);
    const escalated = ctx.harness.sink.received.filter((m) =>
      m.parsed.subject?.startsWith('Försenad leverans: Komplettering: Redovisa hur ungdomsrådet'),
    );
    expect(escalated.map((m) => m.parsed.subject)).toEqual(
      [1, 3].map(
        (level) =>
          `Försenad leverans: Komplettering: Redovisa hur ungdomsrådet ska finansieras från Farsta stadsdelsnämnd (eskalering steg ${level})`,
      ),
    );
    expect(escalated[1]!.parsed.text).toContain(`Farsta stadsdelsnämnd har inte lämnat in`);
    const supplement = client.workflow.getHandle(requested.workflowId);
    expect(
      await supplement.executeUpdate(submitUpdate, { args: [{ documentRef: 'Dnr SDN 2/1', by: 'farsta' }] }),
    ).toMatchObject({ stage: 'submitted', late: true });
    await supplement.result();
    // The record, in order: opened, reminded, missed, escalated to the district's head and chair,
    // then to the committee (level 2 is the group parent's, for companies), handed in late.
    const events = await listAuditEvents(pool, requested.workflowId);
    expect(events.map((e) => e.kind)).toEqual([
      'deliverable-started',
      'opening-sent',
      'reminder-sent',
      'reminder-sent',
      'reminder-sent',
      'deadline-missed',
      'escalation-sent',
      'escalation-sent',
      'submitted',
      'deliverable-finished',
    ]);
    // The workflow numbers its own events in order; the reminders, sent by the cycle's
    // dispatcher (issue 16), carry none and take their place by the time they went out.
    const numbered = events.filter((e) => e.kind !== 'reminder-sent');
    expect(numbered.map((e) => Number(e.seq))).toEqual(numbered.map((_, i) => i + 1));
    expect(events.filter((e) => e.kind === 'reminder-sent').map((e) => e.seq)).toEqual([null, null, null]);
    expect(events.filter((e) => e.kind === 'escalation-sent').map((e) => e.payload)).toEqual([
      expect.objectContaining({ level: 1 }),
      expect.objectContaining({ level: 3 }),
    ]);
    expect(events.find((e) => e.kind === 'submitted')!.payload).toMatchObject({
      late: true,
      documentRef: 'Dnr SDN 2/1',
    });
    const askedFor = (await listAuditEvents(pool, y2Handle.workflowId)).filter(
      (e) => e.kind === 'supplement-requested',
    );
    expect(askedFor.map((e) => [e.actor, e.payload.boardId, e.payload.deadline])).toEqual([
      ['person:p_utskott', 'farsta', due],
    ]);
    const row = (await listDeliverableStatus(pool, M, y2)).find((r) => r.phase_id === requested.phaseId);
    expect(row).toMatchObject({ board_id: 'farsta', stage: 'submitted', late: true, escalation_level: 3 });
  });
});
