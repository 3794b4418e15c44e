import { createApiToken, revokeApiToken } from '../../src/db/api-tokens';
import { registeredRoutes } from '../../src/client/http/server';
import { STACK_YEAR, useHttpStack } from '../helpers/http-stack';
import { reviewStackOptions } from '../helpers/report-stack';

/**
 * The authorisation table (issue 13): every route the server registered, API and pages, for
 * every kind of caller, against a declared expectation. The routes come from the server itself
 * (an onRoute hook), so a route missing from ROUTES below fails the test.
 *
 * Outcome classes: `ok` (the caller got past authorisation: 2xx, another redirect, or a refusal
 * about the input or the state: 400, 409, a 404 for a thing that does not exist), `401`, `403`,
 * `404` (the board is hidden: answered exactly as a board that does not exist), `sign-in` (a
 * page redirecting to /logga-in).
 */
// The revoked token is sent on every route: far past the guessing limit, raised here on purpose.
const stack = useHttpStack('authorisation', {
  ...reviewStackOptions(),
  writesPerMinute: 10_000,
  authGuard: { limit: 10_000, windowSeconds: 600 },
});

const callers = [
  'anonymous',
  'revoked',
  'admin',
  'committee',
  'stadshus',
  'A handläggare',
  'A controller',
  'A förvaltningschef',
  'B controller',
] as const;
type Caller = (typeof callers)[number];
type Outcome = 'ok' | '401' | '403' | '404' | 'sign-in';

/** Board A is Farsta, board B Järva; Stokab is a company under Stockholms Stadshus AB. */
const A = 'farsta';
const COMPANY = 'stokab';
const PDF = Buffer.concat([Buffer.from('%PDF-1.4\n% Bilaga\n'), Buffer.alloc(500, 0x20), Buffer.from('\n%%EOF\n')]);

// --- What each kind of caller may do, declared by hand (not computed by the code under test) ---

/** [on board A, on the company]: board routes are called on both. */
type OnBoards = [Outcome, Outcome];
type Expectation = Record<Exclude<Caller, 'anonymous' | 'revoked'>, OnBoards | Outcome>;

const readBoard: Expectation = {
  admin: ['ok', 'ok'],
  committee: ['ok', 'ok'],
  stadshus: ['404', 'ok'],
  'A handläggare': ['ok', '404'],
  'A controller': ['ok', '404'],
  'A förvaltningschef': ['ok', '404'],
  'B controller': ['404', '404'],
};
const draft: Expectation = { ...readBoard, committee: ['403', '403'], stadshus: ['404', '403'] };
/** Mark ready, hand in a document, record a dialogue: not the handläggare. */
const controllerWork: Expectation = { ...draft, 'A handläggare': ['403', '404'] };
/** Sign off (påskrift) and decline: the förvaltningschef's alone, not SLK's either. */
const signOffWork: Expectation = {
  ...controllerWork,
  admin: ['403', '403'],
  'A controller': ['403', '404'],
};
const everyone: Expectation = {
  admin: 'ok',
  committee: 'ok',
  stadshus: 'ok',
  'A handläggare': 'ok',
  'A controller': 'ok',
  'A förvaltningschef': 'ok',
  'B controller': 'ok',
};
const readAll: Expectation = { ...mapAll('403'), admin: 'ok', committee: 'ok' };
const slkOnly: Expectation = { ...mapAll('403'), admin: 'ok' };
/** The committee's own acts (issue 14): not SLK's, not the boards'. */
const committeeOnly: Expectation = { ...mapAll('403'), committee: 'ok' };

function mapAll(outcome: Outcome): Expectation {
  return Object.fromEntries(Object.keys(everyone).map((k) => [k, outcome])) as Expectation;
}

/**
 * How a route is reached without a valid sign-in: `api` answers 401, `page` redirects to the
 * sign-in, `public` serves everyone.
 */
type Surface = 'api' | 'page' | 'public';

interface RouteSpec {
  surface: Surface;
  expect: Expectation;
  /** A body that gets past validation, so the decision shown is the authorisation's. */
  body?: Record<string, unknown> | Buffer | ((boardId: string) => Record<string, string>);
  query?: string;
  /** For routes whose answer does not depend on the caller at all (the feed's secret, a sign-in form). */
  fixed?: Outcome;
}

const dialogue = {
  id: 'dialog-1',
  question: 'Fråga?',
  forms: ['Möte'],
  roomForInfluence: 'Påverkar ordningen.',
  need: 'Behov.',
  participants: [{ group: 'invanare', count: 12 }],
  heldOn: '2090-01-10',
};

/** Every route the server has, declared: method and URL pattern as registered. */
const ROUTES: Record<string, RouteSpec> = {
  'GET /healthz': { surface: 'public', expect: everyone },
  // Prometheus scrapes from inside the network, without a token (README "Metrics").
  'GET /metrics': { surface: 'public', expect: everyone },
  'GET /api/openapi.json': { surface: 'public', expect: everyone },
  'GET /api/me': { surface: 'api', expect: everyone },
  'GET /api/people': { surface: 'api', expect: slkOnly },
  // A person's own settings: every caller here is a key, and keys have none (person-only).
  'GET /api/me/settings': { surface: 'api', expect: mapAll('403') },
  'PUT /api/me/settings': { surface: 'api', expect: mapAll('403'), body: {} },
  'GET /api/cycles': { surface: 'api', expect: everyone },
  'GET /api/cycles/:year/status': { surface: 'api', expect: readAll },
  'GET /api/cycles/:year/deliverables': { surface: 'api', expect: everyone },
  'GET /api/cycles/:year/deliverables/:phaseId/:boardId': { surface: 'api', expect: readBoard },
  'POST /api/cycles/:year/deliverables/:phaseId/:boardId/submit': {
    surface: 'api',
    expect: controllerWork,
    body: { documentRef: 'Dnr 1' },
  },
  'POST /api/cycles/:year/deliverables/:phaseId/:boardId/approve': { surface: 'api', expect: slkOnly, body: {} },
  'POST /api/cycles/:year/deliverables/:phaseId/:boardId/return': { surface: 'api', expect: slkOnly, body: {} },
  'POST /api/cycles/:year/deliverables/:phaseId/:boardId/extend': { surface: 'api', expect: slkOnly, body: {} },
  'POST /api/cycles/:year/deliverables/:phaseId/:boardId/exempt': { surface: 'api', expect: slkOnly, body: {} },
  'POST /api/cycles/:year/deadlines': { surface: 'api', expect: slkOnly, body: {} },
  'POST /api/cycles/:year/cancel': { surface: 'api', expect: slkOnly, body: {} },
  'POST /api/cycles/:year/milestones/:milestoneId/confirm': { surface: 'api', expect: slkOnly, body: {} },
  'GET /api/cycles/:year/local-development': { surface: 'api', expect: readAll },
  // Every district's dialogues: for every signed-in caller (districts learn from each other).
  'GET /api/lup/dialogues': { surface: 'api', expect: everyone },
  // A district's programme (started on first need); a company keeps none: 404 for `board` past authorisation.
  'GET /api/lup/:boardId': {
    surface: 'api',
    expect: { ...readBoard, admin: ['ok', '404'], committee: ['ok', '404'], stadshus: ['404', '404'] },
  },
  'POST /api/lup/:boardId/dialogues': {
    surface: 'api',
    expect: { ...controllerWork, admin: ['ok', '404'] },
    body: dialogue,
  },
  'POST /api/lup/:boardId/consultations': {
    surface: 'api',
    expect: { ...controllerWork, admin: ['ok', '404'] },
    body: { id: 'samrad-1', withBoardId: 'kulturnamnden', heldOn: '2090-01-10', said: 'Bidrar med bibliotek.' },
  },
  // A service board's part in a district's dialogue, authorised on the board whose part it is
  // (here the board the URL names): past authorisation the district is refused as no service
  // board (400), the company keeps no dialogues (404 for `board`).
  'POST /api/lup/:boardId/dialogues/:dialogueId/parts': {
    surface: 'api',
    expect: { ...controllerWork, admin: ['ok', '404'] },
    body: (boardId) => ({ serviceBoardId: boardId, contribution: 'Vår del i dialogen.' }),
  },
  // The stack's district has no programme yet: past authorisation, a 409 (no-programme), not a 404.
  'POST /api/lup/:boardId/revisions': {
    surface: 'api',
    expect: { ...controllerWork, admin: ['ok', '404'] },
    body: { on: '2090-03-01', reason: 'Ny analys', end: ['belysning'] },
  },
  // Registering a programme adopted before Årshjul, as for revisions; dated after today (a 400), so nothing changes.
  'POST /api/lup/:boardId/register': {
    surface: 'api',
    expect: { ...controllerWork, admin: ['ok', '404'] },
    body: {
      decisionDate: '2090-03-01',
      reference: 'SDN 2090/1',
      measures: [{ id: 'belysning', title: 'Belysning', ownerId: 'kulturnamnden' }],
    },
  },
  'POST /api/lup/:boardId/measures/:measureId/status': {
    surface: 'api',
    expect: { ...controllerWork, admin: ['ok', '404'] },
    body: { status: 'pagar', on: '2090-03-01' },
  },
  // A merger's hand-over is SLK's; the stack's district has no successor (409), a company no programme (404).
  'POST /api/lup/:boardId/hand-over': { surface: 'api', expect: { ...slkOnly, admin: ['ok', '404'] }, body: {} },
  'GET /api/cycles/:year/deliverables/:phaseId/:boardId/report': { surface: 'api', expect: readBoard },
  'PUT /api/cycles/:year/deliverables/:phaseId/:boardId/report/answers': {
    surface: 'api',
    expect: draft,
    body: { path: 'ekonomi.bedomning', value: 'god', expectedVersion: 0 },
  },
  'POST /api/cycles/:year/deliverables/:phaseId/:boardId/report/ready': {
    surface: 'api',
    expect: controllerWork,
    body: {},
  },
  'POST /api/cycles/:year/deliverables/:phaseId/:boardId/report/ready/withdraw': {
    surface: 'api',
    expect: controllerWork,
    body: {},
  },
  'POST /api/cycles/:year/deliverables/:phaseId/:boardId/report/sign-off': {
    surface: 'api',
    expect: signOffWork,
    body: {},
  },
  'POST /api/cycles/:year/deliverables/:phaseId/:boardId/report/sign-off/decline': {
    surface: 'api',
    expect: signOffWork,
    body: { reason: 'Siffrorna i avsnitt 2 stämmer inte.' },
  },
  'GET /api/cycles/:year/deliverables/:phaseId/:boardId/report/review': { surface: 'api', expect: readBoard },
  'POST /api/cycles/:year/deliverables/:phaseId/:boardId/report/comments': {
    surface: 'api',
    expect: slkOnly,
    body: {},
  },
  'GET /api/boards/:boardId/mails': { surface: 'api', expect: readBoard },
  'POST /api/cycles/:year/committee/comments': {
    surface: 'api',
    expect: committeeOnly,
    body: { subject: 'lup', boardId: A, comment: 'Utskottets kommentar.' },
  },
  'GET /api/cycles/:year/boards/:boardId/committee-comments': { surface: 'api', expect: readBoard },
  // The small registry's area; the committee's flag is refused for its empty reason (past authorisation).
  'POST /api/committee/priority-areas/:areaId/flag': { surface: 'api', expect: committeeOnly, body: { reason: '' } },
  'POST /api/committee/priority-areas/:areaId/unflag': { surface: 'api', expect: committeeOnly, body: {} },
  'GET /api/committee/priority-areas/flags': { surface: 'api', expect: everyone },
  // Refused for its missing fields once past the authorisation.
  'POST /api/cycles/:year/committee/decisions': { surface: 'api', expect: committeeOnly, body: { concerns: 'lup' } },
  'GET /api/committee/decisions': { surface: 'api', expect: readAll },
  // Refused for its missing fields once past the authorisation: nothing is started.
  'POST /api/cycles/:year/committee/supplements': { surface: 'api', expect: committeeOnly, body: { boardId: A } },
  // SLK's record of a KF decision; refused for its missing fields once past the authorisation.
  'GET /api/cycles/:year/lup-trace': { surface: 'api', expect: readAll },
  // A company keeps no programme (404 past authorisation, as for a board that does not exist).
  'GET /api/cycles/:year/lup-trace/:boardId': {
    surface: 'api',
    expect: { ...readBoard, admin: ['ok', '404'], committee: ['ok', '404'], stadshus: ['404', '404'] },
  },
  // The LUP measures naming a service board or company (issue 14): a district has none, 404 past authorisation.
  'GET /api/boards/:boardId/lup-measures': {
    surface: 'api',
    expect: {
      admin: ['404', 'ok'],
      committee: ['404', 'ok'],
      stadshus: ['404', 'ok'],
      'A handläggare': ['404', '404'],
      'A controller': ['404', '404'],
      'A förvaltningschef': ['404', '404'],
      'B controller': ['404', '404'],
    },
  },
  'PUT /api/cycles/:year/kf-decisions/:boardId/:measureId': { surface: 'api', expect: slkOnly, body: {} },
  'POST /api/cycles/:year/deliverables/:phaseId/:boardId/attachments': {
    surface: 'api',
    expect: draft,
    body: PDF,
    query: '?name=Bilaga.pdf',
  },
  'GET /api/cycles/:year/deliverables/:phaseId/:boardId/attachments': { surface: 'api', expect: readBoard },
  'GET /api/cycles/:year/deliverables/:phaseId/:boardId/attachments/:attachmentId': {
    surface: 'api',
    expect: readBoard,
  },
  'GET /api/cycles/:year/deliverables/:phaseId/:boardId/report.pdf': { surface: 'api', expect: readBoard },
  'GET /api/cycles/:year/phases/:phaseId/export.csv': { surface: 'api', expect: readAll },
  'GET /api/cycles/:year/phases/:phaseId/export.xlsx': { surface: 'api', expect: readAll },
  'GET /api/cycles/:year/lup-trace.xlsx': { surface: 'api', expect: readAll },
  'GET /api/cycles/:year/lup-trace.pdf': { surface: 'api', expect: readAll },
  // As the trace it prints: a company keeps no programme.
  'GET /api/cycles/:year/lup-trace/:boardId/export.pdf': {
    surface: 'api',
    expect: { ...readBoard, admin: ['ok', '404'], committee: ['ok', '404'], stadshus: ['404', '404'] },
  },
  // A feed is reached by its secret, whoever asks: an unknown one is a 404 for everybody.
  'GET /kalender/:file': { surface: 'public', expect: everyone, fixed: '404' },

  // Pages.
  'GET /': { surface: 'page', expect: everyone },
  'GET /logga-in': { surface: 'public', expect: everyone },
  // A wrong key is refused whoever is signed in; signing out leads to the sign-in for everybody.
  'POST /logga-in': { surface: 'public', expect: everyone, body: { token: 'arshjul_wrong' }, fixed: '401' },
  'POST /logga-ut': { surface: 'public', expect: everyone, fixed: 'sign-in' },
  'GET /static/arshjul.css': { surface: 'public', expect: everyone },
  'GET /static/report-form.js': { surface: 'public', expect: everyone },
  'GET /tillganglighet': { surface: 'public', expect: everyone },
  'GET /mina-installningar': { surface: 'page', expect: mapAll('403') },
  'POST /mina-installningar': { surface: 'page', expect: mapAll('403'), body: {} },
  'GET /oversikt/:year': { surface: 'page', expect: readAll },
  'GET /lup-sparning/:year': { surface: 'page', expect: readAll },
  // SLK's KF decision form: refused for its empty measure once past the authorisation.
  'POST /lup-sparning/:year/kf-beslut': {
    surface: 'page',
    expect: slkOnly,
    body: { measure: '', outcome: '', reference: '' },
  },
  'GET /oversikt/:year/lokalt-utvecklingsarbete': { surface: 'page', expect: readAll },
  // The committee's comment form: refused for its empty fields once past the authorisation.
  'POST /oversikt/:year/lokalt-utvecklingsarbete/kommentar': {
    surface: 'page',
    expect: committeeOnly,
    body: { boardId: '', subject: 'lup', comment: '' },
  },
  'POST /oversikt/:year/lokalt-utvecklingsarbete/beslut': {
    surface: 'page',
    expect: committeeOnly,
    body: { subject: 'lup', boardId: A, decidedOn: '', reference: '', decision: '' },
  },
  'POST /oversikt/:year/lokalt-utvecklingsarbete/komplettering': {
    surface: 'page',
    expect: committeeOnly,
    body: { boardId: A, what: '', deadline: '', requestId: 'tabell' },
  },
  'POST /oversikt/:year/lokalt-utvecklingsarbete/uppmarksamma': {
    surface: 'page',
    expect: committeeOnly,
    body: { areaId: 'rinkeby-kista', reason: '' },
  },
  'POST /oversikt/:year/lokalt-utvecklingsarbete/ta-bort-uppmarksamhet': {
    surface: 'page',
    expect: committeeOnly,
    body: { areaId: 'rinkeby-kista' },
  },
  'GET /cykel/:year': { surface: 'page', expect: slkOnly },
  'GET /personer': { surface: 'page', expect: slkOnly },
  // SLK's forms, each refused for what it lacks (a reason, a date) once past the authorisation.
  'POST /cykel/:year/anstand': { surface: 'page', expect: slkOnly, body: { phaseId: 'rapport', boardId: A } },
  'POST /cykel/:year/aterremittera': { surface: 'page', expect: slkOnly, body: { phaseId: 'granskad', boardId: A } },
  'POST /cykel/:year/flytta-sista-dag': { surface: 'page', expect: slkOnly, body: { phaseId: 'rapport' } },
  'POST /cykel/:year/godkann': { surface: 'page', expect: slkOnly, body: { phaseId: 'granskad', boardId: A } },
  'POST /cykel/:year/milstolpe': { surface: 'page', expect: slkOnly, body: { milestoneId: 'nosuch' } },
  'GET /cykel/:year/mallar/:templateId': { surface: 'page', expect: readAll },
  // SLK's review page is for those who read across boards; a board reads comments on its form.
  'GET /cykel/:year/granska/:phaseId/:boardId': { surface: 'page', expect: readAll },
  // Commenting loads the report first: a board the caller may not see stays hidden.
  'POST /cykel/:year/granska/:phaseId/:boardId/kommentar': {
    surface: 'page',
    expect: {
      ...readBoard,
      committee: ['403', '403'],
      stadshus: ['404', '403'],
      'A handläggare': ['403', '404'],
      'A controller': ['403', '404'],
      'A förvaltningschef': ['403', '404'],
    },
    body: { path: 'ekonomi', comment: '' },
  },
  'GET /namnd/:boardId': { surface: 'page', expect: readBoard },
  'POST /namnd/:boardId/lamna-in': {
    surface: 'page',
    expect: controllerWork,
    body: (boardId) => ({ year: String(STACK_YEAR), phaseId: 'rapport', boardId, documentRef: 'Dnr 1' }),
  },
  // A service board's part in a district's dialogue, from its own page (the URL's board is the
  // service board). Past authorisation the district's record decides: Farsta is no service board
  // (400), and for the company the stack's district keeps no programme yet (409).
  'POST /namnd/:boardId/lup-medverkan': {
    surface: 'page',
    expect: controllerWork,
    body: { district: 'farsta', dialogueId: 'dialog-1', contribution: 'Vår del i dialogen.' },
  },
  // The district's programme page; a company keeps none (404 past authorisation, as for a board that does not exist).
  'GET /namnd/:boardId/lup': {
    surface: 'page',
    expect: { ...readBoard, admin: ['ok', '404'], committee: ['ok', '404'], stadshus: ['404', '404'] },
  },
  'POST /namnd/:boardId/lup/dialog': {
    surface: 'page',
    expect: { ...controllerWork, admin: ['ok', '404'] },
    body: {
      id: 'sida-1',
      heldOn: '2090-01-10',
      need: 'Behov',
      question: 'Fråga?',
      forms: 'Möte',
      roomForInfluence: 'Påverkar ordningen.',
      invanare: '3',
    },
  },
  'POST /namnd/:boardId/lup/registrering': {
    surface: 'page',
    expect: { ...controllerWork, admin: ['ok', '404'] },
    body: { decisionDate: '2090-03-01', reference: 'SDN 2090/1', measures: 'belysning: Belysning' },
  },
  'POST /namnd/:boardId/lup/revidering': {
    surface: 'page',
    expect: { ...controllerWork, admin: ['ok', '404'] },
    body: { on: '2090-03-01', reason: 'Ny analys', endId: 'belysning' },
  },
  'GET /namnd/:boardId/:year/:phaseId': { surface: 'page', expect: readBoard },
  'POST /namnd/:boardId/:year/:phaseId': { surface: 'page', expect: draft, body: { avsnitt: 'ekonomi' } },
  'POST /namnd/:boardId/:year/:phaseId/klarmarkera': { surface: 'page', expect: controllerWork, body: {} },
  'POST /namnd/:boardId/:year/:phaseId/paskrift': {
    surface: 'page',
    expect: signOffWork,
    body: { atgard: 'skriv-under' },
  },
};

// --- Running a request as a caller -----------------------------------------------------------

const secrets = new Map<Caller, string>();
let attachmentId = '';

function pathOf(url: string, boardId: string): string {
  return url
    .replace(':year', String(STACK_YEAR))
    .replace(':phaseId', 'rapport')
    .replace(':boardId', boardId)
    .replace(':milestoneId', 'kf-budget')
    .replace(':measureId', 'belysning')
    .replace(':dialogueId', 'dialog-1')
    .replace(':templateId', 'testrapport')
    .replace(':areaId', 'rinkeby-kista')
    .replace(':attachmentId', attachmentId)
    .replace(':file', 'feed_000000000000.ics');
}

/** The answer's class: see the file's comment. A JSON 404 names what was not found. */
async function outcomeOf(response: Response): Promise<Outcome> {
  const status = response.status;
  if (status === 401) return '401';
  if (status === 403) return '403';
  if (status >= 300 && status < 400) return response.headers.get('location') === '/logga-in' ? 'sign-in' : 'ok';
  if (status === 404) {
    const text = await response.text();
    if (!(response.headers.get('content-type') ?? '').includes('json')) return '404';
    const field = (JSON.parse(text) as { field?: string }).field;
    return field === 'board' || field === 'deliverable' ? '404' : 'ok';
  }
  return 'ok';
}

async function request(caller: Caller, method: string, url: string, boardId: string, spec: RouteSpec) {
  const secret = secrets.get(caller);
  const headers: Record<string, string> = {};
  if (secret) {
    if (spec.surface === 'page') headers.cookie = `arshjul_token=${secret}`;
    else headers.authorization = `Bearer ${secret}`;
  }
  let body: string | Buffer | undefined;
  const given = typeof spec.body === 'function' ? spec.body(boardId) : spec.body;
  if (Buffer.isBuffer(given)) {
    headers['content-type'] = 'application/octet-stream';
    body = given;
  } else if (given && (spec.surface === 'page' || spec.surface === 'public')) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    body = new URLSearchParams(given as Record<string, string>).toString();
  } else if (given) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(given);
  }
  const response = await fetch(`${stack.url}${pathOf(url, boardId)}${spec.query ?? ''}`, {
    method,
    headers,
    redirect: 'manual',
    ...(body !== undefined && { body }),
  });
  return { outcome: await outcomeOf(response), status: response.status };
}

function expected(spec: RouteSpec, caller: Caller, onCompany: boolean): Outcome {
  if (spec.fixed) return spec.fixed;
  if (caller === 'anonymous' || caller === 'revoked') {
    return spec.surface === 'api' ? '401' : spec.surface === 'page' ? 'sign-in' : 'ok';
  }
  const want = spec.expect[caller];
  return Array.isArray(want) ? want[onCompany ? 1 : 0] : want;
}

beforeAll(async () => {
  const pool = stack.harness.db.pool;
  const token = async (grants: string[], scopes: Array<'read' | 'submit' | 'admin'>) =>
    (await createApiToken(pool, { grants, scopes, owner: 'test', label: grants.join(' '), createdBy: 'test' })).secret;
  secrets.set('admin', stack.tokens.admin);
  // A committee member's key: reads, and acts as the committee (the old `committee` role reads only).
  secrets.set('committee', await token(['committee'], ['read', 'submit']));
  secrets.set('stadshus', await token(['stadshus'], ['read']));
  secrets.set('A handläggare', await token([`board:${A}:handlaggare`], ['read', 'submit']));
  secrets.set('A controller', await token([`board:${A}:controller`], ['read', 'submit']));
  secrets.set('A förvaltningschef', await token([`board:${A}:forvaltningschef`], ['read', 'submit']));
  secrets.set('B controller', await token(['board:jarva:controller'], ['read', 'submit']));
  const revoked = await createApiToken(pool, { role: 'admin', label: 'revoked', createdBy: 'test' });
  await revokeApiToken(pool, revoked.id);
  secrets.set('revoked', revoked.secret);
  // A file on board A's report, for the download route.
  const uploaded = await fetch(
    `${stack.url}/api/cycles/${STACK_YEAR}/deliverables/rapport/${A}/attachments?name=Underlag.pdf`,
    {
      method: 'POST',
      headers: { authorization: `Bearer ${stack.tokens.farsta}`, 'content-type': 'application/octet-stream' },
      body: PDF,
    },
  );
  expect(uploaded.status).toBe(201);
  attachmentId = ((await uploaded.json()) as { id: string }).id;
});

describe('the authorisation table', () => {
  it('declares every route the server registered, and nothing it did not', () => {
    const registered = registeredRoutes(stack.app).map((r) => `${r.method} ${r.url}`);
    expect(registered.length).toBeGreaterThan(20);
    expect(registered.filter((r) => !(r in ROUTES)).sort()).toEqual([]);
    expect(Object.keys(ROUTES).filter((r) => !registered.includes(r))).toEqual([]);
  });

  it('answers every caller on every route as declared', async () => {
    const mismatches: string[] = [];
    for (const route of registeredRoutes(stack.app)) {
      const key = `${route.method} ${route.url}`;
      const spec = ROUTES[key];
      if (!spec) continue; // the test above names it
      const boards = route.url.includes(':boardId') ? [A, COMPANY] : [A];
      for (const boardId of boards) {
        for (const caller of callers) {
          const want = expected(spec, caller, boardId === COMPANY);
          const got = await request(caller, route.method, route.url, boardId, spec);
          if (got.outcome !== want)
            mismatches.push(`${caller} ${key} on ${boardId}: expected ${want}, got ${got.outcome} (${got.status})`);
        }
      }
    }
    expect(mismatches).toEqual([]);
  });
});

describe('refusals by duty and scope', () => {
  const ready = `/api/cycles/${STACK_YEAR}/deliverables/rapport/${A}/report/ready`;

  it('refuses a handläggare marking ready with the stable code missing-duty, in the API and on the page', async () => {
    const api = await fetch(`${stack.url}${ready}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${secrets.get('A handläggare')}`, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(api.status).toBe(403);
    expect(await api.json()).toMatchObject({ field: 'role', code: 'missing-duty', params: { action: 'mark-ready' } });

    const page = await fetch(`${stack.url}/namnd/${A}/${STACK_YEAR}/rapport/klarmarkera`, {
      method: 'POST',
      redirect: 'manual',
      headers: {
        cookie: `arshjul_token=${secrets.get('A handläggare')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: '',
    });
    expect(page.status).toBe(403);
    const text = await page.text();
    expect(text).toContain('Din roll vid nämnden räcker inte för att klarmarkera rapporten');
    // The summary names no raw field ("role: …"): the duty is no field of the form, so the
    // sentence stands alone and links to the klarmarkera form, which the page has.
    const summary = /<div class="error-summary" role="alert" id="fel">([\s\S]*?)<\/div>/.exec(text)?.[1] ?? '';
    expect(summary).not.toMatch(/\brole\b/);
    expect(summary).toMatch(/<a href="#klarmarkera-rubrik">\s*Din roll vid nämnden räcker inte/);
    expect(text).toContain('id="klarmarkera-rubrik"');
  });

  it('refuses a token whose grants allow a write but whose scopes do not, with missing-scope', async () => {
    const readOnly = await createApiToken(stack.harness.db.pool, {
      grants: [`board:${A}:controller`],
      scopes: ['read'],
      owner: 'test',
      label: 'read only',
      createdBy: 'test',
    });
    const response = await fetch(`${stack.url}${ready}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${readOnly.secret}`, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(response.status).toBe(403);
    expect(await response.json()).toMatchObject({ field: 'scope', code: 'missing-scope' });
  });
});
