import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { shippedTemplatesDir, templateLookup } from '../../src/client/templates';
import { createCycleOperations, CycleOperations } from '../../src/client/operations/cycle-operations';
import { OperationError } from '../../src/client/operations/operation-error';
import { listAuditEvents } from '../../src/db/audit-log';
import { withTransaction } from '../../src/db/database';
import { listDeliverableStatus } from '../../src/db/read-model';
import { replaceRegistry } from '../../src/db/registry';
import { cycleCalendarSchema } from '../../src/domain/cycle-calendar';
import { addDays } from '../../src/domain/local-date';
import { localDateOf } from '../../src/domain/zoned-time';
import { lupWorkflowId } from '../../src/workflows/lup-messages';
import { smallRegistry } from '../fixtures/small-registry';
import { runArshjul } from '../helpers/cli';
import { eventually } from '../helpers/eventually';
import { useRunningWorker } from '../helpers/stack';
import { sleepUntilStockholm, startTimeSkippingEnv } from '../helpers/temporal';

/**
 * A district whose programme the board adopted before Årshjul: the cycle's LUP follow-up is
 * refused (no programme in force) until the programme is registered, and taken after. Two
 * registrations at once: one wins, the other is refused cleanly, the record in order.
 */
const ctx = useRunningWorker(startTimeSkippingEnv, 'lup_register');
const YEAR = 2092;
const MUNICIPALITY = smallRegistry.municipality;
let ops: CycleOperations;
let day0: string;
const d = (days: number) => addDays(day0, days);

const programme = (reference: string, boardId = 'farsta') => ({
  decisionDate: '2023-11-16',
  reference,
  measures: [
    { id: 'trygga-parker', title: 'Tryggare parker', ownerId: boardId },
    {
      id: 'bibliotek',
      title: 'Längre öppettider på biblioteket',
      ownerId: 'kulturnamnden',
      larger: true,
      cost: 900000,
    },
  ],
  period: { from: '2024-01-01', to: '2027-12-31' },
});

async function refusal(attempt: Promise<unknown>): Promise<Record<string, unknown>> {
  const error = await attempt.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(OperationError);
  const e = error as OperationError;
  return { status: e.status, field: e.field, code: e.code, ...(e.params && { params: e.params }) };
}

const followUp = (boardId: string, content: unknown) =>
  ops.actOnDeliverable(
    YEAR,
    'lup-uppfoljning',
    boardId,
    'submit',
    { documentRef: `Dnr ${boardId} uppföljning`, content },
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
    municipality: MUNICIPALITY,
    today: () => day0,
  });
  const calendar = cycleCalendarSchema.parse({
    municipality: MUNICIPALITY,
    budgetYear: YEAR,
    openingOnNonBusinessDay: 'stay',
    phases: [
      {
        id: 'lup-uppfoljning',
        kind: 'deliverable',
        name: 'Uppföljning av LUP',
        template: 'lup-uppfoljning',
        lupStage: 'follow-up',
        audience: { kinds: ['stadsdelsnamnd'] },
        opens: { date: d(1) },
        deadline: d(30),
      },
    ],
  });
  const shipped = templateLookup(shippedTemplatesDir());
  expect(await ops.startCycle(calendar, 'test', [shipped('lup-uppfoljning').template!])).toBe('started');
  await sleepUntilStockholm(ctx.env, d(1), '12:00');
  await eventually(
    () => listDeliverableStatus(pool, MUNICIPALITY, YEAR),
    (rows) => rows.filter((r) => r.stage === 'open').length === 2,
  );
});

describe('a programme adopted before Årshjul', () => {
  it('is refused at follow-up until registered, then the follow-up is taken against it', async () => {
    const summary = { sammanfattning: { 'lup-sammanfattning': 'Programmet från 2023 följs upp.' } };
    // Before: the board cannot hand in its follow-up.
    expect(await refusal(followUp('farsta', summary))).toMatchObject({ field: 'programme', code: 'no-programme' });

    // Bad input names its field and changes nothing.
    expect(
      await refusal(
        ops.local.registerProgramme('farsta', { ...programme('SDN 2023/412'), decisionDate: d(3) }, 'farsta'),
      ),
    ).toEqual({ status: 400, field: 'decisionDate', code: 'in-future', params: { today: day0 } });
    expect(
      await refusal(
        ops.local.registerProgramme(
          'farsta',
          { ...programme('SDN 2023/412'), measures: [{ id: 'x', title: 'X', ownerId: 'ingen-sadan' }] },
          'farsta',
        ),
      ),
    ).toMatchObject({ status: 400, field: 'measures.0.ownerId', code: 'not-in-registry' });
    expect(
      await refusal(ops.local.registerProgramme('farsta', { ...programme('SDN 2023/412'), reference: '' }, 'farsta')),
    ).toMatchObject({ status: 400, field: 'reference' });
    expect(await refusal(ops.local.registerProgramme('stokab', programme('X'), 'stokab'))).toMatchObject({
      status: 404,
    });
    expect((await ops.local.lupView('farsta')).state.programme).toBeUndefined();

    const state = await ops.local.registerProgramme('farsta', programme('SDN 2023/412'), 'board:farsta');
    expect(state.dialogues).toHaveLength(0);
    expect(state.programme).toMatchObject({
      number: 1,
      adoptedOn: '2023-11-16',
      reference: 'SDN 2023/412',
      registered: { on: d(1), by: 'board:farsta' },
    });

    // The read model has it like an adoption, version 1, marked as registered.
    const row = await ctx.harness.db.pool.query(
      `SELECT stage, programme_number, adopted_on::text, reference, version, registered_on::text, period_from::text,
              period_to::text,
              (SELECT array_agg(measure_id ORDER BY position) FROM lup_measures m WHERE m.workflow_id = p.workflow_id)
                AS measures
         FROM lup_programmes p WHERE workflow_id = $1`,
      [lupWorkflowId(MUNICIPALITY, 'farsta')],
    );
    expect(row.rows[0]).toEqual({
      stage: 'i-kraft',
      programme_number: 1,
      adopted_on: '2023-11-16',
      reference: 'SDN 2023/412',
      version: 1,
      registered_on: d(1),
      period_from: '2024-01-01',
      period_to: '2027-12-31',
      measures: ['trygga-parker', 'bibliotek'],
    });

    // After: the follow-up asks for the registered measures and is taken.
    expect(await refusal(followUp('farsta', summary))).toMatchObject({ code: 'required' });
    const taken = await followUp('farsta', {
      ...summary,
      'lup-atgarder': { 'trygga-parker': { 'atgard-status': 'pagar' }, bibliotek: { 'atgard-status': 'klar' } },
    });
    expect(taken.stage).toBe('submitted');
    const view = await eventually(
      () => ops.local.lupView('farsta'),
      (v) => v.state.followUps.length === 1,
    );
    expect(view.state.followUps).toMatchObject([
      { budgetYear: YEAR, phaseId: 'lup-uppfoljning', programme: 1, version: 1 },
    ]);

    // Registered, not adopted: the record says so; a second registration goes the revision way.
    const kinds = (await listAuditEvents(ctx.harness.db.pool, lupWorkflowId(MUNICIPALITY, 'farsta'))).map(
      (e) => e.kind,
    );
    expect(kinds).toContain('lup-programme-registered');
    expect(kinds).not.toContain('lup-programme-adopted');
    expect(await refusal(ops.local.registerProgramme('farsta', programme('SDN 2024/1'), 'farsta'))).toMatchObject({
      status: 409,
      field: 'programme',
      code: 'programme-in-force',
    });
  });

  it('takes one of two registrations made at the same moment and refuses the other cleanly', async () => {
    const results = await Promise.allSettled([
      ops.local.registerProgramme('jarva', programme('SDN 2022/7', 'jarva'), 'board:jarva:a'),
      ops.local.registerProgramme('jarva', programme('SDN 2022/8', 'jarva'), 'board:jarva:b'),
    ]);
    const taken = results.filter((r) => r.status === 'fulfilled');
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(taken).toHaveLength(1);
    expect(refused).toHaveLength(1);
    expect(await refusal(Promise.reject(refused[0]!.reason))).toEqual({
      status: 409,
      field: 'programme',
      code: 'programme-in-force',
      params: { number: 1 },
    });
    const winner = (taken[0] as PromiseFulfilledResult<{ programme?: { reference: string } }>).value.programme!
      .reference;
    const view = await ops.local.lupView('jarva');
    expect(view.state.programme).toMatchObject({ number: 1, reference: winner, versions: [{ version: 1 }] });
    expect(view.state.replaced).toHaveLength(0);

    // The record in order: started, then one registration; the read model holds the winner.
    const events = await listAuditEvents(ctx.harness.db.pool, lupWorkflowId(MUNICIPALITY, 'jarva'));
    const lup = events.filter((e) => e.kind.startsWith('lup-'));
    expect(lup.map((e) => e.kind)).toEqual(['lup-started', 'lup-programme-registered']);
    const seqs = lup.map((e) => (e.payload as { lup: { seq: number } }).lup.seq);
    expect(seqs).toEqual([1, 2]);
    const row = await ctx.harness.db.pool.query(
      'SELECT reference, last_seq FROM lup_programmes WHERE workflow_id = $1',
      [lupWorkflowId(MUNICIPALITY, 'jarva')],
    );
    expect(row.rows[0]).toEqual({ reference: winner, last_seq: '2' });
  });
});

describe('arshjul lup register', () => {
  it('registers a programme from a YAML file, and names the field of a bad one', async () => {
    const arshjul = (args: string[]) =>
      runArshjul(args, {
        TEMPORAL_ADDRESS: ctx.env.address,
        TEMPORAL_TASK_QUEUE: ctx.harness.taskQueue,
        DATABASE_URL: ctx.harness.db.url,
        MUNICIPALITY: MUNICIPALITY,
      });
    const dir = mkdtempSync(join(tmpdir(), 'arshjul-lup-register-'));
    try {
      const yaml = (title: string) =>
        [
          'decisionDate: 2021-10-21',
          'reference: SDN 2021/55',
          'measures:',
          '  - id: ungdomsgard',
          `    title: ${JSON.stringify(title)}`,
          '    ownerId: rinkeby-kista',
          'period: { from: 2022-01-01, to: 2025-12-31 }',
          '',
        ].join('\n');
      writeFileSync(join(dir, 'bad.yaml'), yaml(''));
      writeFileSync(join(dir, 'programme.yaml'), yaml('Ungdomsgård i Rinkeby'));
      const refused = await arshjul(['lup', 'register', 'rinkeby-kista', '--file', join(dir, 'bad.yaml')]);
      expect(refused.code).toBe(2);
      expect(refused.stderr).toMatch(/^fel: measures\.0\.title: /);
      const registered = await arshjul(['lup', 'register', 'rinkeby-kista', '--file', join(dir, 'programme.yaml')]);
      expect(registered.stderr).toBe('');
      expect(registered.stdout).toBe(
        'Programmet är registrerat som gällande: rinkeby-kista program 1, antaget 2021-10-21 (SDN 2021/55), 1 åtgärd.\n',
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
