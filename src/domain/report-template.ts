import { z } from 'zod';
import { isLocalDate } from './local-date';
import { answerCodes, type AnswerCode, type RefusalParams } from './refusals';
import { boardKinds, OrganisationKind } from './organisations';
import { Problem, zodProblems } from './validate-calendar';

/**
 * Report templates as data (DESIGN.md, "Reports are data too"): what a board answers for a
 * deliverable phase — sections of questions, some sections generated per priority area, LUP
 * measure, nämndmål or KF goal — and the checks of a board's answers against them. Pure: the
 * client reads the files, the caller brings the generated items.
 *
 * Terms: mall = template, avsnitt = section, fråga = question, svar = answers, utkast = draft,
 * klarmarkerad = ready.
 */

export const questionKinds = [
  'short-text',
  'long-text',
  'number',
  'yes-no',
  'choice',
  'choices',
  'date',
  'table',
  'file',
] as const;
export type QuestionKind = (typeof questionKinds)[number];

/**
 * Where a generated section's items come from: the priority areas in force for the board, the
 * LUP measures the district adopted (or only its larger ones, which must reach the council's
 * budget through the spring budgetunderlag), the measures in force in any district's programme
 * that name the board as owner (a service board or company follows up its own), the nämndmål
 * the board set, the KF budget's goals for the year (the calendar's `goals`).
 */
export const generatedSectionKinds = [
  'priority-areas',
  'lup-measures',
  'larger-lup-measures',
  'owned-lup-measures',
  'namndmal',
  'goals',
] as const;
export type GeneratedSectionKind = (typeof generatedSectionKinds)[number];

const slug = z
  .string()
  .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, { message: 'must be lower-case letters, digits and dashes' });
const label = z.string().trim().min(1, { message: 'must not be empty' }).max(300);
const help = z.string().trim().min(1, { message: 'must not be empty' }).max(2000).optional();
/** A long text is bounded so that answers stay far below the workflow's content limit. */
const MAX_TEXT_LENGTH = 50_000;

const optionsSchema = z
  .array(z.object({ id: slug, label }).strict())
  .min(2, { message: 'must offer at least two options' });

// The kind-specific fields, shared by questions and table columns.
const shortTextShape = {
  kind: z.literal('short-text'),
  maxLength: z.number().int().min(1).max(1000).default(300),
};
const numberShape = {
  kind: z.literal('number'),
  /** Shown next to the field: tkr, %, st … */
  unit: z.string().trim().min(1).max(20).optional(),
  min: z.number().optional(),
  max: z.number().optional(),
  integer: z.boolean().default(false),
};
const dateShape = { kind: z.literal('date') };
/**
 * Options given in the template, or taken from the cycle's data (`optionsFrom`): the KF goals of
 * the year or the priority areas in force, which are data per cycle and never written twice; or
 * the registry's `boards` a measure may be owned by (the answering board itself, then the service
 * boards and companies in force, by name), which change with the registry, not the template.
 */
export const optionSources = ['goals', 'priority-areas', 'boards'] as const;
export type OptionSource = (typeof optionSources)[number];
const choiceShape = {
  kind: z.literal('choice'),
  options: optionsSchema.optional(),
  optionsFrom: z.enum(optionSources, { message: `must be one of ${optionSources.join(', ')}` }).optional(),
};

const columnBase = { id: slug, label, required: z.boolean().default(false) };
const columnKinds = ['short-text', 'number', 'date', 'choice'] as const;
const columnSchema = z.discriminatedUnion(
  'kind',
  [
    z.object({ ...columnBase, ...shortTextShape }).strict(),
    z.object({ ...columnBase, ...numberShape }).strict(),
    z.object({ ...columnBase, ...dateShape }).strict(),
    z.object({ ...columnBase, ...choiceShape }).strict(),
  ],
  { error: (issue) => unknownKind(issue, 'column', columnKinds) },
);
export type TableColumn = z.infer<typeof columnSchema>;

const questionBase = { id: slug, label, help, required: z.boolean().default(false) };
const questionSchema = z.discriminatedUnion(
  'kind',
  [
    z.object({ ...questionBase, ...shortTextShape }).strict(),
    z
      .object({
        ...questionBase,
        kind: z.literal('long-text'),
        // Required: what a report may hold is the city's decision per question, not ours.
        maxLength: z.number({ message: 'must be given for a long text' }).int().min(1).max(MAX_TEXT_LENGTH),
      })
      .strict(),
    z.object({ ...questionBase, ...numberShape }).strict(),
    z.object({ ...questionBase, kind: z.literal('yes-no') }).strict(),
    z.object({ ...questionBase, ...choiceShape }).strict(),
    z.object({ ...questionBase, kind: z.literal('choices'), options: optionsSchema }).strict(),
    z.object({ ...questionBase, ...dateShape }).strict(),
    z
      .object({
        ...questionBase,
        kind: z.literal('table'),
        columns: z.array(columnSchema).min(1).max(20),
        /** Rows are added by the board, up to this many. */
        maxRows: z.number().int().min(1).max(500).default(50),
      })
      .strict(),
    z
      .object({
        ...questionBase,
        kind: z.literal('file'),
        /** File name extensions, without the dot: pdf, docx, xlsx … */
        accept: z.array(z.string().regex(/^[a-z0-9]{1,10}$/, { message: 'must be an extension such as pdf' })).min(1),
        maxFiles: z.number().int().min(1).max(50).default(10),
      })
      .strict(),
  ],
  { error: (issue) => unknownKind(issue, 'question', questionKinds) },
);
export type Question = z.infer<typeof questionSchema>;

function unknownKind(
  issue: { code?: string; input?: unknown },
  what: string,
  kinds: readonly string[],
): string | undefined {
  if (issue.code !== 'invalid_union') return undefined;
  const kind = (issue.input as { kind?: unknown } | undefined)?.kind;
  return kind === undefined
    ? `must name a kind: use one of ${kinds.join(', ')}`
    : `unknown ${what} kind ${JSON.stringify(kind)}: use one of ${kinds.join(', ')}`;
}

const sectionSchema = z
  .object({
    id: slug,
    title: label,
    help,
    /** A generated section repeats its questions once per item of this kind. */
    generate: z
      .enum(generatedSectionKinds, { message: `must be one of ${generatedSectionKinds.join(', ')}` })
      .optional(),
    /** Asked only of boards of these kinds (the LUP of districts, the area duty of service boards). */
    boardKinds: z
      .array(z.enum(boardKinds as [OrganisationKind, ...OrganisationKind[]]))
      .min(1)
      .optional(),
    /**
     * Ready needs at least one of these questions answered (per item in a generated section):
     * rules such as "nämndmål, aktiviteter or the reason for having no part" that no single
     * `required` can say.
     */
    requireOneOf: z.array(slug).min(2).optional(),
    /**
     * What `requireOneOf` becomes for a housing company with a greater responsibility in local
     * development (the registry's greaterLocalResponsibility): say, nämndmål or aktiviteter for
     * every priority area, where other boards may give the reason they have no part there.
     */
    requireOneOfWithGreaterResponsibility: z.array(slug).min(1).optional(),
    questions: z.array(questionSchema).min(1, { message: 'must hold at least one question' }),
  })
  .strict();
export type Section = z.infer<typeof sectionSchema>;

export const reportTemplateSchema = z
  .object({
    id: slug,
    version: z.number().int().min(1),
    title: label,
    help,
    sections: z.array(sectionSchema).min(1, { message: 'must hold at least one section' }),
  })
  .strict();
export type ReportTemplate = z.infer<typeof reportTemplateSchema>;

export interface TemplateValidation {
  /** The parsed template (defaults filled in) when there are no errors. */
  template?: ReportTemplate;
  errors: Problem[];
}

/** Checks a template's structure, then what zod cannot see: unique IDs and sound ranges. */
export function parseReportTemplate(input: unknown): TemplateValidation {
  const parsed = reportTemplateSchema.safeParse(input);
  if (!parsed.success) return { errors: zodProblems(parsed.error) };
  const errors = crossCheck(parsed.data);
  return errors.length ? { errors } : { template: parsed.data, errors };
}

function crossCheck(template: ReportTemplate): Problem[] {
  const errors: Problem[] = [];
  const sectionAt = new Map<string, string>();
  const questionAt = new Map<string, string>();
  template.sections.forEach((section, s) => {
    const at = `sections[${s}]`;
    const earlier = sectionAt.get(section.id);
    if (earlier) errors.push({ path: `${at}.id`, message: `duplicate section id "${section.id}": also at ${earlier}` });
    else sectionAt.set(section.id, `${at}.id`);
    for (const rule of ['requireOneOf', 'requireOneOfWithGreaterResponsibility'] as const) {
      section[rule]?.forEach((id, i) => {
        if (!section.questions.some((q) => q.id === id)) {
          errors.push({ path: `${at}.${rule}[${i}]`, message: `no question ${id} in this section` });
        }
      });
    }
    section.questions.forEach((question, q) => {
      const path = `${at}.questions[${q}]`;
      // Unique across the template, not only the section: answers and later reviews refer to
      // a question by its ID alone.
      const before = questionAt.get(question.id);
      if (before) {
        errors.push({ path: `${path}.id`, message: `duplicate question id "${question.id}": also at ${before}` });
      } else questionAt.set(question.id, `${path}.id`);
      checkSpec(question, path, errors);
      if (question.kind === 'table') {
        uniqueIds(question.columns, `${path}.columns`, 'column', errors);
        question.columns.forEach((column, c) => checkSpec(column, `${path}.columns[${c}]`, errors));
      }
    });
  });
  return errors;
}

function checkSpec(spec: Question | TableColumn, path: string, errors: Problem[]): void {
  if (spec.kind === 'choice' && !spec.options === !spec.optionsFrom) {
    errors.push({ path: `${path}.options`, message: 'give either options or optionsFrom, not both or neither' });
  }
  if ('options' in spec && spec.options) uniqueIds(spec.options, `${path}.options`, 'option', errors);
  if (spec.kind === 'number' && spec.min !== undefined && spec.max !== undefined && spec.max < spec.min) {
    errors.push({ path: `${path}.max`, message: `must not be less than min (${spec.min})` });
  }
}

function uniqueIds(items: { id: string }[], path: string, what: string, errors: Problem[]): void {
  const seen = new Set<string>();
  items.forEach((item, i) => {
    if (seen.has(item.id)) errors.push({ path: `${path}[${i}].id`, message: `duplicate ${what} id "${item.id}"` });
    seen.add(item.id);
  });
}

// --- Answers ------------------------------------------------------------------------------------

/** One item a generated section repeats for: a priority area, a LUP measure, a nämndmål, a goal. */
export interface GeneratedItem {
  id: string;
  name: string;
}

/**
 * The items of the generated sections for one board and phase (absent kinds have none), and the
 * board's kind for sections asked of some kinds only (absent: every section is asked).
 */
export type TemplateContext = Partial<Record<GeneratedSectionKind | OptionSource, GeneratedItem[]>> & {
  boardKind?: OrganisationKind;
  /** The board is a housing company with a greater responsibility in local development. */
  greaterLocalResponsibility?: boolean;
};

// The answers' stable codes live with every other refusal's (refusals.ts); re-exported for callers here.
export { answerCodes, type AnswerCode };

export interface AnswerIssue {
  /** `answers.<section>.<question>`, `answers.<section>[<item>].<question>`, then `[row].<column>` or `[n]`. */
  field: string;
  code: AnswerCode;
  problem: string;
  /** The bound an answer broke (`{ max: 300 }`), for a translation to name. */
  params?: RefusalParams;
}

/** A file answer refers to an attachment stored through the storage port, by its ID. */
export interface FileReference {
  attachment: string;
  name: string;
}

type Answers = Record<string, unknown>;

/**
 * Checks a board's answers against a template. A draft (`forReady: false`) may leave anything
 * out but must respect types and limits, so that what is saved is always usable; marking ready
 * also needs every required question answered, per item in generated sections.
 */
export function checkAnswers(
  template: ReportTemplate,
  context: TemplateContext,
  answers: unknown,
  options: { forReady: boolean },
): AnswerIssue[] {
  template = withResolvedOptions(template, context);
  const issues: AnswerIssue[] = [];
  if (!isObject(answers)) {
    return [{ field: 'answers', code: 'not-an-object', problem: 'must be an object of sections' }];
  }
  for (const section of template.sections) {
    const field = `answers.${section.id}`;
    const given = answers[section.id];
    if (!isAsked(section, context)) {
      if (given !== undefined) {
        issues.push({ field, code: 'not-asked', problem: `this section is not asked of a ${context.boardKind}` });
      }
      continue;
    }
    if (given !== undefined && !isObject(given)) {
      issues.push({ field, code: 'not-an-object', problem: 'must be an object of answers' });
      continue;
    }
    if (!section.generate) {
      checkQuestions(section, given ?? {}, field, options.forReady, issues);
      continue;
    }
    const items = context[section.generate] ?? [];
    for (const item of items) {
      const itemAnswers = given?.[item.id];
      const itemField = `${field}[${item.id}]`;
      if (itemAnswers !== undefined && !isObject(itemAnswers)) {
        issues.push({ field: itemField, code: 'not-an-object', problem: 'must be an object of answers' });
      } else checkQuestions(section, itemAnswers ?? {}, itemField, options.forReady, issues);
    }
    for (const key of Object.keys(given ?? {})) {
      if (!items.some((item) => item.id === key)) {
        issues.push({
          field: `${field}[${key}]`,
          code: 'unknown-item',
          problem: `not a ${itemNoun[section.generate]} here`,
        });
      }
    }
  }
  for (const key of Object.keys(answers)) {
    if (!template.sections.some((s) => s.id === key)) {
      issues.push({ field: `answers.${key}`, code: 'unknown-section', problem: 'the template has no such section' });
    }
  }
  return issues;
}

/**
 * The template with every `optionsFrom` choice given its options from the context (its goals or
 * priority areas), so that checks, forms and exports see one kind of choice.
 */
export function withResolvedOptions(template: ReportTemplate, context: TemplateContext): ReportTemplate {
  const resolve = <T extends Question | TableColumn>(spec: T): T => {
    if (spec.kind === 'choice' && spec.optionsFrom) {
      return { ...spec, options: (context[spec.optionsFrom] ?? []).map((item) => ({ id: item.id, label: item.name })) };
    }
    if (spec.kind === 'table') return { ...spec, columns: spec.columns.map(resolve) };
    return spec;
  };
  // A housing company with a greater responsibility answers the stricter rule where one is given.
  const oneOf = (s: Section) =>
    context.greaterLocalResponsibility && s.requireOneOfWithGreaterResponsibility
      ? { requireOneOf: s.requireOneOfWithGreaterResponsibility }
      : {};
  return {
    ...template,
    sections: template.sections.map((s) => ({ ...s, ...oneOf(s), questions: s.questions.map(resolve) })),
  };
}

/** The options of a choice after withResolvedOptions (none for an unresolved source). */
export const optionsOf = (spec: { options?: Array<{ id: string; label: string }> }) => spec.options ?? [];

const itemNoun: Record<GeneratedSectionKind, string> = {
  'priority-areas': 'priority area',
  'lup-measures': 'LUP measure',
  'larger-lup-measures': 'larger LUP measure',
  'owned-lup-measures': 'LUP measure the board owns',
  namndmal: 'nämndmål',
  goals: 'goal',
};

export interface MissingAnswer {
  field: string;
  /** The section's title, the generated item's name and the question's label, for the page. */
  section: string;
  item?: string;
  question: string;
}

/** What a board must still answer before it can mark the report ready, in template order. */
export function missingForReady(template: ReportTemplate, context: TemplateContext, answers: unknown): MissingAnswer[] {
  const wanted = checkAnswers(template, context, answers, { forReady: true }).filter(
    (i) => i.code === 'required' || i.code === 'one-required',
  );
  const out: MissingAnswer[] = [];
  for (const section of withResolvedOptions(template, context).sections) {
    const items: (GeneratedItem | undefined)[] = section.generate ? (context[section.generate] ?? []) : [undefined];
    for (const item of items) {
      const at = `answers.${section.id}${item ? `[${item.id}]` : ''}`;
      if (wanted.some((i) => i.field === at && i.code === 'one-required')) {
        const labels = section.questions.filter((q) => section.requireOneOf?.includes(q.id)).map((q) => q.label);
        const question = labels.length > 1 ? `${labels.slice(0, -1).join(', ')} eller ${labels.at(-1)}` : labels[0]!;
        out.push({ field: at, section: section.title, ...(item && { item: item.name }), question });
      }
      for (const question of section.questions) {
        const field = `answers.${section.id}${item ? `[${item.id}]` : ''}.${question.id}`;
        // A required column in a table counts against its question: the page points there.
        if (wanted.some((i) => i.field === field || i.field.startsWith(`${field}[`))) {
          out.push({ field, section: section.title, ...(item && { item: item.name }), question: question.label });
        }
      }
    }
  }
  return out;
}

function isAsked(section: Section, context: TemplateContext): boolean {
  return !section.boardKinds || !context.boardKind || section.boardKinds.includes(context.boardKind);
}

function checkQuestions(
  section: Section,
  given: Answers,
  field: string,
  forReady: boolean,
  issues: AnswerIssue[],
): void {
  const questions = section.questions;
  const oneOf = section.requireOneOf;
  if (forReady && oneOf && oneOf.every((id) => isEmpty(given[id]))) {
    issues.push({ field, code: 'one-required', problem: `answer at least one of ${oneOf.join(', ')}` });
  }
  for (const question of questions) {
    checkValue(question, given[question.id], `${field}.${question.id}`, forReady, issues);
  }
  for (const key of Object.keys(given)) {
    if (!questions.some((q) => q.id === key)) {
      issues.push({ field: `${field}.${key}`, code: 'unknown-question', problem: 'the template has no such question' });
    }
  }
}

/** Nothing given: absent, null, blank text or an empty list. `false` is an answer. */
function isEmpty(value: unknown): boolean {
  return (
    value === undefined ||
    value === null ||
    (typeof value === 'string' && value.trim() === '') ||
    (Array.isArray(value) && value.length === 0)
  );
}

function checkValue(
  spec: Question | TableColumn,
  value: unknown,
  field: string,
  forReady: boolean,
  issues: AnswerIssue[],
): void {
  if (isEmpty(value)) {
    if (forReady && spec.required) issues.push({ field, code: 'required', problem: 'must be answered' });
    return;
  }
  const add = (code: AnswerCode, problem: string, at = field, params?: RefusalParams): void => {
    issues.push({ field: at, code, problem, ...(params && { params }) });
  };
  switch (spec.kind) {
    case 'short-text':
    case 'long-text':
      if (typeof value !== 'string') return add('not-text', 'must be text');
      if (value.length > spec.maxLength) {
        add('too-long', `is ${value.length} characters: at most ${spec.maxLength}`, field, { max: spec.maxLength });
      }
      return;
    case 'number':
      if (typeof value !== 'number' || !Number.isFinite(value)) return add('not-a-number', 'must be a number');
      if (spec.integer && !Number.isInteger(value)) return add('not-an-integer', 'must be a whole number');
      if ((spec.min !== undefined && value < spec.min) || (spec.max !== undefined && value > spec.max)) {
        add('out-of-range', `must be between ${spec.min ?? '-∞'} and ${spec.max ?? '∞'}`, field, {
          ...(spec.min !== undefined && { min: spec.min }),
          ...(spec.max !== undefined && { max: spec.max }),
        });
      }
      return;
    case 'yes-no':
      if (typeof value !== 'boolean') add('not-yes-no', 'must be yes (true) or no (false)');
      return;
    case 'choice':
      if (typeof value !== 'string' || !optionsOf(spec).some((o) => o.id === value)) {
        add(
          'not-an-option',
          `${String(value)} is not one of ${optionsOf(spec)
            .map((o) => o.id)
            .join(', ')}`,
        );
      }
      return;
    case 'choices':
      if (!Array.isArray(value)) return add('not-a-list', 'must be a list of options');
      value.forEach((v, i) => {
        if (typeof v !== 'string' || !spec.options.some((o) => o.id === v)) {
          add(
            'not-an-option',
            `${String(v)} is not one of ${spec.options.map((o) => o.id).join(', ')}`,
            `${field}[${i}]`,
          );
        }
      });
      return;
    case 'date':
      if (typeof value !== 'string' || !isLocalDate(value)) add('bad-date', 'must be a date YYYY-MM-DD');
      return;
    case 'table':
      if (!Array.isArray(value)) return add('not-a-table', 'must be a list of rows');
      if (value.length > spec.maxRows) {
        return add('too-many-rows', `has ${value.length} rows: at most ${spec.maxRows}`, field, { max: spec.maxRows });
      }
      value.forEach((row, r) => {
        const rowField = `${field}[${r}]`;
        if (!isObject(row)) return add('not-an-object', 'must be a row of cells', rowField);
        for (const column of spec.columns)
          checkValue(column, row[column.id], `${rowField}.${column.id}`, forReady, issues);
        for (const key of Object.keys(row)) {
          if (!spec.columns.some((c) => c.id === key))
            add('unknown-column', 'the table has no such column', `${rowField}.${key}`);
        }
      });
      return;
    case 'file':
      if (!Array.isArray(value)) return add('not-a-list', 'must be a list of files');
      if (value.length > spec.maxFiles)
        return add('too-many-files', `has ${value.length} files: at most ${spec.maxFiles}`, field, {
          max: spec.maxFiles,
        });
      value.forEach((file, i) => {
        const at = `${field}[${i}]`;
        if (!isFileReference(file)) return add('not-a-file', 'must be a file: { attachment, name }', at);
        const extension = /\.([^.]+)$/.exec(file.name)?.[1]?.toLowerCase();
        if (!extension || !spec.accept.includes(extension)) {
          add('bad-file-type', `${file.name} is not one of the accepted types: ${spec.accept.join(', ')}`, at);
        }
      });
      return;
  }
}

function isObject(value: unknown): value is Answers {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isFileReference(value: unknown): value is FileReference {
  return isObject(value) && typeof value.attachment === 'string' && typeof value.name === 'string';
}
