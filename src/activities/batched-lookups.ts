import type { Pool } from 'pg';
import { createBatcher } from '../db/batcher';
import { perPool } from '../db/per-pool';
import { loadRecipientContexts, RecipientContext, RecipientContextRequest } from '../db/recipient-context';

/**
 * What a notification reads to find its recipients (the registry's board and committees, the
 * board's people and their stand-ins, the addresses' preferences), read by one statement for
 * the mails in flight together (src/db/batcher.ts): as of the moment that statement runs, as
 * the single reads were, one round trip for a burst's twenty mails instead of eighty. One batcher
 * per pool, shared by every activity set built on it.
 */
export const batchedRecipientLookups: (pool: Pool) => (request: RecipientContextRequest) => Promise<RecipientContext> =
  perPool((_pool, prepared) =>
    createBatcher((requests: readonly RecipientContextRequest[]) => loadRecipientContexts(prepared, requests)),
  );
