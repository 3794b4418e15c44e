import type { Grant, Scope } from './grants';

/**
 * Who calls: a person (signed in through the city's provider) or a machine token (scripts and
 * integrations). Both hold grants; a token is further narrowed by its scopes.
 */
export interface PersonPrincipal {
  kind: 'person';
  /** `p_…`: stable, pseudonymous; a name or address lives only in the people table. */
  personId: string;
  grants: readonly Grant[];
  /** The person's name, for the pages' header only; never in the record or a workflow's input. */
  name?: string;
}

export interface TokenPrincipal {
  kind: 'token';
  /** The token's public id (`tok_…`), never its secret. */
  tokenId: string;
  /** Who answers for the token: a person id (`p_…`) or free text such as a team's name. */
  owner: string;
  label: string;
  grants: readonly Grant[];
  scopes: readonly Scope[];
}

export type Principal = PersonPrincipal | TokenPrincipal;

/** A person's id: `p_…`, stable and pseudonymous. */
export const PERSON_ID = /^p_[a-z0-9]+$/;

/**
 * How the caller appears in the audit log: a stable pseudonymous id, never a name or an e-mail
 * address, so a person's details can be erased while the append-only record stays intact.
 */
export function actorId(principal: Principal): string {
  return principal.kind === 'person' ? `person:${principal.personId}` : `token:${principal.tokenId}`;
}

/**
 * The actor as recorded (audit log, drafts, workflow inputs). A token's owner follows it only
 * when the owner is a person id (`token:tok_… (owner p_…)`), because the owner is who answers for
 * a script's acts. A free-text owner (a team's or a person's name) is personal data that an
 * append-only record could never erase: it stays in `api_tokens` and pages look it up when drawn
 * (src/db/actor-names.ts).
 */
export function actorOf(principal: Principal): string {
  if (principal.kind === 'person' || !PERSON_ID.test(principal.owner)) return actorId(principal);
  return `${actorId(principal)} (owner ${principal.owner})`;
}
