import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Client, WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import type { Pool } from 'pg';
import { storeStartingTemplates } from '../db/cycle-templates';
import { recordCycle } from '../db/cycles';
import { withTransaction } from '../db/database';
import { storeRegistrySnapshot } from '../db/phase-plans';
import { loadStoredRegistry, replaceRegistry } from '../db/registry';
import { CycleCalendar } from '../domain/cycle-calendar';
import { lateStartFor, liveCalendars } from '../domain/late-start';
import { organisationsOn, Registry } from '../domain/organisations';
import { ReportTemplate } from '../domain/report-template';
import { TemplateLookup, validateCalendar } from '../domain/validate-calendar';
import { budgetCycleWorkflow, cycleWorkflowId, reportingBoardsOf } from '../workflows/budget-cycle-workflow';
import { lupWorkflowId } from '../workflows/lup-messages';
import { lupWorkflow } from '../workflows/lup-workflow';
import { DATA_DIR, readDataFile } from './data-files';
import { rememberingLookup, shippedTemplatesDir, templateIdsOf, templateLookup } from './templates';

/** The shipped calendars of a municipality that validate against its registry. */
export function shippedCalendars(
  registry: Registry,
  log: (line: string) => void,
  templates: TemplateLookup = templateLookup(shippedTemplatesDir(registry.municipality)),
): CycleCalendar[] {
  const dir = join(DATA_DIR, registry.municipality);
  const calendars: CycleCalendar[] = [];
  for (const file of readdirSync(dir)
    .filter((f) => /^calendar-\d{4}\.(ya?ml|json)$/.test(f))
    .sort()) {
    const result = validateCalendar(readDataFile(join(dir, file)), registry, templates);
    if (result.calendar) calendars.push(result.calendar);
    else
      log(
        `${file}: ${result.errors.length} fel, startas inte (${result.errors[0]?.path}: ${result.errors[0]?.message})`,
      );
  }
  return calendars;
}

export type CycleStartOutcome = 'started' | 'already-running';

/**
 * Starts a cycle unless it already runs. The workflow ID (municipality/year) makes a second start
 * of the same cycle impossible; that is reported, never duplicated. `templates` are the report
 * templates the calendar names, as validated with it: the cycle keeps these versions, whatever
 * later happens to the files.
 */
export async function startCycle(
  client: Client,
  pool: Pool,
  taskQueue: string,
  calendar: CycleCalendar,
  registry: Registry,
  today: string,
  startedBy: string,
  templates: readonly ReportTemplate[] = [],
): Promise<CycleStartOutcome> {
  const workflowId = cycleWorkflowId(calendar.municipality, calendar.budgetYear);
  const missing = templateIdsOf(calendar).filter((id) => !templates.some((t) => t.id === id));
  if (missing.length) throw new Error(`startCycle: the calendar names templates not given: ${missing.join(', ')}`);
  // Recorded first, with its templates in the same transaction: a cycle that runs always has its
  // calendar and templates stored. A second start keeps the first record and stores nothing, as
  // the workflow ID refuses the second workflow.
  await withTransaction(pool, async (tx) => {
    if (await recordCycle(tx, { workflowId, calendar, startedBy })) {
      await storeStartingTemplates(tx, { ...calendar, startedBy }, templates);
    }
  });
  // The registry goes to PostgreSQL before the start: the cycle carries its hash, not the registry.
  const storedRegistry = {
    hash: await storeRegistrySnapshot(pool, registry),
    reportingBoards: reportingBoardsOf(registry),
  };
  try {
    await client.workflow.start(budgetCycleWorkflow, {
      workflowId,
      taskQueue,
      args: [{ calendar, storedRegistry, ...lateStartFor(calendar, registry, today) }],
    });
    return 'started';
  } catch (error) {
    if (error instanceof WorkflowExecutionAlreadyStartedError) return 'already-running';
    throw error;
  }
}

/**
 * Starts the LUP workflow of every district in force on `today` when the calendar has LUP stages,
 * so the districts' dialogues and stages have a workflow from the cycle's start (the same the
 * API's cycle start does through its operations). A LUP already running is left as it is.
 * Returns how many districts have one.
 */
export async function startDistrictLups(
  client: Client,
  taskQueue: string,
  calendar: CycleCalendar,
  registry: Registry,
  today: string,
): Promise<number> {
  if (!calendar.phases.some((p) => p.kind === 'deliverable' && p.lupStage !== undefined)) return 0;
  const districts = organisationsOn(registry, today).filter((o) => o.kind === 'stadsdelsnamnd');
  for (const district of districts) {
    try {
      // The district's programme lives across budget years: one workflow, whichever cycle starts it.
      await client.workflow.start(lupWorkflow, {
        workflowId: lupWorkflowId(calendar.municipality, district.id),
        taskQueue,
        args: [{ municipality: calendar.municipality, boardId: district.id }],
      });
    } catch (error) {
      if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
    }
  }
  return districts.length;
}

/**
 * `npm start` on first run: stores the shipped registry (unless one is stored already: SLK's
 * corrections win) and starts the cycles under way today, so a newcomer sees real phases at once.
 */
export async function startLiveCycles(
  client: Client,
  pool: Pool,
  taskQueue: string,
  registry: Registry,
  today: string,
  log: (line: string) => void,
): Promise<Array<{ workflowId: string; outcome: CycleStartOutcome }>> {
  if (!(await loadStoredRegistry(pool, registry.municipality))) {
    await withTransaction(pool, (tx) => replaceRegistry(tx, registry));
    log(
      `Organisationsregistret för ${registry.municipality} är inläst (${registry.organisations.length} organisationer).`,
    );
  }
  const templates = rememberingLookup(templateLookup(shippedTemplatesDir(registry.municipality)));
  const results = [];
  for (const calendar of liveCalendars(shippedCalendars(registry, log, templates.lookup), today)) {
    const outcome = await startCycle(
      client,
      pool,
      taskQueue,
      calendar,
      registry,
      today,
      'npm start',
      templates.templatesOf(calendar),
    );
    // Its districts' LUPs too (also on a later start: one stopped half-way is started now).
    await startDistrictLups(client, taskQueue, calendar, registry, today);
    results.push({ workflowId: cycleWorkflowId(calendar.municipality, calendar.budgetYear), outcome });
  }
  return results;
}
