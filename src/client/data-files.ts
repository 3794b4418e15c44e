import { readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { groupRolesSchema, GroupRoles } from '../domain/group-roles';
import { registrySchema, Registry } from '../domain/registry-schema';
import { formatPath } from '../domain/validate-calendar';

/** Folder of the data shipped with Årshjul: registries and calendars per municipality. */
export const DATA_DIR = join(__dirname, '..', '..', 'data');

export function shippedRegistryPath(municipality = 'stockholm'): string {
  return join(DATA_DIR, municipality, 'organisations.yaml');
}

export function shippedCalendarPath(budgetYear: number, municipality = 'stockholm'): string {
  return join(DATA_DIR, municipality, `calendar-${budgetYear}.yaml`);
}

/** A data file that cannot be read or parsed; the message names the file and the problem. */
export class DataFileError extends Error {
  override name = 'DataFileError';
}

/** Reads a YAML (YAML 1.2 core: dates stay strings) or JSON file into plain data. */
export function readDataFile(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new DataFileError(`${path}: cannot read (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  try {
    return extname(path) === '.json' ? JSON.parse(text) : parseYaml(text, { prettyErrors: true });
  } catch (error) {
    throw new DataFileError(
      `${path}: not valid ${extname(path) === '.json' ? 'JSON' : 'YAML'}: ${(error as Error).message}`,
    );
  }
}

/** Loads and validates an organisation registry; every problem is named with its path. */
export function loadRegistry(path: string): Registry {
  const parsed = registrySchema.safeParse(readDataFile(path));
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${formatPath(i.path)}: ${i.message}`);
    throw new DataFileError(`${path}: invalid organisation registry:\n  ${problems.join('\n  ')}`);
  }
  return parsed.data;
}

export function shippedGroupRolesPath(municipality = 'stockholm'): string {
  return join(DATA_DIR, municipality, 'group-roles.yaml');
}

/** Loads and validates a mapping of identity-provider groups to roles; every problem is named with its path. */
export function loadGroupRoles(path: string): GroupRoles {
  const parsed = groupRolesSchema.safeParse(readDataFile(path));
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${formatPath(i.path) || '(root)'}: ${i.message}`);
    throw new DataFileError(`${path}: invalid group-role mapping:\n  ${problems.join('\n  ')}`);
  }
  return parsed.data;
}
