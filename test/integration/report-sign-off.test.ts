import { listAuditEvents } from '../../src/db/audit-log';
import { addDays } from '../../src/domain/local-date';
import { loadCycleTemplate } from '../../src/db/cycle-templates';
import { publishTemplateVersion } from '../../src/client/operations/template-versions';
import { STACK_YEAR, StackTokens, useHttpStack } from '../helpers/http-stack';
import { signOffStackOptions } from '../helpers/report-stack';
import { eventually } from '../helpers/eventually';
import { httpCalls } from '../helpers/http-calls';

/**
 * The sign-off (påskrift) before a report reaches SLK (issue 13), over real HTTP on a real cycle:
 * in a phase whose calendar asks for it, klarmarkera leaves the report awaiting the sign-off (the
 * deliverable still open, its reminders still planned, saves and files refused), the sign-off
 * hands it in naming both people, two at once hand it in once, a decline sends it back with its
 * reason, and a phase without a sign-off hands the report in at klarmarkera as before.
 */
const stack = useHttpStack('report_sign_off', signOffStackOptions());
const y = STACK_YEAR;
const base = (board: string, phase = 'arsrapport') => `/api/cycles/${y}/deliverables/${phase}/${board}`;
const report = (board: string, phase = 'arsrapport') => `${base(board, phase)}/report`;
const workflowId = (board: string, phase = 'arsrapport') => `teststad/${y}/${phase}/${board}`;

const { call, page, post } = httpCalls(stack);

const save = (
  caller: keyof StackTokens,
  board: string,
  path: string,
  value: unknown,
  expectedVersion: number,
  phase?: string,
) => call(caller, 'PUT', `${report(board, phase)}/answers`, { path, value, expectedVersion });

/** Answers every required question of the fixture template for a board that is no district. */
async function answerAll(board: 'kulturnamnden' | 'farsta', phase?: string) {
  expect((await save(board, board, 'ekonomi.sammanfattning', 'Enligt plan.', 0, phase)).status).toBe(200);
  expect((await save(board, board, 'ekonomi.prognos', -120, 0, phase)).status).toBe(200);
  if (board === 'farsta') {
    // Farsta serves no priority area in the small registry: nothing more is asked.
    const missing = (await call(board, 'GET', report(board, phase))).body.missing;
    expect(missing).toEqual([]);
  }
}

const events = async (board: string, phase?: string) =>
  listAuditEvents(stack.harness.db.pool, workflowId(board, phase));

const awaitingRows = async (board: string) =>
  (
    await stack.harness.db.pool.query('SELECT marked_ready_by FROM report_sign_offs WHERE workflow_id = $1', [
      workflowId(board),
    ])
  ).rows;

const pdf = Buffer.from('%PDF-1.4\n% underlag\n%%EOF\n');

describe('a report whose phase asks for a sign-off', () => {
  test('klarmarkera leaves it open and awaiting; saves and files are refused; the sign-off hands it in with both names', async () => {
    await answerAll('kulturnamnden');
    const marked = await call('kulturnamnden', 'POST', `${report('kulturnamnden')}/ready`, {
      documentRef: 'KN 2090/12',
      comment: 'Till förvaltningschefen.',
    });
    expect(marked.status).toBe(200);
    expect(marked.body).toMatchObject({
      stage: 'open',
      awaitingSignOff: {
        markedReadyBy: expect.stringContaining(`token:${stack.tokenIds.kulturnamnden}`),
        documentRef: 'KN 2090/12',
      },
      lastReturn: null,
    });
    expect(marked.body.awaitingSignOff.answersDigest).toMatch(/^[0-9a-f]{64}$/);

    // Nothing reached the workflow: still open, its deadline and reminders still planned.
    const detail = await call('admin', 'GET', base('kulturnamnden'));
    expect(detail.body.state.stage).toBe('open');
    expect(detail.body.state.submissions).toEqual([]);
    expect(detail.body.pending.map((a: { kind: string }) => a.kind)).toEqual(
      expect.arrayContaining(['reminder', 'deadline', 'escalation']),
    );
    const loaded = (await call('kulturnamnden', 'GET', report('kulturnamnden'))).body;
    expect(loaded.editable).toBe(false);
    expect(loaded.signOff).toMatchObject({ required: true, awaiting: { documentRef: 'KN 2090/12' }, lastReturn: null });

    // Saves, files and a second klarmarkera are refused with a stable code; nothing changes.
    const refusedSave = await save('kulturnamnden', 'kulturnamnden', 'ekonomi.prognos', 999, 1);
    expect({ status: refusedSave.status, code: refusedSave.body.code, field: refusedSave.body.field }).toEqual({
      status: 409,
      code: 'awaiting-sign-off',
      field: 'stage',
    });
    const upload = await fetch(`${stack.url}${base('kulturnamnden')}/attachments?name=underlag.pdf`, {
      method: 'POST',
      headers: { authorization: `Bearer ${stack.tokens.kulturnamnden}`, 'content-type': 'application/octet-stream' },
      body: pdf,
    });
    expect(upload.status).toBe(409);
    expect(((await upload.json()) as { code: string }).code).toBe('awaiting-sign-off');
    const again = await call('kulturnamnden', 'POST', `${report('kulturnamnden')}/ready`, {});
    expect({ status: again.status, code: again.body.code }).toEqual({ status: 409, code: 'awaiting-sign-off' });
    // Nor can the board go round the sign-off with the plain submit.
    const plain = await call('kulturnamnden', 'POST', `${base('kulturnamnden')}/submit`, { documentRef: 'KN' });
    expect({ status: plain.status, code: plain.body.code }).toEqual({ status: 409, code: 'sign-off-required' });
    // The committee may not sign off.
    expect((await call('committee', 'POST', `${report('kulturnamnden')}/sign-off`, {})).status).toBe(403);

    const signed = await call('kulturnamndenChef', 'POST', `${report('kulturnamnden')}/sign-off`, {});
    expect(signed.status).toBe(200);
    expect(signed.body.stage).toBe('submitted');
    const all = await events('kulturnamnden');
    const submitted = all.filter((e) => e.kind === 'submitted');
    expect(submitted).toHaveLength(1);
    expect(submitted[0]!.actor).toContain(`token:${stack.tokenIds.kulturnamndenChef}`);
    expect(submitted[0]!.payload).toMatchObject({
      documentRef: 'KN 2090/12',
      comment: 'Till förvaltningschefen.',
      content: { ekonomi: { sammanfattning: 'Enligt plan.', prognos: -120 } },
      markedReady: { by: expect.stringContaining(`token:${stack.tokenIds.kulturnamnden}`) },
      signedOffBy: expect.stringContaining(`token:${stack.tokenIds.kulturnamndenChef}`),
    });
    const signedOff = all.find((e) => e.kind === 'signed-off')!;
    expect(signedOff.actor).toContain(`token:${stack.tokenIds.kulturnamndenChef}`);
    expect(signedOff.payload).toMatchObject({
      markedReadyBy: expect.stringContaining(`token:${stack.tokenIds.kulturnamnden}`),
    });
    expect(all.map((e) => e.kind)).toContain('marked-ready-for-sign-off');
    expect(await awaitingRows('kulturnamnden')).toEqual([]);
    // SLK's review names both.
    const review = await call('admin', 'GET', `${report('kulturnamnden')}/review`);
    expect(review.body.versions).toEqual([
      expect.objectContaining({
        submittedBy: expect.stringContaining(`token:${stack.tokenIds.kulturnamndenChef}`),
        markedReadyBy: expect.stringContaining(`token:${stack.tokenIds.kulturnamnden}`),
      }),
    ]);
    const reviewPage = await (await page('admin', `/cykel/${y}/granska/arsrapport/kulturnamnden`)).text();
    expect(reviewPage).toMatch(/\(påskriven; klarmarkerad av [^)]+\)/);
    // Handed in: no second sign-off.
    const twice = await call('kulturnamndenChef', 'POST', `${report('kulturnamnden')}/sign-off`, {});
    expect({ status: twice.status, code: twice.body.code }).toEqual({ status: 409, code: 'not-awaiting-sign-off' });
  });

  test('two sign-offs at once: exactly one hands it in, the other gets 409, one submitted event', async () => {
    await answerAll('farsta');
    expect((await call('farsta', 'POST', `${report('farsta')}/ready`, {})).status).toBe(200);
    const both = await Promise.all([
      call('farstaChef', 'POST', `${report('farsta')}/sign-off`, {}),
      call('farstaChef', 'POST', `${report('farsta')}/sign-off`, {}),
    ]);
    expect(both.map((r) => r.status).sort()).toEqual([200, 409]);
    expect(both.find((r) => r.status === 409)!.body.code).toBe('not-awaiting-sign-off');
    expect((await events('farsta')).filter((e) => e.kind === 'submitted')).toHaveLength(1);
    expect((await events('farsta')).filter((e) => e.kind === 'signed-off')).toHaveLength(1);
    expect((await call('farsta', 'GET', base('farsta'))).body.state.stage).toBe('submitted');
  });

  test('a decline needs a reason, sends it back to its draft, and the form shows the reason', async () => {
    // SLK returns Farsta's handed-in report, so it can be marked ready and declined anew.
    const returned = await call('admin', 'POST', `${base('farsta')}/return`, {
      reason: 'Komplettera prognosen.',
      deadline: addDays(stack.day0, 60),
    });
    expect(returned.status).toBe(200);
    expect((await call('farsta', 'POST', `${report('farsta')}/ready`, {})).status).toBe(200);
    const noReason = await call('farstaChef', 'POST', `${report('farsta')}/sign-off/decline`, {});
    expect({ status: noReason.status, field: noReason.body.field, code: noReason.body.code }).toEqual({
      status: 400,
      field: 'reason',
      code: 'required',
    });
    const declined = await call('farstaChef', 'POST', `${report('farsta')}/sign-off/decline`, {
      reason: 'Prognosen stämmer inte med bokslutet.',
    });
    expect(declined.status).toBe(200);
    expect(declined.body).toMatchObject({
      stage: 'returned',
      awaitingSignOff: null,
      lastReturn: { kind: 'sign-off-declined', reason: 'Prognosen stämmer inte med bokslutet.' },
    });
    const loaded = (await call('farsta', 'GET', report('farsta'))).body;
    expect(loaded.editable).toBe(true);
    expect(loaded.signOff.lastReturn).toMatchObject({ kind: 'sign-off-declined' });
    expect((await save('farsta', 'farsta', 'ekonomi.prognos', -80, 1)).status).toBe(200);
    const event = (await events('farsta')).find((e) => e.kind === 'sign-off-declined')!;
    expect(event.payload).toMatchObject({ reason: 'Prognosen stämmer inte med bokslutet.' });
    const form = await (await page('farsta', `/namnd/farsta/${y}/arsrapport`)).text();
    expect(form).toContain('Prognosen stämmer inte med bokslutet.');
    // Declining or signing off what does not wait is refused.
    const nothing = await call('farstaChef', 'POST', `${report('farsta')}/sign-off/decline`, { reason: 'Igen.' });
    expect({ status: nothing.status, code: nothing.body.code }).toEqual({ status: 409, code: 'not-awaiting-sign-off' });
  });

  test('the ready mark can be withdrawn without a reason; a hand-in the workflow refuses leaves it awaiting', async () => {
    const jarva = async (path: string, value: unknown) => {
      const current = (await call('jarva', 'GET', report('jarva'))).body.answers.find(
        (a: { path: string }) => a.path === path,
      );
      expect((await save('jarva', 'jarva', path, value, current?.version ?? 0)).status).toBe(200);
    };
    await jarva('ekonomi.sammanfattning', 'Järvas år.');
    await jarva('ekonomi.prognos', 0);
    await jarva('omraden[rinkeby-kista].insats', 'Fler fritidsgårdar.');
    expect((await call('jarva', 'POST', `${report('jarva')}/ready`, {})).status).toBe(200);
    const withdrawn = await call('jarva', 'POST', `${report('jarva')}/ready/withdraw`, {});
    expect(withdrawn.status).toBe(200);
    expect(withdrawn.body.lastReturn).toMatchObject({ kind: 'ready-mark-withdrawn' });
    expect(withdrawn.body.lastReturn.reason).toBeUndefined();
    expect((await call('jarva', 'GET', report('jarva'))).body.editable).toBe(true);

    // Marked ready again, then SLK exempts the board: the sign-off's hand-in is refused by the
    // workflow, and the report still awaits its sign-off (nothing was lost).
    expect((await call('jarva', 'POST', `${report('jarva')}/ready`, {})).status).toBe(200);
    expect((await call('admin', 'POST', `${base('jarva')}/exempt`, { reason: 'Ingen verksamhet.' })).status).toBe(200);
    // The exemption ends the deliverable's workflow: the sign-off that comes after finds none,
    // and is refused for the stage the record holds, as the workflow refused it while it ran.
    await eventually(
      async () => (await stack.env.client.workflow.getHandle(workflowId('jarva')).describe()).status.name,
      (status) => status === 'COMPLETED',
      30_000,
    );
    const refused = await call('jarvaChef', 'POST', `${report('jarva')}/sign-off`, {});
    expect({ status: refused.status, code: refused.body.code, params: refused.body.params }).toEqual({
      status: 409,
      code: 'not-possible-in-stage',
      params: { action: 'submit', stage: 'exempt' },
    });
    expect(await awaitingRows('jarva')).toHaveLength(1);
    expect((await events('jarva')).filter((e) => e.kind === 'submitted' || e.kind === 'signed-off')).toEqual([]);
  });

  test('a phase without a sign-off is handed in at klarmarkera, as before', async () => {
    await answerAll('kulturnamnden', 'rapport');
    const ready = await call('kulturnamnden', 'POST', `${report('kulturnamnden', 'rapport')}/ready`, {});
    expect(ready.status).toBe(200);
    expect(ready.body.stage).toBe('submitted');
    expect(ready.body.awaitingSignOff).toBeUndefined();
    const loaded = (await call('kulturnamnden', 'GET', report('kulturnamnden', 'rapport'))).body;
    expect(loaded.signOff).toEqual({ required: false, awaiting: null, lastReturn: null });
    const submitted = (await events('kulturnamnden', 'rapport')).filter((e) => e.kind === 'submitted');
    expect(submitted).toHaveLength(1);
    expect(submitted[0]!.payload).not.toHaveProperty('markedReady');
  });

  test('on the pages: klarmarkera shows the wait with its forms, the board page says so, a decline without reason is shown by its field, the sign-off hands it in', async () => {
    const form = `/namnd/stokab/${y}/arsrapport`;
    expect((await save('admin', 'stokab', 'ekonomi.sammanfattning', 'Stokabs år.', 0)).status).toBe(200);
    expect((await save('admin', 'stokab', 'ekonomi.prognos', 10, 0)).status).toBe(200);
    const before = await (await page('admin', form)).text();
    expect(before).toContain('Klarmarkera för påskrift');
    const marked = await post('admin', `${form}/klarmarkera`, {
      documentRef: 'ST 2090/1',
      decisionDate: '',
      comment: '',
    });
    expect(marked.status).toBe(303);
    expect(marked.headers.get('location')).toBe(`${form}#paskrift`);
    const waiting = await (await page('admin', form)).text();
    expect(waiting).toMatch(/Klarmarkerad av [^<]+ den [^<]+ — väntar på påskrift/);
    // SLK marked it ready; the sign-off is the company's VD's, whose page offers it.
    expect(await (await page('stokabChef', form)).text()).toContain('Skriv under och lämna in');
    expect(waiting).toContain('ST 2090/1');
    expect(waiting).not.toContain('Klarmarkera för påskrift');
    expect(await (await page('admin', '/namnd/stokab')).text()).toMatch(
      /Klarmarkerad av [^<]+ den [^<]+ — väntar på påskrift/,
    );

    const noReason = await post('stokabChef', `${form}/paskrift`, { atgard: 'avboj', skal: '  ' });
    expect(noReason.status).toBe(400);
    const refusedPage = await noReason.text();
    expect(refusedPage).toMatch(/id="paskrift-avboj-skal-fel"[^>]*>Skriv varför påskriften avböjs\./);
    expect(refusedPage).toContain('href="#paskrift-avboj-skal"');
    expect(refusedPage).toContain('Det gick inte att genomföra påskriften');
    // Another site's form is refused.
    expect(
      (await post('stokabChef', `${form}/paskrift`, { atgard: 'skriv-under' }, 'https://evil.example')).status,
    ).toBe(403);
    expect((await post('committee', `${form}/paskrift`, { atgard: 'skriv-under' })).status).toBe(403);

    const signed = await post('stokabChef', `${form}/paskrift`, { atgard: 'skriv-under' });
    expect(signed.status).toBe(303);
    expect(signed.headers.get('location')).toBe(`/namnd/stokab?inlamnad=arsrapport&ar=${y}#kvitto`);
    expect((await call('admin', 'GET', base('stokab'))).body.state.stage).toBe('submitted');
  });

  test('who may: another board’s report answers 404, the committee 403, on every sign-off route', async () => {
    for (const [path, body] of [
      ['/ready', {}],
      ['/sign-off', {}],
      ['/sign-off/decline', { reason: 'Nej.' }],
      ['/ready/withdraw', {}],
    ] as const) {
      expect((await call('jarva', 'POST', `${report('farsta')}${path}`, body)).status).toBe(404);
      expect((await call('committee', 'POST', `${report('farsta')}${path}`, body)).status).toBe(403);
    }
  });

  test('the OpenAPI document describes the sign-off routes', async () => {
    const doc = (await fetch(`${stack.url}/api/openapi.json`).then((r) => r.json())) as {
      paths: Record<string, Record<string, unknown>>;
    };
    const at = '/api/cycles/{year}/deliverables/{phaseId}/{boardId}/report';
    for (const path of ['/sign-off', '/sign-off/decline', '/ready/withdraw']) {
      expect(Object.keys(doc.paths[`${at}${path}`] ?? {})).toEqual(['post']);
    }
  });
});

// Last: it corrects the template the other tests draw.
describe('a template correction while a report awaits its sign-off', () => {
  test('the sign-off refuses answers that moved since the ready mark; withdrawn and marked ready again, it is signed off', async () => {
    const pool = stack.harness.db.pool;
    // Farsta's report is a draft again (declined above); one more answer, then marked ready.
    const current = (await call('farsta', 'GET', report('farsta'))).body.answers as Array<{ path: string }>;
    expect(current.some((a) => a.path === 'ekonomi.bedomning')).toBe(false);
    expect((await save('farsta', 'farsta', 'ekonomi.bedomning', 'god', 0)).status).toBe(200);
    expect((await call('farsta', 'POST', `${report('farsta')}/ready`, {})).status).toBe(200);

    // SLK takes the question away: the drafts move onto the new version without that answer.
    const kept = (await loadCycleTemplate(pool, 'teststad', y, 'testrapport'))!.template;
    const corrected = structuredClone(kept);
    corrected.version = kept.version + 1;
    corrected.sections[0]!.questions = corrected.sections[0]!.questions.filter((q) => q.id !== 'bedomning');
    await publishTemplateVersion(
      pool,
      { municipality: 'teststad', budgetYear: y, template: corrected, reason: 'Bedömningen utgår' },
      'test',
    );

    const refused = await call('farstaChef', 'POST', `${report('farsta')}/sign-off`, {});
    expect({ status: refused.status, code: refused.body.code, field: refused.body.field }).toEqual({
      status: 409,
      code: 'template-corrected',
      field: 'template',
    });
    expect(await awaitingRows('farsta')).toHaveLength(1);
    expect(
      (await call('farsta', 'POST', `${report('farsta')}/ready/withdraw`, { reason: 'Mallen rättades.' })).status,
    ).toBe(200);
    expect((await call('farsta', 'POST', `${report('farsta')}/ready`, {})).status).toBe(200);
    const signed = await call('farstaChef', 'POST', `${report('farsta')}/sign-off`, {});
    expect(signed.status).toBe(200);
    const last = (await events('farsta')).filter((e) => e.kind === 'submitted').at(-1)!;
    expect((last.payload.content as { ekonomi: Record<string, unknown> }).ekonomi).not.toHaveProperty('bedomning');
  });
});
