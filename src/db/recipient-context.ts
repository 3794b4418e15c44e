import type { BoardMember, StandInFor } from '../domain/board-recipients';
import type { Duty } from '../domain/grants';
import type { LocalDate } from '../domain/local-date';
import type { MailLanguage } from '../domain/swedish-format';
import { SettingsRow, settingsOf } from './board-people';
import { Queryable } from './database';
import type { RecipientPreference } from './recipient-preferences';
import { ORGANISATION_COLUMNS, OrganisationRow, RecipientOrganisations, toOrganisation } from './registry';

/** Whose recipients a notification looks up, and as of when. */
export interface RecipientContextRequest {
  /** The board's registry entry and people; none for a notification that names no board. */
  about?: { municipality: string; boardId: string };
  /** The instant the action fired: the board's grants in force then. */
  at: Date;
  /** Its Stockholm day: the stand-ins whose period covers it. */
  day: LocalDate;
  /** The addresses planned at opening (used where the registry has no entry). */
  planned: readonly string[];
}

/** What a notification needs to find its recipients, read in one statement. */
export interface RecipientContext {
  /** The board, its group parent and the committees (loadRecipientOrganisations). */
  organisations?: RecipientOrganisations;
  /** The board's people (loadBoardMembers) and their stand-ins (loadStandInsFor). */
  members: BoardMember[];
  standIns: StandInFor[];
  /** The preferences of these organisations' and the planned addresses (preferencesFor). */
  preferencesOf(addresses: readonly string[]): RecipientPreference[];
}

type PreferenceRow = { address: string; language: MailLanguage; weekly_digest: boolean };

/**
 * The recipients' context of many notifications in one statement (the mails of a burst in
 * flight, src/db/batcher.ts), as of the moment it runs: what loadRecipientOrganisations,
 * loadBoardMembers, loadStandInsFor and preferencesFor read, in their orders, one row per
 * notification. The preferences are read for every address of the organisations read (a
 * notification's registry addresses are among them) and the planned ones.
 */
export async function loadRecipientContexts(
  db: Queryable,
  requests: readonly RecipientContextRequest[],
): Promise<RecipientContext[]> {
  const rows = requests.map((r, i) => ({
    i,
    m: r.about?.municipality ?? null,
    b: r.about?.boardId ?? null,
    at: r.at,
    day: r.day,
    planned: r.planned,
  }));
  const result = await db.query<{
    i: number;
    organisations: OrganisationRow[];
    members: (SettingsRow & { duties: Duty[] })[];
    stand_ins: (SettingsRow & { absent_id: string })[];
    preferences: PreferenceRow[];
  }>(
    `WITH q AS (
       SELECT * FROM jsonb_to_recordset($1::jsonb) AS q(i integer, m text, b text, at timestamptz, day date, planned text[])
     ), orgs AS (
       -- The board and its parent by the primary key, the committees by their index.
       SELECT q.i, ${ORGANISATION_COLUMNS} FROM q JOIN organisations o ON o.municipality = q.m AND o.id = q.b
       UNION
       SELECT parent.i, ${ORGANISATION_COLUMNS}
         FROM (SELECT q.i, q.m, board.parent_id AS up
                 FROM q JOIN organisations board ON board.municipality = q.m AND board.id = q.b) parent
         JOIN organisations o ON o.municipality = parent.m AND o.id = parent.up
       UNION
       SELECT q.i, ${ORGANISATION_COLUMNS} FROM q JOIN organisations o ON o.municipality = q.m
         AND o.kind IN ('utskott', 'slk')
     ), members AS (
       SELECT q.i, p.id, p.email, p.language, p.weekly_digest, p.muted_boards,
              array_agg(DISTINCT m.duty ORDER BY m.duty) AS duties
         FROM q JOIN memberships m ON m.grant_kind = 'board' AND m.board_id = q.b
          AND m.valid_from <= q.at AND (m.valid_to IS NULL OR m.valid_to > q.at)
         JOIN people p ON p.id = m.person_id
        GROUP BY q.i, p.id
     )
     SELECT q.i,
       (SELECT coalesce(json_agg(orgs ORDER BY orgs.id), '[]') FROM orgs WHERE orgs.i = q.i) AS organisations,
       (SELECT coalesce(json_agg(members ORDER BY members.id), '[]') FROM members WHERE members.i = q.i) AS members,
       (SELECT coalesce(json_agg(s ORDER BY s.absent_id, s.valid_from), '[]') FROM (
          SELECT s.person_id AS absent_id, s.valid_from, p.id, p.email, p.language, p.weekly_digest, p.muted_boards
            FROM members JOIN stand_ins s ON s.person_id = members.id JOIN people p ON p.id = s.stand_in_id
           WHERE members.i = q.i AND s.valid_from <= q.day AND s.valid_to >= q.day) s) AS stand_ins,
       (SELECT coalesce(json_agg(r), '[]') FROM (
          SELECT address, language, weekly_digest FROM recipient_preferences
           WHERE address IN (SELECT lower(c->>'email') FROM orgs, jsonb_array_elements(orgs.contacts) c WHERE orgs.i = q.i
                             UNION SELECT lower(a) FROM unnest(q.planned) a)) r) AS preferences
     FROM q ORDER BY q.i`,
    [JSON.stringify(rows)],
  );
  return result.rows.map((row, i) => {
    const { about } = requests[i]!;
    const organisations = row.organisations.map(toOrganisation);
    const board = about && organisations.find((o) => o.id === about.boardId);
    const stored = new Map(row.preferences.map((p) => [p.address, p]));
    return {
      ...(board && {
        organisations: { board, related: { municipality: about.municipality, organisations, priorityAreas: [] } },
      }),
      members: row.members.map((m) => ({ ...settingsOf(m), duties: m.duties })),
      standIns: row.stand_ins.map((s) => ({ absentPersonId: s.absent_id, standIn: settingsOf(s) })),
      preferencesOf: (addresses) =>
        addresses.map((address) => {
          const found = stored.get(address.toLowerCase());
          return { address, language: found?.language ?? 'sv', weeklyDigest: found?.weekly_digest ?? false };
        }),
    };
  });
}
