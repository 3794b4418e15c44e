import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { appendAuditEvent } from '../../src/db/audit-log';
import { addManualGrant, findPerson, recordSignIn } from '../../src/db/people';
import { erasePerson, loadHeldData, prunePersonalData } from '../../src/db/personal-data';
import { addStandIns } from '../../src/db/person-settings';
import { createSession } from '../../src/db/sessions';
import { RETENTION_ACTOR, startDailyPrune } from '../../src/worker/personal-data-prune';
import { runArshjul } from '../helpers/cli';
import { eventually } from '../helpers/eventually';
import { createTestDatabase, TestDatabase } from '../helpers/database';

/**
 * Personal data (issue 13): what is held about one person, the retention rule that pseudonymises
 * people nothing needs any more, erasure on request, and the `arshjul person` commands. The
 * append-only audit log is never changed: it names people by id only.
 */

let db: TestDatabase;
let dir: string;
beforeAll(async () => {
  db = await createTestDatabase('personal_data');
  dir = mkdtempSync(join(tmpdir(), 'arshjul-personal-data-'));
});
afterAll(async () => {
  await db?.drop();
  rmSync(dir, { recursive: true, force: true });
});

const ISSUER = 'https://idp.stockholm.example';
const DAY = 86_400_000;
const NOW = new Date('2030-06-01T10:00:00Z');
const ago = (days: number) => new Date(NOW.getTime() - days * DAY);

async function person(subject: string, signedIn: Date, name = `Namn ${subject}`) {
  return recordSignIn(db.pool, { issuer: ISSUER, subject, name, email: `${subject}@stockholm.example` }, signedIn);
}

async function auditRows(): Promise<unknown[]> {
  const result = await db.pool.query('SELECT * FROM audit_log ORDER BY id');
  return result.rows;
}

async function oldSession(personId: string, endedDaysAgo: number | null, expiresDaysAgo: number, tokens = true) {
  await db.pool.query(
    `INSERT INTO sessions (id_hash, person_id, issuer, subject, id_token, refresh_token, created_at, last_seen_at, expires_at, ended_at, end_reason)
     VALUES (gen_random_bytes(32), $1, $2, 'x', $3, $3, $4, $4, $5, $6, $7)`,
    [
      personId,
      ISSUER,
      tokens ? 'provider-token' : null,
      new Date(ago(expiresDaysAgo).getTime() - 12 * 3_600_000),
      ago(expiresDaysAgo),
      endedDaysAgo === null ? null : ago(endedDaysAgo),
      endedDaysAgo === null ? null : 'signed-out',
    ],
  );
}

describe('the retention rule', () => {
  it('pseudonymises people without a role and a sign-in for the retention, keeps the rest, and never changes the log', async () => {
    await db.pool.query('CREATE EXTENSION IF NOT EXISTS pgcrypto');
    const gone = await person('gone', ago(800));
    await addManualGrant(
      db.pool,
      gone.id,
      { kind: 'board', boardId: 'farsta', duty: 'controller' },
      ago(900),
      ago(790),
    );
    const stillHolds = await person('holds', ago(800));
    await addManualGrant(db.pool, stillHolds.id, { kind: 'committee' }, ago(900));
    const endedRecently = await person('recent-role', ago(800));
    await addManualGrant(db.pool, endedRecently.id, { kind: 'committee' }, ago(900), ago(100));
    const recent = await person('recent', ago(10));
    await appendAuditEvent(db.pool, {
      occurredAt: ago(795),
      workflowId: 'teststad/2028/tertialrapport-1/farsta',
      kind: 'approved',
      actor: `person:${gone.id}`,
      eventKey: 'retention-test-1',
    });
    await db.pool.query(
      `INSERT INTO report_answers (workflow_id, path, value, version, saved_by, saved_at)
       VALUES ('teststad/2028/tertialrapport-1/farsta', 'ekonomi.bedomning', '"god"', 1, $1, $2)`,
      [`person:${gone.id}`, ago(796)],
    );
    await oldSession(gone.id, 799, 799);
    await oldSession(recent.id, 800, 800); // ended long ago: removed although the person stays
    await oldSession(recent.id, 5, 5); // ended recently: kept, any provider tokens it still held cleared
    await oldSession(recent.id, null, 1); // expired, never ended: kept, its provider tokens cleared
    const before = await auditRows();

    const result = await prunePersonalData(db.pool, { retentionDays: 730, actor: 'cli:test', now: NOW });

    expect(result.erased).toEqual([gone.id]);
    expect(result.sessionsRemoved).toBe(1); // gone's session went with the erasure
    expect(result.tokensCleared).toBe(2);
    const erased = await loadHeldData(db.pool, gone.id);
    expect(erased?.person).toMatchObject({ id: gone.id, name: null, email: null, erasedAt: NOW.toISOString() });
    expect(erased?.sessions.count).toBe(0);
    // The record still names the id, unchanged, and what the person did stays attributable to it.
    expect(erased?.auditEvents.map((e) => e.kind)).toEqual(['approved']);
    expect(erased?.drafts).toHaveLength(1);
    const after = await auditRows();
    expect(after.slice(0, before.length)).toEqual(before);
    expect(after.slice(before.length)).toEqual([
      expect.objectContaining({ kind: 'person-erased', actor: 'cli:test', workflow_id: `people/${gone.id}` }),
    ]);
    expect(JSON.stringify(after)).not.toContain('Namn gone');
    for (const kept of [stillHolds, endedRecently, recent]) {
      await expect(findPerson(db.pool, kept.id)).resolves.toMatchObject({ name: kept.name, email: kept.email });
    }
    const sessions = await db.pool.query<{ n: number; tokens: number }>(
      `SELECT count(*)::int AS n, count(refresh_token)::int AS tokens FROM sessions WHERE person_id = $1`,
      [recent.id],
    );
    expect(sessions.rows[0]).toEqual({ n: 2, tokens: 0 });

    // Run again: nothing more to do.
    const again = await prunePersonalData(db.pool, { retentionDays: 730, actor: 'cli:test', now: NOW });
    expect(again).toEqual({ erased: [], sessionsRemoved: 0, tokensCleared: 0 });
  });

  it('keeps people in a stand-in period that has not ended, on either side of it', async () => {
    // NOW is 1 June 2030 in Stockholm; everyone here signed in last 800 days ago and holds no role.
    const [naming, named, endedNaming, endedNamed, futureNaming, futureNamed] = await Promise.all(
      ['naming', 'named', 'ended-naming', 'ended-named', 'future-naming', 'future-named'].map((s) =>
        person(`stand-in-${s}`, ago(800)),
      ),
    );
    await addStandIns(
      db.pool,
      naming!.id,
      [{ standInId: named!.id, from: '2030-05-20', to: '2030-06-01' }],
      'test',
      ago(20),
    );
    await addStandIns(
      db.pool,
      endedNaming!.id,
      [{ standInId: endedNamed!.id, from: '2030-05-01', to: '2030-05-31' }],
      'test',
      ago(40),
    );
    await addStandIns(
      db.pool,
      futureNaming!.id,
      [{ standInId: futureNamed!.id, from: '2030-07-01', to: '2030-07-14' }],
      'test',
      ago(1),
    );

    const result = await prunePersonalData(db.pool, { retentionDays: 730, actor: 'cli:test', now: NOW });

    expect(result.erased).toEqual(expect.arrayContaining([endedNaming!.id, endedNamed!.id]));
    for (const kept of [naming!, named!, futureNaming!, futureNamed!]) {
      expect(result.erased).not.toContain(kept.id);
      await expect(findPerson(db.pool, kept.id)).resolves.toMatchObject({ name: kept.name, email: kept.email });
    }
  });

  it('clears the provider tokens of a session left idle, and of no session in use', async () => {
    const user = await person('idle-sessions', ago(1));
    const insert = async (lastSeen: Date) => {
      const row = await db.pool.query<{ id_hash: Buffer }>(
        `INSERT INTO sessions (id_hash, person_id, issuer, subject, id_token, refresh_token, created_at, last_seen_at, expires_at)
         VALUES (gen_random_bytes(32), $1, $2, 'x', 'provider-token', 'provider-token', $3, $4, $5)
         RETURNING id_hash`,
        [user.id, ISSUER, new Date(NOW.getTime() - 3 * 3_600_000), lastSeen, new Date(NOW.getTime() + 9 * 3_600_000)],
      );
      return row.rows[0]!.id_hash;
    };
    const idle = await insert(new Date(NOW.getTime() - 3_601_000));
    const inUse = await insert(new Date(NOW.getTime() - 600_000));

    const result = await prunePersonalData(db.pool, { retentionDays: 730, actor: 'cli:test', now: NOW });

    expect(result.tokensCleared).toBe(1);
    const tokens = async (hash: Buffer) =>
      (await db.pool.query('SELECT id_token, refresh_token FROM sessions WHERE id_hash = $1', [hash])).rows[0];
    expect(await tokens(idle)).toEqual({ id_token: null, refresh_token: null });
    expect(await tokens(inUse)).toEqual({ id_token: 'provider-token', refresh_token: 'provider-token' });
  });

  it('erases each person once when two prunes run at once', async () => {
    const people = await Promise.all(Array.from({ length: 12 }, (_, i) => person(`twice-${i}`, ago(1000))));
    const [a, b] = await Promise.all([
      prunePersonalData(db.pool, { retentionDays: 730, actor: 'cli:a', now: NOW }),
      prunePersonalData(db.pool, { retentionDays: 730, actor: 'cli:b', now: NOW }),
    ]);
    const all = [...a.erased, ...b.erased].sort();
    expect(all).toEqual(people.map((p) => p.id).sort());
    const events = await db.pool.query<{ workflow_id: string }>(
      `SELECT workflow_id FROM audit_log WHERE kind = 'person-erased' AND workflow_id = ANY ($1::text[])`,
      [people.map((p) => `people/${p.id}`)],
    );
    expect(events.rows).toHaveLength(people.length);
  });

  it('gives a pseudonymised person back their details when they sign in again, under the same id', async () => {
    const back = await person('comes-back', ago(1000));
    expect(await erasePerson(db.pool, back.id, 'cli:test', NOW)).toBe(true);
    expect(await erasePerson(db.pool, back.id, 'cli:test', NOW)).toBe(false);
    const again = await person('comes-back', NOW, 'Tillbaka');
    expect(again).toMatchObject({ id: back.id, name: 'Tillbaka' });
    expect((await loadHeldData(db.pool, back.id))?.person.erasedAt).toBeNull();
  });
});

describe('the worker’s daily prune', () => {
  it('runs the retention rule on its timer, logs what it did, and stops', async () => {
    const old = await recordSignIn(
      db.pool,
      { issuer: ISSUER, subject: 'worker-old', name: 'Arbetare', email: 'worker-old@stockholm.example' },
      new Date(Date.now() - 800 * DAY),
    );
    const lines: string[] = [];
    const prune = startDailyPrune({
      pool: db.pool,
      retentionDays: 730,
      log: (line) => lines.push(line),
      firstAfterMs: 0,
      intervalMs: 50,
    });
    try {
      const erased = await eventually(
        async () => (await loadHeldData(db.pool, old.id))?.person.erasedAt ?? null,
        (at) => at !== null,
        10_000,
      );
      expect(erased).not.toBeNull();
    } finally {
      await prune.stop();
    }
    expect(lines.some((l) => /^Gallring \(730 dagar\): [1-9]\d* personer pseudonymiserade/.test(l))).toBe(true);
    const events = await db.pool.query(`SELECT actor FROM audit_log WHERE workflow_id = $1`, [`people/${old.id}`]);
    expect(events.rows).toEqual([{ actor: RETENTION_ACTOR }]);
  });
});

describe('arshjul person', () => {
  const arshjul = (args: string[], env: NodeJS.ProcessEnv = {}) =>
    runArshjul(['person', ...args], { DATABASE_URL: db.url, ...env });

  it('shows what is held about one person, by id or e-mail, as text and JSON, never a token', async () => {
    const p = await person('visad', ago(3), 'Visa Visadsson');
    await addManualGrant(db.pool, p.id, { kind: 'board', boardId: 'farsta', duty: 'handlaggare' }, ago(5));
    await createSession(
      db.pool,
      { personId: p.id, issuer: ISSUER, subject: 'visad', idToken: 'secret-id-token', refreshToken: 'secret-refresh' },
      { idleSeconds: 3600, absoluteSeconds: 43_200 },
    );
    await db.pool.query(
      `INSERT INTO review_comments (workflow_id, submission_seq, path, comment, author)
       VALUES ('teststad/2028/tertialrapport-1/farsta', 1, 'ekonomi', 'Komplettera', $1)`,
      [`person:${p.id}`],
    );

    const json = await arshjul(['show', 'VISAD@stockholm.example', '--format', 'json']);
    expect(json.stderr).toBe('');
    expect(json.code).toBe(0);
    const data = JSON.parse(json.stdout) as Record<string, unknown>;
    expect(data).toMatchObject({
      format: 'arshjul-personal-data/1',
      person: { id: p.id, name: 'Visa Visadsson', email: 'visad@stockholm.example', erasedAt: null },
      memberships: [{ grant: 'board:farsta:handlaggare', source: 'manual', validTo: null }],
      sessions: { count: 1, open: 1 },
      reviewComments: [{ workflowId: 'teststad/2028/tertialrapport-1/farsta', path: 'ekonomi' }],
    });
    expect(json.stdout).not.toContain('secret-');
    expect(json.stdout).not.toContain('Komplettera'); // that a comment was made, not what it said

    const text = await arshjul(['show', p.id]);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(`Person ${p.id}`);
    expect(text.stdout).toContain('Namn: Visa Visadsson');
    expect(text.stdout).toContain('board:farsta:handlaggare');
    expect(text.stdout).toContain('Sessioner: 1 (1 pågående)');
    expect(text.stdout).toContain('Granskningskommentarer av personen: 1');
    expect(text.stdout).not.toContain('secret-');

    const out = join(dir, 'visad.json');
    const exported = await arshjul(['export', p.id, '--out', out]);
    expect(exported.code).toBe(0);
    expect(JSON.parse(readFileSync(out, 'utf8'))).toEqual(data);
    expect(statSync(out).mode & 0o777).toBe(0o600);
    const twice = await arshjul(['export', p.id, '--out', out]);
    expect(twice.code).toBe(2);
    expect(twice.stderr).toMatch(/^fel: out: /);
  });

  it('names the field of bad input and changes nothing', async () => {
    const before = await auditRows();
    const people = await db.pool.query('SELECT * FROM people ORDER BY id');
    const runs = await Promise.all([
      arshjul(['show', 'Anna Andersson']),
      arshjul(['show', 'p_x', '--format', 'yaml']),
      arshjul(['erase', 'anna@stockholm.example', '--yes']),
      arshjul(['export', 'p_000000000000', '--out', join(dir, 'none.json')]),
      arshjul(['prune'], { PERSONAL_DATA_RETENTION_DAYS: 'ett år' }),
      arshjul(['prune'], { PERSONAL_DATA_RETENTION_DAYS: '7' }),
    ]);
    expect(runs.map((r) => r.code)).toEqual([2, 2, 2, 1, 2, 2]);
    expect(runs[0]!.stderr).toMatch(/^fel: person: .*\(bad-format\)\n {2}detalj: must be a person's id/);
    expect(runs[1]!.stderr).toMatch(/^fel: format: /);
    expect(runs[2]!.stderr).toMatch(/^fel: person: .*\(bad-format\)/);
    expect(runs[3]!.stderr).toMatch(/^fel: person: .*\(not-found\)/);
    expect(existsSync(join(dir, 'none.json'))).toBe(false);
    expect(runs[4]!.stderr).toContain('PERSONAL_DATA_RETENTION_DAYS must be a whole number of days');
    expect(runs[5]!.stderr).toContain('PERSONAL_DATA_RETENTION_DAYS must be at least 30');
    expect(await auditRows()).toEqual(before);
    expect((await db.pool.query('SELECT * FROM people ORDER BY id')).rows).toEqual(people.rows);
  });

  it('erases one person on request, asking first, and prunes by the retention setting', async () => {
    const p = await person('raderas', ago(2), 'Rade Radersson');
    const unasked = await arshjul(['erase', p.id]);
    expect(unasked.code).toBe(2);
    expect(unasked.stderr).toContain('--yes');
    await expect(findPerson(db.pool, p.id)).resolves.toMatchObject({ name: 'Rade Radersson' });

    const erased = await arshjul(['erase', p.id, '--yes']);
    expect(erased.stderr).toBe('');
    expect(erased.stdout).toBe(`${p.id}: namn och e-post raderade, sessioner borttagna.\n`);
    const shown = await arshjul(['show', p.id, '--format', 'json']);
    expect(JSON.parse(shown.stdout)).toMatchObject({ person: { name: null, email: null } });
    const again = await arshjul(['erase', p.id, '--yes']);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/^fel: person: .*\(already-recorded\)/);
    // Found by e-mail no more: it is gone.
    expect((await arshjul(['show', 'raderas@stockholm.example'])).code).toBe(1);

    // Signed in 40 days ago, no role: pruned with a 30-day retention, not with the default.
    const old = await recordSignIn(
      db.pool,
      { issuer: ISSUER, subject: 'gammal', name: 'Gammal', email: 'gammal@stockholm.example' },
      new Date(Date.now() - 40 * DAY),
    );
    const byDefault = await arshjul(['prune', '--format', 'json']);
    expect(byDefault.code).toBe(0);
    expect(JSON.parse(byDefault.stdout)).toMatchObject({ format: 'arshjul-prune/1', retentionDays: 730 });
    expect(JSON.parse(byDefault.stdout).erased).not.toContain(old.id);
    const pruned = await arshjul(['prune'], { PERSONAL_DATA_RETENTION_DAYS: '30' });
    expect(pruned.code).toBe(0);
    expect(pruned.stdout).toMatch(/^Gallrat \(30 dagar\): \d+ personer pseudonymiserade/);
    expect(pruned.stdout).toContain(`  ${old.id}\n`);
    await expect(findPerson(db.pool, old.id)).resolves.not.toHaveProperty('name');
  });
});
