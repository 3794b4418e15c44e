/**
 * What changed in a board's report between two handed-in versions (inlämnade versioner), so SLK
 * sees at a glance what the board did after a return for completion (återremiss).
 *
 * Compared per answer path (`<section>.<question>`, `<section>[<item>].<question>`); a table, a
 * list of choices or files is one answer and is compared whole: SLK reads "the table changed",
 * and the page shows both tables. Pure: the callers bring both versions.
 *
 * Terminology: återremiss → return; ändrat → changed; tillagt → added; borttaget → removed.
 */
import { canonicalJson } from './canonical-json';
import { formatAnswerPath } from './answer-paths';

export type AnswerChangeKind = 'added' | 'changed' | 'removed';

export interface AnswerChange {
  path: string;
  change: AnswerChangeKind;
  /** The earlier version's value (absent for an added answer). */
  before?: unknown;
  /** The later version's value (absent for a removed answer). */
  after?: unknown;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** An unanswered question: a draft may hold null or an empty list for "nothing given". */
const isEmpty = (v: unknown): boolean =>
  v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0);

/**
 * The answers object as path → value. No answer value is a plain object (texts, numbers, yes/no,
 * dates and lists only), so an object one level down is a generated section's item: the template
 * is not needed to tell the two shapes apart. Empty answers are left out.
 */
export function flattenAnswers(answers: unknown): Map<string, unknown> {
  const flat = new Map<string, unknown>();
  if (!isRecord(answers)) return flat;
  for (const [section, content] of Object.entries(answers)) {
    if (!isRecord(content)) continue;
    for (const [key, value] of Object.entries(content)) {
      if (isRecord(value)) {
        for (const [question, answer] of Object.entries(value)) {
          if (!isEmpty(answer)) flat.set(formatAnswerPath({ section, item: key, question }), answer);
        }
      } else if (!isEmpty(value)) {
        flat.set(formatAnswerPath({ section, question: key }), value);
      }
    }
  }
  return flat;
}

/**
 * What changed from `before` to `after`, one entry per answer path in path order. Without an
 * earlier version (the first submission) nothing is reported as changed.
 */
export function diffAnswers(before: unknown, after: unknown): AnswerChange[] {
  if (before === undefined) return [];
  const old = flattenAnswers(before);
  const now = flattenAnswers(after);
  const paths = [...new Set([...old.keys(), ...now.keys()])].sort();
  const changes: AnswerChange[] = [];
  for (const path of paths) {
    const was = old.get(path);
    const is = now.get(path);
    if (was === undefined) changes.push({ path, change: 'added', after: is });
    else if (is === undefined) changes.push({ path, change: 'removed', before: was });
    else if (canonicalJson(was) !== canonicalJson(is))
      changes.push({ path, change: 'changed', before: was, after: is });
  }
  return changes;
}
