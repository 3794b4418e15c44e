import { Command } from 'commander';
import { createApiToken, listApiTokens, revokeApiToken } from '../../db/api-tokens';
import { loadStoredRegistry } from '../../db/registry';
import { MUNICIPALITY_TIME_ZONE } from '../../domain/glossary';
import { addDays, compareDates } from '../../domain/local-date';
import { boardKinds, findOrganisation } from '../../domain/organisations';
import { formatGrant, Grant, grantTextSchema, Scope, scopeSchema } from '../../domain/grants';
import { grantsOfRole, roleSchema } from '../../domain/roles';
import { localDateOf, localTimeOf, zonedInstant } from '../../domain/zoned-time';
import { OperationError } from '../operations/operation-error';
import { withDatabase } from './connections';
import { badInput, cliActor, formatTable, parseDate, parseFormat, writeJson } from './output';
import { municipalityFromEnv, stockholmToday } from './temporal-connection';

const stockholm = (instant: Date): string =>
  `${localDateOf(instant, MUNICIPALITY_TIME_ZONE)} ${localTimeOf(instant, MUNICIPALITY_TIME_ZONE).slice(0, 5)}`;

interface TokenCreateOptions {
  role?: string;
  grant: string[];
  scope: string[];
  owner?: string;
  label: string;
  expires?: string;
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

/**
 * What a new token may do, from `--role` (an old role's grants and scopes) or `--grant`s, with
 * `--scope`s replacing the role's; a bad value names its option.
 */
function grantsAndScopes(options: TokenCreateOptions): { grants: Grant[]; scopes: Scope[] } {
  if ((options.role === undefined) === (options.grant.length === 0))
    throw badInput('role', 'give either --role or one or more --grant', 'required');
  let fromRole: { grants: Grant[]; scopes: Scope[] } | undefined;
  if (options.role !== undefined) {
    const role = roleSchema.safeParse(options.role);
    if (!role.success) throw badInput('role', role.error.issues[0]?.message ?? 'is invalid', 'not-an-option');
    fromRole = grantsOfRole(role.data);
  }
  const grants =
    fromRole?.grants ??
    options.grant.map((text) => {
      const grant = grantTextSchema.safeParse(text);
      if (!grant.success) throw badInput('grant', grant.error.issues[0]?.message ?? 'is invalid', 'not-an-option');
      return grant.data;
    });
  const scopes = options.scope.map((text) => {
    const scope = scopeSchema.safeParse(text);
    if (!scope.success) throw badInput('scope', `${text}: must be read, submit or admin`, 'not-an-option');
    return scope.data;
  });
  if (!fromRole && scopes.length === 0) throw badInput('scope', 'a token with --grant needs --scope', 'required');
  return { grants, scopes: scopes.length ? scopes : fromRole!.scopes };
}

/** `token create|revoke|list`: bearer tokens of the HTTP API. */
export function addTokenCommands(program: Command): void {
  const token = program.command('token').description('Nycklar till HTTP-API:t (API tokens)');

  token
    .command('create')
    .option('--role <role>', 'admin, committee eller board:<nämndens id> (role: grants and scopes of the old roles)')
    .option(
      '--grant <grant>',
      'admin, committee, stadshus eller board:<nämndens id>:<handlaggare|controller|forvaltningschef>; upprepas (instead of --role)',
      collect,
      [],
    )
    .option('--scope <scope>', 'read, submit eller admin; upprepas (default: the role’s)', collect, [])
    .option('--owner <owner>', 'vem som ansvarar för nyckeln: en persons id p_… eller fritext (default: you)')
    .requiredOption('--label <text>', 'vem eller vad nyckeln är till (label)')
    .option('--expires <date>', 'giltig till och med, YYYY-MM-DD (last valid day, Stockholm time)')
    .description('Skapar en nyckel och visar hemligheten en enda gång (create a token)')
    .action(async (options: TokenCreateOptions) => {
      const { grants, scopes } = grantsAndScopes(options);
      let expiresAt: Date | undefined;
      if (options.expires !== undefined) {
        const last = parseDate('expires', options.expires);
        if (compareDates(last, stockholmToday()) < 0) throw badInput('expires', `${last} has passed`, 'in-the-past');
        // Valid through the whole last day in Stockholm.
        expiresAt = zonedInstant(addDays(last, 1), '00:00', MUNICIPALITY_TIME_ZONE);
      }
      const boardIds = grants.flatMap((g) => (g.kind === 'board' ? [g.boardId] : []));
      const municipality = boardIds.length ? municipalityFromEnv() : undefined;
      const field = options.role !== undefined ? 'role' : 'grant';
      const created = await withDatabase(async (pool) => {
        if (municipality) {
          const registry = await loadStoredRegistry(pool, municipality);
          for (const boardId of boardIds) {
            const board = registry && findOrganisation(registry, boardId);
            if (!board || !boardKinds.includes(board.kind)) {
              throw badInput(
                field,
                `${boardId} is not a board in the registry stored for ${municipality}` +
                  (registry ? '' : ' (no registry stored: arshjul org import FILE)'),
                'not-in-registry',
              );
            }
          }
        }
        const owner = options.owner?.trim();
        if (options.owner !== undefined && !owner) throw badInput('owner', 'must not be empty', 'required');
        return createApiToken(pool, {
          grants: grants.map(formatGrant),
          scopes,
          ...(owner && { owner }),
          label: options.label,
          createdBy: cliActor(),
          ...(expiresAt && { expiresAt }),
        });
      });
      process.stderr.write(
        `Nyckeln ${created.id} är skapad för ${created.grants.map(formatGrant).join(', ')} ` +
          `med ${created.scopes.join(', ')}, ägare ${created.owner} (”${created.label}”)` +
          `${options.expires ? `, giltig till och med ${options.expires}` : ''}.\n` +
          'Hemligheten nedan visas bara nu och lagras inte (it is not stored, only its hash): spara den säkert.\n',
      );
      process.stdout.write(`${created.secret}\n`);
    });

  token
    .command('revoke')
    .argument('<id>', 'nyckelns id, tok_… (token id)')
    .description('Återkallar en nyckel; den gäller inte längre (revoke a token)')
    .action(async (id: string) => {
      const revoked = await withDatabase((pool) => revokeApiToken(pool, id));
      if (!revoked) throw new OperationError(404, 'id', `${id}: no such token, or already revoked`, 'not-found');
      process.stdout.write(`Nyckeln ${id} är återkallad (revoked).\n`);
    });

  token
    .command('list')
    .option('--format <format>', 'table eller json', 'table')
    .description('Alla nycklar utan hemligheter (list tokens)')
    .action(async (options: { format: string }) => {
      const format = parseFormat(options.format);
      const tokens = await withDatabase((pool) => listApiTokens(pool));
      const now = Date.now();
      const statusOf = (t: (typeof tokens)[number]) =>
        t.revokedAt ? 'revoked' : t.expiresAt && t.expiresAt.getTime() <= now ? 'expired' : 'active';
      if (format === 'json') {
        writeJson({
          format: 'arshjul-tokens/1',
          tokens: tokens.map((t) => ({
            id: t.id,
            grants: t.grants.map(formatGrant),
            scopes: t.scopes,
            owner: t.owner,
            label: t.label,
            status: statusOf(t),
            createdBy: t.createdBy,
            createdAt: t.createdAt.toISOString(),
            expiresAt: t.expiresAt?.toISOString() ?? null,
            revokedAt: t.revokedAt?.toISOString() ?? null,
            lastUsedAt: t.lastUsedAt?.toISOString() ?? null,
          })),
        });
        return;
      }
      const STATUS_SV = { active: 'giltig', revoked: 'återkallad', expired: 'utgången' } as const;
      const rows = tokens.map((t) => [
        t.id,
        t.grants.map(formatGrant).join(', '),
        t.scopes.join(', '),
        t.owner,
        t.label,
        STATUS_SV[statusOf(t)],
        `${stockholm(t.createdAt)} ${t.createdBy}`,
        t.expiresAt ? stockholm(t.expiresAt) : '—',
        t.lastUsedAt ? stockholm(t.lastUsedAt) : '—',
      ]);
      process.stdout.write(
        `${formatTable(['id', 'behörigheter', 'omfång', 'ägare', 'etikett', 'status', 'skapad', 'går ut', 'senast använd'], rows)}\n`,
      );
    });
}
