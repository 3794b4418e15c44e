import { listAuditEvents } from '../../src/db/audit-log';
import { apiRoutes } from '../../src/client/http/api/routes';
import { STACK_YEAR, StackTokens, useHttpStack } from '../helpers/http-stack';
import { eventually } from '../helpers/eventually';

/**
 * Every role against every route, over real HTTP, on a real cycle (time-skipping server, worker,
 * PostgreSQL). OWASP API1 (a board cannot read, write or learn of another board's deliverables),
 * API3 (unknown fields refused), API5 (no admin route for a board or the committee), 401 without
 * a valid token.
 */
const stack = useHttpStack('api_roles', { writesPerMinute: 12 });

type Caller = keyof StackTokens | 'anonymous' | 'badToken';

async function call(caller: Caller, method: 'GET' | 'POST', path: string, body?: unknown) {
  const headers: Record<string, string> = {};
  if (caller === 'badToken') headers.authorization = 'Bearer arshjul_thisIsNotARealTokenAtAll000000000000000000';
  else if (caller !== 'anonymous') headers.authorization = `Bearer ${stack.tokens[caller]}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${stack.url}${path}`, {
    method,
    headers,
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

const y = STACK_YEAR;
const dialogue = {
  id: 'dialog-1',
  question: 'Fråga?',
  forms: ['Möte'],
  roomForInfluence: 'Påverkar ordningen.',
  need: 'Behov.',
  participants: [{ group: 'invanare', count: 12 }],
  heldOn: '2090-01-10',
};
const d = (path: string) => `/api/cycles/${y}/deliverables/${path}`;

describe('the API, role by role and route by route', () => {
  // [caller, method, path, body, expected status]. Rows run in order: a write that succeeds
  // changes what later rows see, and that is intended (submit before approve).
  const table: Array<[Caller, 'GET' | 'POST', string, unknown, number]> = [
    ['anonymous', 'GET', '/api/me', undefined, 401],
    ['badToken', 'GET', '/api/me', undefined, 401],
    ['anonymous', 'GET', `/api/cycles/${y}/deliverables`, undefined, 401],
    ['anonymous', 'POST', d('budgetunderlag/farsta/submit'), { documentRef: 'x' }, 401],
    ['admin', 'GET', '/api/me', undefined, 200],
    ['farsta', 'GET', '/api/cycles', undefined, 200],
    // Cycle status shows every board: admin and committee only.
    ['admin', 'GET', `/api/cycles/${y}/status`, undefined, 200],
    ['committee', 'GET', `/api/cycles/${y}/status`, undefined, 200],
    ['farsta', 'GET', `/api/cycles/${y}/status`, undefined, 403],
    // One deliverable: its own board, admin and committee; another board gets 404, as for a
    // board that does not exist (it must not learn whether jarva has one).
    ['farsta', 'GET', d('tertialrapport/farsta'), undefined, 200],
    ['committee', 'GET', d('tertialrapport/farsta'), undefined, 200],
    ['admin', 'GET', d('tertialrapport/farsta'), undefined, 200],
    ['jarva', 'GET', d('tertialrapport/farsta'), undefined, 404],
    ['jarva', 'GET', d('tertialrapport/no-such-board'), undefined, 404],
    // Submitting: the board itself; never another board's (404), never the committee (403).
    ['jarva', 'POST', d('budgetunderlag/farsta/submit'), { documentRef: 'Dnr 1' }, 404],
    ['committee', 'POST', d('budgetunderlag/farsta/submit'), { documentRef: 'Dnr 1' }, 403],
    [
      'farsta',
      'POST',
      d('budgetunderlag/farsta/submit'),
      { documentRef: 'Dnr FA 2090/17', decisionDate: '2089-01-01' },
      200,
    ],
    // Review decisions and exemptions: SLK only.
    ['farsta', 'POST', d('budgetunderlag/farsta/approve'), {}, 403],
    ['committee', 'POST', d('budgetunderlag/farsta/approve'), {}, 403],
    ['farsta', 'POST', d('budgetunderlag/farsta/return'), { reason: 'r', deadline: '2099-01-01' }, 403],
    ['farsta', 'POST', d('tertialrapport/farsta/extend'), { reason: 'r', deadline: '2099-01-01' }, 403],
    ['committee', 'POST', d('tertialrapport/farsta/exempt'), { reason: 'r' }, 403],
    ['admin', 'POST', d('budgetunderlag/farsta/approve'), { comment: 'Bra.' }, 200],
    ['admin', 'POST', d('budgetunderlag/farsta/approve'), {}, 409], // already approved: stage
    // Cycle-wide writes: SLK only.
    [
      'committee',
      'POST',
      `/api/cycles/${y}/deadlines`,
      { phaseId: 'verksamhetsplan', deadline: '2099-01-01', reason: 'r' },
      403,
    ],
    ['farsta', 'POST', `/api/cycles/${y}/milestones/kf-budget/confirm`, { date: '2090-01-01' }, 403],
    // Local development work: the committee's view is for admin and committee; a district's
    // programme for itself and SLK; every district's dialogues for everyone signed in.
    ['committee', 'GET', `/api/cycles/${y}/local-development`, undefined, 200],
    ['farsta', 'GET', `/api/cycles/${y}/local-development`, undefined, 403],
    ['jarva', 'GET', '/api/lup/farsta', undefined, 404],
    ['farsta', 'GET', '/api/lup/farsta', undefined, 200],
    ['committee', 'POST', '/api/lup/farsta/dialogues', dialogue, 403],
    ['jarva', 'POST', '/api/lup/farsta/dialogues', dialogue, 404],
    ['farsta', 'POST', '/api/lup/farsta/dialogues', { id: 'x' }, 400],
    ['farsta', 'POST', '/api/lup/farsta/dialogues', dialogue, 200],
    ['jarva', 'GET', '/api/lup/dialogues', undefined, 200],
    ['farsta', 'POST', '/api/lup/farsta/revisions', { on: '2090-03-01', reason: ' ', end: ['x'] }, 400],
    ['farsta', 'POST', '/api/lup/farsta/revisions', { on: '2090-03-01', reason: 'Skäl', end: ['x'] }, 409],
    ['jarva', 'POST', '/api/lup/farsta/hand-over', {}, 403],
    // Mails: a board's own, and all for admin and committee.
    ['farsta', 'GET', '/api/boards/farsta/mails', undefined, 200],
    ['committee', 'GET', '/api/boards/farsta/mails', undefined, 200],
    ['jarva', 'GET', '/api/boards/farsta/mails', undefined, 404],
  ];

  it.each(
    table.map(
      ([caller, method, path, body, expected]) =>
        [`${caller} ${method} ${path} → ${expected}`, caller, method, path, body, expected] as const,
    ),
  )('%s', async (_title, caller, method, path, body, expected) => {
    const response = await call(caller, method, path, body);
    expect({ status: response.status, body: response.body }).toMatchObject({ status: expected });
    if (expected >= 400)
      expect(response.body).toMatchObject({ error: expect.any(String), message: expect.any(String) });
  });

  it('reads a district’s programme without starting its workflow: none runs until something is recorded', async () => {
    const read = await call('jarva', 'GET', '/api/lup/jarva');
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ boardId: 'jarva', stage: 'utan-program' });
    await expect(stack.env.client.workflow.getHandle('lup/teststad/jarva').describe()).rejects.toMatchObject({
      name: 'WorkflowNotFoundError',
    });
  });

  it('gives a board only its own rows of a cycle, and admin and committee every board', async () => {
    const own = await call('farsta', 'GET', `/api/cycles/${y}/deliverables`);
    expect(new Set(own.body.map((r: { answeringBoardId: string }) => r.answeringBoardId))).toEqual(new Set(['farsta']));
    for (const caller of ['admin', 'committee'] as const) {
      const all = await call(caller, 'GET', `/api/cycles/${y}/deliverables`);
      expect(new Set(all.body.map((r: { answeringBoardId: string }) => r.answeringBoardId))).toEqual(
        new Set(['farsta', 'jarva', 'kulturnamnden', 'stokab']),
      );
    }
  });

  it('answers another board’s deliverable exactly as a missing one: nothing tells them apart', async () => {
    const other = await call('jarva', 'GET', d('tertialrapport/farsta'));
    const missing = await call('jarva', 'GET', d('tertialrapport/no-such-board'));
    expect(other).toEqual(missing);
  });

  it('refuses unknown fields and bad values, naming the field, and changes nothing', async () => {
    const before = await call('admin', 'GET', d('tertialrapport/kulturnamnden'));
    const unknown = await call('admin', 'POST', d('tertialrapport/kulturnamnden/submit'), {
      documentRef: 'Dnr 5',
      stage: 'approved',
    });
    expect(unknown).toEqual({
      status: 400,
      body: { error: 'bad-request', field: 'stage', message: 'unknown field', code: 'unknown-field' },
    });
    const badDate = await call('admin', 'POST', d('tertialrapport/kulturnamnden/submit'), {
      documentRef: 'Dnr 5',
      decisionDate: '2090-02-30',
    });
    expect(badDate.body).toEqual({
      error: 'bad-request',
      field: 'decisionDate',
      message: 'must be a date YYYY-MM-DD',
      code: 'bad-date',
    });
    const badYear = await call('admin', 'GET', '/api/cycles/nineteen/deliverables');
    expect(badYear.body).toMatchObject({ field: 'year' });
    const badQuery = await call('admin', 'GET', `/api/cycles/${y}/deliverables?board=jarva`);
    expect(badQuery.body).toEqual({
      error: 'bad-request',
      field: 'board',
      message: 'unknown field',
      code: 'unknown-field',
    });
    const after = await call('admin', 'GET', d('tertialrapport/kulturnamnden'));
    expect(after.body.state).toEqual(before.body.state);
  });

  it('records every write with its caller, the refused ones too', async () => {
    const events = await listAuditEvents(stack.harness.db.pool, `teststad/${y}/budgetunderlag/farsta`);
    const api = events.filter((e) => e.kind.startsWith('api-'));
    // The caller by its token's id (issue 13); its free-text owner ("test") stays in api_tokens.
    const who = (actor: string) =>
      Object.entries(stack.tokenIds).find(([, id]) => actor === `token:${id}`)?.[0] ?? actor;
    expect(api.map((e) => [e.kind, who(e.actor), e.payload.outcome, e.payload.status ?? 200])).toEqual([
      ['api-deliverable-submit', 'jarva', 'refused', 404],
      ['api-deliverable-submit', 'committee', 'refused', 403],
      ['api-deliverable-submit', 'farsta', 'accepted', 200],
      ['api-deliverable-approve', 'farsta', 'refused', 403],
      ['api-deliverable-approve', 'committee', 'refused', 403],
      ['api-deliverable-return', 'farsta', 'refused', 403],
      ['api-deliverable-approve', 'admin', 'accepted', 200],
      ['api-deliverable-approve', 'admin', 'refused', 409],
    ]);
    // The workflow's own events carry the same caller.
    expect(events.find((e) => e.kind === 'submitted')?.actor).toBe(`token:${stack.tokenIds.farsta}`);
  });

  it('refuses an action on a submission whose phase has no review step, after its workflow has ended, as the workflow did', async () => {
    // Without a review step a submission ends the deliverable: its workflow completes, and a
    // request that comes after finds none. It is refused for the recorded stage (409), not 404.
    expect((await call('stokabChef', 'POST', d('tertialrapport/stokab/submit'), { documentRef: 'Dnr 7' })).status).toBe(
      200,
    );
    await eventually(
      async () =>
        (await stack.env.client.workflow.getHandle(`teststad/${y}/tertialrapport/stokab`).describe()).status.name,
      (status) => status === 'COMPLETED',
      30_000,
    );
    const again = await call('stokabChef', 'POST', d('tertialrapport/stokab/submit'), { documentRef: 'Dnr 8' });
    expect({ status: again.status, code: again.body.code, params: again.body.params }).toEqual({
      status: 409,
      code: 'not-possible-in-stage',
      params: { action: 'submit', stage: 'submitted' },
    });
    const extended = await call('admin', 'POST', d('tertialrapport/stokab/extend'), {
      reason: 'r',
      deadline: '2099-01-01',
    });
    expect({ status: extended.status, code: extended.body.code }).toEqual({
      status: 409,
      code: 'not-possible-in-stage',
    });
    // Approving is refused for the phase's missing review step, as the running workflow refuses it.
    const approved = await call('admin', 'POST', d('tertialrapport/stokab/approve'), {});
    expect({ status: approved.status, code: approved.body.code }).toEqual({ status: 409, code: 'no-review-step' });
  });

  it('limits writes per token and minute', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 13; i += 1) {
      statuses.push((await call('kulturnamnden', 'POST', d('tertialrapport/kulturnamnden/submit'), { bad: i })).status);
    }
    expect(statuses.slice(0, 12).every((s) => s === 400)).toBe(true);
    expect(statuses[12]).toBe(429);
    // Another token is not affected.
    expect((await call('farsta', 'POST', d('tertialrapport/farsta/submit'), { bad: 1 })).status).toBe(400);
  });

  it('serves an OpenAPI document describing every route, with its request schema', async () => {
    const response = await fetch(`${stack.url}/api/openapi.json`);
    expect(response.status).toBe(200);
    const doc = (await response.json()) as { openapi: string; paths: Record<string, Record<string, unknown>> };
    expect(doc.openapi).toBe('3.1.0');
    for (const route of apiRoutes) {
      const path = route.url.replace(/:([A-Za-z]+)/g, '{$1}');
      expect(doc.paths[path]?.[route.method.toLowerCase()]).toBeDefined();
    }
    const submit = doc.paths['/api/cycles/{year}/deliverables/{phaseId}/{boardId}/submit']!.post as {
      requestBody: {
        content: { 'application/json': { schema: { required: string[]; additionalProperties: boolean } } };
      };
    };
    expect(submit.requestBody.content['application/json'].schema).toMatchObject({
      required: ['documentRef'],
      additionalProperties: false,
    });
  });
});
