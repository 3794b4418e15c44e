import { z } from 'zod';
import { LocalDate } from './local-date';
import { boardsServingArea, Organisation, priorityAreasOn, Registry } from './organisations';
import { Refusal, refusalFromZodIssue } from './refusals';

/**
 * What some deliverables must contain, by the city's guidelines for local development work
 * (DESIGN.md): the LUP's analysis, programme and follow-up; the spring budgetunderlag naming
 * the LUP's larger measures; the operational plans of service and company boards naming their
 * part in each priority area; the tertial reports following all of it up. Pure rules: callers
 * bring the registry and the board's adopted measures.
 */

/** The four sustainability goals every LUP analysis must address (Swedish names for users). */
export const SUSTAINABILITY_GOALS = {
  sammanhallen: 'Ett Stockholm som håller samman',
  klimatsmart: 'Ett klimatsmart Stockholm',
  'ekonomiskt-hallbar': 'Ett ekonomiskt hållbart Stockholm',
  'demokratiskt-hallbar': 'Ett demokratiskt hållbart Stockholm',
} as const;
export type SustainabilityGoal = keyof typeof SUSTAINABILITY_GOALS;
export const sustainabilityGoals = Object.keys(SUSTAINABILITY_GOALS) as SustainabilityGoal[];
const goalSchema = z.enum(sustainabilityGoals as [SustainabilityGoal, ...SustainabilityGoal[]], {
  message: `must be one of ${sustainabilityGoals.join(', ')}`,
});

export const contentKinds = [
  'lup-analysis',
  'lup-programme',
  'lup-follow-up',
  'budget-submission',
  'operational-plan',
  'follow-up',
] as const;
export type ContentKind = (typeof contentKinds)[number];

const text = (max: number) =>
  z
    .string()
    .trim()
    .min(1, { message: 'must not be empty' })
    .max(max, { message: `must be at most ${max} characters` });
const slug = z
  .string()
  .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, { message: 'must be lower-case letters, digits and dashes' });

/** The local analysis: every goal addressed, one named as the main focus. */
export const lupAnalysisSchema = z
  .object({
    goals: z
      .object(
        Object.fromEntries(sustainabilityGoals.map((g) => [g, text(8000)])) as Record<
          SustainabilityGoal,
          ReturnType<typeof text>
        >,
      )
      .strict(),
    mainFocus: goalSchema,
  })
  .strict();

export const lupMeasureSchema = z
  .object({
    id: slug,
    title: text(300),
    goal: goalSchema,
    /** Larger measures must reach the spring budgetunderlag (guideline 2). */
    larger: z.boolean(),
    priorityArea: slug.optional(),
  })
  .strict();
export type LupMeasure = z.infer<typeof lupMeasureSchema>;

export const lupProgrammeSchema = z
  .object({ measures: z.array(lupMeasureSchema).min(1, { message: 'must name at least one measure' }) })
  .strict()
  .superRefine((value, ctx) => {
    const seen = new Set<string>();
    value.measures.forEach((m, i) => {
      if (seen.has(m.id))
        ctx.addIssue({
          code: 'custom',
          path: ['measures', i, 'id'],
          message: `${m.id} appears twice`,
          params: { refusal: 'duplicate' },
        });
      seen.add(m.id);
    });
  });

export const followUpStatuses = ['ej-paborjad', 'pagar', 'klar', 'forsenad', 'installd'] as const;
export const FOLLOW_UP_STATUS_SV: Record<(typeof followUpStatuses)[number], string> = {
  'ej-paborjad': 'Ej påbörjad',
  pagar: 'Pågår',
  klar: 'Klar',
  forsenad: 'Försenad',
  installd: 'Inställd',
};
const followUpItemSchema = z
  .object({
    /** `measure:<id>` for a LUP measure, `area:<id>` for a board's part in a priority area. */
    ref: z.string().refine((ref) => /^(?:measure|area):[a-z0-9]+(?:-[a-z0-9]+)*$/.test(ref), {
      message: 'must be measure:<id> or area:<id>',
      params: { refusal: 'not-a-follow-up-ref' },
    }),
    status: z.enum(followUpStatuses, { message: `must be one of ${followUpStatuses.join(', ')}` }),
    comment: text(4000).optional(),
  })
  .strict();
export type FollowUpItem = z.infer<typeof followUpItemSchema>;
const followUpListSchema = z.array(followUpItemSchema);

export const followUpSchema = z.object({ followUp: followUpListSchema }).strict();

export const budgetSubmissionSchema = z.object({ lupMeasures: z.array(slug).default([]) }).strict();

const areaPartSchema = z
  .object({
    areaId: slug,
    nämndmål: z.array(text(500)).default([]),
    aktiviteter: z.array(text(500)).default([]),
    /** Why the board has no part in this area (instead of goals or activities). */
    ingenDel: text(2000).optional(),
  })
  .strict();
export const operationalPlanSchema = z.object({ priorityAreas: z.array(areaPartSchema).default([]) }).strict();

export const contentSchemas: Record<ContentKind, z.ZodType> = {
  'lup-analysis': lupAnalysisSchema,
  'lup-programme': lupProgrammeSchema,
  'lup-follow-up': followUpSchema,
  'budget-submission': budgetSubmissionSchema,
  'operational-plan': operationalPlanSchema,
  'follow-up': followUpSchema,
};

/** Which LUP stage a deliverable phase's content records in the district's LUP workflow. */
export const LUP_STAGE_OF: Partial<Record<ContentKind, 'analysis' | 'programme' | 'follow-up'>> = {
  'lup-analysis': 'analysis',
  'lup-programme': 'programme',
  'lup-follow-up': 'follow-up',
};

/**
 * The largest submission content the workflow takes, as JSON characters. A report with long
 * texts is tens of kilobytes; the bound keeps any Temporal client from filling a workflow's
 * history (whose events are limited to 2 MB) with one update.
 */
export const MAX_CONTENT_CHARS = 256 * 1024;

/**
 * The checks a submission's content needs before anything else, without the database: its size
 * and its shape for the phase's kind (a phase without a kind takes no content). Returns the
 * problem with the field's path, or undefined when the content may go on to the rules.
 */
export function contentShapeProblem(kind: ContentKind | undefined, content: unknown): ContentIssue | undefined {
  if (content === undefined) return undefined;
  const size = JSON.stringify(content)?.length ?? 0;
  if (size > MAX_CONTENT_CHARS) {
    return {
      field: 'content',
      problem: `is ${size} characters as JSON: at most ${MAX_CONTENT_CHARS} are taken`,
      code: 'content-too-large',
      params: { size, max: MAX_CONTENT_CHARS },
    };
  }
  if (!kind) {
    return {
      field: 'content',
      problem: 'this phase takes no content: give only the document reference',
      code: 'no-content-taken',
    };
  }
  const parsed = contentSchemas[kind].safeParse(content);
  if (parsed.success) return undefined;
  return refusalFromZodIssue(parsed.error.issues[0]!, content, ['content'], 'content');
}

/** A problem with a submission's content: a refusal (errors) or what is recorded as a warning. */
export type ContentIssue = Refusal;

export interface ContentCheck {
  /** Block the submission. */
  errors: ContentIssue[];
  /** Shown, recorded, not blocking (e.g. the spring link when configured to warn). */
  warnings: ContentIssue[];
  /** The content as parsed (defaults filled in). */
  content?: Record<string, unknown>;
}

export interface ContentContext {
  kind: ContentKind;
  board: Organisation;
  registry: Registry;
  onDate: LocalDate;
  /** The board's adopted LUP measures (its latest programme), for the spring link and follow-up. */
  lupMeasures: LupMeasure[];
  /** The areas the board named a part in, in its latest operational plan (for follow-up). */
  plannedAreas: string[];
  /** Whether LUP measures missing from the budgetunderlag block it or only warn. */
  lupLink: 'warn' | 'block';
}

/** Boards that must state their part in every priority area: service and company boards. */
const AREA_DUTY_KINDS: Organisation['kind'][] = ['facknamnd', 'bolagsstyrelse'];

/** Priority areas in force on a date, with the board that serves each (the 2015 mapping, effective-dated). */
export function priorityAreaMapping(registry: Registry, onDate: LocalDate) {
  return priorityAreasOn(registry, onDate).map((area) => ({
    id: area.id,
    name: area.name,
    servedBy: boardsServingArea(registry, area.id, onDate).map((b) => ({ id: b.id, name: b.name })),
  }));
}

/**
 * Checks a submission's content against the rules of its kind. Schema problems are errors with
 * the field's path; the rules of the guidelines come after, each naming what is missing.
 */
export function checkSubmissionContent(input: unknown, ctx: ContentContext): ContentCheck {
  const parsed = contentSchemas[ctx.kind].safeParse(input ?? {});
  if (!parsed.success) {
    return {
      errors: parsed.error.issues.map((i) => refusalFromZodIssue(i, input ?? {}, ['content'], 'content')),
      warnings: [],
    };
  }
  const content = parsed.data as Record<string, unknown>;
  const errors: ContentIssue[] = [];
  const warnings: ContentIssue[] = [];

  if (ctx.kind === 'budget-submission') {
    const named = new Set((content as z.infer<typeof budgetSubmissionSchema>).lupMeasures);
    const missing = ctx.lupMeasures.filter((m) => m.larger && !named.has(m.id)).map((m) => m.id);
    if (missing.length > 0) {
      (ctx.lupLink === 'block' ? errors : warnings).push({
        field: 'content.lupMeasures',
        problem: `larger LUP measures missing: ${missing.join(', ')}`,
        code: 'missing-lup-measures',
        params: { ids: missing.join(', ') },
      });
    }
  }

  if (ctx.kind === 'operational-plan' && AREA_DUTY_KINDS.includes(ctx.board.kind)) {
    const parts = (content as z.infer<typeof operationalPlanSchema>).priorityAreas;
    const areas = priorityAreasOn(ctx.registry, ctx.onDate).map((a) => a.id);
    const stated = new Set(
      parts.filter((p) => p.nämndmål.length + p.aktiviteter.length > 0 || p.ingenDel).map((p) => p.areaId),
    );
    const unknown = parts.filter((p) => !areas.includes(p.areaId)).map((p) => p.areaId);
    if (unknown.length > 0) {
      errors.push({
        field: 'content.priorityAreas',
        problem: `not priority areas now: ${unknown.join(', ')}`,
        code: 'unknown-priority-areas',
        params: { ids: unknown.join(', ') },
      });
    }
    const missing = areas.filter((a) => !stated.has(a));
    if (missing.length > 0) {
      errors.push({
        field: 'content.priorityAreas',
        problem: `no nämndmål, aktivitet or reason given for priority areas: ${missing.join(', ')}`,
        code: 'missing-priority-areas',
        params: { ids: missing.join(', ') },
      });
    }
  }

  if (ctx.kind === 'follow-up' || ctx.kind === 'lup-follow-up') {
    const items = (content as z.infer<typeof followUpSchema>).followUp;
    const reported = new Set(items.map((i) => i.ref));
    const owed = [
      ...(ctx.board.kind === 'stadsdelsnamnd' ? ctx.lupMeasures.map((m) => `measure:${m.id}`) : []),
      ...ctx.plannedAreas.map((a) => `area:${a}`),
    ];
    const missing = owed.filter((ref) => !reported.has(ref));
    if (missing.length > 0) {
      errors.push({
        field: 'content.followUp',
        problem: `no section for: ${missing.join(', ')}`,
        code: 'missing-follow-up',
        params: { refs: missing.join(', ') },
      });
    }
  }
  return { errors, warnings, content };
}
