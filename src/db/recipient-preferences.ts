import { z } from 'zod';
import { mailLanguages, MailLanguage } from '../domain/swedish-format';
import { Queryable } from './database';

export interface RecipientPreference {
  address: string;
  language: MailLanguage;
  weeklyDigest: boolean;
}

export const recipientPreferenceSchema = z
  .object({
    address: z.email({ message: 'must be an e-mail address' }).transform((a) => a.toLowerCase()),
    language: z.enum(mailLanguages, { message: 'must be sv or en' }),
    weeklyDigest: z.boolean(),
  })
  .strict();

/** Sets one recipient's preferences (validated; a bad value changes nothing). */
export async function setRecipientPreference(db: Queryable, input: unknown): Promise<RecipientPreference> {
  const pref = recipientPreferenceSchema.parse(input);
  await db.query(
    `INSERT INTO recipient_preferences (address, language, weekly_digest) VALUES ($1, $2, $3)
     ON CONFLICT (address) DO UPDATE SET language = EXCLUDED.language, weekly_digest = EXCLUDED.weekly_digest,
       updated_at = now()`,
    [pref.address, pref.language, pref.weeklyDigest],
  );
  return pref;
}

/** The preferences of the given addresses; an address without a row gets Swedish, no digest. */
export async function preferencesFor(db: Queryable, addresses: string[]): Promise<RecipientPreference[]> {
  const lower = addresses.map((a) => a.toLowerCase());
  const result = await db.query<{ address: string; language: MailLanguage; weekly_digest: boolean }>(
    'SELECT address, language, weekly_digest FROM recipient_preferences WHERE address = ANY($1)',
    [lower],
  );
  const stored = new Map(result.rows.map((r) => [r.address, r]));
  return addresses.map((address) => {
    const row = stored.get(address.toLowerCase());
    return { address, language: row?.language ?? 'sv', weeklyDigest: row?.weekly_digest ?? false };
  });
}

/**
 * Who takes the weekly digest: addresses that asked for it, and people who chose it on their
 * own page (issue 13; by their e-mail, the address's own preference first where both exist).
 */
export async function listDigestSubscribers(db: Queryable): Promise<RecipientPreference[]> {
  const result = await db.query<{ address: string; language: MailLanguage }>(
    `SELECT DISTINCT ON (address) address, language FROM (
       SELECT address, language, 0 AS rank FROM recipient_preferences WHERE weekly_digest
       UNION ALL
       SELECT lower(email), language, 1 FROM people WHERE weekly_digest AND email IS NOT NULL
     ) AS subscribers
     ORDER BY address, rank`,
  );
  return result.rows.map((r) => ({ address: r.address, language: r.language, weeklyDigest: true }));
}
