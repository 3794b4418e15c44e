import { existsSync, writeFileSync } from 'node:fs';
import { Command } from 'commander';
import { erasePerson, HeldData, loadHeldData, PERSON_ID_PATTERN, prunePersonalData } from '../../db/personal-data';
import { MUNICIPALITY_TIME_ZONE } from '../../domain/glossary';
import { localDateOf, localTimeOf } from '../../domain/zoned-time';
import { ConfigError, configDefaults, configFields } from '../../app/config';
import { OperationError } from '../operations/operation-error';
import { withDatabase } from './connections';
import { badInput, cliActor, confirm, EXIT, formatTable, parseFormat, UsageError, writeJson } from './output';

/**
 * `person show|export|erase|prune` (issue 13, personal data): what Årshjul holds about one
 * person, as text or JSON; its erasure (pseudonymisation) on request; and the retention rule.
 */

const EMAIL = /^[^\s@]+@[^\s@]+$/;

/** A person named on the command line: an id `p_…` or an e-mail address. */
function parsePersonKey(text: string): string {
  const key = text.trim();
  if (PERSON_ID_PATTERN.test(key) || EMAIL.test(key)) return key;
  throw badInput(
    'person',
    `must be a person's id (p_ and 12 letters or digits) or an e-mail address (got ${text})`,
    'bad-format',
  );
}

const notFound = (key: string) => new OperationError(404, 'person', `no person ${key} is held`, 'not-found');

/** PERSONAL_DATA_RETENTION_DAYS, validated (default 730). */
export function retentionDaysFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  const value = env.PERSONAL_DATA_RETENTION_DAYS || configDefaults.PERSONAL_DATA_RETENTION_DAYS!;
  const parsed = configFields.PERSONAL_DATA_RETENTION_DAYS.safeParse(value);
  if (parsed.success) return parsed.data;
  throw new ConfigError([
    { variable: 'PERSONAL_DATA_RETENTION_DAYS', problem: parsed.error.issues[0]?.message ?? 'is invalid' },
  ]);
}

const stockholm = (iso: string | null): string => {
  if (!iso) return '—';
  const instant = new Date(iso);
  return `${localDateOf(instant, MUNICIPALITY_TIME_ZONE)} ${localTimeOf(instant, MUNICIPALITY_TIME_ZONE).slice(0, 5)}`;
};

/** What is held, in Swedish, for a person at a terminal. */
function heldText(data: HeldData): string {
  const p = data.person;
  const lines = [
    `Person ${p.id}${p.erasedAt ? ` (uppgifterna raderade ${stockholm(p.erasedAt)})` : ''}`,
    `  Namn: ${p.name ?? '—'}`,
    `  E-post: ${p.email ?? '—'}`,
    `  Språk: ${p.language}`,
    `  Inloggning: ${p.issuer} (subjekt ${p.subject})`,
    `  Först sedd: ${stockholm(p.createdAt)}; senast inloggad: ${stockholm(p.lastSignInAt)}`,
    '',
    `Roller (${data.memberships.length}):`,
    data.memberships.length
      ? formatTable(
          ['roll', 'varifrån', 'från', 'till'],
          data.memberships.map((m) => [
            m.grant,
            m.source === 'provider' ? 'inloggningen' : 'manuellt',
            stockholm(m.validFrom),
            stockholm(m.validTo),
          ]),
        )
      : '  inga',
    '',
    `Sessioner: ${data.sessions.count} (${data.sessions.open} pågående); nycklar från inloggningen visas aldrig.`,
    ...data.sessions.list.map(
      (s) =>
        `  ${stockholm(s.createdAt)} – ${s.endedAt ? `${stockholm(s.endedAt)} (${s.endReason})` : `gäller till ${stockholm(s.expiresAt)}`}`,
    ),
    '',
    `Händelser i loggen där personen agerade: ${data.auditEvents.length}`,
    ...data.auditEvents.map((e) => `  ${stockholm(e.occurredAt)}  ${e.kind}  ${e.workflowId}`),
    '',
    `Utkast sparade av personen: ${data.drafts.length}`,
    ...data.drafts.map((d) => `  ${stockholm(d.savedAt)}  ${d.workflowId}  ${d.path}`),
    `Granskningskommentarer av personen: ${data.reviewComments.length}`,
    ...data.reviewComments.map((c) => `  ${stockholm(c.createdAt)}  ${c.workflowId}  ${c.path}`),
    `Klarmarkerade rapporter som väntar på påskrift: ${data.awaitingSignOff.length}`,
    ...data.awaitingSignOff.map((s) => `  ${stockholm(s.markedReadyAt)}  ${s.workflowId}`),
    `API-nycklar som personen ansvarar för: ${data.tokensOwned.length}`,
    ...data.tokensOwned.map((t) => `  ${t.id}  ”${t.label}”${t.revokedAt ? ' (återkallad)' : ''}`),
  ];
  return `${lines.join('\n')}\n`;
}

async function held(key: string): Promise<HeldData> {
  const data = await withDatabase((pool) => loadHeldData(pool, key));
  if (!data) throw notFound(key);
  return data;
}

export function addPersonCommands(program: Command): void {
  const person = program.command('person').description('Personuppgifter: visa, exportera, radera (personal data)');

  person
    .command('show')
    .argument('<person>', 'personens id (p_…) eller e-postadress')
    .option('--format <format>', 'table eller json', 'table')
    .description('Visar allt som lagras om en person (what is held about one person)')
    .action(async (key: string, options: { format: string }) => {
      const format = parseFormat(options.format);
      const data = await held(parsePersonKey(key));
      if (format === 'json') writeJson(data);
      else process.stdout.write(heldText(data));
    });

  person
    .command('export')
    .argument('<person>', 'personens id (p_…) eller e-postadress')
    .requiredOption('--out <file>', 'filen att skriva (JSON)')
    .option('--force', 'skriver över en fil som finns')
    .description('Skriver allt som lagras om en person till en JSON-fil (export, e.g. for a subject access request)')
    .action(async (key: string, options: { out: string; force?: boolean }) => {
      const parsedKey = parsePersonKey(key);
      if (!options.out.trim()) throw badInput('out', 'must name a file', 'required');
      if (existsSync(options.out) && !options.force)
        throw badInput('out', `${options.out} exists (use --force to replace it)`, 'invalid');
      const data = await held(parsedKey);
      // Readable by the owner only: it is personal data.
      writeFileSync(options.out, `${JSON.stringify(data, null, 2)}\n`, { mode: 0o600 });
      process.stderr.write(`Uppgifterna om ${data.person.id} är skrivna till ${options.out}.\n`);
    });

  person
    .command('erase')
    .argument('<id>', 'personens id (p_…)')
    .option('--yes', 'raderar utan att fråga (no confirmation)')
    .description(
      'Raderar en persons namn och e-post (pseudonymiserar); id:t och loggen står kvar (erase one person’s details)',
    )
    .action(async (id: string, options: { yes?: boolean }) => {
      if (!PERSON_ID_PATTERN.test(id))
        throw badInput('person', `must be a person's id (p_ and 12 letters or digits; got ${id})`, 'bad-format');
      await withDatabase(async (pool) => {
        const data = await loadHeldData(pool, id);
        if (!data) throw notFound(id);
        if (data.person.erasedAt) {
          throw new OperationError(409, 'person', `${id} was erased already`, 'already-recorded');
        }
        if (!options.yes) {
          if (!process.stdin.isTTY) {
            throw new UsageError(
              'person erase: ingen terminal att fråga (no TTY): bekräfta med --yes för att radera; ingenting ändrades.',
            );
          }
          const question = `Radera namn och e-post för ${id} (${data.person.name ?? 'utan namn'})? ${data.sessions.count} sessioner tas bort; loggen står kvar.`;
          if (!(await confirm(question))) {
            process.stderr.write('Avbrutet: ingenting ändrades.\n');
            process.exitCode = EXIT.failure;
            return;
          }
        }
        if (!(await erasePerson(pool, id, cliActor()))) {
          throw new OperationError(409, 'person', `${id} was erased already`, 'already-recorded');
        }
        process.stdout.write(`${id}: namn och e-post raderade, sessioner borttagna.\n`);
      });
    });

  person
    .command('prune')
    .option('--format <format>', 'table eller json', 'table')
    .description(
      'Gallrar enligt PERSONAL_DATA_RETENTION_DAYS: pseudonymiserar personer utan roll och inloggning så länge, tar bort gamla sessioner (retention)',
    )
    .action(async (options: { format: string }) => {
      const format = parseFormat(options.format);
      const retentionDays = retentionDaysFromEnv();
      const result = await withDatabase((pool) => prunePersonalData(pool, { retentionDays, actor: cliActor() }));
      if (format === 'json') {
        writeJson({ format: 'arshjul-prune/1', retentionDays, ...result });
        return;
      }
      process.stdout.write(
        `Gallrat (${retentionDays} dagar): ${result.erased.length} personer pseudonymiserade, ` +
          `${result.sessionsRemoved} sessioner borttagna, ${result.tokensCleared} utgångna sessioners nycklar rensade.\n`,
      );
      for (const id of result.erased) process.stdout.write(`  ${id}\n`);
    });
}
