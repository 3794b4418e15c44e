import { listAuditEvents } from '../../src/db/audit-log';
import { createApiToken } from '../../src/db/api-tokens';
import { legalDeadline } from '../../src/domain/business-days';
import { addDays } from '../../src/domain/local-date';
import { cycleWorkflowId } from '../../src/workflows/budget-cycle-messages';
import { STACK_YEAR, useHttpStack } from '../helpers/http-stack';

/**
 * The committee requests a supplementary report (komplettering, issue 14) over real HTTP on a
 * real cycle and worker: the board's deliverable starts with the planner's deadline and ladder,
 * the board sees it and hands it in, the record names the member; a retry starts nothing more;
 * two members at once are both started, in order; bad input names the field and starts nothing.
 */
const stack = useHttpStack('committee_supplement');
const y = STACK_YEAR;
const URL = `/api/cycles/${y}/committee/supplements`;
const members = { first: { secret: '', id: '' }, second: { secret: '', id: '' } };

const call = (secret: string, method: string, path: string, body?: unknown) =>
  fetch(`${stack.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${secret}`, ...(body !== undefined && { 'content-type': 'application/json' }) },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  }).then(async (r) => ({ status: r.status, body: (await r.json()) as Record<string, unknown> }));
const request = (secret: string, body: unknown) => call(secret, 'POST', URL, body);
const requested = async () =>
  (await listAuditEvents(stack.harness.db.pool, cycleWorkflowId(stack.calendar.municipality, y))).filter(
    (e) => e.kind === 'supplement-requested',
  );

beforeAll(async () => {
  for (const m of ['first', 'second'] as const) {
    const created = await createApiToken(stack.harness.db.pool, {
      grants: ['committee'],
      scopes: ['read', 'submit'],
      label: `${m} member`,
      createdBy: 'test',
    });
    members[m] = { secret: created.secret, id: created.id };
  }
});

describe('the committee requests a supplementary report', () => {
  test('bad input names the field and starts nothing; only the committee may ask', async () => {
    const good = { boardId: 'farsta', what: 'Redovisa prognosen', deadline: addDays(stack.day0, 20) };
    const cases: Array<[unknown, number, string, string]> = [
      [{ ...good, what: ' ' }, 400, 'what', 'required'],
      [{ ...good, deadline: stack.day0 }, 400, 'deadline', 'not-in-future'],
      [{ ...good, deadline: '2090-13-01' }, 400, 'deadline', 'bad-date'],
      [{ ...good, requestId: 'Inte OK' }, 400, 'requestId', 'not-a-slug'],
      [{ ...good, extra: 1 }, 400, 'extra', 'unknown-field'],
      [{ ...good, boardId: 'stockholms-stadshus' }, 404, 'board', 'not-found'],
    ];
    for (const [body, status, field, code] of cases) {
      const answer = await request(members.first.secret, body);
      expect([answer.status, answer.body]).toEqual([status, expect.objectContaining({ field, code })]);
    }
    expect((await request(stack.tokens.farsta, good)).status).toBe(403);
    expect(await requested()).toEqual([]);
  });

  test('starts the board’s deliverable once per request id; the board sees it and hands it in', async () => {
    const body = {
      boardId: 'farsta',
      what: 'Redovisa prognosen för förskolan',
      deadline: addDays(stack.day0, 20),
      requestId: 'prognos-1',
    };
    const first = await request(members.first.secret, body);
    expect(first.status).toBe(200);
    const deadline = legalDeadline(body.deadline).date;
    expect(first.body).toMatchObject({ phaseId: 'komplettering-prognos-1', boardId: 'farsta', deadline });
    // A retry (the same request id) answers the same and starts nothing more.
    const again = await request(members.first.secret, body);
    expect(again.body).toEqual(first.body);
    const record = await requested();
    expect(record).toHaveLength(1);
    expect(record[0]).toMatchObject({ actor: `token:${members.first.id}`, payload: { requestId: 'prognos-1' } });

    // On the board's list and the overview, with its reminders and escalations ahead.
    const own = await call(stack.tokens.farsta, 'GET', `/api/cycles/${y}/deliverables`);
    const listed = (own.body as unknown as Array<Record<string, unknown>>).find(
      (d) => d.phaseId === 'komplettering-prognos-1',
    );
    expect(listed).toMatchObject({ boardId: 'farsta', phaseName: 'Komplettering', deadline, stage: 'open' });
    const detail = await call(
      stack.tokens.committee,
      'GET',
      `/api/cycles/${y}/deliverables/komplettering-prognos-1/farsta`,
    );
    const pending = (detail.body.pending as Array<{ kind: string }>).map((a) => a.kind);
    expect(pending).toContain('reminder');
    expect(pending).toContain('escalation');
    // Another board does not see it.
    const jarva = await call(stack.tokens.jarva, 'GET', `/api/cycles/${y}/deliverables`);
    expect((jarva.body as unknown as Array<{ phaseId: string }>).map((d) => d.phaseId)).not.toContain(
      'komplettering-prognos-1',
    );

    const handedIn = await call(
      stack.tokens.farsta,
      'POST',
      `/api/cycles/${y}/deliverables/komplettering-prognos-1/farsta/submit`,
      {
        documentRef: 'Dnr K-2090/1',
      },
    );
    expect(handedIn.status).toBe(200);
    expect(handedIn.body).toMatchObject({ stage: 'submitted', late: false });
  });

  test('two members asking at the same moment: both started, recorded in order', async () => {
    const ask = (m: keyof typeof members, boardId: string, requestId: string) =>
      request(members[m].secret, {
        boardId,
        what: `Underlag ${requestId}`,
        deadline: addDays(stack.day0, 25),
        requestId,
      });
    const answers = await Promise.all([
      ask('first', 'jarva', 'samtidig-a'),
      ask('second', 'kulturnamnden', 'samtidig-b'),
    ]);
    expect(answers.map((a) => a.status)).toEqual([200, 200]);
    for (const a of answers) {
      const started = await stack.env.client.workflow.getHandle(String(a.body.workflowId)).describe();
      expect(started.status.name).toBe('RUNNING');
    }
    const record = (await requested()).filter((e) => String(e.payload.requestId).startsWith('samtidig-'));
    expect(record.map((e) => [e.payload.requestId, e.actor]).sort()).toEqual([
      ['samtidig-a', `token:${members.first.id}`],
      ['samtidig-b', `token:${members.second.id}`],
    ]);
    const seqs = (await requested()).map((e) => Number(e.seq));
    expect(new Set(seqs).size).toBe(seqs.length);
    expect([...seqs].sort((a, b) => a - b)).toEqual(seqs);
  });
});

describe('the committee’s supplement form on the local development page', () => {
  const PAGE = `/oversikt/${y}/lokalt-utvecklingsarbete`;
  const getPage = (secret: string, path: string) =>
    fetch(`${stack.url}${path}`, { headers: { cookie: `arshjul_token=${secret}` } }).then((r) => r.text());
  const postForm = (secret: string, fields: Record<string, string>) =>
    fetch(`${stack.url}${PAGE}/komplettering`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie: `arshjul_token=${secret}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(fields).toString(),
    });

  test('a member requests a supplement; sent twice it starts once; the board sees it on its page', async () => {
    const page = await getPage(members.first.secret, PAGE);
    expect(page).toContain('<h2 id="komplettering">Begär komplettering</h2>');
    const requestId = /name="requestId" value="([a-z0-9-]+)"/.exec(page)?.[1];
    expect(requestId).toBeDefined();
    // SLK reads the page without the form.
    expect(await getPage(stack.tokens.admin, PAGE)).not.toContain('id="komplettering"');

    const fields = {
      requestId: requestId!,
      boardId: 'farsta',
      what: 'Redovisa bemanningen',
      deadline: addDays(stack.day0, 30),
    };
    const sent = await Promise.all([postForm(members.first.secret, fields), postForm(members.first.secret, fields)]);
    expect(sent.map((r) => [r.status, r.headers.get('location')])).toEqual([
      [303, '/namnd/farsta'],
      [303, '/namnd/farsta'],
    ]);
    expect((await requested()).filter((e) => e.payload.requestId === requestId)).toHaveLength(1);
    const boardPage = await getPage(stack.tokens.farsta, '/namnd/farsta');
    expect(boardPage).toContain('Komplettering');
  });

  test('a refused request shows its error next to the field and starts nothing', async () => {
    const before = (await requested()).length;
    const refused = await postForm(members.first.secret, {
      requestId: 'fel-datum',
      boardId: 'farsta',
      what: 'Redovisa bemanningen',
      deadline: stack.day0,
    });
    expect(refused.status).toBe(400);
    const html = await refused.text();
    expect(html).toContain('class="error-summary"');
    expect(html).toMatch(/id="komplettering-deadline-error">[^<]*måste vara efter i dag/);
    expect((await requested()).length).toBe(before);
  });
});
