import { z } from 'zod';
import { compareDates, isLocalDate } from './local-date';
import { contactRoles, organisationKinds } from './organisations';

/**
 * What a registry must be, as a file or the database gives it (organisations.ts has its kinds,
 * roles and lookups). Apart so that the workflows, which use only the lookups on registries
 * checked before they were started, never load it: a worker evaluates the workflows' modules
 * anew for every workflow it starts.
 */

/** A date YYYY-MM-DD and a real day (refusals.ts has one whose refusal says `bad-date`). */
export const localDateSchema = z.string().refine(isLocalDate, { message: 'must be a date YYYY-MM-DD' });

/**
 * The district head's old title, still accepted on input: a stadsdelsnämnd's contact given as
 * `forvaltningschef` (registries written before the city renamed the post, and the rows stored
 * from them) is read as its `stadsdelsdirektor`.
 */
function withDistrictHeadRenamed(raw: unknown): unknown {
  if (!raw || typeof raw !== 'object' || (raw as { kind?: unknown }).kind !== 'stadsdelsnamnd') return raw;
  const org = raw as { contacts?: unknown };
  if (!Array.isArray(org.contacts)) return raw;
  return {
    ...org,
    contacts: org.contacts.map((c: unknown) =>
      c && typeof c === 'object' && (c as { role?: unknown }).role === 'forvaltningschef'
        ? { ...c, role: 'stadsdelsdirektor' }
        : c,
    ),
  };
}

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

const nameSchema = z.string().min(1).max(200);

/** One name and the day it took effect (a company renamed: the new name from that day). */
const datedNameSchema = z.object({ name: nameSchema, from: localDateSchema }).strict();

export const organisationObjectSchema = z
  .object({
    id: idSchema,
    /** The name it has now (the last of `names` when those are given). */
    name: nameSchema,
    /**
     * Its names over time, oldest first, each in force from its `from` until the next one's; the
     * first also before its own `from`. Absent: it always had `name`. See nameOn.
     */
    names: z.array(datedNameSchema).min(1).optional(),
    kind: z.enum(organisationKinds),
    ...validitySchema,
    /**
     * A housing company the guidelines give a greater responsibility in local development, as it
     * owns much housing in the priority areas: its verksamhetsplan must state nämndmål or
     * aktiviteter for every priority area in force ("no part there" does not do for it).
     */
    greaterLocalResponsibility: z.literal(true).optional(),
    /** A group parent that also reports as a company in the cycle (its own plan and reports). */
    reportsAsCompany: z.literal(true).optional(),
    /** Who takes over its open deliverables when it ceases (mergers). */
    successorId: idSchema.optional(),
    /** The group parent of a company board (Stockholms Stadshus AB). */
    parentId: idSchema.optional(),
    contacts: z.array(contactSchema).default([]),
  })
  .strict();

export const organisationSchema = z.preprocess(withDistrictHeadRenamed, organisationObjectSchema);
export type Organisation = z.infer<typeof organisationObjectSchema>;

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
      datedNameIssues(org).forEach((issue) =>
        ctx.addIssue({ code: 'custom', path: ['organisations', index, ...issue.path], message: issue.message }),
      );
      if (org.greaterLocalResponsibility && org.kind !== 'bolagsstyrelse') {
        ctx.addIssue({
          code: 'custom',
          path: ['organisations', index, 'greaterLocalResponsibility'],
          message: `is for a company (bolagsstyrelse), not a ${org.kind}`,
        });
      }
      if (org.reportsAsCompany && org.kind !== 'koncernmoder') {
        ctx.addIssue({
          code: 'custom',
          path: ['organisations', index, 'reportsAsCompany'],
          message: `is for a group parent (koncernmoder), not a ${org.kind}: it reports as its kind does`,
        });
      }
      org.contacts.forEach((contact, c) => {
        if (contact.role === 'stadsdelsdirektor' && org.kind !== 'stadsdelsnamnd') {
          ctx.addIssue({
            code: 'custom',
            path: ['organisations', index, 'contacts', c, 'role'],
            message: `stadsdelsdirektor is a district's head; a ${org.kind} has a forvaltningschef or vd`,
          });
        }
      });
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

/** What is wrong with an organisation's dated names: paths relative to the organisation. */
function datedNameIssues(org: Organisation): Array<{ path: (string | number)[]; message: string }> {
  const names = org.names;
  if (!names?.length) return [];
  const issues: Array<{ path: (string | number)[]; message: string }> = [];
  names.forEach((entry, i) => {
    const previous = names[i - 1];
    if (previous && compareDates(entry.from, previous.from) <= 0) {
      issues.push({ path: ['names', i, 'from'], message: `must be after the previous name's (${previous.from})` });
    }
    if (org.validTo && compareDates(entry.from, org.validTo) > 0) {
      issues.push({ path: ['names', i, 'from'], message: `is after validTo (${org.validTo})` });
    }
  });
  const last = names[names.length - 1]!;
  if (last.name !== org.name) {
    issues.push({
      path: ['names', names.length - 1, 'name'],
      message: `the latest name must be the organisation's name (${org.name})`,
    });
  }
  return issues;
}
