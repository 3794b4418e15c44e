import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { appendAuditEvent } from '../../src/db/audit-log';
import { listDeliverableStatus } from '../../src/db/read-model';
import { createTestDatabase, TestDatabase } from '../helpers/database';
import { REPO_ROOT } from '../helpers/processes';

/** The `arshjul` command as a user runs it: exit codes and what it prints. */
function arshjul(...args: string[]) {
  return arshjulWith({}, ...args);
}

function arshjulWith(env: NodeJS.ProcessEnv, ...args: string[]) {
  const result = spawnSync(join(REPO_ROOT, 'bin', 'arshjul'), args, {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    env: { ...process.env, ...env },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('arshjul calendar validate', () => {
  it('accepts the shipped calendar with exit code 0', () => {
    const run = arshjul('calendar', 'validate', 'data/stockholm/calendar-2027.yaml');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('data/stockholm/calendar-2027.yaml: giltig (0 varningar).');
  });

  it('warns of an opening given on a holiday, with the day it moves to, and keeps one that says stay', () => {
    const run = arshjul('calendar', 'validate', 'test/fixtures/holiday-openings-calendar.yaml');
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(
      'varning: phases[0].opens.date: 2028-06-24 is midsommardagen: the opening moves to 2028-06-26\n' +
        'test/fixtures/holiday-openings-calendar.yaml: giltig (1 varningar).\n',
    );
  });

  it('refuses a broken calendar with exit code 1, naming each bad field', () => {
    const run = arshjul('calendar', 'validate', 'test/fixtures/broken-calendar.yaml');
    expect(run.code).toBe(1);
    expect(run.stderr.split('\n').filter((l) => l.startsWith('fel:'))).toEqual([
      'fel: phases[3].deadline: must be a date YYYY-MM-DD',
      'fel: phases[3].deadlineTime: must be a time HH:MM',
    ]);
  });

  it('names a file it cannot read, with exit code 2', () => {
    const run = arshjul('calendar', 'validate', 'no/such/file.yaml');
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^fel: no\/such\/file\.yaml: cannot read \(ENOENT\)/);
  });
});

describe('arshjul template validate', () => {
  it('accepts a shipped template with exit code 0, counting sections and questions', () => {
    const run = arshjul('template', 'validate', 'data/stockholm/templates/tertialrapport-1.yaml');
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(
      'data/stockholm/templates/tertialrapport-1.yaml: giltig mall tertialrapport-1 version 2 (8 avsnitt, 17 frågor).\n',
    );
  });

  it('refuses a broken template with exit code 1, naming each bad field', () => {
    const run = arshjul('template', 'validate', 'test/fixtures/broken-template.yaml');
    expect(run.code).toBe(1);
    expect(run.stderr.split('\n')).toEqual([
      'fel: sections[0].questions[0].maxLength: must be given for a long text',
      'fel: sections[1].generate: must be one of priority-areas, lup-measures, larger-lup-measures, owned-lup-measures, namndmal, goals',
      'fel: sections[1].questions[0].kind: unknown question kind "matrix": use one of short-text, long-text, number, yes-no, choice, choices, date, table, file',
      'test/fixtures/broken-template.yaml: 3 fel — mallen kan inte användas.',
      '',
    ]);
  });

  it('names a file it cannot read, with exit code 2', () => {
    const run = arshjul('template', 'validate', 'no/such/template.yaml');
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^fel: no\/such\/template\.yaml: cannot read \(ENOENT\)/);
  });

  it('shows a template briefly: sections, generated items and questions', () => {
    const run = arshjul('template', 'show', 'data/stockholm/templates/tertialrapport-1.yaml');
    expect(run.code).toBe(0);
    const lines = run.stdout.split('\n');
    expect(lines[0]).toBe('tertialrapport-1 version 2: Tertialrapport 1');
    expect(lines).toContain(
      '  ansvariga-lup-atgarder: LUP-åtgärder där nämnden är ansvarig (en gång per LUP-åtgärd där nämnden är ansvarig; bara facknämnder och bolagsstyrelser)',
    );
    expect(lines).toContain('  maluppfyllelse: Måluppfyllelse per nämndmål (en gång per nämndmål)');
    expect(lines).toContain('    bedomning (val, obligatorisk): Bedömning av måluppfyllelse vid årets slut');
  });
});

describe('arshjul calendar validate and report templates', () => {
  it('refuses a calendar naming a template without a file, with exit code 1', () => {
    const run = arshjul('calendar', 'validate', 'test/fixtures/calendar-missing-template.yaml');
    expect(run.code).toBe(1);
    expect(run.stderr.split('\n')[0]).toBe(
      'fel: phases[0].template: template tertialrapport-9: test/fixtures/templates/tertialrapport-9.yaml: cannot read (ENOENT)',
    );
  });
});

describe('arshjul plan', () => {
  it('prints the documented JSON plan, every instant with its Stockholm offset', () => {
    const run = arshjul('plan', '--calendar', 'data/stockholm/calendar-2027.yaml', '--format', 'json');
    expect(run.code).toBe(0);
    const doc = JSON.parse(run.stdout);
    expect(Object.keys(doc)).toEqual(['format', 'municipality', 'budgetYear', 'timeZone', 'warnings', 'actions']);
    expect(doc).toMatchObject({ format: 'arshjul-plan/1', municipality: 'stockholm', budgetYear: 2027 });
    const farstaT1 = doc.actions.filter(
      (a: { board: string; phase: string }) => a.board === 'farsta' && a.phase === 'tertialrapport-1',
    );
    expect(farstaT1.map((a: { kind: string; instant: string }) => `${a.kind} ${a.instant}`)).toEqual([
      'opening 2027-04-01T08:00:00+02:00',
      'reminder 2027-04-21T08:00:00+02:00',
      'reminder 2027-05-18T08:00:00+02:00',
      'reminder 2027-05-19T08:00:00+02:00',
      'deadline 2027-05-19T23:59:00+02:00',
      'escalation 2027-05-20T08:00:00+02:00',
      'escalation 2027-05-26T08:00:00+02:00',
    ]);
  });

  it('prints a table for people, and refuses an unknown format with exit code 2', () => {
    const table = arshjul('plan', '--calendar', 'data/stockholm/calendar-2027.yaml');
    expect(table.code).toBe(0);
    expect(table.stdout.split('\n')[0]).toMatch(/^tidpunkt\s+fas\s+nämnd\s+åtgärd\s+mottagare$/);
    const bad = arshjul('plan', '--calendar', 'data/stockholm/calendar-2027.yaml', '--format', 'xml');
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim()).toBe('--format: must be json or table (got xml)');
  });
});

describe('arshjul read-model rebuild and recipient set (PostgreSQL)', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase('cli_record');
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('rebuilds the status overview from the audit log', async () => {
    const snapshot = {
      seq: 1,
      municipality: 'stockholm',
      budgetYear: 2027,
      phaseId: 'tertialrapport-1',
      boardId: 'farsta',
      answeringBoardId: 'farsta',
      stage: 'submitted',
      late: false,
      escalationLevel: 0,
      deadline: '2027-05-19',
      deadlineAt: '2027-05-19T23:59:00+02:00',
    };
    await appendAuditEvent(db.pool, {
      occurredAt: new Date('2027-05-10T10:00:00Z'),
      workflowId: 'stockholm/2027/tertialrapport-1/farsta',
      kind: 'submitted',
      actor: 'board:farsta',
      eventKey: 'cli-test-1',
      payload: { snapshot },
    });
    await db.pool.query('DELETE FROM deliverable_status');
    const run = arshjulWith({ DATABASE_URL: db.url }, 'read-model', 'rebuild');
    expect(run.stderr).toBe('');
    expect(run.stdout).toBe('Statusöversikten är ombyggd: 1 leverans.\n');
    expect(run.code).toBe(0);
    const rows = await listDeliverableStatus(db.pool, 'stockholm', 2027);
    expect(rows.map((r) => [r.board_id, r.stage])).toEqual([['farsta', 'submitted']]);
  });

  it('sets a recipient’s language and digest, and refuses a bad value naming the field', async () => {
    const ok = arshjulWith(
      { DATABASE_URL: db.url },
      'recipient',
      'set',
      'Registrator.Farsta@Stockholm.example',
      '--language',
      'en',
      '--digest',
      'on',
    );
    expect(ok.stdout).toBe('registrator.farsta@stockholm.example: språk en, veckosammanställning på.\n');
    expect(ok.code).toBe(0);
    const bad = arshjulWith({ DATABASE_URL: db.url }, 'recipient', 'set', 'fc@stockholm.example', '--language', 'de');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe('fel: language: must be sv or en\n');
    const rows = await db.pool.query('SELECT address, language, weekly_digest FROM recipient_preferences');
    expect(rows.rows).toEqual([
      { address: 'registrator.farsta@stockholm.example', language: 'en', weekly_digest: true },
    ]);
  });

  it('says which variable is missing when DATABASE_URL is unset, with exit code 2', () => {
    const run = arshjulWith({ DATABASE_URL: '' }, 'read-model', 'rebuild');
    expect(run.code).toBe(2);
    expect(run.stderr).toBe('Invalid configuration: DATABASE_URL is required\n');
  });
});
