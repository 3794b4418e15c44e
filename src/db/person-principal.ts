import type { Pool } from 'pg';
import { MUNICIPALITY_TIME_ZONE } from '../domain/glossary';
import { distinctGrants, type Grant } from '../domain/grants';
import type { PersonPrincipal } from '../domain/principal';
import { localDateOf } from '../domain/zoned-time';
import { loadStandInGrants } from './person-settings';
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

/**
 * A signed-in person's principal as it stands now (a session re-reads it after its short cache):
 * the person's own grants and the board grants held as someone's stand-in on Stockholm's date.
 */
export async function personPrincipal(pool: Pool, personId: string, now: Date = new Date()): Promise<PersonPrincipal> {
  const [own, asStandIn, person] = await Promise.all([
    loadCurrentGrants(pool, personId, now),
    loadStandInGrants(pool, personId, localDateOf(now, MUNICIPALITY_TIME_ZONE), now),
    findPerson(pool, personId),
  ]);
  return {
    kind: 'person',
    personId,
    grants: distinctGrants([...own, ...asStandIn]),
    ...(person?.name && { name: person.name }),
  };
}
