import { Command } from 'commander';
import { z } from 'zod';
import { createCalendarFeed, formatFeedScope, listCalendarFeeds, revokeCalendarFeed } from '../../db/calendar-feeds';
import { boardKinds, OrganisationKind } from '../../domain/organisations';
import { ConfigError, configFields } from '../../app/config';
import { feedUrl } from '../http/feeds';
import { withDatabase } from './connections';

const DEFAULT_PUBLIC_URL = 'http://127.0.0.1:3000';
const MUNICIPALITY_PATTERN = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

/** MUNICIPALITY from the environment (default stockholm), validated: a bad value exits 2. */
function municipalityFromEnv(env: NodeJS.ProcessEnv = process.env): string {
  const value = env.MUNICIPALITY || 'stockholm';
  if (MUNICIPALITY_PATTERN.test(value)) return value;
  throw new ConfigError([
    { variable: 'MUNICIPALITY', problem: 'must be lower-case letters, digits and dashes, e.g. stockholm' },
  ]);
}

/** PUBLIC_URL from the environment, else the HTTP server's default local address. */
function publicUrlFromEnv(env: NodeJS.ProcessEnv = process.env): string {
  if (!env.PUBLIC_URL) return DEFAULT_PUBLIC_URL;
  const parsed = configFields.PUBLIC_URL.safeParse(env.PUBLIC_URL);
  if (parsed.success) return parsed.data;
  throw new ConfigError([{ variable: 'PUBLIC_URL', problem: parsed.error.issues[0]?.message ?? 'is invalid' }]);
}

/** Bad input naming the field, printed and exited (2) like any validation error. */
function inputError(field: string, message: string, input: unknown): z.ZodError {
  return new z.ZodError([{ code: 'custom', path: [field], message, input }]);
}

const boardIdSchema = z
  .string()
  .regex(MUNICIPALITY_PATTERN, { message: 'must be an organisation id (lower-case letters, digits and dashes)' });

/** Calendar feeds: a board's or the committee's deadlines as a subscription at a secret URL. */
export function addFeedCommands(program: Command): void {
  const feed = program.command('feed').description('Kalenderflöden (iCalendar feeds at secret URLs)');

  feed
    .command('create')
    .description('Skapar ett kalenderflöde för en nämnd eller utskottet (create a calendar feed)')
    .option('--board <id>', 'nämndens id i organisationsregistret (the board)')
    .option('--committee', 'utskottets flöde: alla nämnders sista dagar (the committee)')
    .option('--label <text>', 'vad flödet är till för, t.ex. vem som fick adressen (a label)')
    .action(async (options: { board?: string; committee?: boolean; label?: string }) => {
      if ((options.board === undefined) === (options.committee !== true)) {
        throw inputError('board', 'give either --board <id> or --committee', options.board);
      }
      const municipality = municipalityFromEnv();
      const publicUrl = publicUrlFromEnv();
      const created = await withDatabase(async (pool) => {
        let scope = 'committee';
        let name = 'utskottet';
        if (options.board !== undefined) {
          const board = boardIdSchema.safeParse(options.board);
          if (!board.success) throw inputError('board', board.error.issues[0]!.message, options.board);
          const found = await pool.query<{ name: string; kind: OrganisationKind }>(
            'SELECT name, kind FROM organisations WHERE municipality = $1 AND id = $2',
            [municipality, board.data],
          );
          const org = found.rows[0];
          if (!org) {
            throw inputError('board', `no organisation ${board.data} in the registry of ${municipality}`, board.data);
          }
          if (!boardKinds.includes(org.kind)) {
            throw inputError('board', `${board.data} is not a board (it is a ${org.kind})`, board.data);
          }
          scope = `board:${board.data}`;
          name = org.name;
        }
        return {
          name,
          feed: await createCalendarFeed(pool, {
            scope,
            municipality,
            ...(options.label !== undefined && { label: options.label }),
          }),
        };
      });
      process.stdout.write(
        `Kalenderflöde ${created.feed.id} för ${created.name} (${formatFeedScope(created.feed.scope)}):\n` +
          `  ${feedUrl(publicUrl, created.feed.secret)}\n` +
          'Adressen är hemlig: den som har den kan läsa flödet, och den visas bara nu. ' +
          `Återkalla med: arshjul feed revoke ${created.feed.id}\n` +
          '(The URL is the secret: anyone who has it can read the feed, and it is shown only now.)\n',
      );
    });

  feed
    .command('revoke')
    .argument('<id>', 'flödets id (feed_…)')
    .description('Återkallar ett kalenderflöde: adressen slutar fungera (revoke a calendar feed)')
    .action(async (id: string) => {
      const revoked = await withDatabase((pool) => revokeCalendarFeed(pool, id));
      if (!revoked) throw inputError('id', `no active calendar feed ${id}`, id);
      process.stdout.write(`Kalenderflöde ${id} är återkallat.\n`);
    });

  feed
    .command('list')
    .description('Listar kalenderflödena, utan adresser (list calendar feeds, without their URLs)')
    .action(async () => {
      const municipality = municipalityFromEnv();
      const feeds = await withDatabase((pool) => listCalendarFeeds(pool, municipality));
      if (!feeds.length) {
        process.stdout.write(`Inga kalenderflöden för ${municipality}.\n`);
        return;
      }
      for (const f of feeds) {
        const state = f.revokedAt ? `återkallat ${f.revokedAt.toISOString()}` : 'aktivt';
        process.stdout.write(
          `${f.id}  ${formatFeedScope(f.scope).padEnd(28)}  ${state.padEnd(34)}  skapat ${f.createdAt.toISOString()}` +
            `${f.label ? `  ${f.label}` : ''}\n`,
        );
      }
    });
}
