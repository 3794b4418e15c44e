import { listAuditEvents } from '../../src/db/audit-log';
import { addDays } from '../../src/domain/local-date';
import { STACK_YEAR, StackTokens, useHttpStack } from '../helpers/http-stack';
import { reviewStackOptions } from '../helpers/report-stack';
import { httpCalls } from '../helpers/http-calls';

/**
 * SLK's review per question with version history (issue 12), over real HTTP on a real cycle: a
 * board hands its report in, SLK comments on a question (two at once), returns it, the board
 * sees the comment next to the question, changes the answer and hands it in again, the review
 * shows both versions and marks what changed, SLK approves. Refusals name the field with a code
 * and store nothing.
 */
const stack = useHttpStack('report_review', reviewStackOptions());
const y = STACK_YEAR;
const base = (board: string) => `/api/cycles/${y}/deliverables/granskad/${board}`;
const workflowId = (board: string) => `teststad/${y}/granskad/${board}`;
const reviewPage = (board: string) => `/cykel/${y}/granska/granskad/${board}`;

const { call, page, post } = httpCalls(stack);

const comment = (caller: keyof StackTokens, board: string, body: unknown) =>
  call(caller, 'POST', `${base(board)}/report/comments`, body);
const review = (caller: keyof StackTokens, board: string) => call(caller, 'GET', `${base(board)}/report/review`);

async function storedComments(board: string) {
  const result = await stack.harness.db.pool.query<{ path: string; comment: string; submission_seq: string }>(
    'SELECT path, comment, submission_seq FROM review_comments WHERE workflow_id = $1 ORDER BY id',
    [workflowId(board)],
  );
  return result.rows;
}

const answersVersion = async (board: string, path: string): Promise<number> => {
  const report = await call('admin', 'GET', `${base(board)}/report`);
  return (report.body.answers as Array<{ path: string; version: number }>).find((a) => a.path === path)?.version ?? 0;
};

describe('SLK reviews a report per question, across versions', () => {
  test('an open report takes no comment (409), and nothing is stored', async () => {
    const put = (path: string, value: unknown) =>
      call('farsta', 'PUT', `${base('farsta')}/report/answers`, { path, value, expectedVersion: 0 });
    expect((await put('ekonomi.sammanfattning', 'Prognosen håller.')).status).toBe(200);
    expect((await put('ekonomi.prognos', -350)).status).toBe(200);
    expect((await put('ekonomi.utfall', [{ omrade: 'Förskola', belopp: 1200 }])).status).toBe(200);
    expect((await put('omraden[rinkeby-kista].insats', 'x')).status).toBe(400); // farsta serves no such area
    const early = await comment('admin', 'farsta', { path: 'ekonomi.prognos', comment: 'För tidigt.' });
    expect({ status: early.status, field: early.body.field, code: early.body.code }).toEqual({
      status: 409,
      field: 'stage',
      code: 'not-under-review',
    });
    expect(await storedComments('farsta')).toEqual([]);
    const before = await review('admin', 'farsta');
    expect(before.status).toBe(200);
    expect(before.body).toMatchObject({ versions: [], changes: [], comments: [], canComment: false });
    expect(before.body.latest).toBeUndefined();
  });

  test('the board marks it ready; SLK comments on one question, twice at once, both kept in order', async () => {
    const ready = await call('farsta', 'POST', `${base('farsta')}/report/ready`, { documentRef: 'FA 2090/7' });
    expect(ready.status).toBe(200);
    expect(ready.body.stage).toBe('submitted');

    const both = await Promise.all([
      comment('admin', 'farsta', { path: 'ekonomi.prognos', comment: 'Förklara avvikelsen mot budget.' }),
      comment('admin', 'farsta', { path: 'ekonomi.prognos', comment: 'Ange vilka verksamheter som går över.' }),
    ]);
    expect(both.map((r) => r.status)).toEqual([200, 200]);
    const section = await comment('admin', 'farsta', { path: 'ekonomi', comment: 'Avsnittet i övrigt är bra.' });
    expect(section.status).toBe(200);

    const slk = await review('admin', 'farsta');
    expect(slk.body.versions).toHaveLength(1);
    expect(slk.body.versions[0]).toMatchObject({ documentRef: 'FA 2090/7' });
    expect(slk.body.versions[0].submittedBy).toBe(`token:${stack.tokenIds.farsta}`);
    expect(slk.body.latest.answers.ekonomi.prognos).toBe(-350);
    expect(slk.body.canComment).toBe(true);
    const seq = slk.body.versions[0].seq as number;
    // In the order they were stored, each on the version under review.
    const stored = await storedComments('farsta');
    expect(stored.map((c) => c.path)).toEqual(['ekonomi.prognos', 'ekonomi.prognos', 'ekonomi']);
    expect(new Set(stored.slice(0, 2).map((c) => c.comment))).toEqual(
      new Set(['Förklara avvikelsen mot budget.', 'Ange vilka verksamheter som går över.']),
    );
    expect(stored.every((c) => Number(c.submission_seq) === seq)).toBe(true);
    expect(slk.body.comments.map((c: { comment: string }) => c.comment)).toEqual(stored.map((c) => c.comment));
    // Each comment is in the record, with its author.
    const events = (await listAuditEvents(stack.harness.db.pool, workflowId('farsta'))).filter(
      (e) => e.kind === 'review-comment',
    );
    expect(events).toHaveLength(3);
    expect(events[0]!.actor).toBe(`token:${stack.tokenIds.admin}`);
    expect(events[0]!.payload).toMatchObject({ path: 'ekonomi.prognos', submissionSeq: seq });
    // The committee reads the review; the board does not see SLK's notes before the return.
    expect((await review('committee', 'farsta')).body.comments).toHaveLength(3);
    expect((await review('farsta', 'farsta')).body.comments).toEqual([]);
    expect((await review('jarva', 'farsta')).status).toBe(404);
  });

  test('refusals: a board or the committee (403), a bad path (400 bad-path), bad text; nothing stored', async () => {
    const before = await storedComments('farsta');
    const cases: Array<[keyof StackTokens, unknown, number, string, string | undefined]> = [
      ['farsta', { path: 'ekonomi.prognos', comment: 'Själv' }, 403, 'role', 'forbidden'],
      ['committee', { path: 'ekonomi.prognos', comment: 'Nämnden' }, 403, 'role', 'forbidden'],
      ['admin', { path: 'ekonomi.okand', comment: 'x' }, 400, 'path', 'bad-path'],
      ['admin', { path: 'omraden[rinkeby-kista].insats', comment: 'x' }, 400, 'path', 'bad-path'],
      ['admin', { path: 'ekonomi.prognos[0]', comment: 'x' }, 400, 'path', 'bad-path'],
      ['admin', { path: 'ekonomi.prognos', comment: '   ' }, 400, 'comment', 'required'],
      ['admin', { path: 'ekonomi.prognos', comment: 'x'.repeat(4001) }, 400, 'comment', 'too-long'],
      ['admin', { path: 'ekonomi.prognos', comment: 'x', by: 'någon' }, 400, 'by', 'unknown-field'],
    ];
    for (const [who, body, status, field, code] of cases) {
      const r = await comment(who, 'farsta', body);
      expect({ status: r.status, field: r.body.field, code: r.body.code }).toEqual({ status, field, code });
    }
    expect(await storedComments('farsta')).toEqual(before);
  });

  test('the review page shows the answers in the template’s structure with the comments and a form per question', async () => {
    const response = await page('admin', reviewPage('farsta'));
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(text).toContain('<h1>Granskning: Testrapport, ');
    expect(text).toContain('<h3 id="avsnitt-ekonomi">Ekonomi</h3>');
    expect(text).toMatch(/<caption>\s*<span class="caption-text">Utfall per verksamhetsområde<\/span>/);
    expect(text).toContain('Förklara avvikelsen mot budget.');
    expect(text).toContain('name="path" value="ekonomi.prognos"');
    expect(text).toContain('Godkänn');
    expect(text).not.toContain('Ändrat sedan återremissen');
    // SLK's cycle page links to it from the review queue.
    const cycle = await (await page('admin', `/cykel/${y}`)).text();
    expect(cycle).toContain(`href="${reviewPage('farsta')}"`);
    // The committee reads it without forms; a board has its own form instead.
    const committee = await (await page('committee', reviewPage('farsta'))).text();
    expect(committee).toContain('Förklara avvikelsen mot budget.');
    expect(committee).not.toContain('name="comment"');
    expect((await page('farsta', reviewPage('farsta'))).status).toBe(403);
  });

  test('a comment through the page: saved and shown (PRG); refused from another site or empty, nothing stored', async () => {
    const url = `${reviewPage('farsta')}/kommentar`;
    const saved = await post('admin', url, { path: 'ekonomi.utfall', comment: 'Lägg till skolan i tabellen.' });
    expect(saved.status).toBe(303);
    expect(saved.headers.get('location')).toBe(
      `${reviewPage('farsta')}?kommenterat=ekonomi.utfall#kommentar-ekonomi-utfall`,
    );
    const shown = await (await page('admin', saved.headers.get('location')!.split('#')[0]!)).text();
    expect(shown).toContain('Kommentaren är sparad');
    expect(shown).toContain('Lägg till skolan i tabellen.');
    const before = await storedComments('farsta');
    expect((await post('admin', url, { path: 'ekonomi.utfall', comment: 'x' }, 'https://evil.example')).status).toBe(
      403,
    );
    const empty = await post('admin', url, { path: 'ekonomi.utfall', comment: '' });
    expect(empty.status).toBe(400);
    expect(await empty.text()).toContain('Skriv en kommentar.');
    expect((await post('farsta', url, { path: 'ekonomi.utfall', comment: 'x' })).status).toBe(403);
    expect(await storedComments('farsta')).toEqual(before);
  });

  test('a refused return or approval from the review page shows the review again, with the error by the form', async () => {
    const text = async (response: Response) => ({ status: response.status, text: await response.text() });
    const decide = (action: 'godkann' | 'aterremittera', fields: Record<string, string>) =>
      post('admin', `/cykel/${y}/${action}`, { phaseId: 'granskad', boardId: 'farsta', fran: 'granskning', ...fields });
    const noReason = await text(await decide('aterremittera', { reason: '', deadline: addDays(stack.day0, 50) }));
    expect(noReason.status).toBe(400);
    expect(noReason.text).toContain('<h1>Granskning: Testrapport, Farsta');
    expect(noReason.text).toMatch(
      /<div class="error-summary" role="alert" id="fel">\s*<h2>Det gick inte att återremittera/,
    );
    expect(noReason.text).toContain('<a href="#aterremittera-granskad-farsta-reason">Skäl måste fyllas i</a>');
    expect(noReason.text).toMatch(
      /<span class="error-message" id="aterremittera-granskad-farsta-reason-error">Skäl måste fyllas i<\/span>/,
    );
    // What was typed stays in the form.
    expect(noReason.text).toContain(`value="${addDays(stack.day0, 50)}"`);
    const badDate = await text(await decide('aterremittera', { reason: 'Förklara.', deadline: '30 april' }));
    expect(badDate.text).toContain(
      'id="aterremittera-granskad-farsta-deadline-error">Ny sista dag måste vara ett datum',
    );
    // Posted from the cycle page's queue (no `fran`), a refusal stays on the cycle page.
    const fromCycle = await text(
      await post('admin', `/cykel/${y}/aterremittera`, { phaseId: 'granskad', boardId: 'farsta', reason: '' }),
    );
    expect(fromCycle.text).not.toContain('<h1>Granskning');
    expect((await review('admin', 'farsta')).body.deliverable.stage).toBe('submitted');

    // Each question's comment form is folded away unless the question has comments already.
    const shown = await (await page('admin', reviewPage('farsta'))).text();
    const detailsOf = (path: string) => {
      const at = shown.indexOf(`id="fraga-${path}"`);
      return shown.slice(shown.indexOf('<details', at), shown.indexOf('>', shown.indexOf('<details', at)) + 1);
    };
    expect(detailsOf('ekonomi-prognos')).toMatch(/<details class="comment-details"\s+open>/);
    expect(detailsOf('ekonomi-sammanfattning')).toMatch(/<details class="comment-details"\s*>/);
  });

  test('SLK returns it; the board sees the comments next to the questions and the reason at the top', async () => {
    const deadline = addDays(stack.day0, 50);
    // Two SLK officers at once: one returns the report while the other comments on it. The comment
    // lands on the version returned (the board sees it) or is refused as too late; never lost.
    const before = (await storedComments('farsta')).length;
    const [returned, racing] = await Promise.all([
      call('admin', 'POST', `${base('farsta')}/return`, { reason: 'Prognosen behöver förklaras.', deadline }),
      comment('admin', 'farsta', { path: 'ekonomi.bedomning', comment: 'Samtidigt som återremissen.' }),
    ]);
    expect(returned.status).toBe(200);
    expect([200, 409]).toContain(racing.status);
    if (racing.status === 409) expect(racing.body.code).toBe('not-under-review');
    expect((await storedComments('farsta')).length).toBe(before + (racing.status === 200 ? 1 : 0));
    expect(returned.body.stage).toBe('returned');
    // Returned: no more comments on that version.
    const late = await comment('admin', 'farsta', { path: 'ekonomi.prognos', comment: 'Sent' });
    expect({ status: late.status, code: late.body.code }).toEqual({ status: 409, code: 'not-under-review' });

    const board = await review('farsta', 'farsta');
    expect(board.body.comments.map((c: { path: string }) => c.path)).toEqual([
      'ekonomi.prognos',
      'ekonomi.prognos',
      'ekonomi',
      'ekonomi.utfall',
      ...(racing.status === 200 ? ['ekonomi.bedomning'] : []),
    ]);
    const form = await (await page('farsta', `/namnd/farsta/${y}/granskad`)).text();
    expect(form).toContain('Stadsledningskontoret har återremitterat rapporten: Prognosen behöver förklaras.');
    expect(form).toContain('href="#kommentar-ekonomi-prognos"');
    // The comment sits right after the forecast's field, before the next question.
    const at = form.indexOf('id="svar-ekonomi-prognos"');
    const commentAt = form.indexOf('Förklara avvikelsen mot budget.');
    const next = form.indexOf('id="svar-ekonomi-bedomning"');
    expect(at).toBeGreaterThan(0);
    expect(commentAt).toBeGreaterThan(at);
    expect(commentAt).toBeLessThan(next);
  });

  test('the board changes the answer and hands it in again; the review shows two versions and marks the change; SLK approves', async () => {
    const version = await answersVersion('farsta', 'ekonomi.prognos');
    const changed = await call('farsta', 'PUT', `${base('farsta')}/report/answers`, {
      path: 'ekonomi.prognos',
      value: -420,
      expectedVersion: version,
    });
    expect(changed.status).toBe(200);
    expect((await call('farsta', 'POST', `${base('farsta')}/report/ready`, { documentRef: 'FA 2090/9' })).status).toBe(
      200,
    );

    const slk = await review('admin', 'farsta');
    expect(slk.body.versions.map((v: { documentRef: string }) => v.documentRef)).toEqual(['FA 2090/7', 'FA 2090/9']);
    expect(slk.body.previousSeq).toBe(slk.body.versions[0].seq);
    expect(slk.body.changes).toEqual([{ path: 'ekonomi.prognos', change: 'changed', before: -350, after: -420 }]);
    expect(slk.body.returns).toEqual([expect.objectContaining({ reason: 'Prognosen behöver förklaras.' })]);
    // The comments stay with the version they were made on; the new version has none of its own yet.
    expect(
      slk.body.comments.every((c: { submissionSeq: number }) => c.submissionSeq === slk.body.versions[0].seq),
    ).toBe(true);
    expect(slk.body.canComment).toBe(true);
    const text = await (await page('admin', reviewPage('farsta'))).text();
    expect(text).toContain('Ändrat sedan återremissen');
    expect(text).toMatch(
      /id="fraga-ekonomi-prognos"[\s\S]*?Ändrat sedan återremissen<\/strong>\s*\(tidigare: −350 tkr\)/,
    );
    expect(text).not.toMatch(/id="fraga-ekonomi-sammanfattning"[^>]*>\s*<h4>[^<]*<\/h4>\s*<p class="changed-mark">/);
    expect(text).toContain('Version 2');
    // The board's form no longer shows the return once handed in again.
    const form = await (await page('farsta', `/namnd/farsta/${y}/granskad`)).text();
    expect(form).not.toContain('har återremitterat rapporten');

    const approved = await call('admin', 'POST', `${base('farsta')}/approve`, { comment: 'Tack.' });
    expect(approved.status).toBe(200);
    expect(approved.body.stage).toBe('approved');
    const after = await comment('admin', 'farsta', { path: 'ekonomi.prognos', comment: 'Efteråt' });
    expect(after.status).toBe(409);
    expect((await review('admin', 'farsta')).body.canComment).toBe(false);
  });

  test('the OpenAPI document describes the review’s routes', async () => {
    const doc = (await fetch(`${stack.url}/api/openapi.json`).then((r) => r.json())) as {
      paths: Record<string, Record<string, unknown>>;
    };
    const report = '/api/cycles/{year}/deliverables/{phaseId}/{boardId}/report';
    expect(Object.keys(doc.paths[`${report}/review`] ?? {})).toEqual(['get']);
    expect(Object.keys(doc.paths[`${report}/comments`] ?? {})).toEqual(['post']);
  });
});
