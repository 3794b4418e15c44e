import type { Queryable } from './database';

/**
 * Names for the actors the record names (issue 13), looked up when a page is drawn: the audit
 * log and drafts keep a stable pseudonymous id (`person:p_…`, `token:tok_… (owner …)`), so a
 * person's name can be erased from `people` while the record stays as it was. One query per page
 * for all the ids it shows, never one per row.
 */

/** What a page shows for an actor; never the bare id of a person. */
export interface ActorNames {
  label(actor: string): string;
}

/** Shown for a person whose details were erased or who is not known here. */
export const UNKNOWN_PERSON = 'okänd person';

const PERSON = /^person:(p_[a-z0-9]+)$/;
const TOKEN = /^token:(tok_[a-z0-9]+)(?: \(owner (.*)\))?$/;
/** A record from before issue 13: `board:farsta (label, tok_…)`. */
const LEGACY = /^\S+ \((.*), [^,()]+\)$/;

/** The person ids an actor refers to: a person's own, or a token owner that is a person. */
export function personIdsOf(actor: string): string[] {
  const person = PERSON.exec(actor);
  if (person) return [person[1]!];
  const token = TOKEN.exec(actor);
  return token?.[2] && /^p_[a-z0-9]+$/.test(token[2]) ? [token[2]] : [];
}

const tokenIdOf = (actor: string): string | undefined => TOKEN.exec(actor)?.[1];

/** Labels from names already looked up (also for tests and pages that show no actor). */
export function actorNamesFrom(
  people: ReadonlyMap<string, string>,
  tokens: ReadonlyMap<string, string> = new Map(),
): ActorNames {
  const personLabel = (id: string): string => people.get(id) ?? UNKNOWN_PERSON;
  return {
    label(actor: string): string {
      const person = PERSON.exec(actor);
      if (person) return personLabel(person[1]!);
      const token = TOKEN.exec(actor);
      if (token) {
        // A token by its label (what people named the script); its owner too when that is a person.
        const owner = token[2];
        const personOwner = owner !== undefined && /^p_[a-z0-9]+$/.test(owner) ? personLabel(owner) : undefined;
        const tokenLabel = tokens.get(token[1]!);
        if (tokenLabel) return personOwner ? `${tokenLabel} (${personOwner})` : tokenLabel;
        return personOwner ?? owner ?? token[1]!;
      }
      return LEGACY.exec(actor)?.[1] ?? actor;
    },
  };
}

/** Looks up every person and token the actors name, in one query, and labels them. */
export async function loadActorNames(db: Queryable, actors: Iterable<string | null | undefined>): Promise<ActorNames> {
  const list = [...new Set([...actors].filter((a): a is string => typeof a === 'string'))];
  const personIds = [...new Set(list.flatMap(personIdsOf))];
  const tokenIds = [...new Set(list.map(tokenIdOf).filter((t): t is string => t !== undefined))];
  if (!personIds.length && !tokenIds.length) return actorNamesFrom(new Map());
  const result = await db.query<{ kind: 'person' | 'token'; id: string; name: string | null }>(
    `SELECT 'person' AS kind, id, name FROM people WHERE id = ANY($1::text[])
     UNION ALL
     SELECT 'token' AS kind, id, label AS name FROM api_tokens WHERE id = ANY($2::text[])`,
    [personIds, tokenIds],
  );
  const people = new Map<string, string>();
  const tokens = new Map<string, string>();
  for (const row of result.rows) {
    if (row.name === null) continue;
    (row.kind === 'person' ? people : tokens).set(row.id, row.name);
  }
  return actorNamesFrom(people, tokens);
}
