import type { Pool } from 'pg';
import { z } from 'zod';
import { listMembershipsInForce, listNotSignedInBeforeDeadline } from '../../db/people-admin';
import { addDays } from '../../domain/local-date';
import type { ReadSnapshot } from './read-cache';
import { parseInput } from './operation-error';

/**
 * SLK's people overview (issue 13), the same for `GET /api/people` and the page `/personer`:
 * who holds which grant at which board, and who with a duty at a board whose deliverable is due
 * within `withinDays` has not signed in since it opened ("har inte loggat in före sista dagen").
 */

export const DEFAULT_WITHIN_DAYS = 14;

export const peopleQuerySchema = z
  .object({
    withinDays: z.coerce
      .number({ message: 'must be a whole number of days' })
      .int({ message: 'must be a whole number of days' })
      .min(0, { message: 'must be between 0 and 365' })
      .max(365, { message: 'must be between 0 and 365' })
      .optional(),
  })
  .strict();

export interface PeopleOverview {
  format: 'arshjul-people/1';
  /** Today in Stockholm, and the last deadline counted as near. */
  today: string;
  until: string;
  withinDays: number;
  memberships: {
    personId: string;
    name: string | null;
    email: string | null;
    grant: string;
    boardId: string | null;
    boardName: string | null;
    duty: string | null;
    source: 'provider' | 'manual';
    since: string;
    until: string | null;
    lastSignInAt: string | null;
  }[];
  notSignedIn: {
    workflowId: string;
    budgetYear: number;
    phaseId: string;
    phaseName: string;
    boardId: string;
    boardName: string;
    deadline: string;
    openedAt: string | null;
    people: {
      personId: string;
      name: string | null;
      email: string | null;
      duty: string;
      lastSignInAt: string | null;
    }[];
  }[];
}

export async function peopleOverview(
  deps: { pool: Pool; municipality: string; snapshot: ReadSnapshot; today: string; now?: Date },
  query: unknown,
): Promise<PeopleOverview> {
  const { withinDays = DEFAULT_WITHIN_DAYS } = parseInput(peopleQuerySchema, query ?? {}, '(query)');
  const now = deps.now ?? new Date();
  const until = addDays(deps.today, withinDays);
  const [memberships, missing] = await Promise.all([
    listMembershipsInForce(deps.pool, now),
    listNotSignedInBeforeDeadline(deps.pool, deps.municipality, now, until),
  ]);
  const boardName = (id: string) => deps.snapshot.boardNames.get(id) ?? id;
  const phaseName = (year: number, phaseId: string) =>
    deps.snapshot.cycles.find((c) => c.budgetYear === year)?.calendar.phases.find((p) => p.id === phaseId)?.name ??
    phaseId;
  const groups = new Map<string, PeopleOverview['notSignedIn'][number]>();
  for (const row of missing) {
    let group = groups.get(row.workflowId);
    if (!group) {
      group = {
        workflowId: row.workflowId,
        budgetYear: row.budgetYear,
        phaseId: row.phaseId,
        phaseName: phaseName(row.budgetYear, row.phaseId),
        boardId: row.boardId,
        boardName: boardName(row.boardId),
        deadline: row.deadline,
        openedAt: row.openedAt?.toISOString() ?? null,
        people: [],
      };
      groups.set(row.workflowId, group);
    }
    group.people.push({
      personId: row.personId,
      name: row.name,
      email: row.email,
      duty: row.duty,
      lastSignInAt: row.lastSignInAt?.toISOString() ?? null,
    });
  }
  return {
    format: 'arshjul-people/1',
    today: deps.today,
    until,
    withinDays,
    memberships: memberships.map((m) => ({
      personId: m.personId,
      name: m.name,
      email: m.email,
      grant: m.grantKind === 'board' ? `board:${m.boardId}:${m.duty}` : m.grantKind,
      boardId: m.boardId,
      boardName: m.boardId ? boardName(m.boardId) : null,
      duty: m.duty,
      source: m.source,
      since: m.validFrom.toISOString(),
      until: m.validTo?.toISOString() ?? null,
      lastSignInAt: m.lastSignInAt?.toISOString() ?? null,
    })),
    notSignedIn: [...groups.values()],
  };
}
