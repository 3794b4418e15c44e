import { z } from 'zod';
import { legalDeadline } from './business-days';
import { CycleCalendar, cycleCalendarSchema, DeliverablePhase, EscalationRule, ReminderRule } from './cycle-calendar';
import { compareDates } from './local-date';
import { deliversReports, findOrganisation, isValidOn, Registry } from './organisations';
import { audienceOf, phaseOpening, writtenDeadlineFor } from './planner';
import type { ReportTemplate } from './report-template';

/** One finding, with the path of the field it concerns (e.g. `phases[3].deadline`). */
export interface Problem {
  path: string;
  message: string;
}

/**
 * Finds a report template a phase names, as parsed: the client reads the files, so the domain
 * stays free of I/O. Errors carry the template's own paths, or `(file)` when there is no file.
 */
export type TemplateLookup = (id: string) => { template?: ReportTemplate; errors: Problem[] };

export interface CalendarValidation {
  /** The parsed calendar (defaults applied) when there are no errors. */
  calendar?: CycleCalendar;
  errors: Problem[];
  /** Not wrong, but worth a look: deadlines the law moves, openings moved, reminders that fall away. */
  warnings: Problem[];
}

export function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((out, key) => {
    if (typeof key === 'number') return `${out}[${key}]`;
    return out ? `${out}.${String(key)}` : String(key);
  }, '');
}

export function zodProblems(error: z.ZodError): Problem[] {
  return error.issues.map((issue) => ({ path: formatPath(issue.path) || '(root)', message: issue.message }));
}

/**
 * Checks a calendar against the schema and the registry and reports every problem at once:
 * structure, unknown boards or milestones, deadlines before opening, ladders out of order, and
 * (as warnings) deadlines that Lag 1930:173 moves and openings given on non-business days, with
 * the date they move to. An opening the calendar keeps on such a day (`stay`) is its choice, not
 * worth a warning.
 */
export function validateCalendar(input: unknown, registry: Registry, templates?: TemplateLookup): CalendarValidation {
  const parsed = cycleCalendarSchema.safeParse(input);
  if (!parsed.success) return { errors: zodProblems(parsed.error), warnings: [] };
  const calendar = parsed.data;
  const errors: Problem[] = [];
  const warnings: Problem[] = [];

  const seen = new Set<string>();
  calendar.phases.forEach((phase, index) => {
    if (seen.has(phase.id)) errors.push({ path: `phases[${index}].id`, message: `duplicate phase id ${phase.id}` });
    seen.add(phase.id);
  });

  const goalIds = new Set<string>();
  calendar.goals?.forEach((goal, index) => {
    if (goalIds.has(goal.id)) errors.push({ path: `goals[${index}].id`, message: `duplicate goal id ${goal.id}` });
    goalIds.add(goal.id);
  });

  calendar.phases.forEach((phase, index) => {
    if (phase.kind !== 'deliverable') return;
    checkDeliverable(calendar, registry, phase, `phases[${index}]`, errors, warnings);
    if (templates && phase.template) checkTemplate(calendar, phase.template, templates, `phases[${index}]`, errors);
    // A LUP stage is recorded from the report's answers (its measures, its main focus).
    if (phase.lupStage && !phase.template) {
      errors.push({
        path: `phases[${index}].template`,
        message: `a phase with lupStage ${phase.lupStage} needs a report template`,
      });
    }
    // A sign-off follows klarmarkera, which only a report answered on its form has.
    if (phase.signOff && !phase.template) {
      errors.push({
        path: `phases[${index}].signOff`,
        message: 'a phase that needs a sign-off needs a report template (the report is signed off after klarmarkera)',
      });
    }
  });

  return errors.length ? { errors, warnings } : { calendar, errors, warnings };
}

function checkDeliverable(
  calendar: CycleCalendar,
  registry: Registry,
  phase: DeliverablePhase,
  at: string,
  errors: Problem[],
  warnings: Problem[],
): void {
  if ('afterMilestone' in phase.opens) {
    const id = phase.opens.afterMilestone;
    if (!calendar.phases.some((p) => p.kind === 'milestone' && p.id === id)) {
      errors.push({ path: `${at}.opens.afterMilestone`, message: `unknown milestone ${id}` });
      return;
    }
  }
  // Everything below is checked on the day the phase really opens, as the planner plans it.
  const opening = phaseOpening(calendar, phase)!;
  const opensOn = opening.date;
  if (opening.dayOff?.moved) {
    const [field, given] =
      'date' in phase.opens
        ? ['date', opening.given]
        : ['afterMilestone', `the planned date of ${phase.opens.afterMilestone}, ${opening.given},`];
    warnings.push({
      path: `${at}.opens.${field}`,
      message: `${given} is ${opening.dayOff.reason}: the opening moves to ${opensOn}`,
    });
  }
  if (compareDates(phase.deadline, opensOn) <= 0) {
    const moved = opening.dayOff?.moved ? ` (moved from ${opening.given}, ${opening.dayOff.reason})` : '';
    errors.push({
      path: `${at}.deadline`,
      message: `${phase.deadline} is not after the opening date ${opensOn}${moved}`,
    });
  }

  const selectors = [
    { path: `${at}.audience`, selector: phase.audience },
    ...(phase.groupDeadlines ?? []).map((selector, i) => ({ path: `${at}.groupDeadlines[${i}]`, selector })),
    ...(phase.ladderOverrides ?? []).map((selector, i) => ({ path: `${at}.ladderOverrides[${i}]`, selector })),
  ];
  for (const { path, selector } of selectors) {
    selector.boards?.forEach((id, i) => {
      const board = findOrganisation(registry, id);
      if (!board || !deliversReports(board)) {
        errors.push({ path: `${path}.boards[${i}]`, message: `unknown board ${id}` });
      } else if (!isValidOn(board, opensOn)) {
        errors.push({ path: `${path}.boards[${i}]`, message: `board ${id} does not exist on ${opensOn}` });
      }
    });
    selector.priorityAreas?.forEach((id, i) => {
      if (!registry.priorityAreas.some((area) => area.id === id)) {
        errors.push({ path: `${path}.priorityAreas[${i}]`, message: `unknown priority area ${id}` });
      }
    });
  }
  ('excludeBoards' in phase.audience ? (phase.audience.excludeBoards ?? []) : []).forEach((id, i) => {
    if (!findOrganisation(registry, id)) {
      errors.push({ path: `${at}.audience.excludeBoards[${i}]`, message: `unknown board ${id}` });
    }
  });
  if (errors.length === 0 && audienceOf(registry, phase, opensOn).length === 0) {
    errors.push({ path: `${at}.audience`, message: `no board matches on ${opensOn}` });
  }

  checkReminderOrder(phase.reminders, `${at}.reminders`, errors);
  checkEscalationOrder(phase.escalations, `${at}.escalations`, errors);
  phase.ladderOverrides?.forEach((override, i) => {
    checkReminderOrder(override.reminders, `${at}.ladderOverrides[${i}].reminders`, errors);
    checkEscalationOrder(override.escalations, `${at}.ladderOverrides[${i}].escalations`, errors);
  });

  const shift = legalDeadline(phase.deadline).shiftedFrom;
  if (shift) {
    warnings.push({
      path: `${at}.deadline`,
      message: `${shift.date} is ${shift.reason}: the deadline moves to ${legalDeadline(phase.deadline).date} (Lag 1930:173, 2 §)`,
    });
  }
  if (errors.length === 0) {
    const shiftedGroups = new Set<string>();
    for (const board of audienceOf(registry, phase, opensOn)) {
      const written = writtenDeadlineFor(registry, phase, board, opensOn);
      if (written !== phase.deadline && legalDeadline(written).shiftedFrom && !shiftedGroups.has(written)) {
        shiftedGroups.add(written);
        warnings.push({
          path: `${at}.groupDeadlines`,
          message: `group deadline ${written} moves to ${legalDeadline(written).date} (Lag 1930:173, 2 §)`,
        });
      }
    }
  }
}

/**
 * The phase's template must exist and parse; a section per goal needs the calendar's goals, or
 * the boards would get a form with nothing to answer where the guidelines demand an analysis.
 */
function checkTemplate(
  calendar: CycleCalendar,
  id: string,
  templates: TemplateLookup,
  at: string,
  errors: Problem[],
): void {
  const found = templates(id);
  const path = `${at}.template`;
  for (const problem of found.errors) {
    const where = problem.path === '(file)' ? '' : `${problem.path}: `;
    errors.push({ path, message: `template ${id}: ${where}${problem.message}` });
  }
  const choicesFromGoals = found.template?.sections.some((s) =>
    s.questions.some(
      (q) =>
        (q.kind === 'choice' && q.optionsFrom === 'goals') ||
        (q.kind === 'table' && q.columns.some((c) => c.kind === 'choice' && c.optionsFrom === 'goals')),
    ),
  );
  if (choicesFromGoals && !calendar.goals) {
    errors.push({
      path,
      message: `template ${id} offers the year's goals as choices, but the calendar lists no goals`,
    });
  }
  const perGoal = found.template?.sections.filter((s) => s.generate === 'goals') ?? [];
  if (perGoal.length > 0 && !calendar.goals) {
    errors.push({
      path,
      message: `template ${id} has a section per goal (${perGoal.map((s) => s.id).join(', ')}), but the calendar lists no goals`,
    });
  }
}

/** Reminders are listed earliest first: daysBefore strictly decreasing, the last-day rule last. */
function checkReminderOrder(rules: ReminderRule[] | undefined, path: string, errors: Problem[]): void {
  if (!rules) return;
  let previous = Infinity;
  rules.forEach((rule, i) => {
    const days = 'daysBefore' in rule ? rule.daysBefore : 0.5;
    if (days >= previous) {
      errors.push({ path: `${path}[${i}]`, message: 'out of order: list reminders from the earliest to the latest' });
    }
    previous = days;
  });
}

/** Escalation levels climb: each later step has a higher level and more business days. */
function checkEscalationOrder(rules: EscalationRule[] | undefined, path: string, errors: Problem[]): void {
  if (!rules) return;
  rules.forEach((rule, i) => {
    const before = rules[i - 1];
    if (before && (rule.level <= before.level || rule.businessDaysAfter <= before.businessDaysAfter)) {
      errors.push({
        path: `${path}[${i}]`,
        message: 'out of order: each step needs a higher level and more business days than the one before',
      });
    }
  });
}
