import { join } from 'node:path';
import { z } from 'zod';
import { DATA_DIR, DataFileError, readDataFile } from '../client/data-files';
import { formatPath } from '../domain/validate-calendar';

/**
 * The people of the development OpenID provider (issue 13), seeded from a data file shipped in
 * the repository. DEVELOPMENT ONLY: their passwords are public. Production signs people in at
 * the city's own identity provider, which knows the real people and their groups.
 */

const personSchema = z
  .object({
    /** The stable subject identifier the provider gives the person (`sub` in every token). */
    sub: z.string().regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, {
      message: 'must be lower-case letters, digits and dashes, e.g. dev-farsta-controller',
    }),
    name: z.string().trim().min(1, { message: 'must not be empty' }),
    email: z.string().regex(/^[^\s@]+@[^\s@]+\.example$/, {
      message: 'must be an address on a reserved .example domain (RFC 2606), e.g. anna@stockholm.example',
    }),
    /** Shown in `npm start`'s printout and on no page: what the person does. */
    title: z.string().trim().min(1, { message: 'must not be empty' }),
    password: z.string().min(8, { message: 'must be at least 8 characters' }),
    groups: z.array(z.string().regex(/^[^\s]{1,256}$/, { message: 'must be a group name without spaces' })),
  })
  .strict();

export const devPeopleSchema = z
  .object({
    people: z.array(personSchema).min(1, { message: 'must name at least one person' }),
  })
  .strict()
  .superRefine(({ people }, ctx) => {
    const subs = new Set<string>();
    const emails = new Set<string>();
    people.forEach((person, index) => {
      if (subs.has(person.sub))
        ctx.addIssue({ code: 'custom', path: ['people', index, 'sub'], message: `${person.sub} is named twice` });
      if (emails.has(person.email.toLowerCase()))
        ctx.addIssue({ code: 'custom', path: ['people', index, 'email'], message: `${person.email} is named twice` });
      subs.add(person.sub);
      emails.add(person.email.toLowerCase());
    });
  });

export type DevPerson = z.output<typeof personSchema>;

export function shippedDevPeoplePath(municipality = 'stockholm'): string {
  return join(DATA_DIR, municipality, 'dev-people.yaml');
}

/** Loads and validates the development people; every problem is named with its path. */
export function loadDevPeople(path: string): DevPerson[] {
  const parsed = devPeopleSchema.safeParse(readDataFile(path));
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${formatPath(i.path) || '(root)'}: ${i.message}`);
    throw new DataFileError(`${path}: invalid development people:\n  ${problems.join('\n  ')}`);
  }
  return parsed.data.people;
}
