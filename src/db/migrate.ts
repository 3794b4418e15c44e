import { join } from 'node:path';
import { runner } from 'node-pg-migrate';

export const MIGRATIONS_DIR = join(__dirname, 'migrations');

/**
 * Brings the database schema up to date. Safe to call from several processes at once:
 * node-pg-migrate holds an advisory lock while it runs.
 */
export async function migrateUp(databaseUrl: string, log: (line: string) => void = () => undefined): Promise<string[]> {
  const applied = await runner({
    databaseUrl,
    dir: MIGRATIONS_DIR,
    direction: 'up',
    migrationsTable: 'pgmigrations',
    checkOrder: true,
    singleTransaction: true,
    log: () => undefined,
    verbose: false,
  });
  for (const migration of applied) log(`migrated: ${migration.name}`);
  return applied.map((migration) => migration.name);
}
