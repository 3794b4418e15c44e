import type { Pool } from 'pg';
import { appendAuditEvent } from '../../db/audit-log';
import { withTransaction } from '../../db/database';
import { loadCurrentGrants } from '../../db/people';
import {
  addStandIns,
  findSignedInPeopleByEmail,
  listComingStandIns,
  listStandingInFor,
  loadPersonSettings,
  removeComingStandIns,
  updatePersonSettings,
} from '../../db/person-settings';
import { MUNICIPALITY_TIME_ZONE } from '../../domain/glossary';
import type { LocalDate } from '../../domain/local-date';
import { checkStandInPeriods, personSettingsInputSchema } from '../../domain/person-settings';
import { actorOf, Principal } from '../../domain/principal';
import type { MailLanguage } from '../../domain/swedish-format';
import { localDateOf } from '../../domain/zoned-time';
import { notFound, OperationError, parseInput } from './operation-error';

/**
 * A person's own settings (issue 13, self-service), for the page /mina-installningar and
 * GET/PUT /api/me/settings: one place that validates, stores under the version check and
 * records who named whom as stand-in, with ids only.
 */

export interface PersonSettingsView {
  version: number;
  language: MailLanguage;
  weeklyDigest: boolean;
  /** The boards the person holds grants at (their own, not as a stand-in), and whether mailed. */
  boards: { boardId: string; mailed: boolean }[];
  mailBoards: string[];
  /** Stand-ins not ended before today, by first day. */
  standIns: { personId: string; email?: string; from: LocalDate; to: LocalDate }[];
  /** Those the person stands in for, in periods not ended. */
  standingInFor: { personId: string; email?: string; from: LocalDate; to: LocalDate }[];
}

/** Machine tokens have no settings: 403 with a stable code. */
function personIdOf(principal: Principal): string {
  if (principal.kind !== 'person') {
    throw new OperationError(403, 'role', 'settings belong to people who sign in, not to keys', 'person-only');
  }
  return principal.personId;
}

/** The boards a person holds a board grant at, sorted (their own grants: a stand-in's are lent). */
async function heldBoards(pool: Pool, personId: string, now: Date): Promise<string[]> {
  const grants = await loadCurrentGrants(pool, personId, now);
  return [...new Set(grants.flatMap((g) => (g.kind === 'board' ? [g.boardId] : [])))].sort();
}

export function createPersonSettingsOperations(pool: Pool, clock: () => Date = () => new Date()) {
  async function read(principal: Principal): Promise<PersonSettingsView> {
    const personId = personIdOf(principal);
    const now = clock();
    const today = localDateOf(now, MUNICIPALITY_TIME_ZONE);
    const [settings, boards, standIns, standingInFor] = await Promise.all([
      loadPersonSettings(pool, personId),
      heldBoards(pool, personId, now),
      listComingStandIns(pool, personId, today),
      listStandingInFor(pool, personId, today),
    ]);
    if (!settings) throw notFound('person');
    const muted = new Set(settings.mutedBoards);
    return {
      version: settings.version,
      language: settings.language,
      weeklyDigest: settings.weeklyDigest,
      boards: boards.map((boardId) => ({ boardId, mailed: !muted.has(boardId) })),
      mailBoards: boards.filter((b) => !muted.has(b)),
      standIns: standIns.map((s) => ({
        personId: s.standInId,
        ...(s.standInEmail !== undefined && { email: s.standInEmail }),
        from: s.from,
        to: s.to,
      })),
      standingInFor: standingInFor.map((s) => ({
        personId: s.personId,
        ...(s.standInEmail !== undefined && { email: s.standInEmail }),
        from: s.from,
        to: s.to,
      })),
    };
  }

  /**
   * Replaces the caller's settings and coming stand-ins. Bad input is refused (400) naming the
   * field, with nothing changed; a change based on an older version than the stored one is
   * refused (409 `edited-by-someone-else`), also with nothing changed.
   */
  async function save(principal: Principal, input: unknown): Promise<PersonSettingsView> {
    const personId = personIdOf(principal);
    const now = clock();
    const today = localDateOf(now, MUNICIPALITY_TIME_ZONE);
    const settings = parseInput(personSettingsInputSchema, input);
    const [periodRefusal] = checkStandInPeriods(settings.standIns, today);
    if (periodRefusal) throw OperationError.of(400, periodRefusal);

    const boards = await heldBoards(pool, personId, now);
    const notHeld = settings.mailBoards.findIndex((b) => !boards.includes(b));
    if (notHeld >= 0) {
      throw new OperationError(400, `mailBoards.${notHeld}`, 'is not a board you hold a role at', 'not-held');
    }
    const byEmail = await findSignedInPeopleByEmail(
      pool,
      settings.standIns.map((s) => s.email),
    );
    const standIns = settings.standIns.map((s, i) => {
      const standInId = byEmail.get(s.email.toLowerCase());
      if (!standInId) {
        throw new OperationError(
          400,
          `standIns.${i}.email`,
          'no one with this address has signed in',
          'unknown-person',
        );
      }
      if (standInId === personId) {
        throw new OperationError(400, `standIns.${i}.email`, 'cannot be yourself', 'own-stand-in');
      }
      return { standInId, from: s.from, to: s.to };
    });

    const actor = actorOf(principal);
    await withTransaction(pool, async (tx) => {
      const version = await updatePersonSettings(tx, personId, settings.version, {
        language: settings.language,
        weeklyDigest: settings.weeklyDigest,
        mutedBoards: boards.filter((b) => !settings.mailBoards.includes(b)),
      });
      if (version === undefined) {
        throw new OperationError(
          409,
          'version',
          'the settings were changed since they were read',
          'edited-by-someone-else',
          { what: 'settings' },
        );
      }
      const removed = await removeComingStandIns(tx, personId, today);
      await addStandIns(tx, personId, standIns, actor, now);
      // Ids and dates only: erasing a person's name and address leaves this meaningful.
      await appendAuditEvent(tx, {
        occurredAt: now,
        workflowId: `people/${personId}`,
        kind: 'person-settings-changed',
        actor,
        eventKey: `person-settings#${personId}#${version}`,
        payload: {
          personId,
          version,
          language: settings.language,
          weeklyDigest: settings.weeklyDigest,
          mailBoards: settings.mailBoards,
          standIns: standIns.map((s) => ({ standInId: s.standInId, from: s.from, to: s.to })),
          standInsReplaced: removed.map((s) => ({ standInId: s.standInId, from: s.from, to: s.to })),
        },
      });
    });
    return read(principal);
  }

  return { read, save };
}

export type PersonSettingsOperations = ReturnType<typeof createPersonSettingsOperations>;
