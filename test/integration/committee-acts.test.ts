import { lupWorkflowId } from '../../src/workflows/lup-messages';
import type { Browser } from 'playwright-core';
import { listAuditEvents } from '../../src/db/audit-log';
import { createApiToken } from '../../src/db/api-tokens';
import { withTransaction } from '../../src/db/database';
import { signInPerson } from '../../src/db/person-principal';
import { replaceRegistry } from '../../src/db/registry';
import { committeeNoticeId } from '../../src/workflows/committee-notice-workflow';
import { smallRegistry } from '../fixtures/small-registry';
import { STACK_YEAR, useHttpStack } from '../helpers/http-stack';
import { accessibilityViolations } from '../helpers/accessibility';
import { launchBrowser, screenshot, signInWithKey, structureProblems } from '../helpers/browser';
import { httpCalls } from '../helpers/http-calls';
import { reviewStackOptions } from '../helpers/report-stack';

/**
 * The committee acts (issue 14), over real HTTP on a real cycle with a real worker and SMTP: a
 * committee member comments on a board's report (one question) and on a district's LUP; the
 * board and SLK read the comments, the audit log names the member, and the mail reaches the
 * board's people by duty, its mailbox and SLK's, once. Two members commenting at once are both
 * kept, in order. Bad input names the field and stores nothing.
 */
const stack = useHttpStack('committee_acts', reviewStackOptions());
const y = STACK_YEAR;
const { call } = httpCalls(stack);
const COMMENTS = `/api/cycles/${y}/committee/comments`;
const boardComments = (board: string) => `/api/cycles/${y}/boards/${board}/committee-comments`;
const SLK_MAILBOX = 'registrator.slk@stockholm.example';

/** Two committee members' keys: the old `committee` role reads only, so these are given `submit`. */
const members = { first: { secret: '', id: '' }, second: { secret: '', id: '' } };
const author = (m: keyof typeof members) => `token:${members[m].id}`;

const post = (secret: string, body: unknown) =>
  fetch(`${stack.url}${COMMENTS}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  }).then(async (r) => ({ status: r.status, body: (await r.json()) as Record<string, unknown> }));

const stored = async () =>
  (
    await stack.harness.db.pool.query<{ id: string; comment: string; author: string }>(
      'SELECT id, comment, author FROM committee_comments ORDER BY id',
    )
  ).rows;
const sendRows = async () =>
  (
    await stack.harness.db.pool.query<{ idempotency_key: string; status: string; recipients: string[] }>(
      "SELECT idempotency_key, status, recipients FROM send_log WHERE kind = 'committee-comment' ORDER BY idempotency_key",
    )
  ).rows;
const mailsAbout = (commentText: string) =>
  stack.harness.sink.received.filter((m) => (m.parsed.text ?? '').includes(commentText));

beforeAll(async () => {
  const pool = stack.harness.db.pool;
  // SLK's mailbox: SLK hears of every committee act.
  await withTransaction(pool, (tx) =>
    replaceRegistry(tx, {
      ...smallRegistry,
      organisations: [
        ...smallRegistry.organisations,
        {
          id: 'slk',
          name: 'Stadsledningskontoret',
          kind: 'slk',
          validFrom: '2007-01-01',
          contacts: [{ role: 'registrator', email: SLK_MAILBOX }],
        },
      ],
      priorityAreas: [
        ...smallRegistry.priorityAreas,
        {
          id: 'farsta-omrade',
          name: 'Farsta',
          validFrom: '2015-01-01',
          servedBy: [{ boardId: 'farsta', validFrom: '2015-01-01' }],
        },
      ],
    }),
  );
  // Farsta's people by duty, and one at Järva who must hear nothing of Farsta.
  const person = (subject: string, boardId: string, duty: 'handlaggare' | 'controller') =>
    signInPerson(
      pool,
      { issuer: 'https://idp.test', subject, email: `${subject}@stockholm.example` },
      [{ kind: 'board', boardId, duty }],
      new Date('2000-01-01T08:00:00Z'),
    );
  await person('hanna', 'farsta', 'handlaggare');
  await person('carl', 'farsta', 'controller');
  await person('jan', 'jarva', 'controller');
  for (const m of ['first', 'second'] as const) {
    const created = await createApiToken(pool, {
      grants: ['committee'],
      scopes: ['read', 'submit'],
      label: `${m} member`,
      createdBy: 'test',
    });
    members[m] = { secret: created.secret, id: created.id };
  }
});

describe('the committee comments on reports and LUPs', () => {
  test('a comment on one question of a report: shown to the board and SLK, audited, mailed once', async () => {
    const text = 'Utskottet vill veta hur prognosen påverkar förskolan.';
    const made = await post(members.first.secret, {
      subject: 'report',
      phaseId: 'granskad',
      boardId: 'farsta',
      path: 'ekonomi.prognos',
      comment: text,
    });
    expect(made.status).toBe(200);
    expect(made.body).toMatchObject({
      subject: 'report',
      phaseId: 'granskad',
      boardId: 'farsta',
      path: 'ekonomi.prognos',
      comment: text,
      author: author('first'),
    });

    for (const reader of ['farsta', 'admin', 'committee'] as const) {
      const seen = await call(reader, 'GET', boardComments('farsta'));
      expect(seen.status).toBe(200);
      expect(seen.body.map((c: { comment: string }) => c.comment)).toEqual([text]);
    }
    // Another board learns nothing of Farsta's.
    expect((await call('jarva', 'GET', boardComments('farsta'))).status).toBe(404);

    const audit = await listAuditEvents(stack.harness.db.pool, `teststad/${y}/granskad/farsta`);
    const event = audit.find((e) => e.kind === 'committee-comment');
    expect(event).toMatchObject({
      actor: author('first'),
      payload: { commentId: made.body.id, path: 'ekonomi.prognos', comment: text },
    });

    await stack.harness.sink.waitFor(() => mailsAbout(text).length > 0);
    const [mail] = mailsAbout(text);
    expect(mail!.parsed.subject).toBe('Utskottet har kommenterat Granskad rapport 2090: Farsta stadsdelsnämnd');
    expect(mail!.envelope.to.sort()).toEqual(
      ['registrator.farsta@stockholm.example', 'hanna@stockholm.example', 'carl@stockholm.example', SLK_MAILBOX].sort(),
    );
    expect(mail!.parsed.text).toContain('ekonomi.prognos');

    // The mail goes once: another delivery attempt for the same comment finds it sent.
    const notice = { kind: 'comment' as const, id: String(made.body.id) };
    const again = await stack.env.client.workflow.execute('committeeNoticeWorkflow', {
      workflowId: `${committeeNoticeId(`teststad/${y}`, notice)}/again`,
      taskQueue: stack.harness.taskQueue,
      args: [notice],
    });
    expect(again).toMatchObject({ sentNow: false });
    expect(mailsAbout(text)).toHaveLength(1);
    expect(await sendRows()).toEqual([
      expect.objectContaining({ idempotency_key: `committee-comment#${String(made.body.id)}`, status: 'sent' }),
    ]);
  });

  test('a comment on a district’s LUP; a board without a LUP is not found', async () => {
    const text = 'Dialogerna i Hökarängen bör återkopplas tydligare.';
    const made = await post(members.first.secret, { subject: 'lup', boardId: 'farsta', comment: text });
    expect(made.status).toBe(200);
    const audit = await listAuditEvents(stack.harness.db.pool, lupWorkflowId('teststad', 'farsta'));
    expect(audit.find((e) => e.kind === 'committee-comment')).toMatchObject({ payload: { subject: 'lup' } });
    await stack.harness.sink.waitFor(() => mailsAbout(text).length > 0);
    expect(mailsAbout(text)[0]!.parsed.subject).toBe('Utskottet har kommenterat LUP 2090: Farsta stadsdelsnämnd');

    const before = await stored();
    const notDistrict = await post(members.first.secret, {
      subject: 'lup',
      boardId: 'kulturnamnden',
      comment: 'x',
    });
    expect({ status: notDistrict.status, field: notDistrict.body.field }).toEqual({ status: 404, field: 'board' });
    expect(await stored()).toEqual(before);
  });

  test('bad input names its field and stores nothing; only the committee may comment', async () => {
    const before = await stored();
    // The mails owed (their keys): an earlier test's mail may still be going out meanwhile.
    const keys = async () => (await sendRows()).map((r) => r.idempotency_key);
    const sendsBefore = await keys();
    const cases: Array<[unknown, number, string, string?]> = [
      [{ subject: 'report', phaseId: 'granskad', boardId: 'farsta' }, 400, 'comment'],
      [{ subject: 'report', phaseId: 'granskad', boardId: 'farsta', comment: '   ' }, 400, 'comment'],
      [{ subject: 'report', phaseId: 'granskad', boardId: 'farsta', comment: 'x'.repeat(4001) }, 400, 'comment'],
      [{ subject: 'report', boardId: 'farsta', comment: 'Saknar fas.' }, 400, 'phaseId'],
      [{ subject: 'lup', boardId: 'farsta', path: 'ekonomi', comment: 'Fråga på LUP.' }, 400, 'path'],
      [{ subject: 'protokoll', boardId: 'farsta', comment: 'x' }, 400, 'subject'],
      [
        { subject: 'report', phaseId: 'granskad', boardId: 'farsta', path: 'ekonomi.finns-inte', comment: 'x' },
        400,
        'path',
        'bad-path',
      ],
      [{ subject: 'report', phaseId: 'finns-inte', boardId: 'farsta', comment: 'x' }, 404, 'deliverable'],
    ];
    for (const [body, status, field, code] of cases) {
      const answer = await post(members.first.secret, body);
      expect({ status: answer.status, field: answer.body.field }).toEqual({ status, field });
      if (code) expect(answer.body.code).toBe(code);
    }
    const valid = { subject: 'report', phaseId: 'granskad', boardId: 'farsta', comment: 'Inte er sak.' };
    // SLK, the board, and the old committee key (it reads only: missing-scope).
    for (const caller of ['admin', 'farsta', 'farstaChef', 'committee'] as const) {
      expect((await call(caller, 'POST', COMMENTS, valid)).status).toBe(403);
    }
    expect(await stored()).toEqual(before);
    expect(await keys()).toEqual(sendsBefore);
  });

  test('two members comment at the same moment: both kept, in order, each mailed once', async () => {
    const before = await stored();
    const texts = ['Först: hur går det med fritidsgården?', 'Samtidigt: redovisa läget för trygghetsvandringarna.'];
    const answers = await Promise.all([
      post(members.first.secret, { subject: 'report', phaseId: 'granskad', boardId: 'farsta', comment: texts[0] }),
      post(members.second.secret, { subject: 'report', phaseId: 'granskad', boardId: 'farsta', comment: texts[1] }),
    ]);
    expect(answers.map((a) => a.status)).toEqual([200, 200]);
    const after = (await stored()).slice(before.length);
    expect(after.map((c) => c.comment).sort()).toEqual([...texts].sort());
    expect(new Set(after.map((c) => c.author))).toEqual(new Set([author('first'), author('second')]));
    // The board reads them in the order they were stored.
    const listed = await call('farsta', 'GET', boardComments('farsta'));
    expect(listed.body.slice(-2).map((c: { id: string }) => c.id)).toEqual(after.map((c) => c.id));
    await stack.harness.sink.waitFor(() => texts.every((t) => mailsAbout(t).length > 0));
    expect(texts.map((t) => mailsAbout(t).length)).toEqual([1, 1]);
  });
});

describe('the committee’s form on the local development page', () => {
  const PAGE = `/oversikt/${y}/lokalt-utvecklingsarbete`;
  const postForm = (secret: string, fields: Record<string, string>) =>
    fetch(`${stack.url}${PAGE}/kommentar`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie: `arshjul_token=${secret}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(fields).toString(),
    });
  const getPage = (secret: string, path: string) =>
    fetch(`${stack.url}${path}`, { headers: { cookie: `arshjul_token=${secret}` } }).then((r) => r.text());

  test('a member comments on a report; the committee, SLK and the board read it on their pages', async () => {
    const text = 'Utskottet saknar en analys av barnfattigdomen.';
    const saved = await postForm(members.first.secret, {
      boardId: 'farsta',
      subject: 'rapport:granskad',
      comment: text,
    });
    expect(saved.status).toBe(303);
    expect(saved.headers.get('location')).toMatch(new RegExp(`^${PAGE}\\?kommenterat=\\d+#utskottet$`));

    const committeePage = await getPage(members.first.secret, saved.headers.get('location')!);
    expect(committeePage).toContain('Kommentaren är sparad');
    expect(committeePage).toContain(text);
    expect(committeePage).toContain('<h3 id="kommentera">');
    // SLK reads the comments there, without the form.
    const slkPage = await getPage(stack.tokens.admin, PAGE);
    expect(slkPage).toContain(text);
    expect(slkPage).not.toContain('<h3 id="kommentera">');
    // The board on its own page.
    const boardPage = await getPage(stack.tokens.farsta, '/namnd/farsta');
    expect(boardPage).toContain('Utskottets kommentarer');
    expect(boardPage).toContain(text);
    expect(boardPage).toContain('Granskad rapport 2090');
    await stack.harness.sink.waitFor(() => mailsAbout(text).length > 0);
  });

  test('a refused comment shows its error next to the field and in a summary, and stores nothing', async () => {
    const before = await stored();
    const empty = await postForm(members.first.secret, { boardId: 'farsta', subject: 'lup', comment: '  ' });
    expect(empty.status).toBe(400);
    const emptyPage = await empty.text();
    expect(emptyPage).toContain('class="error-summary"');
    expect(emptyPage).toContain('href="#utskottskommentar-comment"');
    expect(emptyPage).toMatch(/id="utskottskommentar-comment-error">Kommentar [^<]+</);
    expect(emptyPage).toMatch(/<textarea id="utskottskommentar-comment"[^>]*aria-invalid="true"/);

    const notDistrict = await postForm(members.first.secret, {
      boardId: 'kulturnamnden',
      subject: 'lup',
      comment: 'x',
    });
    expect(notDistrict.status).toBe(400);
    const notDistrictPage = await notDistrict.text();
    expect(notDistrictPage).toContain('id="utskottskommentar-boardId-error">Nämnd finns inte');
    // What was typed stays in the form.
    expect(notDistrictPage).toMatch(/<option value="kulturnamnden"\s+selected/);

    expect((await postForm(stack.tokens.admin, { boardId: 'farsta', subject: 'lup', comment: 'x' })).status).toBe(403);
    expect(await stored()).toEqual(before);
  });
});

describe('the committee flags a priority area for attention', () => {
  const FLAGS = '/api/committee/priority-areas/flags';
  const act = (secret: string, areaId: string, action: 'flag' | 'unflag', body: unknown) =>
    fetch(`${stack.url}/api/committee/priority-areas/${areaId}/${action}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    }).then(async (r) => ({ status: r.status, body: (await r.json()) as Record<string, unknown> }));
  const acts = async () =>
    (
      await stack.harness.db.pool.query<{ id: string; action: string; reason: string | null }>(
        'SELECT id, action, reason FROM committee_area_flags ORDER BY id',
      )
    ).rows;
  const flagMails = (subject: string) => stack.harness.sink.received.filter((m) => m.parsed.subject === subject);

  test('two members flag an area at once: both kept in order, shown to the boards serving it, each mailed once', async () => {
    const reasons = ['Otryggheten kring Rinkeby torg har ökat.', 'Skolresultaten sjunker i Husby.'];
    const both = await Promise.all([
      act(members.first.secret, 'rinkeby-kista', 'flag', { reason: reasons[0] }),
      act(members.second.secret, 'rinkeby-kista', 'flag', { reason: reasons[1] }),
    ]);
    expect(both.map((a) => a.status)).toEqual([200, 200]);
    const stored = await acts();
    expect(stored.map((a) => a.reason).sort()).toEqual([...reasons].sort());

    const flags = await call('farsta', 'GET', FLAGS);
    expect(flags.status).toBe(200);
    expect(flags.body).toHaveLength(1);
    expect(flags.body[0].areaId).toBe('rinkeby-kista');
    // In the order stored.
    expect(flags.body[0].flags.map((f: { id: string }) => f.id)).toEqual(stored.map((a) => a.id));

    const audit = await listAuditEvents(stack.harness.db.pool, 'teststad/priority-area/rinkeby-kista');
    expect(new Set(audit.filter((e) => e.kind === 'committee-area-flag').map((e) => e.actor))).toEqual(
      new Set([author('first'), author('second')]),
    );

    // Järva serves the area today: its page shows the committee's attention; Farsta's does not.
    const jarvaPage = await fetch(`${stack.url}/namnd/jarva`, {
      headers: { cookie: `arshjul_token=${stack.tokens.jarva}` },
    }).then((r) => r.text());
    expect(jarvaPage).toContain('Områden som utskottet uppmärksammar');
    for (const r of reasons) expect(jarvaPage).toContain(r);
    const farstaPage = await fetch(`${stack.url}/namnd/farsta`, {
      headers: { cookie: `arshjul_token=${stack.tokens.farsta}` },
    }).then((r) => r.text());
    expect(farstaPage).not.toContain(reasons[0]);

    const subject = 'Utskottet uppmärksammar Rinkeby-Kista';
    await stack.harness.sink.waitFor(() => flagMails(subject).length >= 2);
    expect(flagMails(subject)).toHaveLength(2);
    for (const mail of flagMails(subject)) {
      expect(mail.envelope.to.sort()).toEqual(['jan@stockholm.example', SLK_MAILBOX].sort());
    }
  });

  test('unflagging takes the attention away; a second unflag is refused (409) and stores nothing', async () => {
    const off = await act(members.first.secret, 'rinkeby-kista', 'unflag', { reason: 'Åtgärderna är på plats.' });
    expect(off.status).toBe(200);
    expect((await call('committee', 'GET', FLAGS)).body).toEqual([]);
    await stack.harness.sink.waitFor(() => flagMails('Utskottet uppmärksammar inte längre Rinkeby-Kista').length > 0);

    const before = await acts();
    const again = await act(members.second.secret, 'rinkeby-kista', 'unflag', {});
    expect({ status: again.status, field: again.body.field, code: again.body.code }).toEqual({
      status: 409,
      field: 'areaId',
      code: 'not-flagged',
    });
    expect(await acts()).toEqual(before);
  });

  test('bad input names its field; only the committee flags; nothing is stored', async () => {
    const before = await acts();
    const empty = await act(members.first.secret, 'farsta-omrade', 'flag', { reason: ' ' });
    expect({ status: empty.status, field: empty.body.field }).toEqual({ status: 400, field: 'reason' });
    const missing = await act(members.first.secret, 'farsta-omrade', 'flag', {});
    expect({ status: missing.status, field: missing.body.field }).toEqual({ status: 400, field: 'reason' });
    const unknown = await act(members.first.secret, 'atlantis', 'flag', { reason: 'x' });
    expect({ status: unknown.status, field: unknown.body.field }).toEqual({ status: 404, field: 'area' });
    for (const secret of [stack.tokens.admin, stack.tokens.farstaChef, stack.tokens.committee]) {
      expect((await act(secret, 'farsta-omrade', 'flag', { reason: 'x' })).status).toBe(403);
    }
    expect(await acts()).toEqual(before);
  });

  test('the committee flags and unflags on the local development page; a refusal shows next to the field', async () => {
    const PAGE = `/oversikt/${y}/lokalt-utvecklingsarbete`;
    const form = (path: string, fields: Record<string, string>) =>
      fetch(`${stack.url}${PAGE}/${path}`, {
        method: 'POST',
        redirect: 'manual',
        headers: {
          cookie: `arshjul_token=${members.first.secret}`,
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: new URLSearchParams(fields).toString(),
      });
    const empty = await form('uppmarksamma', { areaId: 'farsta-omrade', reason: '' });
    expect(empty.status).toBe(400);
    const emptyPage = await empty.text();
    expect(emptyPage).toContain('href="#uppmarksamma-reason"');
    expect(emptyPage).toMatch(/id="uppmarksamma-reason-error">Skäl [^<]+</);

    const reason = 'Utskottet vill följa Farstas arbete med trygghet.';
    expect((await form('uppmarksamma', { areaId: 'farsta-omrade', reason })).status).toBe(303);
    const shown = await fetch(`${stack.url}${PAGE}`, {
      headers: { cookie: `arshjul_token=${stack.tokens.admin}` },
    }).then((r) => r.text());
    expect(shown).toContain(reason);
    expect((await form('ta-bort-uppmarksamhet', { areaId: 'farsta-omrade' })).status).toBe(303);
    expect((await call('committee', 'GET', '/api/committee/priority-areas/flags')).body).toEqual([]);
  });
});

describe('the committee records its decisions', () => {
  const DECISIONS = `/api/cycles/${y}/committee/decisions`;
  const record = (secret: string, body: unknown) =>
    fetch(`${stack.url}${DECISIONS}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    }).then(async (r) => ({ status: r.status, body: (await r.json()) as Record<string, unknown> }));
  const storedDecisions = async () =>
    (
      await stack.harness.db.pool.query<{ id: string; reference: string }>(
        'SELECT id, reference FROM committee_decisions ORDER BY id',
      )
    ).rows;
  const base = { decidedOn: '2089-03-14', decision: 'Utskottet begär en fördjupad redovisning.' };

  test('decisions on a report, a LUP and an area, two at once: all kept, listed, audited, shown to the board', async () => {
    const both = await Promise.all([
      record(members.first.secret, {
        concerns: 'report',
        phaseId: 'granskad',
        boardId: 'farsta',
        reference: 'KS 2089/101',
        ...base,
      }),
      record(members.second.secret, { concerns: 'lup', boardId: 'farsta', reference: 'KS 2089/102', ...base }),
    ]);
    expect(both.map((b) => b.status)).toEqual([200, 200]);
    const area = await record(members.first.secret, {
      concerns: 'area',
      areaId: 'rinkeby-kista',
      reference: 'KS 2089/103',
      ...base,
      decidedOn: '2089-03-15',
    });
    expect(area.status).toBe(200);
    expect(area.body).toMatchObject({ concerns: 'area', areaId: 'rinkeby-kista', author: author('first') });
    expect((await storedDecisions()).map((d) => d.reference).sort()).toEqual([
      'KS 2089/101',
      'KS 2089/102',
      'KS 2089/103',
    ]);

    const listed = await call('admin', 'GET', '/api/committee/decisions');
    expect(listed.body.map((d: { reference: string }) => d.reference).at(-1)).toBe('KS 2089/103');
    const audit = await listAuditEvents(stack.harness.db.pool, `teststad/${y}/granskad/farsta`);
    expect(audit.find((e) => e.kind === 'committee-decision')).toMatchObject({
      actor: author('first'),
      payload: { reference: 'KS 2089/101', decidedOn: '2089-03-14' },
    });

    // Farsta's page lists its two; Järva's the area it serves.
    const pageOf = (board: 'farsta' | 'jarva') =>
      fetch(`${stack.url}/namnd/${board}`, { headers: { cookie: `arshjul_token=${stack.tokens[board]}` } }).then((r) =>
        r.text(),
      );
    const farsta = await pageOf('farsta');
    expect(farsta).toContain('KS 2089/101');
    expect(farsta).toContain('KS 2089/102');
    expect(farsta).not.toContain('KS 2089/103');
    expect(await pageOf('jarva')).toContain('KS 2089/103');
  });

  test('bad input names its field and stores nothing; only the committee records', async () => {
    const before = await storedDecisions();
    const cases: Array<[unknown, number, string]> = [
      [{ concerns: 'lup', boardId: 'farsta', reference: 'KS 1', ...base, decidedOn: '2089-02-30' }, 400, 'decidedOn'],
      [{ concerns: 'lup', boardId: 'farsta', ...base, reference: ' ' }, 400, 'reference'],
      [{ concerns: 'lup', boardId: 'farsta', reference: 'KS 1', ...base, decision: '' }, 400, 'decision'],
      [{ concerns: 'protokoll', reference: 'KS 1', ...base }, 400, 'concerns'],
      [{ concerns: 'area', areaId: 'atlantis', reference: 'KS 1', ...base }, 404, 'area'],
      [{ concerns: 'lup', boardId: 'kulturnamnden', reference: 'KS 1', ...base }, 404, 'board'],
    ];
    for (const [body, status, field] of cases) {
      const answer = await record(members.first.secret, body);
      expect({ status: answer.status, field: answer.body.field }).toEqual({ status, field });
    }
    const valid = { concerns: 'lup', boardId: 'farsta', reference: 'KS 1', ...base };
    for (const secret of [stack.tokens.admin, stack.tokens.farstaChef, stack.tokens.committee]) {
      expect((await record(secret, valid)).status).toBe(403);
    }
    expect(await storedDecisions()).toEqual(before);
  });

  test('the form on the local development page records a decision; a bad date shows next to its field', async () => {
    const PAGE = `/oversikt/${y}/lokalt-utvecklingsarbete`;
    const form = (fields: Record<string, string>) =>
      fetch(`${stack.url}${PAGE}/beslut`, {
        method: 'POST',
        redirect: 'manual',
        headers: {
          cookie: `arshjul_token=${members.first.secret}`,
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: new URLSearchParams(fields).toString(),
      });
    const fields = {
      subject: 'lup',
      boardId: 'farsta',
      decidedOn: '14 mars',
      reference: 'KS 2089/200',
      decision: 'Bifall.',
    };
    const bad = await form(fields);
    expect(bad.status).toBe(400);
    const badPage = await bad.text();
    expect(badPage).toContain('href="#utskottsbeslut-decidedOn"');
    expect(badPage).toMatch(/id="utskottsbeslut-decidedOn-error">Beslutsdatum [^<]+</);
    expect(badPage).toContain('value="KS 2089/200"');

    expect((await form({ ...fields, decidedOn: '2089-03-20' })).status).toBe(303);
    const shown = await fetch(`${stack.url}${PAGE}`, {
      headers: { cookie: `arshjul_token=${stack.tokens.admin}` },
    }).then((r) => r.text());
    expect(shown).toContain('KS 2089/200');
    expect(shown).toContain('Farsta stadsdelsnämnd: LUP 2090');
  });
});

describe('the committee’s forms in Chromium', () => {
  let browser: Browser | undefined;
  afterAll(async () => {
    await browser?.close();
  });

  test('the local development page with its forms is accessible, and a refused comment is announced', async () => {
    browser = await launchBrowser();
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'sv-SE' });
    const page = await context.newPage();
    await signInWithKey(page, stack.url, members.first.secret);
    await page.goto(`${stack.url}/oversikt/${y}/lokalt-utvecklingsarbete#kommentera`);
    const commentForm = page.locator('form[action$="/kommentar"]');
    await commentForm.getByLabel('Nämnd').selectOption('farsta');
    await commentForm.getByRole('button', { name: 'Spara kommentaren' }).click();
    await page.waitForLoadState('load');
    // The summary names the problem and links to the field; the field says it beside itself.
    const summary = page.locator('.error-summary');
    await summary.getByRole('link').click();
    expect(await page.evaluate('document.activeElement && document.activeElement.id')).toBe(
      'utskottskommentar-comment',
    );
    expect(await page.getByRole('textbox', { name: 'Kommentar' }).getAttribute('aria-invalid')).toBe('true');
    await screenshot(page, 'committee-acts-refused-comment');
    expect(await accessibilityViolations(page)).toEqual([]);
    expect(await structureProblems(page)).toEqual([]);
    await context.close();
  });
});
