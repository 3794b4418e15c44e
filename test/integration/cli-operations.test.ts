import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { shippedRegistryPath } from '../../src/client/data-files';
import { listDeliverableStatus } from '../../src/db/read-model';
import { CycleCalendarInput } from '../../src/domain/cycle-calendar';
import { addDays } from '../../src/domain/local-date';
import { localDateOf } from '../../src/domain/zoned-time';
import { cycleStatusQuery } from '../../src/workflows/budget-cycle-messages';
import { smallRegistry } from '../fixtures/small-registry';
import { CliRun, runArshjul } from '../helpers/cli';
import { eventually } from '../helpers/eventually';
import { useRunningWorker } from '../helpers/stack';
import { startDevServerEnv } from '../helpers/temporal';

/**
 * The `arshjul` commands on a running cycle, as an operator runs them: the real bin/arshjul
 * against a dev server, a worker, PostgreSQL and SMTP. Real time runs, so the calendar lies in
 * the future and nothing fires during the test; one cycle is shared by the tests, in order.
 */
const ctx = useRunningWorker(startDevServerEnv, 'cli_ops');

const TZ = 'Europe/Stockholm';
const today = localDateOf(new Date(), TZ);
const d = (days: number): string => addDays(today, days);
const yesterday = d(-1);
const YEAR = 2090;

const calendar: CycleCalendarInput = {
  municipality: 'teststad',
  budgetYear: YEAR,
  phases: [
    { id: 'kf-budget', kind: 'milestone', name: 'KF budget', owner: 'KF', date: d(30) },
    {
      id: 'budgetunderlag',
      kind: 'deliverable',
      name: 'Budgetunderlag',
      opens: { afterMilestone: 'kf-budget' },
      deadline: d(60),
      reviewRequired: true,
    },
    { id: 'verksamhetsplan', kind: 'deliverable', name: 'Verksamhetsplan', opens: { date: d(20) }, deadline: d(80) },
  ],
};

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'arshjul-cli-ops-'));
  writeFileSync(join(dir, 'registry.json'), JSON.stringify(smallRegistry));
  writeFileSync(join(dir, 'calendar.json'), JSON.stringify(calendar));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** bin/arshjul with the stack's addresses. */
function arshjul(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliRun> {
  return runArshjul(args, {
    TEMPORAL_ADDRESS: ctx.env.address,
    TEMPORAL_NAMESPACE: ctx.env.namespace ?? 'default',
    TEMPORAL_TASK_QUEUE: ctx.harness.taskQueue,
    DATABASE_URL: ctx.harness.db.url,
    MUNICIPALITY: 'teststad',
    ...env,
  });
}

const fileIn = (name: string): string => join(dir, name);

describe('arshjul org', () => {
  it('imports a registry, refuses another municipality’s, and lists the organisations of a day', async () => {
    const [other, imported] = await Promise.all([
      arshjul(['org', 'import', shippedRegistryPath()]),
      arshjul(['org', 'import', fileIn('registry.json')]),
    ]);
    expect(other.code).toBe(2);
    expect(other.stderr).toBe(
      'fel: municipality: Uppgifterna gäller en annan kommun (other-municipality)\n' +
        `  detalj: ${shippedRegistryPath()} is the registry of stockholm, but MUNICIPALITY is teststad\n`,
    );
    expect(imported.stderr).toBe('');
    expect(imported.code).toBe(0);
    expect(imported.stdout).toContain(
      'Organisationsregistret för teststad är inläst: 7 organisationer, 1 prioriterade områden',
    );
    expect(imported.stdout).toContain('4 nämnder');

    const [json, table] = await Promise.all([
      arshjul(['org', 'list', '--format', 'json']),
      arshjul(['org', 'list', '--on', '2020-01-01']),
    ]);
    expect(json.code).toBe(0);
    const doc = JSON.parse(json.stdout);
    expect(doc).toMatchObject({ format: 'arshjul-organisations/1', municipality: 'teststad', on: today });
    expect(doc.organisations.map((o: { id: string }) => o.id)).toEqual([
      'farsta',
      'jarva',
      'kulturnamnden',
      'stockholms-stadshus',
      'stokab',
      'ytterstadsutskottet',
    ]);
    expect(doc.organisations[0]).toMatchObject({ kind: 'stadsdelsnamnd', validTo: null });
    // The registry file names Farsta's head forvaltningschef: read, and listed, as its stadsdelsdirektör.
    expect(doc.organisations[0].contacts.map((c: { role: string }) => c.role)).toEqual([
      'registrator',
      'stadsdelsdirektor',
      'ordforande',
    ]);
    expect(table.code).toBe(0);
    const lines = table.stdout.split('\n');
    expect(lines[1]).toMatch(/^id\s+namn\s+typ\s+giltig\s+kontakter \(roller\)$/);
    expect(table.stdout).toMatch(
      /rinkeby-kista\s+Rinkeby-Kista stadsdelsnämnd\s+stadsdelsnamnd\s+2007-01-01–2023-06-30/,
    );
    expect(table.stdout).toMatch(/farsta .* registrator, stadsdelsdirektor, ordforande/);
    expect(table.stdout).not.toContain('jarva');
  });
});

describe('arshjul token', () => {
  it('creates tokens (the secret once), refuses an unknown board, lists and revokes', async () => {
    const [admin, unknownBoard, board] = await Promise.all([
      arshjul(['token', 'create', '--role', 'admin', '--label', 'SLK ekonomi', '--expires', d(30)]),
      arshjul(['token', 'create', '--role', 'board:nosuch', '--label', 'Ingen']),
      arshjul(['token', 'create', '--role', 'board:farsta', '--label', 'Farsta registrator']),
    ]);
    expect(unknownBoard.code).toBe(2);
    expect(unknownBoard.stderr).toBe(
      'fel: role: Behörighet finns inte i organisationsregistret (not-in-registry)\n' +
        '  detalj: nosuch is not a board in the registry stored for teststad\n',
    );
    for (const run of [admin, board]) {
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(/^arshjul_[A-Za-z0-9_-]{43}\n$/);
      expect(run.stderr).toContain('visas bara nu och lagras inte');
    }
    expect(admin.stderr).toContain(`giltig till och med ${d(30)}`);
    const adminId = /Nyckeln (tok_[0-9a-f]+)/.exec(admin.stderr)![1]!;
    const stored = await ctx.harness.db.pool.query<{ n: string }>('SELECT count(*) AS n FROM api_tokens');
    expect(stored.rows[0]!.n).toBe('2');

    const revoked = await arshjul(['token', 'revoke', adminId]);
    expect(revoked.code).toBe(0);
    expect(revoked.stdout).toBe(`Nyckeln ${adminId} är återkallad (revoked).\n`);
    const [again, list] = await Promise.all([
      arshjul(['token', 'revoke', adminId]),
      arshjul(['token', 'list', '--format', 'json']),
    ]);
    expect(again.code).toBe(1);
    expect(again.stderr).toBe(
      `fel: id: Id finns inte (not-found)\n  detalj: ${adminId}: no such token, or already revoked\n`,
    );
    const tokens = JSON.parse(list.stdout).tokens as Array<Record<string, unknown>>;
    // An old role lists as its grants and scopes (issue 13); the owner is the creator by default.
    expect(tokens.map((t) => [t.grants, t.scopes, t.label, t.status])).toEqual(
      expect.arrayContaining([
        [['admin'], ['read', 'submit', 'admin'], 'SLK ekonomi', 'revoked'],
        [['board:farsta:controller'], ['read', 'submit'], 'Farsta registrator', 'active'],
      ]),
    );
    expect(tokens.every((t) => /^cli:./.test(String(t.createdBy)) && t.owner === t.createdBy)).toBe(true);
    expect(JSON.stringify(tokens)).not.toContain('arshjul_');
  });

  it('creates a token with grants, scopes and an owner, naming the option at fault', async () => {
    const [made, badScope, badGrant, noScope, both] = await Promise.all([
      arshjul([
        'token',
        'create',
        '--grant',
        'board:farsta:handlaggare',
        '--scope',
        'read',
        '--owner',
        'p_0123456789ab',
        '--label',
        'Läsande skript',
      ]),
      arshjul(['token', 'create', '--role', 'admin', '--scope', 'write', '--label', 'x']),
      arshjul(['token', 'create', '--grant', 'board:farsta:chef', '--scope', 'read', '--label', 'x']),
      arshjul(['token', 'create', '--grant', 'committee', '--label', 'x']),
      arshjul(['token', 'create', '--role', 'admin', '--grant', 'admin', '--label', 'x']),
    ]);
    expect(made.code).toBe(0);
    expect(made.stderr).toContain('board:farsta:handlaggare med read, ägare p_0123456789ab');
    // The refusal in Swedish by its code, then the engine's own words as detail.
    expect(badScope.stderr).toMatch(
      /^fel: scope: .*\(not-an-option\)\n {2}detalj: write: must be read, submit or admin\n$/,
    );
    expect(badGrant.stderr).toMatch(/^fel: grant: /);
    expect(badGrant.stderr).toContain('must be admin, committee, stadshus or board:');
    expect(noScope.stderr).toMatch(/^fel: scope: /);
    expect(noScope.stderr).toContain('a token with --grant needs --scope');
    expect(both.stderr).toMatch(/^fel: role: /);
    expect(both.stderr).toContain('give either --role or one or more --grant');
    for (const run of [badScope, badGrant, noScope, both]) expect(run.code).toBe(2);
  });
});

describe('arshjul cycle, milestone and deliverable', () => {
  it('refuses to start without --yes when no terminal can ask, then starts once', async () => {
    const [unconfirmed, noRegistry] = await Promise.all([
      // --organisations names the registry already stored: accepted (a different one is refused).
      arshjul(['cycle', 'start', '--calendar', fileIn('calendar.json'), '--organisations', fileIn('registry.json')]),
      arshjul(['cycle', 'start', '--calendar', fileIn('calendar.json'), '--yes'], { MUNICIPALITY: 'annanstad' }),
    ]);
    expect(unconfirmed.code).toBe(2);
    expect(unconfirmed.stderr).toContain('bekräfta med --yes');
    // The plan summary comes first, so the refusal doubles as a preview.
    expect(unconfirmed.stdout).toContain('Cykel teststad/2090: 3 faser, 8 leveranser');
    expect(unconfirmed.stdout).toMatch(
      /budgetunderlag\s+leverans\s+efter kf-budget \(\d{4}-\d{2}-\d{2}\)\s+\S+\s+4\s+\d+/,
    );
    expect(noRegistry.code).toBe(1);
    expect(noRegistry.stderr).toContain(
      'fel: organisations: Inget organisationsregister är lagrat (no-registry)\n' +
        '  detalj: inget organisationsregister är lagrat för annanstad (no registry stored): läs in det med arshjul org import FILE',
    );
    const cycles = await ctx.harness.db.pool.query('SELECT * FROM cycles');
    expect(cycles.rows).toEqual([]);

    const started = await arshjul(['cycle', 'start', '--calendar', fileIn('calendar.json'), '--yes']);
    expect(started.code).toBe(0);
    expect(started.stdout).toContain('Cykeln teststad/2090 är startad (started).');
    expect(started.stderr).toContain(`Ansluter till Temporal på ${ctx.env.address}`);
    expect(started.stderr).toContain('Startar teststad/2090');

    const second = await arshjul(['cycle', 'start', '--calendar', fileIn('calendar.json'), '--yes']);
    expect(second.code).toBe(1);
    expect(second.stderr).toContain(
      'fel: budgetYear: Budgetcykeln är redan startad (already-started)\n' +
        '  detalj: cykeln teststad/2090 är redan startad (already running); ingenting ändrades',
    );
  });

  it('shows the status as a table and as JSON; an unknown year is not found', async () => {
    const [table, json, unknown] = await Promise.all([
      arshjul(['cycle', 'status', String(YEAR)]),
      arshjul(['cycle', 'status', String(YEAR), '--format', 'json']),
      arshjul(['cycle', 'status', '2091']),
    ]);
    expect(table.code).toBe(0);
    const lines = table.stdout.split('\n');
    expect(lines[0]).toBe('Cykel teststad/2090: 0 leveranser pågår, 0 klara.');
    expect(lines[1]).toMatch(
      /^fas\s+läge\s+datum \/ sista dag\s+nämnder\s+öppna\s+inlämnade\s+godkända\s+återremitterade\s+undantagna\s+sena\s+eskalerade$/,
    );
    expect(table.stdout).toMatch(new RegExp(`kf-budget\\s+planerad\\s+${d(30)}`));
    expect(table.stdout).toMatch(new RegExp(`verksamhetsplan\\s+väntar\\s+${d(80)}\\s+0\\s+0`));
    expect(json.code).toBe(0);
    const doc = JSON.parse(json.stdout);
    expect(Object.keys(doc)).toEqual([
      'format',
      'municipality',
      'budgetYear',
      'workflowId',
      'openDeliverables',
      'finishedDeliverables',
      'phases',
    ]);
    expect(doc).toMatchObject({ format: 'arshjul-cycle-status/1', municipality: 'teststad', budgetYear: YEAR });
    expect(doc.phases.map((p: { id: string; stage: string }) => [p.id, p.stage])).toEqual([
      ['kf-budget', 'planned'],
      ['budgetunderlag', 'waiting-for-milestone'],
      ['verksamhetsplan', 'waiting'],
    ]);
    expect(doc.phases[0].deliverables).toBeNull();
    expect(doc.phases[2].deliverables).toMatchObject({ total: 0, open: 0 });
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toBe('fel: budgetYear: Budgetåret finns inte (not-found)\n  detalj: not found\n');
  });

  it('moves a deadline and confirms a milestone in the live cycle, refusing bad input', async () => {
    const [moved, confirmed, badDate, unknownPhase] = await Promise.all([
      arshjul([
        'cycle',
        'move-deadline',
        String(YEAR),
        '--phase',
        'verksamhetsplan',
        '--deadline',
        d(90),
        '--reason',
        'KS ändrade tidplanen',
      ]),
      arshjul(['milestone', 'confirm', String(YEAR), '--milestone', 'kf-budget', '--date', yesterday]),
      arshjul([
        'cycle',
        'move-deadline',
        String(YEAR),
        '--phase',
        'verksamhetsplan',
        '--deadline',
        '2090-02-30',
        '--reason',
        'x',
      ]),
      arshjul(['cycle', 'move-deadline', String(YEAR), '--phase', 'nosuch', '--deadline', d(90), '--reason', 'x']),
    ]);
    expect(moved.code).toBe(0);
    expect(moved.stdout).toContain(
      `Sista dag i Verksamhetsplan (verksamhetsplan) är flyttad till ${d(90)} för alla nämnder.`,
    );
    expect(confirmed.code).toBe(0);
    expect(confirmed.stdout).toBe(
      `Milstolpen KF budget (kf-budget) är bekräftad den ${yesterday}.\nFaser som öppnar med den: budgetunderlag.\n`,
    );
    expect(badDate.code).toBe(2);
    expect(badDate.stderr).toBe(
      'fel: deadline: Ny sista dag måste vara ett datum skrivet ÅÅÅÅ-MM-DD, till exempel 2027-04-30 (bad-date)\n' +
        '  detalj: must be a date YYYY-MM-DD\n',
    );
    expect(unknownPhase.code).toBe(1);
    expect(unknownPhase.stderr).toBe(
      'fel: phaseId: Fas finns inte i cykeln (unknown-phase)\n  detalj: unknown deliverable phase nosuch\n',
    );

    const live = await ctx.env.client.workflow.getHandle(`teststad/${YEAR}`).query(cycleStatusQuery);
    expect(live.phases.find((p) => p.id === 'verksamhetsplan')?.deadline).toBe(d(90));
    expect(live.phases.find((p) => p.id === 'kf-budget')).toMatchObject({ stage: 'confirmed', confirmedOn: yesterday });
  });

  it('acts on deliverables: bad input exit 2, a transition not possible now exit 1, exempt and submit work', async () => {
    // The milestone opened budgetunderlag: one deliverable per board, recorded in the read model.
    const rows = () => listDeliverableStatus(ctx.harness.db.pool, 'teststad', YEAR);
    const opened = await eventually(rows, (r) => r.filter((x) => x.stage === 'open').length === 4);
    expect(opened.map((r) => [r.phase_id, r.board_id, r.stage])).toEqual([
      ['budgetunderlag', 'farsta', 'open'],
      ['budgetunderlag', 'jarva', 'open'],
      ['budgetunderlag', 'kulturnamnden', 'open'],
      ['budgetunderlag', 'stokab', 'open'],
    ]);

    const act = (...args: string[]) => arshjul(['deliverable', ...args]);
    const [badDecisionDate, approveTooEarly, notOpenYet, exempted, submitted] = await Promise.all([
      act(
        'submit',
        String(YEAR),
        'budgetunderlag',
        'farsta',
        '--document-ref',
        'Dnr 1',
        '--decision-date',
        '2090-13-01',
      ),
      act('approve', String(YEAR), 'budgetunderlag', 'jarva'),
      act('submit', String(YEAR), 'verksamhetsplan', 'farsta', '--document-ref', 'Dnr 2'),
      act('exempt', String(YEAR), 'budgetunderlag', 'stokab', '--reason', 'Bolaget avvecklas'),
      act(
        'submit',
        String(YEAR),
        'budgetunderlag',
        'kulturnamnden',
        '--document-ref',
        'Dnr 2090/7',
        '--decision-date',
        yesterday,
      ),
    ]);
    expect(badDecisionDate.code).toBe(2);
    expect(badDecisionDate.stderr).toBe(
      'fel: decisionDate: Beslutsdatum måste vara ett datum skrivet ÅÅÅÅ-MM-DD, till exempel 2027-04-30 (bad-date)\n' +
        '  detalj: must be a date YYYY-MM-DD\n',
    );
    expect(approveTooEarly.code).toBe(1);
    expect(approveTooEarly.stderr).toBe(
      'fel: stage: Godkännande går inte nu: leveransen är öppen (not-possible-in-stage)\n' +
        '  detalj: approve is not possible while the deliverable is open (öppen)\n',
    );
    expect(notOpenYet.code).toBe(1);
    expect(notOpenYet.stderr).toBe('fel: deliverable: Leveransen finns inte (not-found)\n  detalj: not found\n');
    expect(exempted.code).toBe(0);
    expect(exempted.stdout).toBe(`Leveransen budgetunderlag/stokab (${YEAR}) är undantagen (exempt).\n`);
    expect(submitted.code).toBe(0);
    expect(submitted.stdout).toBe(`Leveransen budgetunderlag/kulturnamnden (${YEAR}) är inlämnad (submitted).\n`);

    await eventually(rows, (r) => r.some((x) => x.stage === 'exempt') && r.some((x) => x.stage === 'submitted'));
    const status = await arshjul(['cycle', 'status', String(YEAR), '--format', 'json']);
    const doc = JSON.parse(status.stdout);
    const phase = (id: string) => doc.phases.find((p: { id: string }) => p.id === id);
    expect(phase('kf-budget')).toMatchObject({ stage: 'confirmed', confirmedOn: yesterday });
    expect(phase('budgetunderlag')).toMatchObject({
      stage: 'open',
      deliverables: { total: 4, planned: 0, open: 2, submitted: 1, approved: 0, returned: 0, exempt: 1, late: 0 },
    });
    expect(phase('verksamhetsplan')).toMatchObject({ stage: 'waiting', deadline: d(90) });
  });

  it('cancels the cycle only with --reason and --yes; every running deliverable stops; a second cancel is refused', async () => {
    const [noReason, unconfirmed] = await Promise.all([
      arshjul(['cycle', 'cancel', String(YEAR), '--yes']),
      arshjul(['cycle', 'cancel', String(YEAR), '--reason', 'Startad av misstag']),
    ]);
    expect(noReason.code).toBe(2);
    expect(noReason.stderr).toBe(
      'fel: reason: Skäl måste fyllas i (required)\n  detalj: must say why (--reason TEXT)\n',
    );
    expect(unconfirmed.code).toBe(2);
    expect(unconfirmed.stderr).toContain('bekräfta med --yes');
    const live = await ctx.env.client.workflow.getHandle(`teststad/${YEAR}`).describe();
    expect(live.status.name).toBe('RUNNING');

    const cancelled = await arshjul(['cycle', 'cancel', String(YEAR), '--reason', 'Startad av misstag', '--yes']);
    expect(cancelled.stderr).toBe('');
    expect(cancelled.code).toBe(0);
    // Farsta and Järva open, Kulturnämnden waiting for review; Stokab was exempt and had ended.
    expect(cancelled.stdout).toBe(`Budgetår ${YEAR} avbrutet: 3 leveranser stoppade.\n`);
    const rows = () => listDeliverableStatus(ctx.harness.db.pool, 'teststad', YEAR);
    const after = await eventually(rows, (r) => r.filter((x) => x.stage === 'cancelled').length === 3);
    expect(after.map((r) => [r.board_id, r.stage])).toEqual([
      ['farsta', 'cancelled'],
      ['jarva', 'cancelled'],
      ['kulturnamnden', 'cancelled'],
      ['stokab', 'exempt'],
    ]);

    const again = await arshjul(['cycle', 'cancel', String(YEAR), '--reason', 'Igen', '--yes']);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(
      /^fel: budgetYear: Budgetcykeln är redan avbruten av cli:\S+: Startad av misstag \(already-cancelled\)\n {2}detalj: the cycle was already cancelled by cli:\S+: Startad av misstag\n$/,
    );
  });
});
