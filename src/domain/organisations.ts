import { compareDates, LocalDate } from './local-date';
import type { Organisation, PriorityArea, Registry } from './registry-schema';

/**
 * The effective-dated organisation registry: boards merge and split (1 Jul 2020, 1 Jul 2023),
 * contacts change, and priority areas are served by whichever board covers them on a date.
 * Its kinds, roles and lookups; its schema (what a registry file must be) is registry-schema.ts,
 * apart, because the workflows use the lookups and must not build a schema when they load.
 */

export type { Organisation, PriorityArea, Registry };

export const organisationKinds = [
  'stadsdelsnamnd', // district council
  'facknamnd', // service board
  'bolagsstyrelse', // company board
  'kommunstyrelse', // Kommunstyrelsen: reports on its own plans like a board
  'utskott', // the committee that follows up local development work
  'koncernmoder', // group parent: Stockholms Stadshus AB
  'slk', // city management office
] as const;
export type OrganisationKind = (typeof organisationKinds)[number];

/**
 * Kinds that deliver: the audience of deliverable phases. Kommunstyrelsen has its own plans and
 * reports; a group parent (Stockholms Stadshus AB) delivers only where the registry says it
 * reports as a company (reportsAsCompany; see deliversReports), besides being the first
 * escalation step for its companies.
 */
export const boardKinds: readonly OrganisationKind[] = [
  'stadsdelsnamnd',
  'facknamnd',
  'kommunstyrelse',
  'bolagsstyrelse',
  'koncernmoder',
];

/**
 * Contact roles. A district's head is its stadsdelsdirektör (so the city names the post today);
 * a service board's its förvaltningschef; a company's its VD. `controller`: SLK's controller,
 * who may take the last escalation step of a phase (issue 14).
 */
export const contactRoles = [
  'registrator',
  'forvaltningschef',
  'stadsdelsdirektor',
  'vd',
  'ordforande',
  'controller',
] as const;
export type ContactRole = (typeof contactRoles)[number];

/**
 * The roles that name the head of administration, whatever the board calls the post: a ladder
 * step or a mail to one reaches the other (a district's stadsdelsdirektör is its förvaltningschef).
 */
export const headOfAdministrationRoles: readonly ContactRole[] = ['forvaltningschef', 'stadsdelsdirektor'];

/** Whether the organisation delivers in a cycle (a phase's audience can reach it). */
export function deliversReports(org: Pick<Organisation, 'kind' | 'reportsAsCompany'>): boolean {
  return boardKinds.includes(org.kind) && (org.kind !== 'koncernmoder' || org.reportsAsCompany === true);
}

/**
 * The name an organisation had on a date: the last of its dated names in force by then (the
 * first before any took effect), or its only name. Pages, mails and exports name a board with
 * the name it had on the day they concern.
 */
export function nameOn(org: Pick<Organisation, 'name' | 'names'>, date: LocalDate): string {
  if (!org.names) return org.name;
  let name = org.names[0]!.name;
  for (const entry of org.names) if (compareDates(entry.from, date) <= 0) name = entry.name;
  return name;
}

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
