import { z } from 'zod';
import { distinctGrants, Grant, grantTextSchema } from './grants';

/**
 * How a provider's groups become grants (issue 13): a mapping from group name (or object id, as
 * Entra ID sends them) to the grants its members hold, e.g.
 * `{ "arshjul-slk": ["admin"], "farsta-controllers": ["board:farsta:controller"] }`.
 * Kept as data (a file or table the sign-in side validates with this schema); a group the
 * mapping does not name gives nothing.
 */
export const groupMappingSchema = z.record(
  z.string().min(1, { message: 'must not be empty' }).max(500),
  z.array(grantTextSchema).min(1),
);
export type GroupMapping = z.output<typeof groupMappingSchema>;

/** The grants a person's groups give, without repeats (what `replaceProviderGrants` takes). */
export function grantsOfGroups(mapping: GroupMapping, groups: readonly string[]): Grant[] {
  return distinctGrants(groups.flatMap((group) => (Object.hasOwn(mapping, group) ? mapping[group]! : [])));
}
