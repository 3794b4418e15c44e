import { WorkflowHandle, WorkflowUpdateFailedError } from '@temporalio/client';
import { listAuditEvents } from '../../src/db/audit-log';
import { rebuildContentProjections } from '../../src/db/content-projection';
import type { LupState } from '../../src/domain/lup-state';
import {
  handOverProgrammeUpdate,
  lupStageSubmittedSignal,
  lupViewQuery,
  lupWorkflowId,
  receiveProgrammeUpdate,
  recordConsultationUpdate,
  recordDialoguePartUpdate,
  recordDialogueUpdate,
  reviseProgrammeUpdate,
  setMeasureStatusUpdate,
} from '../../src/workflows/lup-messages';
import { lupWorkflow } from '../../src/workflows/lup-workflow';
import { recordHistoryIfAsked } from '../helpers/histories';
import { useRunningWorker } from '../helpers/stack';
import { sleepUntilStockholm, startTimeSkippingEnv } from '../helpers/temporal';

/**
 * A district's programme across two budget years under the time-skipping server: adopted in the
 * first, revised in the second, followed up in both, carried through continue-as-new, handed to
 * the successor on a merger; and two revisions at once.
 */
const ctx = useRunningWorker(startTimeSkippingEnv, 'ts_lup_programme');

const start = (boardId: string, continueAsNewAfterEvents?: number) =>
  ctx.env.client.workflow.start(lupWorkflow, {
    args: [{ municipality: 'teststad', boardId, ...(continueAsNewAfterEvents && { continueAsNewAfterEvents }) }],
    workflowId: lupWorkflowId('teststad', boardId),
    taskQueue: ctx.harness.taskQueue,
  });

const dialogue = (id: string, heldOn: string) => ({
  id,
  need: 'Otrygghet kring torget',
  question: 'Vad gör torget tryggare?',
  forms: ['trygghetsvandring', 'enkät'],
  roomForInfluence: 'Nämnden väljer bland de tre förslag som får flest röster',
  participants: [
    { group: 'invanare', count: 40 },
    { group: 'lokala-aktorer', count: 6 },
    { group: 'fortroendevalda', count: 2 },
    { group: 'medarbetare', count: 4 },
  ],
  heldOn,
  outcome: 'Belysning och en ungdomsgård',
  feedback: 'Brev och möte med deltagarna',
  by: 'Farsta',
});
const programmeContent = {
  atgarder: {
    atgarder: [
      { id: 'belysning', titel: 'Bättre belysning vid torget', storre: 'ja', mal: 'trygg', kostnad: 800000 },
      { id: 'laxhjalp', titel: 'Läxhjälp', storre: 'nej' },
    ],
  },
};

/** Waits until the programme's state passes `test` (a signal is handled a moment after it is sent). */
async function until(handle: WorkflowHandle, test: (s: LupState) => boolean): Promise<LupState> {
  for (let i = 0; i < 100; i++) {
    const view = await ctx.env.client.workflow.getHandle(handle.workflowId).query(lupViewQuery);
    if (test(view.state)) return view.state;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('the programme never reached the state asked for');
}

async function refusal(attempt: Promise<unknown>): Promise<unknown> {
  const error = await attempt.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(WorkflowUpdateFailedError);
  return ((error as WorkflowUpdateFailedError).cause as Error & { details?: unknown[] }).details?.[0];
}

describe('lupWorkflow: one programme per district across budget years', () => {
  it('adopts in year 1, revises in year 2, follows up in both, keeps its state through continue-as-new, hands over on a merger', async () => {
    const farsta = await start('farsta', 60);
    const firstRunId = farsta.firstExecutionRunId;
    const pool = ctx.harness.db.pool;

    // Year 1 (budget year 2027): analysis, consultation, dialogue, adoption, follow-up in T1.
    await sleepUntilStockholm(ctx.env, '2026-03-01');
    const stage = (s: Record<string, unknown>) => farsta.signal(lupStageSubmittedSignal, { by: 'Farsta', ...s });
    await stage({
      stage: 'analysis',
      budgetYear: 2027,
      phaseId: 'lup-analys',
      content: { fokus: { huvudfokus: 'trygg' } },
      on: '2026-03-01',
    });
    await farsta.executeUpdate(recordConsultationUpdate, {
      args: [
        { id: 'trafik-1', withBoardId: 'trafiknamnden', heldOn: '2026-03-02', said: 'Belysning 2027', by: 'Farsta' },
      ],
    });
    // A programme before any dialogue is refused and recorded as refused; nothing is adopted.
    await stage({
      stage: 'programme',
      budgetYear: 2027,
      phaseId: 'lup-program',
      content: programmeContent,
      decisionDate: '2026-04-20',
      documentRef: 'Dnr 2026/12',
      on: '2026-04-20',
    });
    await farsta.executeUpdate(recordDialogueUpdate, { args: [dialogue('torget-2026', '2026-03-10')] });
    await stage({
      stage: 'programme',
      budgetYear: 2027,
      phaseId: 'lup-program',
      content: programmeContent,
      decisionDate: '2026-04-21',
      documentRef: 'Dnr 2026/12',
      on: '2026-04-21',
    });
    let state = await until(farsta, (s) => s.programme !== undefined);
    expect(state.programme).toMatchObject({ number: 1, adoptedOn: '2026-04-21', reference: 'Dnr 2026/12' });
    // The traffic board, consulted, records its part in the dialogue (when: the workflow's clock);
    // the sports board, named nowhere in the record yet, is refused naming the field.
    const part = (serviceBoardId: string, contribution: string) =>
      farsta.executeUpdate(recordDialoguePartUpdate, {
        args: [{ dialogueId: 'torget-2026', serviceBoardId, contribution, by: `person:${serviceBoardId}` }],
      });
    state = await part('trafiknamnden', 'Belysningen vid torget byggs 2027');
    expect(state.dialogues[0]!.parts).toEqual([
      {
        boardId: 'trafiknamnden',
        contribution: 'Belysningen vid torget byggs 2027',
        by: 'person:trafiknamnden',
        recordedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d/),
      },
    ]);
    expect(await refusal(part('idrottsnamnden', 'Hallen'))).toMatchObject({
      field: 'serviceBoardId',
      code: 'not-concerned',
    });
    await sleepUntilStockholm(ctx.env, '2027-05-10');
    await stage({ stage: 'follow-up', budgetYear: 2027, phaseId: 'tertialrapport-1', content: {}, on: '2027-05-10' });
    await farsta.executeUpdate(setMeasureStatusUpdate, {
      args: [{ measureId: 'belysning', status: 'pagar', on: '2027-05-11', by: 'Farsta' }],
    });

    // Year 2 (budget year 2028): a revision with reasons, then T2 and the annual report.
    await sleepUntilStockholm(ctx.env, '2027-09-01');
    state = await farsta.executeUpdate(reviseProgrammeUpdate, {
      args: [
        {
          basedOnVersion: 1,
          on: '2027-09-01',
          reason: 'Den nya analysen visar behov bland unga',
          add: [
            {
              id: 'ungdomsgard',
              title: 'Ungdomsgård i Hökarängen',
              ownerId: 'idrottsnamnden',
              goal: 'trygg',
              indicators: [{ name: 'Besökare per vecka', target: '200' }],
              cost: 2500000,
              larger: true,
            },
          ],
          end: ['laxhjalp'],
          by: 'Farsta',
        },
      ],
    });
    expect(state.programme!.versions.map((v) => v.version)).toEqual([1, 2]);
    // Owning a measure now, the sports board records its part too.
    state = await part('idrottsnamnden', 'Ungdomsgården öppnar på kvällarna');
    expect(state.dialogues[0]!.parts!.map((p) => p.boardId)).toEqual(['trafiknamnden', 'idrottsnamnden']);
    await stage({ stage: 'follow-up', budgetYear: 2028, phaseId: 'tertialrapport-2', content: {}, on: '2028-09-15' });
    await stage({
      stage: 'follow-up',
      budgetYear: 2028,
      phaseId: 'verksamhetsberattelse',
      content: {},
      on: '2029-02-15',
    });
    state = await until(farsta, (s) => s.followUps.length === 3);
    expect(state.followUps.map((f) => [f.budgetYear, f.phaseId, f.programme, f.version])).toEqual([
      [2027, 'tertialrapport-1', 1, 1],
      [2028, 'tertialrapport-2', 1, 2],
      [2028, 'verksamhetsberattelse', 1, 2],
    ]);

    // More messages than the history limit: the run continued as new, and nothing was lost.
    for (let i = 0; i < 6; i++) {
      await farsta.executeUpdate(recordDialogueUpdate, { args: [dialogue(`uppfoljning-${i}`, '2027-10-01')] });
    }
    const described = await farsta.describe();
    expect(described.runId).not.toBe(firstRunId);
    const view = await farsta.query(lupViewQuery);
    expect(view.state.dialogues).toHaveLength(7);
    expect(view.state.programme!.versions).toHaveLength(2);
    expect(view.state.followUps).toHaveLength(3);
    expect(view.state.programme!.measures.find((m) => m.id === 'belysning')!.status).toBe('pagar');

    // The record: in order, numbered across runs, the refused programme kept.
    const events = await listAuditEvents(pool, farsta.workflowId);
    const kinds = events.map((e) => e.kind);
    expect(kinds.slice(0, 6)).toEqual([
      'lup-started',
      'lup-analysis-recorded',
      'lup-consultation-recorded',
      'lup-stage-refused',
      'lup-dialogue-recorded',
      'lup-programme-adopted',
    ]);
    expect(events.find((e) => e.kind === 'lup-stage-refused')!.payload).toMatchObject({ code: 'dialogue-required' });
    expect(events.map((e) => Number(e.seq))).toEqual(events.map((_, i) => i + 1));

    // The read model: the programme, its versions, the measures with their history, dialogues, consultations.
    const programme = await pool.query('SELECT * FROM lup_programmes WHERE workflow_id = $1', [farsta.workflowId]);
    expect(programme.rows[0]).toMatchObject({ board_id: 'farsta', stage: 'i-kraft', programme_number: 1, version: 2 });
    const versions = await pool.query(
      'SELECT version, reason, added, ended FROM lup_programme_versions WHERE workflow_id = $1 ORDER BY version',
      [farsta.workflowId],
    );
    expect(versions.rows).toEqual([
      { version: 1, reason: 'Antaget av nämnden', added: ['belysning', 'laxhjalp'], ended: [] },
      { version: 2, reason: 'Den nya analysen visar behov bland unga', added: ['ungdomsgard'], ended: ['laxhjalp'] },
    ]);
    const measures = await pool.query(
      'SELECT measure_id, owner_id, status, cost FROM lup_measures WHERE workflow_id = $1 ORDER BY measure_id',
      [farsta.workflowId],
    );
    expect(measures.rows).toEqual([
      { measure_id: 'belysning', owner_id: 'farsta', status: 'pagar', cost: '800000' },
      { measure_id: 'laxhjalp', owner_id: 'farsta', status: 'avslutad', cost: null },
      { measure_id: 'ungdomsgard', owner_id: 'idrottsnamnden', status: 'planerad', cost: '2500000' },
    ]);
    const dumpTables = async () =>
      Promise.all(
        [
          'lup_programmes',
          'lup_programme_versions',
          'lup_measures',
          'lup_dialogues',
          'lup_consultations',
          'lup_dialogue_parts',
        ].map(async (t) => (await pool.query(`SELECT * FROM ${t} ORDER BY 1, 2, 3`)).rows),
      );
    const before = await dumpTables();
    expect(before[3]).toHaveLength(7);
    expect(before[4]).toHaveLength(1);
    expect(before[5]!.map((r) => [r.dialogue_id, r.position, r.dialogue_board_id, r.part_board_id])).toEqual([
      ['torget-2026', 0, 'farsta', 'trafiknamnden'],
      ['torget-2026', 1, 'farsta', 'idrottsnamnden'],
    ]);
    await rebuildContentProjections(pool);
    expect(await dumpTables()).toEqual(before);

    // The merger: Farsta's programme goes to Järva, recorded on both sides, once even if asked twice.
    const jarva = await start('jarva');
    const handed = await farsta.executeUpdate(handOverProgrammeUpdate, {
      args: [{ to: 'jarva', on: '2029-07-01', by: 'SLK' }],
    });
    await farsta.executeUpdate(handOverProgrammeUpdate, { args: [{ to: 'jarva', on: '2029-07-01', by: 'SLK' }] });
    await jarva.executeUpdate(receiveProgrammeUpdate, { args: [{ predecessor: handed, by: 'SLK' }] });
    const received = await jarva.executeUpdate(receiveProgrammeUpdate, { args: [{ predecessor: handed, by: 'SLK' }] });
    expect(received.programme).toMatchObject({ number: 1, boardId: 'farsta' });
    expect(received.dialogues).toHaveLength(7);
    expect(
      await refusal(farsta.executeUpdate(recordDialogueUpdate, { args: [dialogue('efter', '2029-08-01')] })),
    ).toMatchObject({ code: 'handed-over', params: { to: 'jarva' } });
    expect((await listAuditEvents(pool, farsta.workflowId)).filter((e) => e.kind === 'lup-handed-over')).toHaveLength(
      1,
    );
    expect((await listAuditEvents(pool, jarva.workflowId)).filter((e) => e.kind === 'lup-received')).toHaveLength(1);
    const rows = await pool.query('SELECT board_id, stage, handed_over_to FROM lup_programmes ORDER BY board_id');
    expect(rows.rows).toEqual([
      { board_id: 'farsta', stage: 'overlamnat', handed_over_to: 'jarva' },
      { board_id: 'jarva', stage: 'i-kraft', handed_over_to: null },
    ]);
    await recordHistoryIfAsked(farsta, 'lup-programme');
  });

  it('takes two revisions at once: both when made independently, one refused cleanly when made from the same version', async () => {
    const handle = await start('skarpnack');
    await handle.executeUpdate(recordDialogueUpdate, { args: [{ ...dialogue('d1', '2026-03-10'), by: 'Skarpnäck' }] });
    await handle.signal(lupStageSubmittedSignal, {
      stage: 'programme',
      budgetYear: 2027,
      phaseId: 'lup-program',
      content: programmeContent,
      decisionDate: '2026-04-21',
      documentRef: 'Dnr 2026/3',
      on: '2026-04-21',
      by: 'Skarpnäck',
    });
    await until(handle, (s) => s.programme !== undefined);
    const revise = (basedOnVersion: number | undefined, id: string) =>
      handle.executeUpdate(reviseProgrammeUpdate, {
        args: [
          {
            ...(basedOnVersion && { basedOnVersion }),
            on: '2027-09-01',
            reason: `Lägger till ${id}`,
            add: [{ id, title: id, ownerId: 'skarpnack' }],
            by: 'Skarpnäck',
          },
        ],
      });

    // Made independently (no version named): both taken, each its own version, nothing lost.
    const both = await Promise.allSettled([revise(undefined, 'a'), revise(undefined, 'b')]);
    expect(both.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled']);
    let state = (await handle.query(lupViewQuery)).state;
    expect(state.programme!.versions.map((v) => [v.version, v.added])).toEqual([
      [1, ['belysning', 'laxhjalp']],
      [2, [expect.any(String)]],
      [3, [expect.any(String)]],
    ]);
    expect(state.programme!.measures.map((m) => m.id).sort()).toEqual(['a', 'b', 'belysning', 'laxhjalp']);

    // Both made from version 3: one is taken, the other refused naming the version now in force.
    const race = await Promise.allSettled([revise(3, 'c'), revise(3, 'd')]);
    const taken = race.filter((r) => r.status === 'fulfilled');
    const refused = race.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(taken).toHaveLength(1);
    expect(refused).toHaveLength(1);
    expect(await refusal(Promise.reject(refused[0]!.reason))).toMatchObject({
      field: 'basedOnVersion',
      code: 'programme-revised-meanwhile',
      params: { version: 4 },
    });
    state = (await handle.query(lupViewQuery)).state;
    expect(state.programme!.versions).toHaveLength(4);

    // The record in order: one event per version taken, their versions ascending.
    const revised = (await listAuditEvents(ctx.harness.db.pool, handle.workflowId)).filter(
      (e) => e.kind === 'lup-programme-revised',
    );
    expect(revised.map((e) => (e.payload as { version: number }).version)).toEqual([2, 3, 4]);
  });

  it('takes two parts in one dialogue at once: both kept, in the order handled, in the record and the read model', async () => {
    const handle = await start('enskede');
    for (const withBoardId of ['kulturnamnden', 'trafiknamnden']) {
      await handle.executeUpdate(recordConsultationUpdate, {
        args: [{ id: withBoardId, withBoardId, heldOn: '2026-03-02', said: 'Bidrar', by: 'Enskede' }],
      });
    }
    await handle.executeUpdate(recordDialogueUpdate, { args: [{ ...dialogue('d1', '2026-03-10'), by: 'Enskede' }] });
    const part = (serviceBoardId: string) =>
      handle.executeUpdate(recordDialoguePartUpdate, {
        args: [
          {
            dialogueId: 'd1',
            serviceBoardId,
            contribution: `Del från ${serviceBoardId}`,
            by: `person:${serviceBoardId}`,
          },
        ],
      });
    const both = await Promise.allSettled([part('kulturnamnden'), part('trafiknamnden')]);
    expect(both.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled']);
    const parts = (await handle.query(lupViewQuery)).state.dialogues[0]!.parts!;
    expect(parts.map((p) => p.boardId).sort()).toEqual(['kulturnamnden', 'trafiknamnden']);

    const pool = ctx.harness.db.pool;
    const events = (await listAuditEvents(pool, handle.workflowId)).filter(
      (e) => e.kind === 'lup-dialogue-part-recorded',
    );
    expect(events.map((e) => (e.payload as { position: number }).position)).toEqual([0, 1]);
    expect(events.map((e) => (e.payload as { part: { boardId: string } }).part.boardId)).toEqual(
      parts.map((p) => p.boardId),
    );
    const rows = await pool.query(
      'SELECT position, part_board_id FROM lup_dialogue_parts WHERE workflow_id = $1 ORDER BY position',
      [handle.workflowId],
    );
    expect(rows.rows.map((r) => r.part_board_id)).toEqual(parts.map((p) => p.boardId));
    // The programme's own history is of its last run: this one replays the parts' update.
    await recordHistoryIfAsked(handle, 'lup-dialogue-parts');
  });
});
