import type { Pool } from 'pg';
import type { Grant } from '../domain/grants';
import type { PersonPrincipal } from '../domain/principal';
import { findPerson, loadCurrentGrants, recordSignIn, replaceProviderGrants, SignInIdentity } from './people';

/**
 * What sign-in does with a person the provider vouched for: records the sign-in, makes the
 * provider-sourced memberships the grants mapped from the provider's groups, and returns the
 * principal with every grant in force now (manual ones, stand-ins, included).
 */
export async function signInPerson(
  pool: Pool,
  identity: SignInIdentity,
  providerGrants: readonly Grant[],
  now: Date = new Date(),
): Promise<PersonPrincipal> {
  const person = await recordSignIn(pool, identity, now);
  await replaceProviderGrants(pool, person.id, providerGrants, now);
  return personPrincipal(pool, person.id, now);
}

/** A signed-in person's principal as it stands now (a session re-reads it after its short cache). */
export async function personPrincipal(pool: Pool, personId: string, now: Date = new Date()): Promise<PersonPrincipal> {
  const [grants, person] = await Promise.all([loadCurrentGrants(pool, personId, now), findPerson(pool, personId)]);
  return { kind: 'person', personId, grants, ...(person?.name && { name: person.name }) };
}
