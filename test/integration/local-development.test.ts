import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { shippedTemplatesDir, templateIdsOf, templateLookup } from '../../src/client/templates';
import { createCycleOperations, CycleOperations } from '../../src/client/operations/cycle-operations';
import { OperationError } from '../../src/client/operations/operation-error';
import { withTransaction } from '../../src/db/database';
import { listDeliverableStatus } from '../../src/db/read-model';
import { replaceRegistry } from '../../src/db/registry';
import { loadCycle } from '../../src/db/cycles';
import { buildTemplateContext } from '../../src/db/template-context';
import { cycleCalendarSchema } from '../../src/domain/cycle-calendar';
import { addDays } from '../../src/domain/local-date';
import { localDateOf } from '../../src/domain/zoned-time';
import { lupWorkflowId } from '../../src/workflows/lup-messages';
import { smallRegistry } from '../fixtures/small-registry';
import { runArshjul } from '../helpers/cli';
import { eventually } from '../helpers/eventually';
import { recordHistoryIfAsked } from '../helpers/histories';
import { useRunningWorker } from '../helpers/stack';
import { sleepUntilStockholm, startTimeSkippingEnv } from '../helpers/temporal';

/**
 * A year of local development work (issue 6) on the small registry, under the time-skipping
 * server: Farsta (no priority area) and Järva (serving the priority area Rinkeby-Kista, with
 * the stricter ladder), Kulturnämnden (a service board with a duty in every priority area).
 */
const ctx = useRunningWorker(startTimeSkippingEnv, 'lup_year');
const YEAR = 2091;
let ops: CycleOperations;
let day0: string;
const d = (days: number) => addDays(day0, days);

/** The KF goals of the year: data of the cycle, which the analysis covers and its focus names. */
const GOALS = [
  { id: 'sammanhallen', name: 'Ett Stockholm som håller samman' },
  { id: 'klimatsmart', name: 'Ett klimatsmart Stockholm' },
  { id: 'ekonomiskt-hallbar', name: 'Ett ekonomiskt hållbart Stockholm' },
];
const analysisFor = (mainFocus: string, texts: Record<string, string> = {}) => ({
  analys: Object.fromEntries(
    GOALS.map((g) => [g.id, { 'mal-analys': texts[g.id] ?? `Behov och förutsättningar: ${g.name}.` }]),
  ),
  fokus: { huvudfokus: mainFocus },
  samrad: { samrad: [{ part: 'Kulturnämnden', datum: '2091-01-10', synpunkter: 'Vill bidra med bibliotek.' }] },
});
const analysis = analysisFor('sammanhallen');
const dialogue = {
  id: 'farsta-centrum-2091',
  question: 'Vad behövs för att Farsta centrum ska kännas tryggt på kvällen?',
  forms: ['Dialogmöte', 'Webbenkät'],
  need: 'Många upplever centrum som otryggt efter mörkrets inbrott.',
  roomForInfluence: 'Svaren styr två av programmets åtgärder och deras ordning.',
  participants: [
    { group: 'invanare', count: 52 },
    { group: 'lokala-aktorer', count: 7 },
  ],
  heldOn: '2091-01-15',
  feedback: 'Sammanställningen skickades till deltagarna 2091-02-01.',
};
const programme = {
  atgarder: {
    atgarder: [
      { id: 'trygg-centrum', titel: 'Tryggare Farsta centrum', mal: 'sammanhallen', storre: 'ja', kostnad: 1_200_000 },
      { id: 'laxhjalp', titel: 'Läxhjälp på biblioteket', mal: 'ekonomiskt-hallbar', storre: 'nej' },
    ],
  },
  dialog: { 'dialogens-betydelse': 'Dialogen i Farsta centrum gav två av åtgärderna.' },
};

/** The refusal as the API answers it: status, field, English problem, code and its params. */
async function refusal(attempt: Promise<unknown>): Promise<Record<string, unknown>> {
  const error = await attempt.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(OperationError);
  const e = error as OperationError;
  return { status: e.status, field: e.field, problem: e.problem, code: e.code, ...(e.params && { params: e.params }) };
}

const submit = (phaseId: string, boardId: string, content: unknown, extra: object = {}) =>
  ops.actOnDeliverable(
    YEAR,
    phaseId,
    boardId,
    'submit',
    { documentRef: `Dnr ${boardId} ${phaseId}`, content, ...extra },
    `board:${boardId}`,
  );

beforeAll(async () => {
  const pool = ctx.harness.db.pool;
  await withTransaction(pool, (tx) => replaceRegistry(tx, smallRegistry));
  day0 = localDateOf(new Date(await ctx.env.currentTimeMs()), 'Europe/Stockholm');
  ops = createCycleOperations({
    client: ctx.env.client,
    pool,
    taskQueue: ctx.harness.taskQueue,
    municipality: smallRegistry.municipality,
    today: () => day0,
  });
  const sdn = { kinds: ['stadsdelsnamnd'] };
  const calendar = cycleCalendarSchema.parse({
    municipality: smallRegistry.municipality,
    budgetYear: YEAR,
    goals: GOALS,
    // Days count from whatever today is: a day 1 that is a Saturday must still open on day 1.
    openingOnNonBusinessDay: 'stay',
    phases: [
      {
        id: 'lup-analys',
        kind: 'deliverable',
        name: 'Lokal analys (LUP)',
        template: 'lup-analys',
        lupStage: 'analysis',
        audience: sdn,
        opens: { date: d(1) },
        deadline: d(20),
        // The priority districts' stricter ladder: earlier and more reminders, the committee sooner.
        ladderOverrides: [
          {
            priorityAreas: ['rinkeby-kista'],
            reminders: [
              { daysBefore: 14 },
              { daysBefore: 7 },
              { lastBusinessDayBefore: true },
              { onDeadlineDay: true },
            ],
            escalations: [
              { level: 1, businessDaysAfter: 1, to: ['forvaltningschef', 'ordforande'] },
              { level: 3, businessDaysAfter: 2, to: ['utskott'] },
            ],
          },
        ],
      },
      {
        id: 'lup-program',
        kind: 'deliverable',
        name: 'LUP-program',
        template: 'lup-program',
        lupStage: 'programme',
        audience: sdn,
        opens: { date: d(1) },
        deadline: d(40),
      },
      {
        id: 'budgetunderlag',
        kind: 'deliverable',
        name: 'Budgetunderlag',
        template: 'budgetunderlag',
        opens: { date: d(1) },
        deadline: d(45),
      },
      {
        id: 'verksamhetsplan',
        kind: 'deliverable',
        name: 'Verksamhetsplan',
        template: 'verksamhetsplan',
        audience: { kinds: ['facknamnd', 'bolagsstyrelse'] },
        opens: { date: d(1) },
        deadline: d(50),
      },
      {
        id: 'tertialrapport-1',
        kind: 'deliverable',
        name: 'Tertialrapport 1',
        template: 'tertialrapport-1',
        opens: { date: d(1) },
        deadline: d(70),
      },
      {
        id: 'lup-uppfoljning',
        kind: 'deliverable',
        name: 'Uppföljning av LUP',
        template: 'lup-uppfoljning',
        lupStage: 'follow-up',
        audience: sdn,
        opens: { date: d(1) },
        deadline: d(80),
      },
    ],
  });
  // The LUP's templates as shipped; short fixtures of the others, with the shipped question IDs.
  const shipped = templateLookup(shippedTemplatesDir());
  const short = templateLookup(join(__dirname, '../fixtures/templates/guideline-year'));
  const templates = templateIdsOf(calendar).map((id) => (id.startsWith('lup-') ? shipped : short)(id).template!);
  expect(await ops.startCycle(calendar, 'test', templates)).toBe('started');
  await sleepUntilStockholm(ctx.env, d(1), '12:00');
  await eventually(
    () => listDeliverableStatus(pool, smallRegistry.municipality, YEAR),
    (rows) => rows.filter((r) => r.stage === 'open').length === 16,
  );
});

describe('a LUP year for a priority district and a non-priority district', () => {
  it('gives the priority district the stricter ladder, and the other the default one', async () => {
    const pending = async (board: string) =>
      (await ops.deliverableView(YEAR, 'lup-analys', board)).pending
        .filter((a) => a.kind !== 'deadline')
        .map((a) => `${a.kind}${a.level ?? ''}@${a.localDate}`);
    const jarva = await pending('jarva');
    const farsta = await pending('farsta');
    expect(jarva.filter((a) => a.startsWith('reminder'))).toHaveLength(4);
    expect(farsta.filter((a) => a.startsWith('reminder'))).toHaveLength(3);
    expect(jarva.filter((a) => a.startsWith('escalation')).map((a) => a.split('@')[0])).toEqual([
      'escalation1',
      'escalation3',
    ]);
    // Järva's committee step comes three business days sooner than Farsta's would.
    const third = (list: string[]) => list.find((a) => a.startsWith('escalation3'))!.split('@')[1]!;
    expect(third(jarva) < third(farsta)).toBe(true);
  });

  it('refuses an analysis that leaves out a goal of the year or names a focus outside them, and accepts a complete one', async () => {
    const partial = analysisFor('sammanhallen', { klimatsmart: ' ' });
    expect(await refusal(submit('lup-analys', 'farsta', partial))).toEqual({
      status: 400,
      field: 'answers.analys[klimatsmart].mal-analys',
      problem: 'must be answered',
      code: 'required',
    });
    // The 2015 goal the year's budget does not carry is not a choice.
    expect(await refusal(submit('lup-analys', 'farsta', analysisFor('demokratiskt-hallbar')))).toEqual({
      status: 400,
      field: 'answers.fokus.huvudfokus',
      problem: 'demokratiskt-hallbar is not one of sammanhallen, klimatsmart, ekonomiskt-hallbar',
      code: 'not-an-option',
    });
    expect((await ops.deliverableView(YEAR, 'lup-analys', 'farsta')).state.stage).toBe('open');
    expect((await submit('lup-analys', 'farsta', analysis)).stage).toBe('submitted');
    // Recorded against the district's programme (across years), as this budget year's analysis.
    const afterAnalysis = await eventually(
      () => ops.local.lupView('farsta'),
      (v) => v.state.analyses.length === 1,
    );
    expect(afterAnalysis.stage).toBe('utan-program');
    expect(afterAnalysis.state.analyses[0]).toMatchObject({ budgetYear: YEAR, mainFocus: 'sammanhallen' });
  });

  it('wants a citizen dialogue with its question and room for influence before the programme', async () => {
    expect(await refusal(submit('lup-program', 'farsta', programme, { decisionDate: d(1) }))).toMatchObject({
      status: 409,
      field: 'dialogues',
      code: 'dialogue-required',
    });
    const withoutRoom: Partial<typeof dialogue> = { ...dialogue };
    delete withoutRoom.roomForInfluence;
    expect(await refusal(ops.local.recordDialogue('farsta', withoutRoom, 'board:farsta'))).toMatchObject({
      status: 400,
      field: 'roomForInfluence',
      code: 'required',
    });
    expect((await ops.local.recordDialogue('farsta', dialogue, 'board:farsta')).dialogues).toHaveLength(1);
    expect((await submit('lup-program', 'farsta', programme, { decisionDate: d(1) })).stage).toBe('submitted');
    const adopted = await eventually(
      () => ops.local.lupView('farsta'),
      (v) => v.stage === 'i-kraft',
    );
    expect(adopted.state.programme).toMatchObject({
      number: 1,
      adoptedOn: d(1),
      budgetYear: YEAR,
      versions: [{ version: 1 }],
    });
  });

  it('blocks a budgetunderlag without a cost for each larger LUP measure, naming it', async () => {
    const summary = { sammanfattning: { sammanfattning: 'Oförändrad ram.' } };
    expect(await refusal(submit('budgetunderlag', 'farsta', summary))).toEqual({
      status: 400,
      field: 'answers.lup-atgarder[trygg-centrum].atgard-kostnad',
      problem: 'must be answered',
      code: 'required',
    });
    // Only the larger measure is asked for: läxhjälpen needs no budget decision.
    expect(
      await refusal(
        submit('budgetunderlag', 'farsta', { ...summary, 'lup-atgarder': { laxhjalp: { 'atgard-kostnad': 50 } } }),
      ),
    ).toMatchObject({ field: 'answers.lup-atgarder[trygg-centrum].atgard-kostnad' });
    const complete = { ...summary, 'lup-atgarder': { 'trygg-centrum': { 'atgard-kostnad': 4200 } } };
    expect((await submit('budgetunderlag', 'farsta', complete)).stage).toBe('submitted');
  });

  it('rejects a service board’s plan missing a priority area, naming it; the committee view shows the complete one', async () => {
    const before = await ops.local.localDevelopment(YEAR);
    expect(before.priorityAreas.map((a) => [a.id, a.servedBy.map((b) => b.id), a.boards])).toEqual([
      ['rinkeby-kista', ['jarva'], []],
    ]);
    expect(await refusal(submit('verksamhetsplan', 'kulturnamnden', {}))).toEqual({
      status: 400,
      field: 'answers.prioriterade-omraden[rinkeby-kista]',
      problem: 'answer at least one of omrade-namndmal, omrade-aktiviteter, omrade-ingen-del',
      code: 'one-required',
    });
    const plan = {
      'prioriterade-omraden': { 'rinkeby-kista': { 'omrade-aktiviteter': [{ aktivitet: 'Kulturskola i Rinkeby' }] } },
    };
    expect((await submit('verksamhetsplan', 'kulturnamnden', plan)).stage).toBe('submitted');
    // A company board states why it has no part: that is complete too.
    const none = {
      'prioriterade-omraden': {
        'rinkeby-kista': { 'omrade-ingen-del': 'Stokab har ingen verksamhet riktad till området.' },
      },
    };
    expect((await submit('verksamhetsplan', 'stokab', none)).stage).toBe('submitted');
    const after = await eventually(
      () => ops.local.localDevelopment(YEAR),
      (v) => v.priorityAreas[0]!.boards.length === 2,
    );
    expect(after.priorityAreas[0]!.boards.map((b) => [b.boardId, b.aktiviteter, b.ingenDel])).toEqual([
      ['kulturnamnden', ['Kulturskola i Rinkeby'], null],
      ['stokab', [], 'Stokab har ingen verksamhet riktad till området.'],
    ]);
  });

  it('asks each tertial report for a section per LUP measure and priority area, and aggregates the statuses', async () => {
    expect(
      await refusal(
        submit('tertialrapport-1', 'farsta', { 'lup-atgarder': { 'trygg-centrum': { 'atgard-status': 'pagar' } } }),
      ),
    ).toEqual({
      status: 400,
      field: 'answers.lup-atgarder[laxhjalp].atgard-status',
      problem: 'must be answered',
      code: 'required',
    });
    await submit('tertialrapport-1', 'farsta', {
      'lup-atgarder': {
        'trygg-centrum': { 'atgard-status': 'pagar', 'atgard-kommentar': 'Belysning klar, kameror upphandlas.' },
        laxhjalp: { 'atgard-status': 'klar' },
      },
    });
    expect(await refusal(submit('tertialrapport-1', 'kulturnamnden', {}))).toMatchObject({
      field: 'answers.prioriterade-omraden[rinkeby-kista].omrade-status',
    });
    await submit('tertialrapport-1', 'kulturnamnden', {
      'prioriterade-omraden': { 'rinkeby-kista': { 'omrade-status': 'forsenad', 'omrade-kommentar': 'Lokal saknas.' } },
    });
    const view = await eventually(
      () => ops.local.localDevelopment(YEAR),
      (v) => v.priorityAreas[0]!.boards.some((b) => b.followUp !== null),
    );
    expect(view.priorityAreas[0]!.boards.find((b) => b.boardId === 'kulturnamnden')?.followUp).toEqual({
      phaseId: 'tertialrapport-1',
      status: 'forsenad',
      comment: 'Lokal saknas.',
    });
  });

  it('records Farsta’s follow-up against its programme, which stays in force; Järva, silent, is late and escalated to the committee', async () => {
    await submit('lup-uppfoljning', 'farsta', {
      'lup-atgarder': { 'trygg-centrum': { 'atgard-status': 'klar' }, laxhjalp: { 'atgard-status': 'klar' } },
      sammanfattning: { 'lup-sammanfattning': 'Båda åtgärderna är genomförda.' },
    });
    const farstaLup = await eventually(
      () => ops.local.lupView('farsta'),
      (v) => v.state.followUps.length === 1,
    );
    expect(farstaLup.state.followUps).toMatchObject([{ budgetYear: YEAR, phaseId: 'lup-uppfoljning', programme: 1 }]);
    // The programme outlives the cycle: its workflow is still running.
    const lupHandle = ctx.env.client.workflow.getHandle(lupWorkflowId('teststad', 'farsta'));
    expect((await lupHandle.describe()).status.name).toBe('RUNNING');
    await recordHistoryIfAsked(
      ctx.env.client.workflow.getHandle(`teststad/${YEAR}/lup-analys/farsta`),
      'deliverable-with-content',
    );

    await sleepUntilStockholm(ctx.env, d(26), '12:00'); // past the deadline (day 20) and the priority ladder
    const rows = await eventually(
      () => listDeliverableStatus(ctx.harness.db.pool, 'teststad', YEAR),
      (r) => r.some((x) => x.board_id === 'jarva' && x.phase_id === 'lup-analys' && x.escalation_level === 3),
    );
    expect(rows.find((x) => x.board_id === 'jarva' && x.phase_id === 'lup-analys')).toMatchObject({
      late: true,
      escalation_level: 3,
      stage: 'open',
    });
    const view = await ops.local.localDevelopment(YEAR);
    expect(view.districts.map((x) => [x.boardId, x.stage, x.dialogues.length, x.servesPriorityAreas])).toEqual([
      ['farsta', 'i-kraft', 1, []],
      ['jarva', 'utan-program', 0, ['rinkeby-kista']],
    ]);
    expect(view.districts[0]!.dialogues[0]).toMatchObject({ question: dialogue.question, forms: dialogue.forms });
    expect(view.punctuality.find((p) => p.boardId === 'jarva')).toMatchObject({ lateNow: 1 });
    expect(view.punctuality.find((p) => p.boardId === 'farsta')).toMatchObject({ lateNow: 0, onTime: 5 });
  });
});

describe('a revision reaches the reports', () => {
  it('asks the budgetunderlag for a measure the district added by revision, and no longer for one it ended', async () => {
    const pool = ctx.harness.db.pool;
    const contextOf = async () =>
      buildTemplateContext(pool, {
        municipality: 'teststad',
        cycle: (await loadCycle(pool, 'teststad', YEAR))!,
        registry: smallRegistry,
        phaseId: 'budgetunderlag',
        today: d(30),
        boardId: 'farsta',
        plannedBoardId: 'farsta',
      });
    const before = await eventually(contextOf, (c) => c['lup-measures']?.length === 2);
    expect(before['larger-lup-measures']!.map((m) => m.id)).toEqual(['trygg-centrum']);
    const view = await ops.local.lupView('farsta');
    // A goal outside the budget years' goals, an owner that is another district: refused by the field.
    const measure = { id: 'fritidsgard', title: 'Fritidsgård', ownerId: 'farsta' };
    const revise = (m: object) =>
      ops.local.reviseProgramme('farsta', { on: d(30), reason: 'Skäl', add: [{ ...measure, ...m }] }, 'board:farsta');
    expect(await refusal(revise({ goal: 'demokratiskt-hallbar' }))).toMatchObject({
      status: 400,
      field: 'add.0.goal',
      code: 'not-an-option',
    });
    expect(await refusal(revise({ ownerId: 'jarva' }))).toMatchObject({
      status: 400,
      field: 'add.0.ownerId',
      code: 'not-in-registry',
    });
    expect((await ops.local.lupView('farsta')).state.programme!.versions).toHaveLength(
      view.state.programme!.versions.length,
    );
    await ops.local.reviseProgramme(
      'farsta',
      {
        basedOnVersion: view.state.programme!.versions.length,
        on: d(30),
        reason: 'Fritidsgården behövs enligt årets dialog',
        add: [
          { id: 'fritidsgard', title: 'Fritidsgård i Farsta strand', ownerId: 'farsta', larger: true, cost: 900000 },
        ],
        end: ['laxhjalp'],
      },
      'board:farsta',
    );
    const after = await eventually(contextOf, (c) => c['lup-measures']?.some((m) => m.id === 'fritidsgard') === true);
    expect(after['lup-measures']!.map((m) => m.id)).toEqual(['trygg-centrum', 'fritidsgard']);
    expect(after['larger-lup-measures']!.map((m) => m.id)).toEqual(['trygg-centrum', 'fritidsgard']);
  });
});

describe('the CLI for local development work', () => {
  const arshjul = (args: string[]) =>
    runArshjul(args, {
      TEMPORAL_ADDRESS: ctx.env.address,
      TEMPORAL_TASK_QUEUE: ctx.harness.taskQueue,
      DATABASE_URL: ctx.harness.db.url,
      MUNICIPALITY: 'teststad',
    });

  it('records a dialogue and submits a LUP stage with its answers from a file, naming a missing goal', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'arshjul-lup-cli-'));
    try {
      writeFileSync(join(dir, 'partial.json'), JSON.stringify(analysisFor('klimatsmart', { klimatsmart: '' })));
      writeFileSync(join(dir, 'analysis.json'), JSON.stringify(analysisFor('ekonomiskt-hallbar')));
      writeFileSync(join(dir, 'dialogue.json'), JSON.stringify({ ...dialogue, id: 'jarva-torg' }));
      const submitArgs = (file: string) => [
        'deliverable',
        'submit',
        String(YEAR),
        'lup-analys',
        'jarva',
        '--document-ref',
        'Dnr J 1',
        '--content',
        join(dir, file),
      ];
      const refused = await arshjul(submitArgs('partial.json'));
      expect(refused.code).toBe(2);
      expect(refused.stderr).toMatch(/^fel: answers\.analys\[klimatsmart\]\.mal-analys: /);
      const [submitted, recorded] = await Promise.all([
        arshjul(submitArgs('analysis.json')),
        arshjul(['lup', 'dialogue', 'jarva', '--file', join(dir, 'dialogue.json')]),
      ]);
      expect(submitted.stderr).toBe('');
      expect(submitted.stdout).toBe(`Leveransen lup-analys/jarva (${YEAR}) är inlämnad (submitted).\n`);
      expect(recorded.stdout).toBe('Dialogen är registrerad: jarva har 1 medborgardialog.\n');
      const status = await eventually(
        () => arshjul(['lup', 'status', 'jarva']),
        (r) => (JSON.parse(r.stdout) as { state: { analyses: unknown[] } }).state.analyses.length === 1,
      );
      expect(JSON.parse(status.stdout)).toMatchObject({
        stage: 'utan-program',
        state: { analyses: [{ budgetYear: YEAR, mainFocus: 'ekonomiskt-hallbar' }] },
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
