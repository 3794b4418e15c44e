import type { Queryable } from './database';
import { PERSON_ID } from '../domain/principal';

/**
 * Names for the actors the record names (issue 13), looked up when a page is drawn: the audit
 * log and drafts keep a stable pseudonymous id (`person:p_…`, `token:tok_…`, `token:tok_… (owner
 * p_…)`, `cli:uid:<uid>`), so a person's name can be erased from `people`, and a token's owner
 * changed in `api_tokens`, while the record stays as it was. One query per page for all the ids
 * it shows, never one per row.
 */

/** What a page shows for an actor; never the bare id of a person. */
export interface ActorNames {
  label(actor: string): string;
}

/** A token as `api_tokens` holds it: what people named the script, and who answers for it. */
export interface TokenName {
  label: string;
  /** A person id (`p_…` or `person:p_…`) or free text, as the table holds it. */
  owner?: string;
}

/** Shown for a person whose details were erased or who is not known here. */
export const UNKNOWN_PERSON = 'okänd person';

const PERSON = /^person:(p_[a-z0-9]+)$/;
/** `token:tok_…`, `token:tok_… (owner p_…)`; before this form also `(owner <free text>)`. */
const TOKEN = /^token:(tok_[a-z0-9]+)(?: \(owner (.*)\))?$/;
/** The command line: the account's numeric uid (src/client/cli/output.ts `cliActor`). */
const CLI = /^cli:uid:(\d+|okänd)$/;
/** A record from before issue 13: `board:farsta (label, tok_…)`. */
const LEGACY = /^\S+ \((.*), [^,()]+\)$/;

/** A person id an owner names, as `p_…` or `person:p_…`. */
const ownerPersonId = (owner: string | undefined): string | undefined => {
  if (owner === undefined) return undefined;
  if (PERSON_ID.test(owner)) return owner;
  return PERSON.exec(owner)?.[1];
};

/** The person ids an actor refers to: a person's own, or a token owner that is a person. */
export function personIdsOf(actor: string): string[] {
  const person = PERSON.exec(actor);
  if (person) return [person[1]!];
  const owner = ownerPersonId(TOKEN.exec(actor)?.[2]);
  return owner ? [owner] : [];
}

const tokenIdOf = (actor: string): string | undefined => TOKEN.exec(actor)?.[1];

/** Labels from names already looked up (also for tests and pages that show no actor). */
export function actorNamesFrom(
  people: ReadonlyMap<string, string>,
  tokens: ReadonlyMap<string, TokenName> = new Map(),
): ActorNames {
  const personLabel = (id: string): string => people.get(id) ?? UNKNOWN_PERSON;
  // An owner's text from the table: a person by name, the command line in words, else as written.
  const ownerLabel = (owner: string): string => {
    const personId = ownerPersonId(owner);
    if (personId) return personLabel(personId);
    return cliLabel(owner) ?? owner;
  };
  return {
    label(actor: string): string {
      const person = PERSON.exec(actor);
      if (person) return personLabel(person[1]!);
      const token = TOKEN.exec(actor);
      if (token) {
        // A token by its label (what people named the script), with who answers for it: the
        // owner the record names when a person (who owned it then), else the table's owner.
        const recorded = token[2];
        const known = tokens.get(token[1]!);
        const owner =
          recorded !== undefined && ownerPersonId(recorded)
            ? personLabel(ownerPersonId(recorded)!)
            : known?.owner !== undefined
              ? ownerLabel(known.owner)
              : recorded; // a record from before owners were left out, of a token no longer known
        if (known) return owner ? `${known.label} (${owner})` : known.label;
        return owner ?? token[1]!;
      }
      return cliLabel(actor) ?? LEGACY.exec(actor)?.[1] ?? actor;
    },
  };
}

/** `cli:uid:0` → "kommandoraden (uid 0)"; older `cli:<user>` records stay as they are. */
function cliLabel(actor: string): string | undefined {
  const cli = CLI.exec(actor);
  if (!cli) return undefined;
  return cli[1] === 'okänd' ? 'kommandoraden (okänt konto)' : `kommandoraden (uid ${cli[1]})`;
}

/**
 * Looks up every person and token the actors name, and the people who own those tokens, in one
 * query, and labels them.
 */
export async function loadActorNames(db: Queryable, actors: Iterable<string | null | undefined>): Promise<ActorNames> {
  const list = [...new Set([...actors].filter((a): a is string => typeof a === 'string'))];
  const personIds = [...new Set(list.flatMap(personIdsOf))];
  const tokenIds = [...new Set(list.map(tokenIdOf).filter((t): t is string => t !== undefined))];
  if (!personIds.length && !tokenIds.length) return actorNamesFrom(new Map());
  // A row is a token's when its id is one (`tok_…`), a person's otherwise (`p_…`).
  const result = await db.query<{ id: string; name: string | null; owner: string | null }>(
    `SELECT id, name, NULL AS owner FROM people
      WHERE id = ANY($1::text[])
         OR id IN (SELECT regexp_replace(owner, '^person:', '') FROM api_tokens WHERE id = ANY($2::text[]))
     UNION ALL
     SELECT id, label AS name, owner FROM api_tokens WHERE id = ANY($2::text[])`,
    [personIds, tokenIds],
  );
  const people = new Map<string, string>();
  const tokens = new Map<string, TokenName>();
  for (const row of result.rows) {
    if (row.name === null) continue;
    if (row.id.startsWith('tok_'))
      tokens.set(row.id, { label: row.name, ...(row.owner !== null && { owner: row.owner }) });
    else people.set(row.id, row.name);
  }
  return actorNamesFrom(people, tokens);
}
