import { z } from 'zod';
import { lazySchema } from './lazy-schema';
import { isLocalDate } from './local-date';

/**
 * The codes a report's answers are refused with (checkAnswers in report-template.ts).
 * `required` and `one-required` are only reported for readiness; everything else for drafts too.
 */
export const answerCodes = [
  'required',
  'one-required',
  'too-long',
  'not-text',
  'not-a-number',
  'not-an-integer',
  'out-of-range',
  'not-yes-no',
  'not-an-option',
  'not-a-list',
  'bad-date',
  'not-a-table',
  'too-many-rows',
  'unknown-column',
  'not-a-file',
  'bad-file-type',
  'too-many-files',
  'not-an-object',
  'not-asked',
  'unknown-section',
  'unknown-item',
  'unknown-question',
] as const;
export type AnswerCode = (typeof answerCodes)[number];

/**
 * Why the engine refuses a request, as a stable code with the parameters a translation needs.
 * The English `problem` stays for the API and the CLI; surfaces that speak Swedish translate the
 * code and never the English text (DESIGN.md). The set is closed: a new code needs a Swedish
 * sentence on the pages, and a test fails until it has one.
 */
export const refusalCodes = [
  // What a report's answers may be refused with (checkAnswers); `required`, `too-long` and
  // `bad-date` serve every other field too.
  ...answerCodes,
  // Input wrong in itself.
  'unknown-field',
  'wrong-type',
  'not-a-slug',
  'bad-format',
  'too-short',
  'too-few',
  'too-many',
  'duplicate',
  'invalid',
  'bad-path',
  // Files.
  'bad-name',
  'empty',
  'too-large',
  'type-unknown',
  'type-not-allowed',
  'name-mismatch',
  'no-file',
  'unknown-file',
  'cross-origin',
  // Dates against today and the deadline.
  'not-in-future',
  'before-current-deadline',
  'in-the-past',
  // A decision already taken (a programme adopted before Årshjul) cannot be dated after today.
  'in-future',
  // Not possible now.
  'not-possible-in-stage',
  'not-editable',
  'no-review-step',
  'already-confirmed',
  'cycle-cancelled',
  'already-cancelled',
  'cycle-ended',
  'phase-not-open',
  'no-deliverable',
  'already-recorded',
  'dialogue-required',
  'no-programme',
  'programme-revised-meanwhile',
  'revision-empty',
  'programme-in-force',
  'unknown-measure',
  'measure-ended',
  // A service board's part in a district's dialogue (issue 14).
  'unknown-dialogue',
  'not-concerned',
  'unchanged',
  'handed-over',
  'edited-by-someone-else',
  'not-ready',
  'awaiting-sign-off',
  'not-awaiting-sign-off',
  'sign-off-required',
  'not-under-review',
  'template-corrected',
  'published-meanwhile',
  'version-not-higher',
  'template-not-in-cycle',
  'template-not-kept',
  'already-started',
  // The committee's acts (issue 14): unflagging an area not flagged.
  'not-flagged',
  // A submission's content.
  'content-too-large',
  'no-content-taken',
  // What the caller names, and who the caller is.
  'unknown-phase',
  'unknown-milestone',
  'not-found',
  'forbidden',
  // Works at the board, but this needs another duty (a handläggare marking ready).
  'missing-duty',
  // A machine token whose scopes do not reach this.
  'missing-scope',
  'no-registry',
  'not-in-registry',
  'registry-differs',
  'other-municipality',
  // A person's own settings (self-service).
  'person-only',
  'own-stand-in',
  'unknown-person',
  'before-from',
  'period-too-long',
  'overlapping-period',
  'not-held',
] as const;
export type RefusalCode = (typeof refusalCodes)[number];

/** What a translation fills in (`{ max: 300 }`, `{ action: 'approve', stage: 'open' }`): flat, JSON as it is. */
export type RefusalParams = Record<string, string | number>;

/** One refusal: the field at fault (a path such as `boards.0`, or `stage`), the English problem, the code. */
export interface Refusal {
  field: string;
  problem: string;
  code: RefusalCode;
  params?: RefusalParams;
}

const known = new Set<string>(refusalCodes);
export const isRefusalCode = (code: unknown): code is RefusalCode => typeof code === 'string' && known.has(code);

/**
 * A date as people write it, YYYY-MM-DD and a real day. The code rides in the issue's params,
 * so the refusal says `bad-date` whatever the message. Built on first use (lazy-schema.ts): the
 * workflows' validators use it.
 */
export const localDateSchema = lazySchema(() =>
  z.string().refine(isLocalDate, { message: 'must be a date YYYY-MM-DD', params: { refusal: 'bad-date' } }),
);

/** The identifiers' pattern as zod reports a regex it refused (`String(regex)`), to tell them from other formats. */
const SLUG_PATTERN = String(/^[a-z0-9]+(?:-[a-z0-9]+)*$/);

/** The value a zod issue is about, looked up in what was parsed (zod keeps the input only on request). */
function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let value = input;
  for (const key of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

/**
 * A zod issue as a refusal: the path as the field (with `prefix` in front, e.g. `content`), the
 * message as the problem, and a code from the issue's kind with the bound it broke. `input` is
 * what was parsed, to tell a missing value (`required`) from one of the wrong type.
 */
export function refusalFromZodIssue(
  issue: z.core.$ZodIssue,
  input: unknown,
  prefix: readonly string[] = [],
  whole = '(input)',
): Refusal {
  const path = [...prefix, ...issue.path.map(String)];
  const at = (extra: string[] = []): string => [...path, ...extra].join('.') || whole;
  const refusal = (code: RefusalCode, params?: RefusalParams, field = at()): Refusal => ({
    field,
    problem: issue.message,
    code,
    ...(params && { params }),
  });
  switch (issue.code) {
    case 'unrecognized_keys':
      // The first key names the field, as a form would point at it.
      return { field: at(issue.keys.slice(0, 1)), problem: 'unknown field', code: 'unknown-field' };
    case 'too_big':
      if (issue.origin === 'string') return refusal('too-long', { max: Number(issue.maximum) });
      if (issue.origin === 'array' || issue.origin === 'set')
        return refusal('too-many', { max: Number(issue.maximum) });
      return refusal('out-of-range', { max: Number(issue.maximum) });
    case 'too_small':
      if (issue.origin === 'string') {
        return Number(issue.minimum) <= 1 ? refusal('required') : refusal('too-short', { min: Number(issue.minimum) });
      }
      if (issue.origin === 'array' || issue.origin === 'set') return refusal('too-few', { min: Number(issue.minimum) });
      return refusal('out-of-range', { min: Number(issue.minimum) });
    case 'invalid_type':
      if (valueAt(input, issue.path) === undefined) return refusal('required');
      return refusal('wrong-type', { expected: issue.expected });
    case 'invalid_format':
      if (issue.format === 'date' || issue.format === 'datetime') return refusal('bad-date');
      if (issue.format === 'regex' && 'pattern' in issue && issue.pattern === SLUG_PATTERN)
        return refusal('not-a-slug');
      return refusal('bad-format');
    case 'invalid_value':
      return refusal('not-an-option', { options: issue.values.map(String).join(', ') });
    case 'custom': {
      const code = (issue.params as { refusal?: unknown } | undefined)?.refusal;
      return refusal(isRefusalCode(code) ? code : 'invalid');
    }
    default:
      return refusal('invalid');
  }
}

/** The first issue of a failed parse as a refusal. */
export function refusalFromZodError(
  error: z.ZodError,
  input: unknown,
  prefix: readonly string[] = [],
  whole?: string,
): Refusal {
  return refusalFromZodIssue(error.issues[0]!, input, prefix, whole);
}
