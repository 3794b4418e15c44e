import { Command } from 'commander';
import { z } from 'zod';
import { migrateUp } from '../../db/migrate';
import { rebuildContentProjections } from '../../db/content-projection';
import { withTransaction } from '../../db/database';
import { rebuildReadModel } from '../../db/read-model';
import { setRecipientPreference } from '../../db/recipient-preferences';
import { databaseUrlFromEnv, withDatabase } from './connections';

/** Commands on the record in PostgreSQL: the schema, the read model, recipients' preferences. */
export function addRecordCommands(program: Command): void {
  program
    .command('migrate')
    .description('Uppdaterar databasschemat i DATABASE_URL (apply database migrations)')
    .action(async () => {
      const applied = await migrateUp(databaseUrlFromEnv());
      process.stdout.write(applied.length ? `Migrerat: ${applied.join(', ')}\n` : 'Databasen är redan aktuell.\n');
    });

  program
    .command('read-model')
    .description('Statusöversikten (the read model)')
    .command('rebuild')
    .description('Bygger om statusöversikten från granskningsloggen (rebuild the read model from the audit log)')
    .action(async () => {
      const rows = await withDatabase((pool) =>
        withTransaction(pool, async (tx) => {
          const count = await rebuildReadModel(tx);
          await rebuildContentProjections(tx);
          return count;
        }),
      );
      process.stdout.write(`Statusöversikten är ombyggd: ${rows} ${rows === 1 ? 'leverans' : 'leveranser'}.\n`);
    });

  program
    .command('recipient')
    .description('Mottagares val (recipient preferences)')
    .command('set')
    .argument('<address>', 'e-postadress')
    .option('--language <sv|en>', 'språk i utskicken (language of the mails)', 'sv')
    .option('--digest <on|off>', 'veckosammanställning i stället för enskilda påminnelser (weekly digest)', 'off')
    .description('Sätter språk och veckosammanställning för en mottagare (set a recipient’s preferences)')
    .action(async (address: string, options: { language: string; digest: string }) => {
      const digest = z.enum(['on', 'off'], { message: 'must be on or off' }).safeParse(options.digest);
      if (!digest.success) throw new z.ZodError([{ ...digest.error.issues[0]!, path: ['digest'] }]);
      const pref = await withDatabase((pool) =>
        setRecipientPreference(pool, { address, language: options.language, weeklyDigest: digest.data === 'on' }),
      );
      process.stdout.write(
        `${pref.address}: språk ${pref.language}, veckosammanställning ${pref.weeklyDigest ? 'på' : 'av'}.\n`,
      );
    });
}
