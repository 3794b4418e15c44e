import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Pool } from 'pg';
import { FeedScope, findFeedBySecret, ResolvedCalendarFeed } from '../../db/calendar-feeds';
import { listCycles, StoredCycle } from '../../db/cycles';
import { Queryable } from '../../db/database';
import { DeliverableStatusRow } from '../../db/read-model';
import { legalDeadline } from '../../domain/business-days';
import { CycleCalendar, DeliverablePhase, MilestonePhase } from '../../domain/cycle-calendar';
import { FeedEvent, renderCalendarFeed } from '../../domain/ics-feed';
import { formatSwedishDateTime } from '../../domain/swedish-format';
import { formatWithOffset, zonedInstant } from '../../domain/zoned-time';

/**
 * Calendar feeds over HTTP (issue 5): `GET /kalender/<secret>.ics`, one iCalendar feed per board
 * and one for the committee, with every deadline and milestone of the municipality's stored
 * cycles. Calendar clients cannot authenticate, so the URL's secret is the credential: an
 * unknown, malformed or revoked secret gets the same bare 404.
 */

export interface FeedRouteDeps {
  pool: Pool;
}

/** How long a calendar client may keep a feed before asking again. */
export const FEED_CACHE_CONTROL = 'private, max-age=300';
export const FEED_CONTENT_TYPE = 'text/calendar; charset=utf-8';

/** The path of a feed, as handed out once by `arshjul feed create`. */
export function feedPath(secret: string): string {
  return `/kalender/${secret}.ics`;
}

/** The full URL of a feed under the public address (same convention as the board pages' links). */
export function feedUrl(publicUrl: string, secret: string): string {
  return new URL(feedPath(secret), publicUrl).toString();
}

export function registerFeedRoutes(app: FastifyInstance, deps: FeedRouteDeps): void {
  // `/kalender/:secret.ics` would work in Fastify 5 too, but one parameter for the whole file name
  // keeps every miss (no suffix, another suffix, a bad secret) on the same bare 404 below.
  app.get<{ Params: { file: string } }>('/kalender/:file', async (request, reply) => {
    const file = request.params.file;
    const secret = file.endsWith('.ics') ? file.slice(0, -'.ics'.length) : undefined;
    const feed = secret === undefined ? undefined : await findFeedBySecret(deps.pool, secret);
    if (!feed) return notFound(reply);
    const body = await renderFeed(deps.pool, feed);
    const etag = `"${createHash('sha256').update(body, 'utf8').digest('base64url').slice(0, 27)}"`;
    void reply.header('cache-control', FEED_CACHE_CONTROL).header('etag', etag);
    if (request.headers['if-none-match'] === etag) return reply.code(304).send();
    return reply.code(200).type(FEED_CONTENT_TYPE).send(body);
  });
}

function notFound(reply: FastifyReply): FastifyReply {
  return reply.code(404).header('cache-control', 'no-store').type('text/plain; charset=utf-8').send('Not Found\n');
}

const STAGE_SV: Record<DeliverableStatusRow['stage'], string> = {
  planned: 'inte öppnad än',
  open: 'öppen',
  submitted: 'inlämnad',
  returned: 'återremitterad för komplettering',
  approved: 'godkänd',
  exempt: 'undantagen',
  cancelled: 'avbruten',
};

/** An iCalendar UID from a workflow ID: slashes become dots (IDs never contain dots), ASCII only. */
function uidOf(workflowId: string): string {
  return `${workflowId.replace(/\//g, '.').replace(/[^\x21-\x7e]/g, '_')}@arshjul`;
}

function milestoneEvents(cycles: StoredCycle[]): FeedEvent[] {
  return cycles.flatMap((cycle) =>
    cycle.calendar.phases
      .filter((p): p is MilestonePhase => p.kind === 'milestone')
      .map((milestone) => ({
        uid: uidOf(`${cycle.workflowId}/${milestone.id}`),
        title: `${milestone.name} (budgetår ${cycle.budgetYear})`,
        description: `Milstolpe (${milestone.owner}), planerat datum.`,
        start: formatWithOffset(
          zonedInstant(milestone.date, '00:00', cycle.calendar.timeZone),
          cycle.calendar.timeZone,
        ),
        allDay: milestone.date,
        categories: ['Milstolpe'],
      })),
  );
}

/** The newest of the given instants, or undefined (the feed's DTSTAMP is then the epoch). */
function newest(instants: Date[]): Date | undefined {
  return instants.reduce<Date | undefined>((max, at) => (max === undefined || at > max ? at : max), undefined);
}

/** Deadlines in time order, milestones (all-day) at the start of their day; UID breaks ties. */
function byTime(a: FeedEvent, b: FeedEvent): number {
  return Date.parse(a.start) - Date.parse(b.start) || a.uid.localeCompare(b.uid);
}

/** The feed's iCalendar text. Deterministic: DTSTAMP is the newest change it shows. */
export async function renderFeed(db: Queryable, feed: Pick<ResolvedCalendarFeed, 'scope' | 'municipality'>) {
  const cycles = await listCycles(db, feed.municipality);
  return feed.scope.kind === 'board'
    ? renderBoardFeed(db, feed.municipality, feed.scope, cycles)
    : renderCommitteeFeed(db, feed.municipality, cycles);
}

type BoardRow = Pick<
  DeliverableStatusRow,
  'workflow_id' | 'budget_year' | 'phase_id' | 'board_id' | 'stage' | 'late' | 'deadline_at' | 'updated_at'
>;

async function renderBoardFeed(
  db: Queryable,
  municipality: string,
  scope: Extract<FeedScope, { kind: 'board' }>,
  cycles: StoredCycle[],
): Promise<string> {
  const [rows, names] = await Promise.all([
    db.query<BoardRow>(
      `SELECT workflow_id, budget_year, phase_id, board_id, stage, late, deadline_at, updated_at
         FROM deliverable_status WHERE municipality = $1 AND answering_board_id = $2
        ORDER BY deadline_at, workflow_id`,
      [municipality, scope.boardId],
    ),
    db.query<{ id: string; name: string }>('SELECT id, name FROM organisations WHERE municipality = $1', [
      municipality,
    ]),
  ]);
  const nameOf = new Map(names.rows.map((r) => [r.id, r.name]));
  const boardName = nameOf.get(scope.boardId) ?? scope.boardId;
  const phaseName = (year: number, phaseId: string): string =>
    cycles.find((c) => c.budgetYear === year)?.calendar.phases.find((p) => p.id === phaseId)?.name ?? phaseId;

  const deadlines = rows.rows.map((row): FeedEvent => {
    const status = `Status: ${STAGE_SV[row.stage]}${row.late ? ' — försenad' : ''}.`;
    const lines = [
      boardName,
      status,
      `Sista dag: ${formatSwedishDateTime(row.deadline_at)}.`,
      ...(row.board_id !== scope.boardId ? [`Övertagen från ${nameOf.get(row.board_id) ?? row.board_id}.`] : []),
    ];
    return {
      uid: uidOf(row.workflow_id),
      title: `Sista dag: ${phaseName(row.budget_year, row.phase_id)} (budgetår ${row.budget_year})`,
      description: lines.join('\n'),
      start: row.deadline_at.toISOString(),
      categories: ['Sista dag'],
    };
  });
  return renderCalendarFeed({
    name: `Årshjul — ${boardName}`,
    description: `Sista dagar och milstolpar för ${boardName} i stadens budget- och uppföljningsarbete.`,
    events: [...deadlines, ...milestoneEvents(cycles)].sort(byTime),
    generatedAt: newest([...rows.rows.map((r) => r.updated_at), ...cycles.map((c) => c.startedAt)]),
  });
}

interface PhaseStatusRow {
  budget_year: number;
  phase_id: string;
  total: number;
  submitted: number;
  exempt: number;
  late: number;
  latest_deadline_at: Date;
  updated_at: Date;
}

/** The instant a deliverable phase's deadline falls on: 23:59 Stockholm, after the law's shift. */
function phaseDeadline(calendar: CycleCalendar, phase: DeliverablePhase) {
  const legal = legalDeadline(phase.deadline);
  const at = zonedInstant(legal.date, phase.deadlineTime ?? calendar.deadlineTime, calendar.timeZone);
  return { legal, at };
}

function countOf(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

async function renderCommitteeFeed(db: Queryable, municipality: string, cycles: StoredCycle[]): Promise<string> {
  const status = await db.query<PhaseStatusRow>(
    `SELECT budget_year, phase_id, count(*)::int AS total,
            count(*) FILTER (WHERE stage IN ('submitted', 'approved'))::int AS submitted,
            count(*) FILTER (WHERE stage = 'exempt')::int AS exempt,
            count(*) FILTER (WHERE late)::int AS late,
            max(deadline_at) AS latest_deadline_at, max(updated_at) AS updated_at
       FROM deliverable_status WHERE municipality = $1 GROUP BY budget_year, phase_id`,
    [municipality],
  );
  const statusOf = new Map(status.rows.map((r) => [`${r.budget_year}/${r.phase_id}`, r]));

  const deadlines = cycles.flatMap((cycle) =>
    cycle.calendar.phases
      .filter((p): p is DeliverablePhase => p.kind === 'deliverable')
      .map((phase): FeedEvent => {
        const { legal, at } = phaseDeadline(cycle.calendar, phase);
        const counts = statusOf.get(`${cycle.budgetYear}/${phase.id}`);
        const lines = [`Sista dag för nämnderna: ${formatSwedishDateTime(at)}.`];
        if (legal.shiftedFrom) {
          lines.push(
            `Flyttad från ${legal.shiftedFrom.date} (${legal.shiftedFrom.reason}) enligt lagen (1930:173) om beräkning av lagstadgad tid.`,
          );
        }
        if (phase.groupDeadlines?.length) lines.push('Vissa grupper av nämnder har en senare sista dag.');
        if (counts) {
          if (counts.latest_deadline_at.getTime() > at.getTime()) {
            lines.push(`Senaste sista dag för någon nämnd: ${formatSwedishDateTime(counts.latest_deadline_at)}.`);
          }
          const parts = [
            countOf(counts.total, 'leverans', 'leveranser'),
            countOf(counts.submitted, 'inlämnad', 'inlämnade'),
            ...(counts.exempt ? [countOf(counts.exempt, 'undantagen', 'undantagna')] : []),
            countOf(counts.late, 'försenad', 'försenade'),
          ];
          lines.push(`Läge: ${parts.join(', ')}.`);
        }
        return {
          uid: uidOf(`${cycle.workflowId}/${phase.id}`),
          title: `Sista dag: ${phase.name} (budgetår ${cycle.budgetYear})`,
          description: lines.join('\n'),
          start: at.toISOString(),
          categories: ['Sista dag'],
        };
      }),
  );
  return renderCalendarFeed({
    name: 'Årshjul — utskottet',
    description: 'Nämndernas sista dagar och årshjulets milstolpar, för utskottets uppföljning.',
    events: [...deadlines, ...milestoneEvents(cycles)].sort(byTime),
    generatedAt: newest([...status.rows.map((r) => r.updated_at), ...cycles.map((c) => c.startedAt)]),
  });
}
