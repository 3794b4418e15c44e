import { Command } from 'commander';
import { withTransaction } from '../../db/database';
import { loadStoredRegistry, replaceRegistry } from '../../db/registry';
import { deliversReports, Organisation, organisationKinds, organisationsOn } from '../../domain/organisations';
import { loadRegistry } from '../data-files';
import { OperationError } from '../operations/operation-error';
import { withDatabase } from './connections';
import { badInput, formatTable, parseDate, parseFormat, writeJson } from './output';
import { municipalityFromEnv, stockholmToday } from './temporal-connection';

/** The refusal when a command needs the stored registry and there is none (exit code 1). */
export function noRegistryStored(municipality: string): OperationError {
  return new OperationError(
    409,
    'organisations',
    `inget organisationsregister är lagrat för ${municipality} (no registry stored): läs in det med arshjul org import FILE`,
    'no-registry',
  );
}

/** The JSON of `org list --format json`; documented in the README. Keep it stable. */
export interface OrganisationListDocument {
  format: 'arshjul-organisations/1';
  municipality: string;
  on: string;
  organisations: Array<{
    id: string;
    name: string;
    kind: Organisation['kind'];
    validFrom: string;
    validTo: string | null;
    successorId: string | null;
    parentId: string | null;
    contacts: Array<{ role: string; name: string | null; email: string }>;
  }>;
}

/** `org import` and `org list`: the organisation registry stored in PostgreSQL. */
export function addOrgCommands(program: Command): void {
  const org = program.command('org').description('Organisationsregistret (the organisation registry)');

  org
    .command('import')
    .argument('<file>', 'organisationsregister, YAML eller JSON')
    .description('Kontrollerar och lagrar registret för MUNICIPALITY; ersätter det lagrade (import the registry)')
    .action(async (file: string) => {
      const registry = loadRegistry(file);
      const municipality = municipalityFromEnv();
      if (registry.municipality !== municipality) {
        throw badInput(
          'municipality',
          `${file} is the registry of ${registry.municipality}, but MUNICIPALITY is ${municipality}`,
          'other-municipality',
        );
      }
      // One transaction: readers (notifications being sent) see the old registry or the new.
      await withDatabase((pool) => withTransaction(pool, (tx) => replaceRegistry(tx, registry)));
      const today = stockholmToday();
      const current = organisationsOn(registry, today);
      const perKind = organisationKinds
        .map((kind) => [kind, current.filter((o) => o.kind === kind).length] as const)
        .filter(([, n]) => n > 0)
        .map(([kind, n]) => `${kind} ${n}`);
      process.stdout.write(
        `Organisationsregistret för ${municipality} är inläst: ${registry.organisations.length} organisationer, ` +
          `${registry.priorityAreas.length} prioriterade områden (priority areas).\n` +
          `Giltiga i dag (${today}): ${current.filter((o) => deliversReports(o)).length} nämnder; ${perKind.join(', ')}.\n`,
      );
    });

  org
    .command('list')
    .option('--on <date>', 'organisationer som finns den dagen, YYYY-MM-DD (default: i dag)')
    .option('--format <format>', 'table eller json', 'table')
    .description('Organisationerna som finns en viss dag, med typ och kontakternas roller (list organisations)')
    .action(async (options: { on?: string; format: string }) => {
      const on = options.on === undefined ? stockholmToday() : parseDate('on', options.on);
      const format = parseFormat(options.format);
      const municipality = municipalityFromEnv();
      const registry = await withDatabase((pool) => loadStoredRegistry(pool, municipality));
      if (!registry) throw noRegistryStored(municipality);
      const organisations = organisationsOn(registry, on);
      if (format === 'json') {
        const doc: OrganisationListDocument = {
          format: 'arshjul-organisations/1',
          municipality,
          on,
          organisations: organisations.map((o) => ({
            id: o.id,
            name: o.name,
            kind: o.kind,
            validFrom: o.validFrom,
            validTo: o.validTo ?? null,
            successorId: o.successorId ?? null,
            parentId: o.parentId ?? null,
            contacts: o.contacts.map((c) => ({ role: c.role, name: c.name ?? null, email: c.email })),
          })),
        };
        writeJson(doc);
        return;
      }
      const rows = organisations.map((o) => [
        o.id,
        o.name,
        o.kind,
        `${o.validFrom}–${o.validTo ?? ''}`,
        o.contacts.map((c) => c.role).join(', ') || '—',
      ]);
      process.stdout.write(
        `${organisations.length} organisationer i ${municipality} den ${on}.\n` +
          `${formatTable(['id', 'namn', 'typ', 'giltig', 'kontakter (roller)'], rows)}\n`,
      );
    });
}
