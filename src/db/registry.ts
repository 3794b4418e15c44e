import { Organisation, Registry, registrySchema } from '../domain/registry-schema';
import { Queryable } from './database';

/**
 * Replaces a municipality's registry with the given one (callers pass a transaction, so readers
 * see the old registry or the new, never half of each).
 */
export async function replaceRegistry(db: Queryable, registry: Registry): Promise<void> {
  const m = registry.municipality;
  await db.query('DELETE FROM organisations WHERE municipality = $1', [m]);
  await db.query('DELETE FROM priority_areas WHERE municipality = $1', [m]);
  for (const o of registry.organisations) {
    await db.query(
      `INSERT INTO organisations (municipality, id, name, kind, valid_from, valid_to, successor_id, parent_id, contacts,
                                  names, greater_local_responsibility, reports_as_company)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
      [
        m,
        o.id,
        o.name,
        o.kind,
        o.validFrom,
        o.validTo ?? null,
        o.successorId ?? null,
        o.parentId ?? null,
        JSON.stringify(o.contacts),
        o.names ? JSON.stringify(o.names) : null,
        o.greaterLocalResponsibility === true,
        o.reportsAsCompany === true,
      ],
    );
  }
  for (const a of registry.priorityAreas) {
    await db.query(
      `INSERT INTO priority_areas (municipality, id, name, valid_from, valid_to, served_by) VALUES ($1, $2, $3, $4, $5, $6)`,
      [m, a.id, a.name, a.validFrom, a.validTo ?? null, JSON.stringify(a.servedBy)],
    );
  }
}

export interface OrganisationRow {
  id: string;
  name: string;
  kind: string;
  valid_from: string;
  valid_to: string | null;
  successor_id: string | null;
  parent_id: string | null;
  contacts: Organisation['contacts'];
  names: Organisation['names'] | null;
  greater_local_responsibility: boolean;
  reports_as_company: boolean;
}

export const ORGANISATION_COLUMNS = `id, name, kind, valid_from::text, valid_to::text, successor_id, parent_id, contacts,
  names, greater_local_responsibility, reports_as_company`;

export function toOrganisation(o: OrganisationRow): Organisation {
  return {
    id: o.id,
    name: o.name,
    kind: o.kind as Organisation['kind'],
    validFrom: o.valid_from,
    ...(o.valid_to && { validTo: o.valid_to }),
    ...(o.successor_id && { successorId: o.successor_id }),
    ...(o.parent_id && { parentId: o.parent_id }),
    ...(o.names && { names: o.names }),
    ...(o.greater_local_responsibility && { greaterLocalResponsibility: true as const }),
    ...(o.reports_as_company && { reportsAsCompany: true as const }),
    contacts: o.contacts,
  };
}

export interface RecipientOrganisations {
  board: Organisation;
  related: Registry;
}

/**
 * What a notification needs to find its recipients, in one query: the board, its group parent
 * and the committee (not the whole registry: this runs for every mail of a burst).
 */
export async function loadRecipientOrganisations(
  db: Queryable,
  municipality: string,
  boardId: string,
): Promise<RecipientOrganisations | undefined> {
  const rows = await db.query<OrganisationRow>(
    `SELECT ${ORGANISATION_COLUMNS} FROM organisations
     WHERE municipality = $1
       AND (id = $2 OR kind IN ('utskott', 'slk')
            OR id = (SELECT parent_id FROM organisations WHERE municipality = $1 AND id = $2))
     ORDER BY id`,
    [municipality, boardId],
  );
  const organisations = rows.rows.map(toOrganisation);
  const board = organisations.find((o) => o.id === boardId);
  return board && { board, related: { municipality, organisations, priorityAreas: [] } };
}

/**
 * The registry with the version it was read at (read_versions), in one statement and so one
 * snapshot: a copy kept in memory under that version is exactly what PostgreSQL held then.
 */
export async function loadVersionedRegistry(
  db: Queryable,
  municipality: string,
): Promise<{ version: number; registry: Registry | undefined }> {
  const result = await db.query<{
    version: string;
    organisations: OrganisationRow[];
    areas: Array<{ id: string; name: string; valid_from: string; valid_to: string | null; served_by: unknown }>;
  }>(
    `SELECT (SELECT version FROM read_versions WHERE subject = 'registry') AS version,
       (SELECT coalesce(json_agg(o ORDER BY o.id), '[]') FROM
         (SELECT ${ORGANISATION_COLUMNS} FROM organisations WHERE municipality = $1) o) AS organisations,
       (SELECT coalesce(json_agg(a ORDER BY a.id), '[]') FROM
         (SELECT id, name, valid_from::text, valid_to::text, served_by FROM priority_areas WHERE municipality = $1) a) AS areas`,
    [municipality],
  );
  const row = result.rows[0]!;
  const version = Number(row.version ?? Number.NaN);
  if (row.organisations.length === 0) return { version, registry: undefined };
  return {
    version,
    registry: registrySchema.parse({
      municipality,
      organisations: row.organisations.map(toOrganisation),
      priorityAreas: row.areas.map((a) => ({
        id: a.id,
        name: a.name,
        validFrom: a.valid_from,
        ...(a.valid_to && { validTo: a.valid_to }),
        servedBy: a.served_by,
      })),
    }),
  };
}

/** The municipality's registry as stored, or undefined when none was imported. */
export async function loadStoredRegistry(db: Queryable, municipality: string): Promise<Registry | undefined> {
  const orgs = await db.query<OrganisationRow>(
    `SELECT ${ORGANISATION_COLUMNS} FROM organisations WHERE municipality = $1 ORDER BY id`,
    [municipality],
  );
  if (orgs.rows.length === 0) return undefined;
  const areas = await db.query<{
    id: string;
    name: string;
    valid_from: string;
    valid_to: string | null;
    served_by: unknown;
  }>(
    `SELECT id, name, valid_from::text, valid_to::text, served_by FROM priority_areas WHERE municipality = $1 ORDER BY id`,
    [municipality],
  );
  return registrySchema.parse({
    municipality,
    organisations: orgs.rows.map(toOrganisation),
    priorityAreas: areas.rows.map((a) => ({
      id: a.id,
      name: a.name,
      validFrom: a.valid_from,
      ...(a.valid_to && { validTo: a.valid_to }),
      servedBy: a.served_by,
    })),
  });
}
