import {
  addBusinessDays,
  dayOffReason,
  legalDeadline,
  LegalDeadline,
  nextBusinessDayOnOrAfter,
  previousBusinessDayOnOrBefore,
} from './business-days';
import {
  Audience,
  CycleCalendar,
  DEFAULT_ESCALATIONS,
  defaultReminders,
  DeliverablePhase,
  EscalationRule,
  MilestonePhase,
  RecipientRole,
  ReminderRule,
} from './cycle-calendar';
import { addDays, compareDates, LocalDate } from './local-date';
import { deliversReports, boardsServingArea, Organisation, organisationsOn, Registry } from './organisations';
import { formatWithOffset, zonedInstant } from './zoned-time';

/**
 * The planner: a pure function from a cycle calendar and the organisation registry to every
 * timed action of the cycle, each with its absolute instant. Workflows never compute dates:
 * they receive this plan (through an activity, so it sits in their history) and sleep until
 * each instant. The CLI's dry run prints the same plan.
 */

export type ActionKind = 'milestone' | 'opening' | 'reminder' | 'deadline' | 'escalation';

export interface PlannedAction {
  /** Stable within a cycle: phase, board, kind and step; part of the notification's key. */
  id: string;
  /** ISO 8601 with the Stockholm offset of that day. */
  instant: string;
  /** Stockholm calendar date of the instant. */
  localDate: LocalDate;
  phaseId: string;
  boardId?: string;
  kind: ActionKind;
  /** Reminder number (1 = first) or escalation level. */
  level?: number;
  /** Roles that receive the notification; resolved to addresses at send time. */
  recipients: RecipientRole[];
  /** An opening that waits for a milestone: its instant is the milestone's planned date (moved as any opening). */
  afterMilestone?: string;
}

export interface DeliverablePlan {
  phaseId: string;
  boardId: string;
  opensOn: LocalDate;
  afterMilestone?: string;
  deadline: LegalDeadline;
  /** Deadline instant, ISO with offset. */
  deadlineAt: string;
  actions: PlannedAction[];
}

export interface CyclePlan {
  municipality: string;
  budgetYear: number;
  timeZone: string;
  deliverables: DeliverablePlan[];
  /** Every action of the cycle, in time order. */
  actions: PlannedAction[];
}

const KIND_ORDER: Record<ActionKind, number> = { milestone: 0, opening: 1, reminder: 2, deadline: 3, escalation: 4 };

export function compareActions(a: PlannedAction, b: PlannedAction): number {
  return (
    Date.parse(a.instant) - Date.parse(b.instant) ||
    a.phaseId.localeCompare(b.phaseId) ||
    (a.boardId ?? '').localeCompare(b.boardId ?? '') ||
    KIND_ORDER[a.kind] - KIND_ORDER[b.kind] ||
    (a.level ?? 0) - (b.level ?? 0)
  );
}

/**
 * The date a deliverable phase is given to open: its own date, or its milestone's planned date.
 * The day it really opens is `phaseOpening`'s, which may be a later business day.
 */
export function openingDate(calendar: Pick<CycleCalendar, 'phases'>, phase: DeliverablePhase): LocalDate | undefined {
  if ('date' in phase.opens) return phase.opens.date;
  const milestoneId = phase.opens.afterMilestone;
  const milestone = calendar.phases.find((p): p is MilestonePhase => p.kind === 'milestone' && p.id === milestoneId);
  return milestone?.date;
}

export interface PhaseOpening {
  /** The day the phase opens: its opening mail goes out that day at notifyAt. */
  date: LocalDate;
  /** The day the calendar gives: the phase's own date, or its milestone's (planned or confirmed). */
  given: LocalDate;
  /** Present when the given day is no business day: why (in Swedish), and whether the opening moved. */
  dayOff?: { reason: string; moved: boolean };
}

/**
 * When a deliverable phase opens. Nobody reads an opening mail on a Saturday, a holiday or
 * julafton, so an opening given on such a day moves to the next business day unless the phase
 * (or the calendar) says `stay`. The planner, the cycle's schedule and validation all ask here,
 * so the opening mail, the cycle's wake-up and the warnings cannot disagree. A phase opened by a
 * confirmed milestone is replanned with `opens.date` set to the confirmed date and follows the
 * same rule. Undefined when the phase waits for a milestone the calendar does not have.
 */
export function phaseOpening(
  calendar: Pick<CycleCalendar, 'phases' | 'openingOnNonBusinessDay'>,
  phase: DeliverablePhase,
): PhaseOpening | undefined {
  const given = openingDate(calendar, phase);
  if (!given) return undefined;
  const reason = dayOffReason(given);
  if (!reason) return { date: given, given };
  const moved = (phase.openingOnNonBusinessDay ?? calendar.openingOnNonBusinessDay ?? 'move') === 'move';
  return { date: moved ? nextBusinessDayOnOrAfter(given) : given, given, dayOff: { reason, moved } };
}

/**
 * When each phase that opens on a date opens, as UTC instants: what the cycle workflow sleeps
 * to before it plans the phase (phases waiting for a milestone open on its confirmation).
 */
export function scheduledOpenings(calendar: CycleCalendar): Record<string, string> {
  const openings: Record<string, string> = {};
  for (const phase of calendar.phases) {
    if (phase.kind !== 'deliverable' || !('date' in phase.opens)) continue;
    const opening = phaseOpening(calendar, phase)!;
    openings[phase.id] = zonedInstant(opening.date, calendar.notifyAt, calendar.timeZone).toISOString();
  }
  return openings;
}

function matchesGroup(
  registry: Registry,
  board: Organisation,
  selector: Pick<Audience, 'kinds' | 'boards' | 'priorityAreas'>,
  onDate: LocalDate,
): boolean {
  if (selector.kinds && !selector.kinds.includes(board.kind)) return false;
  if (selector.boards && !selector.boards.includes(board.id)) return false;
  if (
    selector.priorityAreas &&
    !selector.priorityAreas.some((area) => boardsServingArea(registry, area, onDate).some((b) => b.id === board.id))
  ) {
    return false;
  }
  return true;
}

/** The boards a phase addresses: valid on its opening date, narrowed by its audience. */
export function audienceOf(registry: Registry, phase: DeliverablePhase, onDate: LocalDate): Organisation[] {
  return organisationsOn(registry, onDate)
    .filter((org) => deliversReports(org))
    .filter((org) => matchesGroup(registry, org, phase.audience, onDate))
    .filter((org) => !phase.audience.excludeBoards?.includes(org.id))
    .sort((a, b) => a.id.localeCompare(b.id));
}

/** The ladder with its last step (the highest level) taken by SLK's controller instead of the committee. */
function lastStepToSlk(escalations: EscalationRule[]): EscalationRule[] {
  const last = Math.max(...escalations.map((r) => r.level));
  return escalations.map((rule) =>
    rule.level === last
      ? {
          ...rule,
          to: [...rule.to.filter((role) => role !== 'utskott' && role !== 'slk-controller'), 'slk-controller'],
        }
      : rule,
  );
}

/** The ladders that apply to one board in one phase: group override, phase, then defaults. */
export function laddersFor(
  registry: Registry,
  phase: DeliverablePhase,
  board: Organisation,
  onDate: LocalDate,
): { reminders: ReminderRule[]; escalations: EscalationRule[] } {
  const override = phase.ladderOverrides?.find((o) => matchesGroup(registry, board, o, onDate));
  const escalations = (override?.escalations ?? phase.escalations ?? DEFAULT_ESCALATIONS).filter(
    (rule) => !rule.kinds || rule.kinds.includes(board.kind),
  );
  return {
    reminders: override?.reminders ?? phase.reminders ?? defaultReminders(phase),
    escalations: phase.lastEscalationTo === 'slk-controller' ? lastStepToSlk(escalations) : escalations,
  };
}

/** The deadline as written for one board: the phase deadline, later for a staggered group. */
export function writtenDeadlineFor(
  registry: Registry,
  phase: DeliverablePhase,
  board: Organisation,
  onDate: LocalDate,
): LocalDate {
  const group = phase.groupDeadlines?.find((g) => matchesGroup(registry, board, g, onDate));
  return group ? addBusinessDays(phase.deadline, group.businessDaysAfter) : phase.deadline;
}

export interface DeliverablePlanInput {
  calendar: Pick<CycleCalendar, 'timeZone' | 'notifyAt' | 'deadlineTime'>;
  phase: DeliverablePhase;
  board: Organisation;
  /** The day the phase opens (`phaseOpening`), a business day unless the phase says stay. */
  opensOn: LocalDate;
  afterMilestone?: string;
  /** The deadline as written (before the law's shift): the phase's, a group's, or a moved one. */
  deadline: LocalDate;
  reminders: ReminderRule[];
  escalations: EscalationRule[];
}

/**
 * Every action of one board's deliverable. Replanning after a moved deadline or an extension is
 * this same function with the new deadline: there is no separate replan arithmetic to drift.
 */
export function planDeliverable(input: DeliverablePlanInput): DeliverablePlan {
  const { calendar, phase, board } = input;
  const tz = calendar.timeZone;
  const at = (date: LocalDate, time: string): string => formatWithOffset(zonedInstant(date, time, tz), tz);
  const deadline = legalDeadline(input.deadline);
  const deadlineAt = at(deadline.date, phase.deadlineTime ?? calendar.deadlineTime);
  const base = { phaseId: phase.id, boardId: board.id };
  const id = (suffix: string): string => `${phase.id}/${board.id}/${suffix}`;
  const actions: PlannedAction[] = [
    {
      ...base,
      id: id('opening'),
      kind: 'opening',
      instant: at(input.opensOn, calendar.notifyAt),
      localDate: input.opensOn,
      recipients: ['registrator'],
      ...(input.afterMilestone && { afterMilestone: input.afterMilestone }),
    },
  ];

  // Reminders go out on the business day on or before their nominal date (never later: a
  // reminder that slips past a weekend would arrive too close to the deadline), after opening.
  const reminderDates = new Set<LocalDate>();
  for (const rule of input.reminders) {
    if ('onDeadlineDay' in rule) {
      // The legal deadline is always a business day; the mail goes out that morning.
      if (compareDates(deadline.date, input.opensOn) > 0) reminderDates.add(deadline.date);
      continue;
    }
    const nominal = 'daysBefore' in rule ? addDays(deadline.date, -rule.daysBefore) : addDays(deadline.date, -1);
    const date = previousBusinessDayOnOrBefore(nominal);
    if (compareDates(date, input.opensOn) <= 0 || compareDates(date, deadline.date) >= 0) continue;
    reminderDates.add(date);
  }
  [...reminderDates].sort().forEach((date, index) =>
    actions.push({
      ...base,
      id: id(`reminder-${index + 1}`),
      kind: 'reminder',
      level: index + 1,
      instant: at(date, calendar.notifyAt),
      localDate: date,
      recipients: ['registrator'],
    }),
  );

  actions.push({
    ...base,
    id: id('deadline'),
    kind: 'deadline',
    instant: deadlineAt,
    localDate: deadline.date,
    recipients: [],
  });

  for (const rule of [...input.escalations].sort((a, b) => a.level - b.level)) {
    const date = addBusinessDays(deadline.date, rule.businessDaysAfter);
    actions.push({
      ...base,
      id: id(`escalation-${rule.level}`),
      kind: 'escalation',
      level: rule.level,
      instant: at(date, calendar.notifyAt),
      localDate: date,
      recipients: [...rule.to],
    });
  }
  actions.sort(compareActions);
  return {
    phaseId: phase.id,
    boardId: board.id,
    opensOn: input.opensOn,
    ...(input.afterMilestone && { afterMilestone: input.afterMilestone }),
    deadline,
    deadlineAt,
    actions,
  };
}

/**
 * What each board's deliverable workflow needs to plan itself, for every deliverable phase of
 * the cycle. A moved deadline or an extension is this spec with another `deadline`.
 */
export function deliverableSpecs(calendar: CycleCalendar, registry: Registry): DeliverablePlanInput[] {
  const specs: DeliverablePlanInput[] = [];
  for (const phase of calendar.phases) {
    if (phase.kind !== 'deliverable') continue;
    const opensOn = phaseOpening(calendar, phase)?.date;
    if (!opensOn) continue;
    const afterMilestone = 'afterMilestone' in phase.opens ? phase.opens.afterMilestone : undefined;
    for (const board of audienceOf(registry, phase, opensOn)) {
      specs.push({
        calendar: { timeZone: calendar.timeZone, notifyAt: calendar.notifyAt, deadlineTime: calendar.deadlineTime },
        phase,
        board,
        opensOn,
        ...(afterMilestone && { afterMilestone }),
        deadline: writtenDeadlineFor(registry, phase, board, opensOn),
        ...laddersFor(registry, phase, board, opensOn),
      });
    }
  }
  return specs;
}

/** Plans the whole cycle. Assumes a calendar that validateCalendar accepted. */
export function planCycle(calendar: CycleCalendar, registry: Registry): CyclePlan {
  const tz = calendar.timeZone;
  const actions: PlannedAction[] = [];
  for (const phase of calendar.phases) {
    if (phase.kind !== 'milestone') continue;
    actions.push({
      id: `${phase.id}/milestone`,
      phaseId: phase.id,
      kind: 'milestone',
      instant: formatWithOffset(zonedInstant(phase.date, calendar.notifyAt, tz), tz),
      localDate: phase.date,
      recipients: [],
    });
  }
  const deliverables = deliverableSpecs(calendar, registry).map(planDeliverable);
  for (const plan of deliverables) actions.push(...plan.actions);
  actions.sort(compareActions);
  return { municipality: calendar.municipality, budgetYear: calendar.budgetYear, timeZone: tz, deliverables, actions };
}
