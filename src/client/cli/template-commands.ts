import { Command } from 'commander';
import { GeneratedSectionKind, QuestionKind, ReportTemplate } from '../../domain/report-template';
import { OrganisationKind } from '../../domain/organisations';
import { loadTemplateFile } from '../templates';
import { EXIT } from './output';

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
  namndmal: 'nämndmål',
  goals: 'mål i kommunfullmäktiges budget',
};

// Sections name only the kinds that deliver (boardKinds); the others never reach this table.
const BOARD_KIND_SV: Partial<Record<OrganisationKind, string>> = {
  stadsdelsnamnd: 'stadsdelsnämnder',
  facknamnd: 'facknämnder',
  bolagsstyrelse: 'bolagsstyrelser',
};

/** `template validate|show FILE`: a report template file, checked the way a calendar's are. */
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
