import { Queryable } from './database';

/**
 * The versions of what HTTP processes keep in memory (table read_versions): a trigger bumps one
 * in the transaction of every write to the registry, the cycles or the templates they keep, so a
 * process that sees the version it loaded at knows its copy is current, whoever wrote since.
 */
export interface ReadVersions {
  registry: number;
  cycles: number;
  templates: number;
}

export const READ_VERSION_SUBJECTS = ['registry', 'cycles', 'templates'] as const;

export async function readVersions(db: Queryable): Promise<ReadVersions> {
  const result = await db.query<{ subject: keyof ReadVersions; version: string }>(
    'SELECT subject, version FROM read_versions',
  );
  // A subject missing (never the case after the migration) reads as NaN, equal to nothing: no
  // copy is then used, each request reads again.
  const versions: ReadVersions = { registry: Number.NaN, cycles: Number.NaN, templates: Number.NaN };
  for (const r of result.rows) versions[r.subject] = Number(r.version);
  return versions;
}
