/**
 * `arshjul`, the command line for operators and the city management office. Messages are in
 * Swedish with the English term where it helps; exit codes: 0 ok, 1 failure, 2 bad input or
 * configuration.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command, CommanderError } from 'commander';
import { ensureTemporalCli } from '../../toolchain/temporal-cli';
import { ensureTimeSkippingServer } from '../../toolchain/time-skipping-server';
import { ensurePostgresBinaries } from '../../toolchain/postgres-binaries';
import { ensureChromium } from '../../toolchain/chromium';
import { toolCacheDir } from '../../toolchain/cache-dir';
import { ConfigError } from '../../app/config';
import { ZodError } from 'zod';
import { planCycle } from '../../domain/planner';
import { validateCalendar } from '../../domain/validate-calendar';
import { DataFileError, loadRegistry, readDataFile, shippedRegistryPath } from '../data-files';
import { planDocument, planTable } from './plan-output';
import { addRecordCommands } from './record-commands';
import { OperationError } from '../operations/operation-error';
import { addCycleCommands } from './cycle-commands';
import { addDeliverableCommands, addLupCommands } from './deliverable-commands';
import { addOrgCommands } from './org-commands';
import { addTokenCommands } from './token-commands';
import { addPersonCommands } from './person-commands';
import { EXIT, refusalLine, UsageError } from './output';
import { addFeedCommands } from './feed-commands';
import { addTemplateCommands } from './template-commands';
import { templateLookup, templatesDirFor } from '../templates';

function packageVersion(): string {
  // Read at run time: package.json sits two levels above both src/client/cli and dist/client/cli.
  const pkg = JSON.parse(readFileSync(join(__dirname, '..', '..', '..', 'package.json'), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

// Defined next to the commands' helpers (output.ts), so command modules need not import this one.
export { EXIT, UsageError };

export function buildCli(): Command {
  const program = new Command('arshjul')
    .description('Årshjul — stadens årshjul för budget och uppföljning (budget and follow-up cycle engine)')
    .version(packageVersion())
    // Parse errors (unknown option, missing argument) throw instead of exiting with 1: they are
    // bad input, exit code 2 (see reportCliError). Inherited by every command added below.
    .exitOverride();

  program
    .command('toolchain')
    .description('Installerar eller hittar Temporal CLI, testservern, PostgreSQL och Chromium (provision the tools)')
    .action(async () => {
      const tools = {
        cache: toolCacheDir(),
        temporalCli: await ensureTemporalCli(),
        timeSkippingServer: await ensureTimeSkippingServer(),
        postgresBin: await ensurePostgresBinaries(),
        chromium: await ensureChromium(),
      };
      process.stdout.write(`${JSON.stringify(tools, null, 2)}\n`);
    });

  addRecordCommands(program);
  addFeedCommands(program);
  addOrgCommands(program);
  addTokenCommands(program);
  addPersonCommands(program);
  addCycleCommands(program);
  addDeliverableCommands(program);
  addLupCommands(program);
  addTemplateCommands(program);

  const calendar = program.command('calendar').description('Årets kalender (the cycle calendar)');
  calendar
    .command('validate')
    .argument('<file>', 'kalenderfil, YAML eller JSON')
    .option('--organisations <file>', 'organisationsregister', shippedRegistryPath())
    .description(
      'Kontrollerar en kalender mot schemat, registret och mallarna i templates/ bredvid den (validate a calendar)',
    )
    .action((file: string, options: { organisations: string }) => {
      const registry = loadRegistry(options.organisations);
      const result = validateCalendar(readDataFile(file), registry, templateLookup(templatesDirFor(file)));
      for (const w of result.warnings) process.stdout.write(`varning: ${w.path}: ${w.message}\n`);
      for (const e of result.errors) process.stderr.write(`fel: ${e.path}: ${e.message}\n`);
      if (result.errors.length) {
        process.stderr.write(`${file}: ${result.errors.length} fel — kalendern kan inte användas.\n`);
        process.exitCode = EXIT.failure;
        return;
      }
      process.stdout.write(`${file}: giltig (${result.warnings.length} varningar).\n`);
    });

  program
    .command('plan')
    .description('Torrkörning: varje planerad åtgärd med tidpunkt (dry run of the plan)')
    .requiredOption('--calendar <file>', 'kalenderfil, YAML eller JSON')
    .option('--organisations <file>', 'organisationsregister', shippedRegistryPath())
    .option('--format <format>', 'json eller table', 'table')
    .action((options: { calendar: string; organisations: string; format: string }) => {
      if (options.format !== 'json' && options.format !== 'table') {
        throw new UsageError(`--format: must be json or table (got ${options.format})`);
      }
      const registry = loadRegistry(options.organisations);
      const result = validateCalendar(
        readDataFile(options.calendar),
        registry,
        templateLookup(templatesDirFor(options.calendar)),
      );
      if (!result.calendar) {
        for (const e of result.errors) process.stderr.write(`fel: ${e.path}: ${e.message}\n`);
        process.exitCode = EXIT.failure;
        return;
      }
      const plan = planCycle(result.calendar, registry);
      if (options.format === 'json') {
        process.stdout.write(`${JSON.stringify(planDocument(plan, result.warnings), null, 2)}\n`);
      } else {
        for (const w of result.warnings) process.stderr.write(`varning: ${w.path}: ${w.message}\n`);
        process.stdout.write(`${planTable(plan)}\n`);
      }
    });

  return program;
}

/** Prints an error the way users should see it and sets the exit code. */
export function reportCliError(error: unknown): number {
  if (error instanceof CommanderError) {
    // Commander has printed the problem (or the help, or the version: exit code 0).
    return error.exitCode === 0 ? EXIT.ok : EXIT.badInput;
  }
  if (error instanceof OperationError) {
    // Refused by the operations layer: the field, its code in Swedish and the code. 400 is bad
    // input; 404 and 409 (unknown, or not possible now) are a failure.
    process.stderr.write(refusalLine('fel', error));
    return error.status === 400 ? EXIT.badInput : EXIT.failure;
  }
  if (error instanceof ConfigError || error instanceof UsageError) {
    process.stderr.write(`${error.message}\n`);
    return EXIT.badInput;
  }
  if (error instanceof ZodError) {
    // Bad input names the field and the problem, one line each.
    for (const issue of error.issues)
      process.stderr.write(`fel: ${issue.path.join('.') || '(input)'}: ${issue.message}\n`);
    return EXIT.badInput;
  }
  if (error instanceof DataFileError) {
    process.stderr.write(`fel: ${error.message}\n`);
    return EXIT.badInput;
  }
  process.stderr.write(`Fel: ${error instanceof Error ? error.message : String(error)}\n`);
  return EXIT.failure;
}

if (require.main === module) {
  buildCli()
    .parseAsync(process.argv)
    .catch((error: unknown) => process.exit(reportCliError(error)));
}
