import { Command } from 'commander';
import type { Pool } from 'pg';
import { withTransaction } from '../../db/database';
import { replaceRegistry } from '../../db/registry';
import { canonicalJson } from '../../domain/canonical-json';
import { CycleCalendar } from '../../domain/cycle-calendar';
import { lateStartFor } from '../../domain/late-start';
import { Registry } from '../../domain/organisations';
import { CyclePlan, planCycle } from '../../domain/planner';
import { validateCalendar } from '../../domain/validate-calendar';
import { cycleWorkflowId } from '../../workflows/budget-cycle-workflow';
import { CycleStatus, PhaseStatus } from '../../workflows/budget-cycle-messages';
import { loadRegistry, readDataFile } from '../data-files';
import { rememberingLookup, templateLookup, templatesDirFor } from '../templates';
import { CycleOperations, DeliverableSummary } from '../operations/cycle-operations';
import { OperationError } from '../operations/operation-error';
import {
  badInput,
  cliActor,
  confirm,
  EXIT,
  formatTable,
  parseBudgetYear,
  parseFormat,
  progress,
  UsageError,
  warnIfDeadlineMoves,
  writeJson,
} from './output';
import { noRegistryStored } from './org-commands';
import { stockholmToday, withOperations } from './temporal-connection';

/** `cycle start|status|move-deadline` and `milestone confirm`: a cycle on the Temporal server. */
export function addCycleCommands(program: Command): void {
  const cycle = program.command('cycle').description('Årets cykel i Temporal (the running budget cycle)');

  cycle
    .command('start')
    .description('Kontrollerar kalendern, visar planen och startar cykeln (validate, preview and start a cycle)')
    .requiredOption('--calendar <file>', 'kalenderfil, YAML eller JSON')
    .option(
      '--organisations <file>',
      'organisationsregister: lagras om inget är lagrat, annars måste det vara det lagrade (registry file)',
    )
    .option('--yes', 'startar utan att fråga (no confirmation)')
    .action((options: { calendar: string; organisations?: string; yes?: boolean }) => startCommand(options));

  cycle
    .command('status')
    .argument('<year>', 'budgetår (budget year)')
    .option('--format <format>', 'table eller json', 'table')
    .description('Läget per fas: leveranser per status och sista dag (status per phase)')
    .action((yearText: string, options: { format: string }) => statusCommand(yearText, options.format));

  cycle
    .command('move-deadline')
    .argument('<year>', 'budgetår (budget year)')
    .requiredOption('--phase <id>', 'fasens id (phase)')
    .requiredOption('--deadline <date>', 'ny sista dag, YYYY-MM-DD (new deadline)')
    .requiredOption('--reason <text>', 'varför (reason, recorded in the audit log)')
    .option('--boards <ids>', 'bara dessa nämnder, kommaseparerade (only these boards)')
    .description('Flyttar sista dagen för en fas, för alla nämnder eller en grupp (move a phase’s deadline)')
    .action((yearText: string, options: { phase: string; deadline: string; reason: string; boards?: string }) => {
      const year = parseBudgetYear(yearText);
      return withOperations(async (ops) => {
        const boards = options.boards?.split(',').map((b) => b.trim());
        const status = await ops.moveDeadline(
          year,
          { phaseId: options.phase, deadline: options.deadline, reason: options.reason, ...(boards && { boards }) },
          cliActor(),
        );
        warnIfDeadlineMoves('deadline', options.deadline);
        const phase = status.phases.find((p) => p.id === options.phase);
        const who = boards ? `för ${boards.join(', ')}` : 'för alla nämnder';
        process.stdout.write(
          `Sista dag i ${phase?.name ?? options.phase} (${options.phase}) är flyttad till ${options.deadline} ${who}.\n`,
        );
      });
    });

  cycle
    .command('cancel')
    .argument('<year>', 'budgetår (budget year)')
    .option('--reason <text>', 'varför (reason, recorded in the audit log); krävs')
    .option('--yes', 'avbryter utan att fråga (no confirmation)')
    .description(
      'Avbryter ett budgetår som startades av misstag: alla leveranser och LUP:ar stoppas, inga fler utskick (cancel a cycle)',
    )
    .action((yearText: string, options: { reason?: string; yes?: boolean }) => cancelCommand(yearText, options));

  program
    .command('milestone')
    .description('Milstolpar (milestones)')
    .command('confirm')
    .argument('<year>', 'budgetår (budget year)')
    .requiredOption('--milestone <id>', 'milstolpens id (milestone)')
    .requiredOption('--date <date>', 'dagen den inträffade, YYYY-MM-DD (the day it happened)')
    .description('Bekräftar att en milstolpe har inträffat; faser som väntar på den öppnar (confirm a milestone)')
    .action((yearText: string, options: { milestone: string; date: string }) => {
      const year = parseBudgetYear(yearText);
      return withOperations(async (ops) => {
        const status = await ops.confirmMilestone(
          year,
          { milestoneId: options.milestone, date: options.date },
          cliActor(),
        );
        const name = status.phases.find((p) => p.id === options.milestone)?.name ?? options.milestone;
        process.stdout.write(`Milstolpen ${name} (${options.milestone}) är bekräftad den ${options.date}.\n`);
        const opening = calendarPhasesAfter((await ops.cycle(year)).calendar, options.milestone);
        if (opening.length) process.stdout.write(`Faser som öppnar med den: ${opening.join(', ')}.\n`);
      });
    });
}

/** Deliverable phases that open when the milestone is confirmed. */
function calendarPhasesAfter(calendar: CycleCalendar, milestoneId: string): string[] {
  return calendar.phases
    .filter((p) => p.kind === 'deliverable' && 'afterMilestone' in p.opens && p.opens.afterMilestone === milestoneId)
    .map((p) => p.id);
}

// ---------------------------------------------------------------------------------------------
// cycle start

async function startCommand(options: { calendar: string; organisations?: string; yes?: boolean }): Promise<void> {
  const input = readDataFile(options.calendar);
  const fileRegistry = options.organisations ? loadRegistry(options.organisations) : undefined;
  await withOperations(
    async (ops, { env, pool }) => {
      progress(`Läser organisationsregistret för ${env.municipality} …`);
      const stored = await storedRegistry(ops);
      if (fileRegistry && fileRegistry.municipality !== env.municipality) {
        throw badInput(
          'organisations',
          `${options.organisations} is the registry of ${fileRegistry.municipality}, but MUNICIPALITY is ${env.municipality}`,
          'other-municipality',
        );
      }
      if (stored && fileRegistry && canonical(stored) !== canonical(fileRegistry)) {
        throw badInput(
          'organisations',
          `${options.organisations} differs from the registry stored in PostgreSQL; replace it first with arshjul org import ${options.organisations}`,
          'registry-differs',
        );
      }
      const registry = stored ?? fileRegistry;
      if (!registry) {
        throw noRegistryStored(env.municipality);
      }

      progress(`Kontrollerar ${options.calendar} mot registret …`);
      const templates = rememberingLookup(templateLookup(templatesDirFor(options.calendar)));
      const result = validateCalendar(input, registry, templates.lookup);
      if (!result.calendar) {
        for (const e of result.errors) process.stderr.write(`fel: ${e.path}: ${e.message}\n`);
        process.stderr.write(`${options.calendar}: ${result.errors.length} fel — kalendern kan inte användas.\n`);
        process.exitCode = EXIT.failure;
        return;
      }
      const calendar = result.calendar;
      if (calendar.municipality !== env.municipality) {
        throw badInput(
          'municipality',
          `the calendar is for ${calendar.municipality}, but MUNICIPALITY is ${env.municipality}`,
          'other-municipality',
        );
      }
      const workflowId = cycleWorkflowId(calendar.municipality, calendar.budgetYear);
      const plan = planCycle(calendar, registry);
      process.stdout.write(`${planSummary(workflowId, calendar, registry, plan, stockholmToday())}\n`);
      for (const w of result.warnings) process.stdout.write(`varning: ${w.path}: ${w.message}\n`);

      if (!options.yes) {
        if (!process.stdin.isTTY) {
          throw new UsageError(
            'cycle start: ingen terminal att fråga (no TTY): bekräfta med --yes för att starta cykeln; ingenting startades.',
          );
        }
        if (!(await confirm(`Starta cykeln ${workflowId}?`))) {
          process.stderr.write('Avbrutet: ingenting startades.\n');
          process.exitCode = EXIT.failure;
          return;
        }
      }

      if (!stored && fileRegistry) await storeRegistry(pool, fileRegistry, options.organisations!);
      progress(`Startar ${workflowId} på kön ${env.taskQueue} …`);
      const outcome = await ops.startCycle(calendar, cliActor(), templates.templatesOf(calendar));
      if (outcome === 'already-running') {
        throw new OperationError(
          409,
          'budgetYear',
          `cykeln ${workflowId} är redan startad (already running); ingenting ändrades`,
          'already-started',
        );
      }
      process.stdout.write(`Cykeln ${workflowId} är startad (started).\n`);
    },
    { verbose: true },
  );
}

async function storedRegistry(ops: CycleOperations): Promise<Registry | undefined> {
  try {
    return await ops.registry();
  } catch (error) {
    if (error instanceof OperationError && error.field === 'organisations') return undefined;
    throw error;
  }
}

async function storeRegistry(pool: Pool, registry: Registry, file: string): Promise<void> {
  progress(`Lagrar organisationsregistret från ${file} …`);
  await withTransaction(pool, (tx) => replaceRegistry(tx, registry));
}

/** A registry as text that does not depend on order of entries or keys: for comparing two. */
function canonical(registry: Registry): string {
  const byId = <T extends { id: string }>(items: T[]) => [...items].sort((a, b) => a.id.localeCompare(b.id));
  return canonicalJson({
    municipality: registry.municipality,
    organisations: byId(registry.organisations),
    priorityAreas: byId(registry.priorityAreas),
  });
}

const MAIL_KINDS = new Set(['opening', 'reminder', 'escalation']);

/** What starting the cycle sets in motion: phases, boards per phase, mails, a late start. */
function planSummary(
  workflowId: string,
  calendar: CycleCalendar,
  registry: Registry,
  plan: CyclePlan,
  today: string,
): string {
  const now = Date.now();
  const rows = calendar.phases.map((phase) => {
    if (phase.kind === 'milestone') return [phase.id, 'milstolpe', phase.date, '—', '—', '—'];
    const deliverables = plan.deliverables.filter((d) => d.phaseId === phase.id);
    const mails = deliverables.flatMap((d) => d.actions).filter((a) => MAIL_KINDS.has(a.kind)).length;
    const opens =
      'date' in phase.opens
        ? phase.opens.date
        : `efter ${phase.opens.afterMilestone} (${deliverables[0]?.opensOn ?? '?'})`;
    return [phase.id, 'leverans', opens, phase.deadline, String(deliverables.length), String(mails)];
  });
  const mails = plan.actions.filter((a) => MAIL_KINDS.has(a.kind));
  const passed = mails.filter((a) => Date.parse(a.instant) <= now).length;
  const late = lateStartFor(calendar, registry, today);
  const confirmed = Object.keys(late.confirmedMilestones).length;
  const lines = [
    `Cykel ${workflowId}: ${calendar.phases.length} faser, ${plan.deliverables.length} leveranser, ${mails.length} planerade utskick (mails).`,
    formatTable(['fas', 'typ', 'öppnar / datum', 'sista dag', 'nämnder', 'utskick'], rows),
  ];
  if (passed) lines.push(`${passed} utskick har en tidpunkt som redan passerat och skickas inte.`);
  if (confirmed || late.imported.length) {
    lines.push(
      `Sen start (late start): ${confirmed} milstolpar räknas som bekräftade och ${late.imported.length} leveranser som godkända före Årshjul.`,
    );
  }
  return lines.join('\n');
}

// ---------------------------------------------------------------------------------------------
// cycle cancel

async function cancelCommand(yearText: string, options: { reason?: string; yes?: boolean }): Promise<void> {
  const year = parseBudgetYear(yearText);
  if (options.reason === undefined) throw badInput('reason', 'must say why (--reason TEXT)', 'required');
  if (!options.reason.trim()) throw badInput('reason', 'must not be empty', 'required');
  await withOperations(async (ops) => {
    // An unknown year: `budgetYear: not found`. The count asked about comes from the record.
    const live = await ops.cycleProgress(await ops.cycle(year));
    if (!options.yes) {
      if (!process.stdin.isTTY) {
        throw new UsageError(
          'cycle cancel: ingen terminal att fråga (no TTY): bekräfta med --yes för att avbryta budgetåret; ingenting ändrades.',
        );
      }
      const question = `Avbryta budgetår ${year} (${live.workflowId})? ${live.openDeliverables} leveranser stoppas och inga fler utskick går ut.`;
      if (!(await confirm(question))) {
        process.stderr.write('Avbrutet: ingenting ändrades.\n');
        process.exitCode = EXIT.failure;
        return;
      }
    }
    const status = await ops.cancelCycle(year, { reason: options.reason }, cliActor());
    process.stdout.write(
      `Budgetår ${year} avbrutet: ${status.cancelled?.stoppedDeliverables ?? 0} leveranser stoppade.\n`,
    );
  });
}

// ---------------------------------------------------------------------------------------------
// cycle status

type Counts = Record<
  'total' | 'planned' | 'open' | 'submitted' | 'approved' | 'returned' | 'exempt' | 'cancelled' | 'late' | 'escalated',
  number
>;

/** The JSON of `cycle status --format json`; documented in the README. Keep it stable. */
export interface CycleStatusDocument {
  format: 'arshjul-cycle-status/1';
  municipality: string;
  budgetYear: number;
  workflowId: string;
  openDeliverables: number;
  finishedDeliverables: number;
  phases: Array<{
    id: string;
    name: string;
    kind: PhaseStatus['kind'];
    stage: PhaseStatus['stage'];
    plannedDate: string;
    confirmedOn: string | null;
    opensAt: string | null;
    deadline: string | null;
    deliverables: Counts | null;
  }>;
}

export function statusDocument(live: CycleStatus, deliverables: DeliverableSummary[]): CycleStatusDocument {
  return {
    format: 'arshjul-cycle-status/1',
    municipality: live.municipality,
    budgetYear: live.budgetYear,
    workflowId: live.workflowId,
    openDeliverables: live.openDeliverables,
    finishedDeliverables: live.finishedDeliverables,
    phases: live.phases.map((p) => ({
      id: p.id,
      name: p.name,
      kind: p.kind,
      stage: p.stage,
      plannedDate: p.plannedDate,
      confirmedOn: p.confirmedOn ?? null,
      opensAt: p.opensAt ?? null,
      deadline: p.deadline ?? null,
      deliverables: p.kind === 'deliverable' ? countsOf(deliverables.filter((d) => d.phaseId === p.id)) : null,
    })),
  };
}

function countsOf(rows: DeliverableSummary[]): Counts {
  const counts: Counts = {
    total: rows.length,
    planned: 0,
    open: 0,
    submitted: 0,
    approved: 0,
    returned: 0,
    exempt: 0,
    cancelled: 0,
    late: 0,
    escalated: 0,
  };
  for (const row of rows) {
    counts[row.stage] += 1;
    if (row.late) counts.late += 1;
    if (row.escalationLevel > 0) counts.escalated += 1;
  }
  return counts;
}

const PHASE_STAGE_SV: Record<PhaseStatus['stage'], string> = {
  planned: 'planerad',
  confirmed: 'bekräftad',
  waiting: 'väntar',
  'waiting-for-milestone': 'väntar på milstolpe',
  open: 'öppen',
  closed: 'klar',
};

function statusTable(doc: CycleStatusDocument): string {
  const header = [
    'fas',
    'läge',
    'datum / sista dag',
    'nämnder',
    'öppna',
    'inlämnade',
    'godkända',
    'återremitterade',
    'undantagna',
    'sena',
    'eskalerade',
  ];
  const rows = doc.phases.map((p) => {
    const c = p.deliverables;
    const date = p.kind === 'milestone' ? (p.confirmedOn ?? p.plannedDate) : (p.deadline ?? '—');
    const counts = c
      ? [c.total, c.open, c.submitted, c.approved, c.returned, c.exempt, c.late, c.escalated].map(String)
      : Array<string>(8).fill('—');
    return [p.id, PHASE_STAGE_SV[p.stage], date, ...counts];
  });
  return [
    `Cykel ${doc.workflowId}: ${doc.openDeliverables} leveranser pågår, ${doc.finishedDeliverables} klara.`,
    formatTable(header, rows),
  ].join('\n');
}

async function statusCommand(yearText: string, formatText: string): Promise<void> {
  const year = parseBudgetYear(yearText);
  const format = parseFormat(formatText);
  await withOperations(async (ops) => {
    const cycle = await ops.cycle(year); // an unknown year: `budgetYear: not found`
    // From the record (its events and the read model), not the cycle workflow: the status shows
    // nothing that exists only there, and answers while Temporal is away.
    const deliverables = await ops.deliverablesOf(cycle);
    const doc = statusDocument(await ops.cycleProgress(cycle, deliverables), deliverables);
    if (format === 'json') writeJson(doc);
    else process.stdout.write(`${statusTable(doc)}\n`);
  });
}
