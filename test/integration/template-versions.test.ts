import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { loadRegistry, shippedRegistryPath } from '../../src/client/data-files';
import { startCycle, startLiveCycles } from '../../src/client/start-cycles';
import { rememberingLookup, templateLookup } from '../../src/client/templates';
import { listAuditEvents } from '../../src/db/audit-log';
import { listCycleTemplateVersions, loadCycleTemplate } from '../../src/db/cycle-templates';
import { recordCycle } from '../../src/db/cycles';
import { insertFirstAnswer, updateAnswerAtVersion } from '../../src/db/report-drafts';
import { dismissTemplateCorrection, loadTemplateCorrection } from '../../src/db/template-corrections';
import { publishTemplateVersion } from '../../src/client/operations/template-versions';
import { reportTemplateSchema } from '../../src/domain/report-template';
import { CycleCalendar } from '../../src/domain/cycle-calendar';
import { validateCalendar } from '../../src/domain/validate-calendar';
import { smallRegistry } from '../fixtures/small-registry';
import { CliRun, runArshjul } from '../helpers/cli';
import { createTestDatabase, TestDatabase } from '../helpers/database';
import { startTimeSkippingEnv } from '../helpers/temporal';

/**
 * A cycle keeps the template versions it started with (issue 12), and SLK publishes corrections
 * with `arshjul template publish`. PostgreSQL, the CLI and a Temporal server (time-skipping, no
 * worker: the cycles are only started) are real; what is tested is what Årshjul stores around it.
 */
const YEAR = 2090;
const WORKFLOW_ID = `teststad/${YEAR}`;

const templateV1 = {
  id: 'uppfoljning',
  version: 1,
  title: 'Uppföljning',
  sections: [
    {
      id: 'ekonomi',
      title: 'Ekonomi',
      questions: [
        { id: 'sammanfattning', kind: 'short-text', label: 'Sammanfattning', required: true },
        { id: 'prognos', kind: 'number', label: 'Prognos', unit: 'tkr' },
        { id: 'i-balans', kind: 'yes-no', label: 'Budget i balans?' },
      ],
    },
  ],
};

/** v2: the label of one question corrected, one removed (i-balans), two added. */
const templateV2 = (() => {
  const v2 = { ...structuredClone(templateV1), version: 2 };
  const questions: Array<Record<string, unknown>> = v2.sections[0]!.questions;
  questions[0]!.label = 'Sammanfattning av perioden';
  questions.splice(
    2,
    1,
    ...['Risker', 'Åtgärder'].map((label) => ({
      id: label === 'Risker' ? 'risker' : 'atgarder',
      kind: 'long-text',
      label,
      maxLength: 2000,
    })),
  );
  return v2;
})();

const calendarInput = {
  municipality: 'teststad',
  budgetYear: YEAR,
  phases: [
    {
      id: 'tertialrapport-1',
      kind: 'deliverable',
      name: 'Tertialrapport 1',
      opens: { date: `${YEAR - 1}-04-01` },
      deadline: `${YEAR - 1}-05-20`,
      template: 'uppfoljning',
    },
  ],
};

let db: TestDatabase;
let dir: string;
let env: TestWorkflowEnvironment;
let client: Client;

beforeAll(async () => {
  // A real Temporal server (no worker is needed: the cycle only has to be started, and a second
  // start of the same workflow ID is refused by the server itself).
  env = await startTimeSkippingEnv();
  client = env.client;
  db = await createTestDatabase('template_versions');
  dir = mkdtempSync(join(tmpdir(), 'arshjul-template-versions-'));
  mkdirSync(join(dir, 'templates'));
  mkdirSync(join(dir, 'v2'));
  mkdirSync(join(dir, 'other'));
});
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await db?.drop();
  await env?.teardown();
});

const write = (path: string, content: unknown): string => {
  writeFileSync(join(dir, path), typeof content === 'string' ? content : JSON.stringify(content));
  return join(dir, path);
};

/** The calendar validated against the templates on disk, and those templates, as `cycle start` does. */
function validated(): { calendar: CycleCalendar; templates: ReturnType<typeof rememberingLookup> } {
  const templates = rememberingLookup(templateLookup(join(dir, 'templates')));
  const result = validateCalendar(calendarInput, smallRegistry, templates.lookup);
  if (!result.calendar) throw new Error(JSON.stringify(result.errors));
  return { calendar: result.calendar, templates };
}

function start(): Promise<string> {
  const { calendar, templates } = validated();
  return startCycle(
    client,
    db.pool,
    'q',
    calendar,
    smallRegistry,
    `${YEAR - 1}-01-10`,
    'test',
    templates.templatesOf(calendar),
  );
}

function arshjul(args: string[]): Promise<CliRun> {
  return runArshjul(args, { DATABASE_URL: db.url, MUNICIPALITY: 'teststad' });
}

/** `arshjul template publish YEAR FILE …` */
const publish = (year: number, file: string, ...options: string[]): Promise<CliRun> =>
  arshjul(['template', 'publish', String(year), file, ...options]);

const versions = () => listCycleTemplateVersions(db.pool, 'teststad', YEAR);
const published = async () =>
  (await listAuditEvents(db.pool, WORKFLOW_ID)).filter((e) => e.kind === 'template-published');

describe('a cycle keeps its templates', () => {
  it('stores each template the calendar names with the cycle; a second start stores nothing new', async () => {
    write('templates/uppfoljning.yaml', templateV1);
    expect(await start()).toBe('started');
    const stored = await versions();
    expect(stored.map((v) => [v.templateId, v.version, v.publishedBy, v.supersedesVersion])).toEqual([
      ['uppfoljning', 1, 'test', undefined],
    ]);
    expect(stored[0]!.template.sections[0]!.questions.map((q) => q.label)).toEqual([
      'Sammanfattning',
      'Prognos',
      'Budget i balans?',
    ]);

    // The file changes on disk (even its version) and the cycle is started again: refused by
    // workflow ID, and the cycle keeps what it started with.
    write('templates/uppfoljning.yaml', { ...templateV2, version: 7 });
    expect(await start()).toBe('already-running');
    expect(await versions()).toEqual(stored);
    const current = await loadCycleTemplate(db.pool, 'teststad', YEAR, 'uppfoljning');
    expect(current?.version).toBe(1);
    expect(current?.template).toEqual(stored[0]!.template);
  });

  it('has no stored version for a cycle recorded before cycles kept templates', async () => {
    const { calendar } = validated();
    await recordCycle(db.pool, {
      workflowId: 'teststad/2091',
      calendar: { ...calendar, budgetYear: 2091 },
      startedBy: 'earlier',
    });
    expect(await loadCycleTemplate(db.pool, 'teststad', 2091, 'uppfoljning')).toBeUndefined();
    const run = await publish(2091, write('v2/uppfoljning.yaml', templateV2), '--reason', 'x', '--yes');
    expect(run.stderr).toContain(
      'fel: id: Budgetåret har ingen lagrad version av mallen uppfoljning (template-not-kept)\n' +
        '  detalj: budgetår 2091 har ingen lagrad version av mallen uppfoljning',
    );
    expect(run.code).toBe(1);
  });
});

describe('npm start', () => {
  it('stores the shipped templates with each cycle it starts', async () => {
    const results = await startLiveCycles(
      client,
      db.pool,
      'q',
      loadRegistry(shippedRegistryPath()),
      '2027-03-01',
      () => undefined,
    );
    expect(results.map((r) => r.outcome)).toEqual(results.map(() => 'started'));
    expect(results.map((r) => r.workflowId)).toContain('stockholm/2027');
    for (const { workflowId } of results) {
      const stored = await listCycleTemplateVersions(db.pool, 'stockholm', Number(workflowId.split('/')[1]));
      expect(stored.map((v) => `${v.templateId}@${v.version}`).sort()).toEqual([
        'budgetunderlag@1',
        'lup-analys@2',
        'lup-program@2',
        'lup-uppfoljning@1',
        'tertialrapport-1@2',
        'tertialrapport-2@2',
        'verksamhetsberattelse@2',
        'verksamhetsplan@1',
      ]);
    }
  });
});

describe('arshjul template publish', () => {
  it('refuses what it must, naming the field, and stores nothing', async () => {
    const before = await versions();
    const equal = write('v2/uppfoljning.yaml', { ...templateV2, version: 1 });
    const [sameVersion, unknownId, broken, noReason, noYes, noCycle] = await Promise.all([
      publish(YEAR, equal, '--reason', 'rättelse', '--yes'),
      publish(YEAR, write('other/annan.yaml', { ...templateV2, id: 'annan' }), '--reason', 'rättelse', '--yes'),
      publish(
        YEAR,
        write('other/uppfoljning.yaml', {
          ...templateV2,
          sections: [{ id: 'ekonomi', title: 'Ekonomi', questions: [] }],
        }),
        '--reason',
        'rättelse',
        '--yes',
      ),
      publish(YEAR, equal, '--yes'),
      publish(YEAR, write('v2/uppfoljning.json', { ...templateV2 }), '--reason', 'r'),
      publish(2095, equal, '--reason', 'rättelse', '--yes'),
    ]);
    const refusal = (run: CliRun) => ({ code: run.code, stderr: run.stderr });
    expect(refusal(sameVersion)).toEqual({
      code: 1,
      stderr:
        'fel: version: Versionen måste vara högre än den gällande versionen 1 (version-not-higher)\n' +
        '  detalj: måste vara högre än den gällande versionen 1 (got 1)\n',
    });
    expect(refusal(unknownId)).toEqual({
      code: 1,
      stderr:
        'fel: id: Budgetåret använder ingen mall annan (template-not-in-cycle)\n' +
        '  detalj: budgetår 2090 använder ingen mall annan (unknown template); mallar i cykeln: uppfoljning\n',
    });
    expect(broken.stderr).toContain('fel: sections[0].questions: must hold at least one question\n');
    expect(refusal(noReason)).toEqual({
      code: 2,
      stderr: 'fel: reason: Skäl måste fyllas i (required)\n  detalj: must say why (--reason TEXT)\n',
    });
    expect(refusal(noCycle)).toEqual({
      code: 1,
      stderr: 'fel: budgetYear: Budgetåret finns inte (not-found)\n  detalj: not found\n',
    });
    expect([broken.code, noYes.code]).toEqual([1, 2]);
    expect(noYes.stderr).toContain('bekräfta med --yes');
    expect(await versions()).toEqual(before);
    expect(await published()).toEqual([]);
  });

  it('publishes a higher version with what changed, records it, and then refuses a lower one', async () => {
    const file = write('v2/uppfoljning.yaml', templateV2);
    const run = await publish(YEAR, file, '--reason', 'Rubriken var fel', '--yes');
    expect(run.stderr).toBe('');
    expect(run.stdout).toBe(
      [
        'uppfoljning version 1 → 2: 2 frågor tillagda, 1 ändrad (rubrik), 1 borttagen: svar på den följer inte med.',
        '  tillagd: risker (Risker) i ekonomi',
        '  tillagd: atgarder (Åtgärder) i ekonomi',
        '  ändrad: sammanfattning (Sammanfattning av perioden): rubrik',
        '  borttagen: i-balans (Budget i balans?)',
        'Svar följer med för 2 frågor; inte för i-balans.',
        'Mallen uppfoljning version 2 är publicerad för budgetår 2090 (ersätter version 1).',
        '',
      ].join('\n'),
    );
    expect(run.code).toBe(0);

    const current = await loadCycleTemplate(db.pool, 'teststad', YEAR, 'uppfoljning');
    expect(current).toMatchObject({
      version: 2,
      supersedesVersion: 1,
      reason: 'Rubriken var fel',
      publishedBy: expect.stringMatching(/^cli:/),
      changes: {
        templateId: 'uppfoljning',
        fromVersion: 1,
        toVersion: 2,
        answersKept: ['sammanfattning', 'prognos'],
        answersDropped: [{ questionId: 'i-balans', reason: 'removed' }],
      },
    });
    expect(current?.template.sections[0]!.questions.map((q) => q.id)).toEqual([
      'sammanfattning',
      'prognos',
      'risker',
      'atgarder',
    ]);
    const events = await published();
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      workflow_id: WORKFLOW_ID,
      actor: current!.publishedBy,
      payload: {
        templateId: 'uppfoljning',
        version: 2,
        supersedesVersion: 1,
        reason: 'Rubriken var fel',
        changes: current!.changes,
      },
    });

    const lower = await publish(YEAR, write('templates/uppfoljning.yaml', templateV1), '--reason', 'r', '--yes');
    expect(lower.stderr).toBe(
      'fel: version: Versionen måste vara högre än den gällande versionen 2 (version-not-higher)\n' +
        '  detalj: måste vara högre än den gällande versionen 2 (got 1)\n',
    );
    expect(lower.code).toBe(1);
    expect((await versions()).map((v) => v.version)).toEqual([1, 2]);
    expect(await published()).toHaveLength(1);
  });

  it('lists the versions a cycle has, the highest current', async () => {
    const [listed, unknown] = await Promise.all([
      arshjul(['template', 'versions', String(YEAR)]),
      arshjul(['template', 'versions', String(YEAR), '--template', 'annan']),
    ]);
    expect(listed.stderr).toBe('');
    const lines = listed.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^mall\s+version\s+publicerad\s+av\s+ersätter\s+skäl$/);
    expect(lines.slice(2).map((l) => l.split(/\s{2,}/))).toEqual([
      ['uppfoljning', '1', expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/), 'test', '—', 'cykeln startade med den'],
      [
        'uppfoljning',
        '2',
        expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/),
        expect.stringMatching(/^cli:/),
        '1',
        'Rubriken var fel',
      ],
    ]);
    expect(unknown.stderr).toBe(
      'fel: template: Mallen finns inte (not-found)\n  detalj: inga lagrade mallversioner (no template versions stored)\n',
    );
    expect(unknown.code).toBe(1);
  });
});

/**
 * A published correction moves the boards' drafts onto the new version (issue 12): answers to a
 * question with the same ID and kind carry over (to its new section if it moved); answers to a
 * removed question or one whose kind changed leave the draft but not the record — a
 * `template-corrected` event per deliverable, in the publication's transaction, and the dropped
 * values kept with the correction for the form page's notice.
 */
describe('a correction applied to the drafts', () => {
  const FARSTA = `${WORKFLOW_ID}/tertialrapport-1/farsta`;
  const JARVA = `${WORKFLOW_ID}/tertialrapport-1/jarva`;
  const answers = async (workflowId: string) =>
    (
      await db.pool.query<{ path: string; value: unknown; version: number; saved_by: string }>(
        'SELECT path, value, version, saved_by FROM report_answers WHERE workflow_id = $1 ORDER BY path',
        [workflowId],
      )
    ).rows;
  const corrected = async (workflowId: string) =>
    (await listAuditEvents(db.pool, workflowId)).filter((e) => e.kind === 'template-corrected');

  /** v3 of the current v2: prognos asks for text now, risker is gone, atgarder moved to a section of its own. */
  const templateV3 = {
    ...templateV2,
    version: 3,
    sections: [
      {
        id: 'ekonomi',
        title: 'Ekonomi',
        questions: [
          { id: 'sammanfattning', kind: 'short-text', label: 'Sammanfattning av perioden', required: true },
          { id: 'prognos', kind: 'short-text', label: 'Prognos i ord' },
        ],
      },
      {
        id: 'framat',
        title: 'Framåt',
        questions: [{ id: 'atgarder', kind: 'long-text', label: 'Åtgärder', maxLength: 2000 }],
      },
    ],
  };

  it('carries over what is the same, drops the rest into the record, in the publication’s transaction', async () => {
    await insertFirstAnswer(db.pool, {
      workflowId: FARSTA,
      path: 'ekonomi.sammanfattning',
      value: 'Allt enligt plan.',
      savedBy: 'farsta-a',
    });
    await insertFirstAnswer(db.pool, { workflowId: FARSTA, path: 'ekonomi.prognos', value: 1200, savedBy: 'farsta-b' });
    await insertFirstAnswer(db.pool, {
      workflowId: FARSTA,
      path: 'ekonomi.risker',
      value: 'Höga hyror.',
      savedBy: 'farsta-a',
    });
    await insertFirstAnswer(db.pool, {
      workflowId: FARSTA,
      path: 'ekonomi.atgarder',
      value: 'Sparpaket.',
      savedBy: 'farsta-a',
    });
    await updateAnswerAtVersion(db.pool, {
      workflowId: FARSTA,
      path: 'ekonomi.atgarder',
      value: 'Sparpaket i två steg.',
      savedBy: 'farsta-b',
      expectedVersion: 1,
    });
    await insertFirstAnswer(db.pool, { workflowId: JARVA, path: 'ekonomi.prognos', value: -50, savedBy: 'jarva-a' });
    // Another template's drafts in the same cycle are not touched.
    await insertFirstAnswer(db.pool, {
      workflowId: `${WORKFLOW_ID}/annan/farsta`,
      path: 'ekonomi.risker',
      value: 'x',
      savedBy: 'x',
    });

    const template = reportTemplateSchema.parse(templateV3);
    const publication = await publishTemplateVersion(
      db.pool,
      { municipality: 'teststad', budgetYear: YEAR, template, reason: 'Prognosen i ord' },
      'cli:slk',
    );
    expect(publication.drafts).toEqual({ reports: 2, carried: 2, dropped: 3 });

    expect(await answers(FARSTA)).toEqual([
      { path: 'ekonomi.sammanfattning', value: 'Allt enligt plan.', version: 1, saved_by: 'farsta-a' },
      // Moved with its question, keeping its version and author.
      { path: 'framat.atgarder', value: 'Sparpaket i två steg.', version: 2, saved_by: 'farsta-b' },
    ]);
    expect(await answers(JARVA)).toEqual([]);
    expect(await answers(`${WORKFLOW_ID}/annan/farsta`)).toHaveLength(1);

    const [event] = await corrected(FARSTA);
    expect(event).toMatchObject({
      actor: 'cli:slk',
      payload: {
        templateId: 'uppfoljning',
        fromVersion: 2,
        toVersion: 3,
        carried: [
          { from: 'ekonomi.atgarder', to: 'framat.atgarder' },
          { from: 'ekonomi.sammanfattning', to: 'ekonomi.sammanfattning' },
        ],
        dropped: [
          { path: 'ekonomi.prognos', reason: 'kind-changed', value: 1200 },
          { path: 'ekonomi.risker', reason: 'removed', value: 'Höga hyror.' },
        ],
      },
    });
    expect(await corrected(JARVA)).toHaveLength(1);

    // The dropped values stay retrievable, with their question as it was, for the board's notice.
    const notice = await loadTemplateCorrection(db.pool, FARSTA, 3);
    expect(notice).toMatchObject({ templateId: 'uppfoljning', fromVersion: 2, toVersion: 3, carried: 2 });
    expect(notice?.dropped).toEqual([
      expect.objectContaining({
        path: 'ekonomi.prognos',
        label: 'Prognos',
        value: 1200,
        savedBy: 'farsta-b',
        reason: 'kind-changed',
      }),
      expect.objectContaining({
        path: 'ekonomi.risker',
        label: 'Risker',
        value: 'Höga hyror.',
        savedBy: 'farsta-a',
        reason: 'removed',
      }),
    ]);
    await dismissTemplateCorrection(db.pool, FARSTA, 3, 'farsta-a');
    expect(await loadTemplateCorrection(db.pool, FARSTA, 3)).toBeUndefined();
  });

  it('prints what happened to the drafts after publishing', async () => {
    await insertFirstAnswer(db.pool, {
      workflowId: FARSTA,
      path: 'ekonomi.prognos',
      value: 'Något över',
      savedBy: 'farsta-a',
    });
    const v4 = {
      ...templateV3,
      version: 4,
      sections: [templateV3.sections[0]!, templateV3.sections[1]!].map((s) => ({
        ...s,
        questions: s.questions.filter((q) => q.id !== 'prognos'),
      })),
    };
    const run = await publish(YEAR, write('v2/uppfoljning.yaml', v4), '--reason', 'Prognosen behövs inte', '--yes');
    expect(run.stderr).toBe('');
    expect(run.stdout.trimEnd().split('\n').slice(-2)).toEqual([
      'Mallen uppfoljning version 4 är publicerad för budgetår 2090 (ersätter version 3).',
      'Utkast: 1 rapport flyttades till version 4: 2 svar fördes över, 1 svar togs bort (sparat med rättelsen, visas för nämnden).',
    ]);
    expect(run.code).toBe(0);
    expect((await answers(FARSTA)).map((a) => a.path)).toEqual(['ekonomi.sammanfattning', 'framat.atgarder']);
    expect((await loadTemplateCorrection(db.pool, FARSTA, 4))?.dropped.map((d) => d.value)).toEqual(['Något över']);
  });
});
