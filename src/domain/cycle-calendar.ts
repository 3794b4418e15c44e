import { z } from 'zod';
import { MUNICIPALITY_TIME_ZONE } from './glossary';
import { lupStages } from './report-submission';
import { boardKinds, OrganisationKind } from './organisations';
import { localDateSchema } from './registry-schema';

/**
 * A budget year's cycle, as data: Kommunstyrelsen decides the timetable anew every year, so it
 * lives in a YAML or JSON file validated here, never in code.
 */

const idSchema = z
  .string()
  .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, { message: 'must be lower-case letters, digits and dashes' });
const timeSchema = z.string().regex(/^(?:[01]\d|2[0-3]):[0-5]\d$/, { message: 'must be a time HH:MM' });
const boardKindSchema = z.enum(boardKinds as [OrganisationKind, ...OrganisationKind[]]);

/** Who receives a notification: a role at the board itself, or an organisation above it. */
export const recipientRoles = [
  'registrator',
  'forvaltningschef',
  // A district's head by the title the city uses today; either title reaches the head of
  // administration of any board (recipients.ts).
  'stadsdelsdirektor',
  'vd',
  'ordforande',
  'koncernmoder',
  'utskott',
  // SLK's controller (the `controller` contact of the SLK organisation), issue 14.
  'slk-controller',
] as const;
export type RecipientRole = (typeof recipientRoles)[number];

export const reminderRuleSchema = z.union([
  z.object({ daysBefore: z.number().int().min(1).max(180) }).strict(),
  z.object({ lastBusinessDayBefore: z.literal(true) }).strict(),
  /** On the deadline's own day (at notifyAt), when it is a business day after opening. */
  z.object({ onDeadlineDay: z.literal(true) }).strict(),
]);
export type ReminderRule = z.infer<typeof reminderRuleSchema>;

export const escalationRuleSchema = z
  .object({
    level: z.number().int().min(1).max(9),
    businessDaysAfter: z.number().int().min(1).max(60),
    to: z.array(z.enum(recipientRoles)).min(1),
    /** Only boards of these kinds climb this step (e.g. Stockholms Stadshus AB for companies). */
    kinds: z.array(boardKindSchema).min(1).optional(),
  })
  .strict();
export type EscalationRule = z.infer<typeof escalationRuleSchema>;

const groupSelectorShape = {
  kinds: z.array(boardKindSchema).min(1).optional(),
  boards: z.array(idSchema).min(1).optional(),
  /** Boards serving these priority areas (on the phase's opening date). */
  priorityAreas: z.array(idSchema).min(1).optional(),
};

export const audienceSchema = z.object({ ...groupSelectorShape, excludeBoards: z.array(idSchema).optional() }).strict();
export type Audience = z.infer<typeof audienceSchema>;

const ladderOverrideSchema = z
  .object({
    ...groupSelectorShape,
    reminders: z.array(reminderRuleSchema).optional(),
    escalations: z.array(escalationRuleSchema).optional(),
  })
  .strict();
export type LadderOverride = z.infer<typeof ladderOverrideSchema>;

const groupDeadlineSchema = z
  .object({ ...groupSelectorShape, businessDaysAfter: z.number().int().min(1).max(60) })
  .strict();
export type GroupDeadline = z.infer<typeof groupDeadlineSchema>;

/**
 * What happens to an opening given on a Saturday, Sunday, public holiday, midsommarafton,
 * julafton or nyårsafton: `move` (the default) opens the phase, and sends its opening mail, on
 * the next business day; `stay` keeps the given day (SLK wants the phase open over a long
 * weekend, say). The same rule applies when a phase opens on a milestone's confirmed date.
 * It sits on the phase, not inside `opens`, because the cycle replans a phase with `opens`
 * replaced by the date it actually opened.
 */
const openingRuleSchema = z.enum(['move', 'stay'], {
  message: 'must be move (to the next business day) or stay (on the given day)',
});

const goalSchema = z.object({ id: idSchema, name: z.string().trim().min(1).max(200) }).strict();
export type BudgetGoal = z.infer<typeof goalSchema>;

export const milestonePhaseSchema = z
  .object({
    id: idSchema,
    kind: z.literal('milestone'),
    name: z.string().min(1).max(200),
    owner: z.enum(['SLK', 'KS', 'KF']),
    date: localDateSchema,
  })
  .strict();
export type MilestonePhase = z.infer<typeof milestonePhaseSchema>;

export const deliverablePhaseSchema = z
  .object({
    id: idSchema,
    kind: z.literal('deliverable'),
    name: z.string().min(1).max(200),
    audience: audienceSchema.default({}),
    opens: z.union([z.object({ date: localDateSchema }).strict(), z.object({ afterMilestone: idSchema }).strict()]),
    /** An opening on a non-business day: moved to the next one, or kept. Absent: the calendar's. */
    openingOnNonBusinessDay: openingRuleSchema.optional(),
    deadline: localDateSchema,
    deadlineTime: timeSchema.optional(),
    /** Staggered deadlines: these groups deliver later than the phase deadline. */
    groupDeadlines: z.array(groupDeadlineSchema).optional(),
    reviewRequired: z.boolean().default(false),
    /** A report covering a period of a month or more: first reminder 28 days ahead, not 7. */
    coversPeriod: z.boolean().default(false),
    reminders: z.array(reminderRuleSchema).optional(),
    escalations: z.array(escalationRuleSchema).optional(),
    /**
     * Who takes the ladder's last escalation step: the committee (`utskott`, as by default) or
     * SLK's controller (`slk-controller`), in place of the committee.
     */
    lastEscalationTo: z.enum(['utskott', 'slk-controller']).optional(),
    /** Per-group ladders (priority districts, companies …); the first matching entry applies. */
    ladderOverrides: z.array(ladderOverrideSchema).optional(),
    /**
     * The report template boards answer (a file `templates/<id>.yaml` next to the calendar), whose
     * answers the workflow checks when a board marks the report ready. Absent: no form, the
     * document reference only.
     */
    template: idSchema.optional(),
    /**
     * For a district's LUP phases: the stage of the LUP this phase's report records (its
     * analysis, programme or follow-up), told to the district's LUP workflow on submission.
     */
    lupStage: z.enum(lupStages).optional(),
    /**
     * The report needs the förvaltningschef's (or the company's VD's) sign-off (påskrift) before
     * it reaches SLK: marking it ready (klarmarkera) records it as awaiting sign-off, and only
     * the sign-off hands it in. Absent means false: marking ready hands it in at once. Only for
     * a phase with a template (the report marked ready on its form). Optional, not defaulted,
     * so calendars already stored or carried in workflow inputs keep their shape.
     */
    signOff: z.boolean().optional(),
  })
  .strict();
export type DeliverablePhase = z.infer<typeof deliverablePhaseSchema>;

export const phaseSchema = z.discriminatedUnion('kind', [milestonePhaseSchema, deliverablePhaseSchema]);
export type Phase = z.infer<typeof phaseSchema>;

export const cycleCalendarSchema = z
  .object({
    municipality: idSchema,
    budgetYear: z.number().int().min(2000).max(2100),
    name: z.string().min(1).max(200).optional(),
    timeZone: z.literal(MUNICIPALITY_TIME_ZONE).default(MUNICIPALITY_TIME_ZONE),
    /** When reminders and escalations go out on business days. */
    notifyAt: timeSchema.default('08:00'),
    /** A deadline day ends at this time unless the phase says otherwise. */
    deadlineTime: timeSchema.default('23:59'),
    /**
     * The phases' default for openings on non-business days; absent means `move`. Optional, not
     * defaulted, so calendars already stored or carried in workflow inputs keep their shape.
     */
    openingOnNonBusinessDay: openingRuleSchema.optional(),
    /**
     * The goals of the KF budget for the year (in 2015 the four sustainability goals), which LUP
     * analyses and reports address: data per budget year, never code. A template's section with
     * `generate: goals` repeats over these.
     */
    goals: z.array(goalSchema).min(1).optional(),
    phases: z.array(phaseSchema).min(1),
  })
  .strict();
export type CycleCalendar = z.infer<typeof cycleCalendarSchema>;
export type CycleCalendarInput = z.input<typeof cycleCalendarSchema>;

/** The default ladders (DESIGN.md): anchored on the city's current reporting tool. */
export function defaultReminders(phase: Pick<DeliverablePhase, 'coversPeriod'>): ReminderRule[] {
  return [{ daysBefore: phase.coversPeriod ? 28 : 7 }, { lastBusinessDayBefore: true }, { onDeadlineDay: true }];
}

export const DEFAULT_ESCALATIONS: EscalationRule[] = [
  { level: 1, businessDaysAfter: 1, to: ['forvaltningschef', 'vd', 'ordforande'] },
  { level: 2, businessDaysAfter: 3, to: ['koncernmoder'], kinds: ['bolagsstyrelse'] },
  { level: 3, businessDaysAfter: 5, to: ['utskott'] },
];
