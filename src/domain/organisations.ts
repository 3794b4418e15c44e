import { z } from 'zod';
import { compareDates, isLocalDate, LocalDate } from './local-date';

/**
 * The effective-dated organisation registry: boards merge and split (1 Jul 2020, 1 Jul 2023),
 * contacts change, and priority areas are served by whichever board covers them on a date.
 */

export const localDateSchema = z.string().refine(isLocalDate, { message: 'must be a date YYYY-MM-DD' });

export const organisationKinds = [
  'stadsdelsnamnd', // district council
  'facknamnd', // service board
  'bolagsstyrelse', // company board
  'utskott', // the committee that follows up local development work
  'koncernmoder', // group parent: Stockholms Stadshus AB
  'slk', // city management office
] as const;
export type OrganisationKind = (typeof organisationKinds)[number];

/** Kinds that deliver: the audience of deliverable phases. */
export const boardKinds: readonly OrganisationKind[] = ['stadsdelsnamnd', 'facknamnd', 'bolagsstyrelse'];

// `controller`: SLK's controller, who may take the last escalation step of a phase (issue 14).
export const contactRoles = ['registrator', 'forvaltningschef', 'vd', 'ordforande', 'controller'] as const;
export type ContactRole = (typeof contactRoles)[number];

const idSchema = z
  .string()
  .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, { message: 'must be lower-case letters, digits and dashes' });

const contactSchema = z
  .object({
    role: z.enum(contactRoles),
    name: z.string().min(1).max(200).optional(),
    email: z.email({ message: 'must be an e-mail address' }),
  })
  .strict();

const validitySchema = {
  validFrom: localDateSchema,
  /** Last day of validity (inclusive); absent while it exists. */
  validTo: localDateSchema.optional(),
};

export const organisationSchema = z
  .object({
    id: idSchema,
    name: z.string().min(1).max(200),
    kind: z.enum(organisationKinds),
    ...validitySchema,
    /** Who takes over its open deliverables when it ceases (mergers). */
    successorId: idSchema.optional(),
    /** The group parent of a company board (Stockholms Stadshus AB). */
    parentId: idSchema.optional(),
    contacts: z.array(contactSchema).default([]),
  })
  .strict();
export type Organisation = z.infer<typeof organisationSchema>;

export const priorityAreaSchema = z
  .object({
    id: idSchema,
    name: z.string().min(1).max(200),
    ...validitySchema,
    /** Which board served the area when: follows the mergers. */
    servedBy: z.array(z.object({ boardId: idSchema, ...validitySchema }).strict()).min(1),
  })
  .strict();
export type PriorityArea = z.infer<typeof priorityAreaSchema>;

export const registrySchema = z
  .object({
    municipality: idSchema,
    organisations: z.array(organisationSchema).min(1),
    priorityAreas: z.array(priorityAreaSchema).default([]),
  })
  .strict()
  .superRefine((registry, ctx) => {
    const ids = new Map<string, number>();
    registry.organisations.forEach((org, index) => {
      if (ids.has(org.id)) {
        ctx.addIssue({ code: 'custom', path: ['organisations', index, 'id'], message: `duplicate id ${org.id}` });
      }
      ids.set(org.id, index);
      if (org.validTo && compareDates(org.validTo, org.validFrom) < 0) {
        ctx.addIssue({ code: 'custom', path: ['organisations', index, 'validTo'], message: 'is before validFrom' });
      }
    });
    registry.organisations.forEach((org, index) => {
      for (const field of ['successorId', 'parentId'] as const) {
        const ref = org[field];
        if (ref && !ids.has(ref)) {
          ctx.addIssue({
            code: 'custom',
            path: ['organisations', index, field],
            message: `unknown organisation ${ref}`,
          });
        }
      }
    });
    registry.priorityAreas.forEach((area, areaIndex) =>
      area.servedBy.forEach((served, index) => {
        if (!ids.has(served.boardId)) {
          ctx.addIssue({
            code: 'custom',
            path: ['priorityAreas', areaIndex, 'servedBy', index, 'boardId'],
            message: `unknown organisation ${served.boardId}`,
          });
        }
      }),
    );
  });
export type Registry = z.infer<typeof registrySchema>;

export function isValidOn(entry: { validFrom: LocalDate; validTo?: LocalDate }, date: LocalDate): boolean {
  return compareDates(entry.validFrom, date) <= 0 && (!entry.validTo || compareDates(date, entry.validTo) <= 0);
}

export function organisationsOn(registry: Registry, date: LocalDate): Organisation[] {
  return registry.organisations.filter((org) => isValidOn(org, date));
}

export function findOrganisation(registry: Registry, id: string): Organisation | undefined {
  return registry.organisations.find((org) => org.id === id);
}

/**
 * The organisation that answers for `id` on `date`: itself while it exists, else its successor
 * (followed through several mergers). Undefined when the chain ends without a valid one.
 */
export function responsibleOn(registry: Registry, id: string, date: LocalDate): Organisation | undefined {
  const seen = new Set<string>();
  let current = findOrganisation(registry, id);
  while (current && !seen.has(current.id)) {
    if (isValidOn(current, date)) return current;
    seen.add(current.id);
    current = current.successorId ? findOrganisation(registry, current.successorId) : undefined;
  }
  return undefined;
}

/** The boards serving a priority area on a date. */
export function boardsServingArea(registry: Registry, areaId: string, date: LocalDate): Organisation[] {
  const area = registry.priorityAreas.find((a) => a.id === areaId);
  if (!area) return [];
  return area.servedBy
    .filter((served) => isValidOn(served, date))
    .map((served) => findOrganisation(registry, served.boardId))
    .filter((org): org is Organisation => org !== undefined);
}

/** Contacts of one organisation with the given roles. */
export function contactsOf(org: Organisation, roles: readonly ContactRole[]): Organisation['contacts'] {
  return org.contacts.filter((contact) => roles.includes(contact.role));
}

/** The priority areas in force on a date. */
export function priorityAreasOn(registry: Registry, date: LocalDate): PriorityArea[] {
  return registry.priorityAreas.filter((area) => isValidOn(area, date));
}

/** Priority areas in force on a date, with the boards that serve each (the 2015 mapping, effective-dated). */
export function priorityAreaMapping(registry: Registry, onDate: LocalDate) {
  return priorityAreasOn(registry, onDate).map((area) => ({
    id: area.id,
    name: area.name,
    servedBy: boardsServingArea(registry, area.id, onDate).map((b) => ({ id: b.id, name: b.name })),
  }));
}
