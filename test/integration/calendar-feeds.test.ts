import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import Fastify, { FastifyInstance } from 'fastify';
import ICAL from 'ical.js';
import { ZodError } from 'zod';
import {
  createCalendarFeed,
  findFeedBySecret,
  listCalendarFeeds,
  revokeCalendarFeed,
} from '../../src/db/calendar-feeds';
import { recordCycle } from '../../src/db/cycles';
import { DeliverableSnapshot, projectSnapshot } from '../../src/db/read-model';
import { replaceRegistry } from '../../src/db/registry';
import { feedPath, registerFeedRoutes } from '../../src/client/http/feeds';
import { cycleCalendarSchema } from '../../src/domain/cycle-calendar';
import { localDateOf, localTimeOf } from '../../src/domain/zoned-time';
import { smallRegistry } from '../fixtures/small-registry';
import { createTestDatabase, TestDatabase } from '../helpers/database';
import { REPO_ROOT } from '../helpers/processes';

// Fastify's `inject` (light-my-request 6.8) requires `cookie` 2, an ES module that Jest's module
// loader cannot `require` on Node 20. It is only called for requests that send cookies, which
// these tests never do: stand in for it so that `inject` loads at all.
jest.mock('cookie', () => ({
  stringifySetCookie: () => {
    throw new Error('cookie is mocked in calendar-feeds.test.ts: these tests send no cookies');
  },
}));

const STOCKHOLM = 'Europe/Stockholm';
const M = smallRegistry.municipality; // teststad

/**
 * Budget year 2028: two milestones, and three deliverable phases whose deadlines fall in summer
 * time (one on a Saturday that is also första maj, moved by law to Monday 3 May) and in winter.
 */
const calendar = cycleCalendarSchema.parse({
  municipality: M,
  budgetYear: 2028,
  phases: [
    { id: 'anvisningar', kind: 'milestone', name: 'Anvisningar för budgetunderlag', owner: 'SLK', date: '2027-02-01' },
    {
      id: 'budgetunderlag',
      kind: 'deliverable',
      name: 'Budgetunderlag',
      opens: { date: '2027-02-01' },
      deadline: '2027-05-01',
    },
    { id: 'kf-budget', kind: 'milestone', name: 'KF fastställer budget', owner: 'KF', date: '2027-11-22' },
    {
      id: 'verksamhetsplan',
      kind: 'deliverable',
      name: 'Verksamhetsplan',
      opens: { afterMilestone: 'kf-budget' },
      deadline: '2027-12-15',
    },
    {
      id: 'kulturrapport',
      kind: 'deliverable',
      name: 'Kulturrapport',
      audience: { boards: ['kulturnamnden'] },
      opens: { date: '2027-08-01' },
      deadline: '2027-09-15',
    },
  ],
});
const CYCLE_ID = `${M}/2028`;

interface Row {
  phaseId: string;
  boardId: string;
  answeringBoardId?: string;
  stage?: DeliverableSnapshot['stage'];
  late?: boolean;
  deadline: string;
  deadlineAt: string;
  municipality?: string;
  updatedAt: string;
}

const rows: Row[] = [
  {
    phaseId: 'budgetunderlag',
    boardId: 'farsta',
    stage: 'submitted',
    deadline: '2027-05-03',
    deadlineAt: '2027-05-03T23:59:00+02:00',
    updatedAt: '2027-04-28T09:15:00Z',
  },
  {
    phaseId: 'verksamhetsplan',
    boardId: 'farsta',
    stage: 'open',
    late: true,
    deadline: '2027-12-15',
    deadlineAt: '2027-12-15T23:59:00+01:00',
    updatedAt: '2027-12-16T07:00:00Z',
  },
  {
    phaseId: 'budgetunderlag',
    boardId: 'kulturnamnden',
    stage: 'open',
    // An extension: this board delivers a week later.
    deadline: '2027-05-10',
    deadlineAt: '2027-05-10T23:59:00+02:00',
    updatedAt: '2027-05-04T10:00:00Z',
  },
  {
    phaseId: 'verksamhetsplan',
    boardId: 'kulturnamnden',
    deadline: '2027-12-15',
    deadlineAt: '2027-12-15T23:59:00+01:00',
    updatedAt: '2027-11-23T07:00:00Z',
  },
  {
    phaseId: 'kulturrapport',
    boardId: 'kulturnamnden',
    deadline: '2027-09-15',
    deadlineAt: '2027-09-15T23:59:00+02:00',
    updatedAt: '2027-08-02T06:00:00Z',
  },
  // The newest change of all, but in another municipality: no feed of teststad shows it.
  {
    municipality: 'annanstad',
    phaseId: 'budgetunderlag',
    boardId: 'farsta',
    deadline: '2027-05-03',
    deadlineAt: '2027-05-03T23:59:00+02:00',
    updatedAt: '2028-01-01T00:00:00Z',
  },
];

let db: TestDatabase;
let app: FastifyInstance;
let eventId = 0;

beforeAll(async () => {
  db = await createTestDatabase('calendar_feeds');
  await replaceRegistry(db.pool, smallRegistry);
  await recordCycle(db.pool, { workflowId: CYCLE_ID, calendar, startedBy: 'test' });
  await db.pool.query(`UPDATE cycles SET started_at = '2027-01-15T08:00:00Z'`);
  for (const row of rows) {
    const municipality = row.municipality ?? M;
    await projectSnapshot(
      db.pool,
      { workflowId: `${municipality}/2028/${row.phaseId}/${row.boardId}`, occurredAt: new Date(row.updatedAt) },
      String(++eventId),
      {
        seq: 1,
        municipality,
        budgetYear: 2028,
        phaseId: row.phaseId,
        boardId: row.boardId,
        answeringBoardId: row.answeringBoardId ?? row.boardId,
        stage: row.stage ?? 'planned',
        late: row.late ?? false,
        escalationLevel: 0,
        deadline: row.deadline,
        deadlineAt: row.deadlineAt,
      },
    );
  }
  app = Fastify({ logger: false });
  registerFeedRoutes(app, { pool: db.pool });
  await app.ready();
});

afterAll(async () => {
  await app?.close();
  await db?.drop();
});

interface ParsedFeed {
  calendar: ICAL.Component;
  events: Map<string, ICAL.Event>;
}

function parse(text: string): ParsedFeed {
  const calendar = new ICAL.Component(ICAL.parse(text));
  const events = calendar.getAllSubcomponents('vevent').map((c) => new ICAL.Event(c));
  return { calendar, events: new Map(events.map((e) => [e.uid, e])) };
}

function event(feed: ParsedFeed, uid: string): ICAL.Event {
  const found = feed.events.get(uid);
  if (!found) throw new Error(`no event ${uid} among ${[...feed.events.keys()].join(', ')}`);
  return found;
}

async function getFeed(secret: string) {
  const response = await app.inject({ method: 'GET', url: feedPath(secret) });
  return response;
}

const MILESTONE_UIDS = [`${M}.2028.anvisningar@arshjul`, `${M}.2028.kf-budget@arshjul`];

describe('calendar feed over HTTP', () => {
  let farstaSecret: string;
  let committeeSecret: string;
  beforeAll(async () => {
    farstaSecret = (await createCalendarFeed(db.pool, { scope: 'board:farsta', municipality: M, label: 'Farsta' }))
      .secret;
    committeeSecret = (await createCalendarFeed(db.pool, { scope: 'committee', municipality: M })).secret;
  });

  it('serves a board exactly its own deadlines and every milestone, with the right headers', async () => {
    const response = await getFeed(farstaSecret);
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/calendar; charset=utf-8');
    expect(response.headers['cache-control']).toBe('private, max-age=300');
    const feed = parse(response.body);
    expect(feed.calendar.getFirstPropertyValue('x-wr-calname')).toBe('Årshjul — Farsta stadsdelsnämnd');
    expect([...feed.events.keys()].sort()).toEqual(
      [`${M}.2028.budgetunderlag.farsta@arshjul`, `${M}.2028.verksamhetsplan.farsta@arshjul`, ...MILESTONE_UIDS].sort(),
    );
    expect(response.body).not.toMatch(/kulturnamnden|Kulturrapport|annanstad/i);

    const submitted = event(feed, `${M}.2028.budgetunderlag.farsta@arshjul`);
    expect(submitted.summary).toBe('Sista dag: Budgetunderlag (budgetår 2028)');
    expect(submitted.description).toContain('Status: inlämnad.');
    const late = event(feed, `${M}.2028.verksamhetsplan.farsta@arshjul`);
    expect(late.summary).toBe('Sista dag: Verksamhetsplan (budgetår 2028)');
    expect(late.description).toContain('Status: öppen — försenad.');
  });

  it('writes deadlines in UTC that Stockholm shows at 23:59, in summer (+02:00) and winter (+01:00)', async () => {
    const feed = parse((await getFeed(farstaSecret)).body);
    const summer = event(feed, `${M}.2028.budgetunderlag.farsta@arshjul`).startDate;
    expect(summer.isDate).toBe(false);
    expect(summer.zone).toBe(ICAL.Timezone.utcTimezone);
    expect(summer.toJSDate().toISOString()).toBe('2027-05-03T21:59:00.000Z');
    expect(localDateOf(summer.toJSDate(), STOCKHOLM)).toBe('2027-05-03');
    expect(localTimeOf(summer.toJSDate(), STOCKHOLM)).toBe('23:59');
    const winter = event(feed, `${M}.2028.verksamhetsplan.farsta@arshjul`).startDate;
    expect(winter.zone).toBe(ICAL.Timezone.utcTimezone);
    expect(winter.toJSDate().toISOString()).toBe('2027-12-15T22:59:00.000Z');
    expect(localTimeOf(winter.toJSDate(), STOCKHOLM)).toBe('23:59');
  });

  it('makes a milestone an all-day DATE event', async () => {
    const text = (await getFeed(farstaSecret)).body;
    expect(text).toContain('DTSTART;VALUE=DATE:20271122');
    const milestone = event(parse(text), `${M}.2028.kf-budget@arshjul`);
    expect(milestone.summary).toBe('KF fastställer budget (budgetår 2028)');
    expect(milestone.startDate.isDate).toBe(true);
    expect(milestone.startDate.toString()).toBe('2027-11-22');
    expect(milestone.endDate.toString()).toBe('2027-11-23');
  });

  it('is deterministic: the same bytes twice, stamped with the newest change it shows', async () => {
    const first = await getFeed(farstaSecret);
    const second = await getFeed(farstaSecret);
    expect(second.body).toBe(first.body);
    // Farsta's newest row (verksamhetsplan), not kulturnämnden's or the other municipality's.
    expect(new Set(first.body.match(/^DTSTAMP:.*$/gm))).toEqual(new Set(['DTSTAMP:20271216T070000Z']));
    expect(first.headers.etag).toMatch(/^"[A-Za-z0-9_-]+"$/);
    const again = await app.inject({
      method: 'GET',
      url: feedPath(farstaSecret),
      headers: { 'if-none-match': String(first.headers.etag) },
    });
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe('');
  });

  it('gives the committee one event per deliverable phase, at the legal deadline, and every milestone', async () => {
    const response = await getFeed(committeeSecret);
    expect(response.statusCode).toBe(200);
    const feed = parse(response.body);
    expect(feed.calendar.getFirstPropertyValue('x-wr-calname')).toBe('Årshjul — utskottet');
    const deadlineUids = [
      `${M}.2028.budgetunderlag@arshjul`,
      `${M}.2028.verksamhetsplan@arshjul`,
      `${M}.2028.kulturrapport@arshjul`,
    ];
    expect([...feed.events.keys()].sort()).toEqual([...deadlineUids, ...MILESTONE_UIDS].sort());
    expect(feed.calendar.getAllSubcomponents('vevent')).toHaveLength(5);

    // Written as Saturday 1 May (första maj): the law moves it to Monday 3 May, 23:59 summer time.
    const moved = event(feed, `${M}.2028.budgetunderlag@arshjul`);
    expect(moved.summary).toBe('Sista dag: Budgetunderlag (budgetår 2028)');
    expect(moved.startDate.toJSDate().toISOString()).toBe('2027-05-03T21:59:00.000Z');
    expect(moved.description).toContain('Flyttad från 2027-05-01');
    expect(moved.description).toContain('Läge: 2 leveranser, 1 inlämnad, 0 försenade.');
    expect(moved.description).toContain('Senaste sista dag för någon nämnd: måndag 10 maj 2027 kl. 23:59.');
    const winter = event(feed, `${M}.2028.verksamhetsplan@arshjul`);
    expect(winter.startDate.toJSDate().toISOString()).toBe('2027-12-15T22:59:00.000Z');
    expect(localTimeOf(winter.startDate.toJSDate(), STOCKHOLM)).toBe('23:59');
    expect(winter.description).toContain('Läge: 2 leveranser, 0 inlämnade, 1 försenad.');
    expect(event(feed, `${M}.2028.kf-budget@arshjul`).startDate.isDate).toBe(true);
    // Stamped with the newest change across all boards of the municipality.
    expect(new Set(response.body.match(/^DTSTAMP:.*$/gm))).toEqual(new Set(['DTSTAMP:20271216T070000Z']));
  });

  it('answers an unknown, malformed or revoked secret with the same bare 404', async () => {
    const revoked = await createCalendarFeed(db.pool, { scope: 'board:farsta', municipality: M });
    expect((await getFeed(revoked.secret)).statusCode).toBe(200);
    expect(await revokeCalendarFeed(db.pool, revoked.id)).toBe(true);

    const unknown = Buffer.alloc(32, 7).toString('base64url');
    const urls = [
      feedPath(revoked.secret),
      feedPath(unknown),
      feedPath('kort'),
      `/kalender/${farstaSecret}`,
      `/kalender/${farstaSecret}.json`,
      `/kalender/${farstaSecret}.ics.ics`,
      '/kalender/.ics',
    ];
    for (const url of urls) {
      const response = await app.inject({ method: 'GET', url });
      expect({ url, status: response.statusCode, body: response.body }).toEqual({
        url,
        status: 404,
        body: 'Not Found\n',
      });
      expect(response.headers['content-type']).toBe('text/plain; charset=utf-8');
    }
  });

  it('serves the feed over a real socket to fetch', async () => {
    const server = Fastify({ logger: false });
    registerFeedRoutes(server, { pool: db.pool });
    const base = await server.listen({ host: '127.0.0.1', port: 0 });
    try {
      const response = await fetch(`${base}${feedPath(farstaSecret)}`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('text/calendar; charset=utf-8');
      expect(response.headers.get('cache-control')).toBe('private, max-age=300');
      const feed = parse(await response.text());
      expect(feed.calendar.getFirstPropertyValue('x-wr-calname')).toBe('Årshjul — Farsta stadsdelsnämnd');
      expect(feed.events.size).toBe(4);
      const missing = await fetch(`${base}${feedPath(Buffer.alloc(32, 1).toString('base64url'))}`);
      expect(missing.status).toBe(404);
      expect(await missing.text()).toBe('Not Found\n');
    } finally {
      await server.close();
    }
  });
});

describe('calendar feeds in the database', () => {
  function zodPaths(error: unknown): string[] {
    expect(error).toBeInstanceOf(ZodError);
    return (error as ZodError).issues.map((issue) => issue.path.join('.'));
  }

  it('stores only the hash of the secret, and finds the feed by its secret', async () => {
    const created = await createCalendarFeed(db.pool, { scope: 'board:kulturnamnden', municipality: M });
    expect(created.id).toMatch(/^feed_[0-9a-f]{12}$/);
    expect(created.secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const row = (await db.pool.query('SELECT * FROM calendar_feeds WHERE id = $1', [created.id])).rows[0] as Record<
      string,
      unknown
    >;
    expect((row.secret_hash as Buffer).length).toBe(32);
    expect(JSON.stringify(row)).not.toContain(created.secret);
    expect((row.secret_hash as Buffer).includes(Buffer.from(created.secret, 'base64url'))).toBe(false);
    await expect(findFeedBySecret(db.pool, created.secret)).resolves.toEqual({
      id: created.id,
      scope: { kind: 'board', boardId: 'kulturnamnden' },
      municipality: M,
    });
    await expect(findFeedBySecret(db.pool, `${created.secret} `)).resolves.toBeUndefined();
    await expect(findFeedBySecret(db.pool, '')).resolves.toBeUndefined();
    await expect(revokeCalendarFeed(db.pool, created.id)).resolves.toBe(true);
    await expect(findFeedBySecret(db.pool, created.secret)).resolves.toBeUndefined();
    await expect(revokeCalendarFeed(db.pool, created.id)).resolves.toBe(false);
    await expect(revokeCalendarFeed(db.pool, 'feed_000000000000')).resolves.toBe(false);
  });

  it('refuses bad input naming the field', async () => {
    const attempt = (input: Parameters<typeof createCalendarFeed>[1]) =>
      createCalendarFeed(db.pool, input).catch((e: unknown) => e);
    expect(zodPaths(await attempt({ scope: 'board:', municipality: M }))).toEqual(['scope']);
    expect(zodPaths(await attempt({ scope: 'admin', municipality: M }))).toEqual(['scope']);
    expect(zodPaths(await attempt({ scope: 'board:Farsta', municipality: M }))).toEqual(['scope']);
    expect(zodPaths(await attempt({ scope: 'committee', municipality: 'Teststad' }))).toEqual(['municipality']);
    expect(zodPaths(await attempt({ scope: 'committee', municipality: M, label: '  ' }))).toEqual(['label']);
    expect(zodPaths(await attempt({ scope: 'committee', municipality: M, label: 'x'.repeat(201) }))).toEqual(['label']);
  });

  it('lists feeds without hashes or secrets', async () => {
    const created = await createCalendarFeed(db.pool, { scope: 'committee', municipality: M, label: 'Listad' });
    const feeds = await listCalendarFeeds(db.pool, M);
    expect(feeds.find((f) => f.id === created.id)).toEqual({
      id: created.id,
      scope: { kind: 'committee' },
      municipality: M,
      label: 'Listad',
      createdAt: expect.any(Date),
    });
    const text = JSON.stringify(feeds);
    expect(text).not.toContain(created.secret);
    expect(text).not.toMatch(/hash|secret/i);
    expect(await listCalendarFeeds(db.pool, 'annanstad')).toEqual([]);
  });

  it('has the database refuse a bad scope written by hand', async () => {
    const insert = (scope: string) =>
      db.pool.query(
        `INSERT INTO calendar_feeds (id, secret_hash, scope, municipality)
         VALUES ('feed_0123456789ab', sha256(convert_to($1 || random()::text, 'UTF8')), $1, 'teststad')`,
        [scope],
      );
    for (const scope of ['admin', 'board:', 'board:Farsta', 'board:-farsta', 'Committee']) {
      await expect(insert(scope)).rejects.toThrow(/calendar_feeds_scope_check/);
    }
    await expect(insert('board:farsta')).resolves.toMatchObject({ rowCount: 1 });
    await db.pool.query(`DELETE FROM calendar_feeds WHERE id = 'feed_0123456789ab'`);
  });
});

describe('arshjul feed', () => {
  function arshjul(env: NodeJS.ProcessEnv, ...args: string[]) {
    const result = spawnSync(join(REPO_ROOT, 'bin', 'arshjul'), args, {
      cwd: REPO_ROOT,
      encoding: 'utf8',
      env: { ...process.env, DATABASE_URL: db.url, MUNICIPALITY: M, PUBLIC_URL: '', ...env },
    });
    return { code: result.status, stdout: result.stdout, stderr: result.stderr };
  }

  it('creates a board feed and prints its secret URL once', async () => {
    const run = arshjul({}, 'feed', 'create', '--board', 'farsta', '--label', 'Farstas registrator');
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const match = /^ {2}http:\/\/127\.0\.0\.1:3000\/kalender\/([A-Za-z0-9_-]{43})\.ics$/m.exec(run.stdout);
    expect(match).not.toBeNull();
    expect(run.stdout).toContain('Adressen är hemlig');
    expect(run.stdout).toContain('The URL is the secret');
    const id = /Kalenderflöde (feed_[0-9a-f]{12}) för Farsta stadsdelsnämnd \(board:farsta\)/.exec(run.stdout)?.[1];
    expect(id).toBeDefined();
    const stored = await db.pool.query('SELECT scope, municipality, label FROM calendar_feeds WHERE id = $1', [id]);
    expect(stored.rows).toEqual([{ scope: 'board:farsta', municipality: M, label: 'Farstas registrator' }]);

    const response = await getFeed(match![1]!);
    expect(response.statusCode).toBe(200);
    expect(parse(response.body).calendar.getFirstPropertyValue('x-wr-calname')).toBe('Årshjul — Farsta stadsdelsnämnd');

    const listed = arshjul({}, 'feed', 'list');
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(new RegExp(`^${id} +board:farsta +aktivt .*Farstas registrator$`, 'm'));
    expect(listed.stdout).not.toContain(match![1]!);
    const revoked = arshjul({}, 'feed', 'revoke', id!);
    expect(revoked.stdout).toBe(`Kalenderflöde ${id} är återkallat.\n`);
    expect(revoked.code).toBe(0);
    expect((await getFeed(match![1]!)).statusCode).toBe(404);
  });

  it('uses PUBLIC_URL, and creates the committee feed', () => {
    const run = arshjul({ PUBLIC_URL: 'https://arshjul.example.se' }, 'feed', 'create', '--committee');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Kalenderflöde feed_[0-9a-f]{12} för utskottet \(committee\):$/m);
    expect(run.stdout).toMatch(/^ {2}https:\/\/arshjul\.example\.se\/kalender\/[A-Za-z0-9_-]{43}\.ics$/m);
  });

  it('refuses an unknown board with exit code 2, naming board, and creates nothing', async () => {
    const before = (await db.pool.query('SELECT count(*)::int AS n FROM calendar_feeds')).rows[0] as { n: number };
    const unknown = arshjul({}, 'feed', 'create', '--board', 'atlantis');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toBe('fel: board: no organisation atlantis in the registry of teststad\n');
    expect(unknown.stdout).toBe('');
    // The committee is an organisation of the registry, but no board (it has a feed of its own).
    const notBoard = arshjul({}, 'feed', 'create', '--board', 'ytterstadsutskottet');
    expect(notBoard.code).toBe(2);
    expect(notBoard.stderr).toMatch(/^fel: board: ytterstadsutskottet is not a board/);
    const neither = arshjul({}, 'feed', 'create');
    expect(neither.code).toBe(2);
    expect(neither.stderr).toBe('fel: board: give either --board <id> or --committee\n');
    const after = (await db.pool.query('SELECT count(*)::int AS n FROM calendar_feeds')).rows[0] as { n: number };
    expect(after.n).toBe(before.n);
  });
});
