import { Command } from 'commander';
import { GeneratedSectionKind, QuestionKind, ReportTemplate } from '../../domain/report-template';
import { OrganisationKind } from '../../domain/organisations';
import { QuestionChangeAspect, TemplateChanges } from '../../domain/report-template-changes';
import { listCycleTemplateVersions } from '../../db/cycle-templates';
import { MUNICIPALITY_TIME_ZONE } from '../../domain/glossary';
import { localDateOf } from '../../domain/zoned-time';
import { OperationError } from '../operations/operation-error';
import { previewTemplateVersion, publishTemplateVersion } from '../operations/template-versions';
import { loadTemplateFile } from '../templates';
import { withDatabase } from './connections';
import { badInput, cliActor, confirm, EXIT, formatTable, parseBudgetYear, UsageError } from './output';
import { municipalityFromEnv } from './temporal-connection';

/** Swedish names of the question kinds and generated sections, for `template show`. */
const KIND_SV: Record<QuestionKind, string> = {
  'short-text': 'kort text',
  'long-text': 'lång text',
  number: 'tal',
  'yes-no': 'ja/nej',
  choice: 'val',
  choices: 'flerval',
  date: 'datum',
  table: 'tabell',
  file: 'fil',
};
const PER_ITEM_SV: Record<GeneratedSectionKind, string> = {
  'priority-areas': 'prioriterat område',
  'lup-measures': 'LUP-åtgärd',
  'larger-lup-measures': 'större LUP-åtgärd',
  'owned-lup-measures': 'LUP-åtgärd där nämnden är ansvarig',
  namndmal: 'nämndmål',
  goals: 'mål i kommunfullmäktiges budget',
};

// Sections name only the kinds that deliver (boardKinds); the others never reach this table.
const BOARD_KIND_SV: Partial<Record<OrganisationKind, string>> = {
  stadsdelsnamnd: 'stadsdelsnämnder',
  facknamnd: 'facknämnder',
  bolagsstyrelse: 'bolagsstyrelser',
  kommunstyrelse: 'kommunstyrelsen',
  koncernmoder: 'koncernmodern',
};

/** What changed about a question, as `template publish` says it. */
const ASPECT_SV: Record<QuestionChangeAspect, string> = {
  kind: 'typ',
  label: 'rubrik',
  help: 'hjälptext',
  required: 'obligatorisk',
  limits: 'gränser',
  options: 'alternativ',
  columns: 'kolumner',
  section: 'avsnitt',
};

/**
 * `template validate|show FILE`: a report template file, checked the way a calendar's are;
 * `template publish YEAR FILE`: a corrected version for a running cycle.
 */
export function addTemplateCommands(program: Command): void {
  const command = program.command('template').description('Rapportmallar (report templates)');

  command
    .command('validate')
    .argument('<file>', 'mallfil, YAML eller JSON')
    .description('Kontrollerar en rapportmall mot schemat (validate a report template)')
    .action((file: string) => {
      const template = templateOrErrors(file);
      if (!template) return;
      const { id, version, sections } = template;
      const questions = sections.reduce((n, s) => n + s.questions.length, 0);
      process.stdout.write(
        `${file}: giltig mall ${id} version ${version} (${sections.length} avsnitt, ${questions} frågor).\n`,
      );
    });

  command
    .command('show')
    .argument('<file>', 'mallfil, YAML eller JSON')
    .description('Visar mallens avsnitt och frågor i korthet (show a report template)')
    .action((file: string) => {
      const template = templateOrErrors(file);
      if (template) process.stdout.write(`${outline(template)}\n`);
    });

  command
    .command('publish')
    .argument('<year>', 'budgetår (budget year)')
    .argument('<file>', 'mallfil med högre version, YAML eller JSON')
    .option('--reason <text>', 'varför (reason, recorded in the audit log); krävs')
    .option('--yes', 'publicerar utan att fråga (no confirmation)')
    .description(
      'Publicerar en rättad version av en mall som budgetåret använder; svar följer med där frågan är densamma (publish a corrected template)',
    )
    .action((yearText: string, file: string, options: { reason?: string; yes?: boolean }) =>
      publishCommand(yearText, file, options),
    );

  command
    .command('versions')
    .argument('<year>', 'budgetår (budget year)')
    .option('--template <id>', 'bara denna mall (only this template)')
    .description('Visar mallversionerna som budgetåret har: den högsta gäller (list a cycle’s template versions)')
    .action(async (yearText: string, options: { template?: string }) => {
      const year = parseBudgetYear(yearText);
      const municipality = municipalityFromEnv();
      const versions = await withDatabase((pool) =>
        listCycleTemplateVersions(pool, municipality, year, options.template),
      );
      if (!versions.length) {
        throw new OperationError(
          404,
          options.template ? 'template' : 'budgetYear',
          'inga lagrade mallversioner (no template versions stored)',
          'not-found',
        );
      }
      const rows = versions.map((v) => [
        v.templateId,
        String(v.version),
        localDateOf(v.publishedAt, MUNICIPALITY_TIME_ZONE),
        v.publishedBy,
        v.supersedesVersion === undefined ? '—' : String(v.supersedesVersion),
        v.reason ?? 'cykeln startade med den',
      ]);
      process.stdout.write(`${formatTable(['mall', 'version', 'publicerad', 'av', 'ersätter', 'skäl'], rows)}\n`);
    });
}

async function publishCommand(yearText: string, file: string, options: { reason?: string; yes?: boolean }) {
  const year = parseBudgetYear(yearText);
  if (options.reason === undefined) throw badInput('reason', 'must say why (--reason TEXT)', 'required');
  const reason = options.reason.trim();
  if (!reason) throw badInput('reason', 'must not be empty', 'required');
  const template = templateOrErrors(file);
  if (!template) return;
  const municipality = municipalityFromEnv();
  await withDatabase(async (pool) => {
    const preview = await previewTemplateVersion(pool, municipality, year, template);
    process.stdout.write(`${changeSummary(preview.changes).join('\n')}\n`);
    if (!options.yes) {
      if (!process.stdin.isTTY) {
        throw new UsageError(
          'template publish: ingen terminal att fråga (no TTY): bekräfta med --yes för att publicera; ingenting lagrades.',
        );
      }
      if (!(await confirm(`Publicera ${template.id} version ${template.version} för budgetår ${year}?`))) {
        process.stderr.write('Avbrutet: ingenting lagrades.\n');
        process.exitCode = EXIT.failure;
        return;
      }
    }
    const published = await publishTemplateVersion(
      pool,
      { municipality, budgetYear: year, template, reason, expectedCurrent: preview.current },
      cliActor(),
    );
    process.stdout.write(
      `Mallen ${template.id} version ${template.version} är publicerad för budgetår ${year} (ersätter version ${preview.current}).\n`,
    );
    const drafts = published.drafts;
    if (drafts?.reports) {
      process.stdout.write(
        `Utkast: ${count(drafts.reports, 'rapport', 'rapporter')} flyttades till version ${template.version}: ` +
          `${drafts.carried} svar fördes över, ${drafts.dropped} svar togs bort` +
          `${drafts.dropped ? ' (sparat med rättelsen, visas för nämnden)' : ''}.\n`,
      );
    }
  });
}

const count = (n: number, one: string, many: string): string => `${n} ${n === 1 ? one : many}`;

/**
 * The change summary in Swedish: a headline (`2 frågor tillagda, 1 ändrad (rubrik), 1 borttagen:
 * svar på den följer inte med`), then a line per question, then whose answers carry over.
 */
export function changeSummary(changes: TemplateChanges): string[] {
  const { added, changed, removed } = changes;
  const parts: string[] = [];
  if (added.length) parts.push(count(added.length, 'fråga tillagd', 'frågor tillagda'));
  if (changed.length) {
    const aspects = [...new Set(changed.flatMap((c) => c.aspects))].map((a) => ASPECT_SV[a]);
    const what = count(changed.length, 'ändrad', 'ändrade');
    parts.push(
      `${parts.length ? what : `${count(changed.length, 'fråga ändrad', 'frågor ändrade')}`} (${aspects.join(', ')})`,
    );
  }
  if (removed.length) {
    const what = parts.length
      ? count(removed.length, 'borttagen', 'borttagna')
      : count(removed.length, 'fråga borttagen', 'frågor borttagna');
    parts.push(`${what}: svar på ${removed.length === 1 ? 'den' : 'dem'} följer inte med`);
  }
  const lines = [
    `${changes.templateId} version ${changes.fromVersion} → ${changes.toVersion}: ${parts.length ? parts.join(', ') : 'inga frågor ändrade'}.`,
  ];
  for (const q of added) lines.push(`  tillagd: ${q.questionId} (${q.label}) i ${q.sectionId}`);
  for (const q of changed) {
    lines.push(`  ändrad: ${q.questionId} (${q.label}): ${q.aspects.map((a) => ASPECT_SV[a]).join(', ')}`);
  }
  for (const q of removed) lines.push(`  borttagen: ${q.questionId} (${q.label})`);
  const dropped = changes.answersDropped.map((d) => d.questionId);
  lines.push(
    `Svar följer med för ${count(changes.answersKept.length, 'fråga', 'frågor')}` +
      (dropped.length ? `; inte för ${dropped.join(', ')}.` : '.'),
  );
  return lines;
}

/** The parsed template, or undefined after printing each error with its path (exit code 1). */
function templateOrErrors(file: string): ReportTemplate | undefined {
  const result = loadTemplateFile(file);
  if (result.template) return result.template;
  for (const e of result.errors) process.stderr.write(`fel: ${e.path}: ${e.message}\n`);
  process.stderr.write(`${file}: ${result.errors.length} fel — mallen kan inte användas.\n`);
  process.exitCode = EXIT.failure;
  return undefined;
}

function outline(template: ReportTemplate): string {
  const lines = [`${template.id} version ${template.version}: ${template.title}`];
  for (const section of template.sections) {
    const notes = [
      ...(section.generate ? [`en gång per ${PER_ITEM_SV[section.generate]}`] : []),
      ...(section.boardKinds ? [`bara ${section.boardKinds.map((k) => BOARD_KIND_SV[k] ?? k).join(' och ')}`] : []),
      ...(section.requireOneOf ? [`minst en av ${section.requireOneOf.join(', ')}`] : []),
    ];
    lines.push(`  ${section.id}: ${section.title}${notes.length ? ` (${notes.join('; ')})` : ''}`);
    for (const q of section.questions) {
      const required = q.required ? ', obligatorisk' : '';
      lines.push(`    ${q.id} (${KIND_SV[q.kind]}${required}): ${q.label}`);
      if (q.kind === 'table') {
        for (const c of q.columns) {
          lines.push(`      ${c.id} (${KIND_SV[c.kind]}${c.required ? ', obligatorisk' : ''}): ${c.label}`);
        }
      }
    }
  }
  return lines.join('\n');
}
