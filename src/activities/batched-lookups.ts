import type { Pool } from 'pg';
import { createBatcher } from '../db/batcher';
import { preparedStatements } from '../db/database';
import { loadBoardMembersOfMany, loadStandInsOfMany } from '../db/board-people';
import { preferencesOfMany } from '../db/recipient-preferences';
import { loadRecipientOrganisationsOfMany } from '../db/registry';
import type { LocalDate } from '../domain/local-date';

/**
 * What a notification reads to find its recipients (the registry's board and committees, the
 * board's people and their stand-ins, the addresses' preferences), each read by the statement
 * of the mails in flight together (src/db/batcher.ts): as of the moment that statement runs, as
 * the single reads were, one round trip for a burst's twenty mails instead of twenty.
 */
export function batchedRecipientLookups(pool: Pool) {
  const db = preparedStatements(pool);
  const organisations = createBatcher((rows: readonly { municipality: string; boardId: string }[]) =>
    loadRecipientOrganisationsOfMany(db, rows),
  );
  const boardMembers = createBatcher((rows: readonly { boardId: string; at: Date }[]) =>
    loadBoardMembersOfMany(db, rows),
  );
  const standIns = createBatcher((rows: readonly { personIds: readonly string[]; day: LocalDate }[]) =>
    loadStandInsOfMany(db, rows),
  );
  const preferences = createBatcher((lists: readonly (readonly string[])[]) => preferencesOfMany(db, lists));
  return {
    organisations: (municipality: string, boardId: string) => organisations({ municipality, boardId }),
    boardMembers: (boardId: string, at: Date) => boardMembers({ boardId, at }),
    standIns: (personIds: readonly string[], day: LocalDate) =>
      personIds.length === 0 ? Promise.resolve([]) : standIns({ personIds, day }),
    preferences: (addresses: readonly string[]) => preferences(addresses),
  };
}
