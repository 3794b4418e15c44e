/**
 * `arshjul`, the command line for operators and the city management office. Messages are in
 * Swedish with the English term where it helps; exit codes: 0 ok, 1 failure, 2 bad input or
 * configuration.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { migrateUp } from '../../db/migrate';
import { ensureTemporalCli } from '../../toolchain/temporal-cli';
import { ensureTimeSkippingServer } from '../../toolchain/time-skipping-server';
import { ensurePostgresBinaries } from '../../toolchain/postgres-binaries';
import { toolCacheDir } from '../../toolchain/cache-dir';
import { ConfigError, configFields } from '../../worker/config';

function packageVersion(): string {
  // Read at run time: package.json sits two levels above both src/client/cli and dist/client/cli.
  const pkg = JSON.parse(readFileSync(join(__dirname, '..', '..', '..', 'package.json'), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

export const EXIT = { ok: 0, failure: 1, badInput: 2 } as const;

export function buildCli(): Command {
  const program = new Command('arshjul')
    .description('Årshjul — stadens årshjul för budget och uppföljning (budget and follow-up cycle engine)')
    .version(packageVersion());

  program
    .command('toolchain')
    .description('Installerar eller hittar Temporal CLI, testservern och PostgreSQL (provision the tools)')
    .action(async () => {
      const tools = {
        cache: toolCacheDir(),
        temporalCli: await ensureTemporalCli(),
        timeSkippingServer: await ensureTimeSkippingServer(),
        postgresBin: await ensurePostgresBinaries(),
      };
      process.stdout.write(`${JSON.stringify(tools, null, 2)}\n`);
    });

  program
    .command('migrate')
    .description('Uppdaterar databasschemat i DATABASE_URL (apply database migrations)')
    .action(async () => {
      const parsed = configFields.DATABASE_URL.safeParse(process.env.DATABASE_URL);
      if (!parsed.success) {
        throw new ConfigError([
          {
            variable: 'DATABASE_URL',
            problem: process.env.DATABASE_URL ? (parsed.error.issues[0]?.message ?? 'is invalid') : 'is required',
          },
        ]);
      }
      const applied = await migrateUp(parsed.data);
      process.stdout.write(applied.length ? `Migrerat: ${applied.join(', ')}\n` : 'Databasen är redan aktuell.\n');
    });

  return program;
}

if (require.main === module) {
  buildCli()
    .parseAsync(process.argv)
    .catch((error: unknown) => {
      if (error instanceof ConfigError) {
        process.stderr.write(`${error.message}\n`);
        process.exit(EXIT.badInput);
      }
      process.stderr.write(`Fel: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(EXIT.failure);
    });
}
