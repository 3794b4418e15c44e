/**
 * Where one answer sits in a report: the path a draft is saved under, one row per answer, so two
 * people can save different answers of one report without touching each other's.
 *
 * `<section>.<question>` for an ordinary section, `<section>[<item>].<question>` for a generated
 * one (the item: a priority area, LUP measure, nämndmål or goal). The same paths `checkAnswers`
 * reports, without its leading `answers.`.
 */

export interface AnswerPath {
  section: string;
  item?: string;
  question: string;
}

const SLUG = '[a-z0-9]+(?:-[a-z0-9]+)*';
const PATH = new RegExp(`^(${SLUG})(?:\\[(${SLUG})\\])?\\.(${SLUG})$`);

/** The parts of a path, or undefined when it is not of either form. */
export function parseAnswerPath(path: string): AnswerPath | undefined {
  const match = PATH.exec(path);
  if (!match) return undefined;
  const [, section, item, question] = match;
  return { section: section!, ...(item && { item }), question: question! };
}

export function formatAnswerPath(p: AnswerPath): string {
  return `${p.section}${p.item ? `[${p.item}]` : ''}.${p.question}`;
}

/** One answer as the answers object `checkAnswers` reads: `{ section: { [item]: { question } } }`. */
export function answersWith(
  p: AnswerPath,
  value: unknown,
  into: Record<string, unknown> = {},
): Record<string, unknown> {
  const section = (into[p.section] ??= {}) as Record<string, unknown>;
  const holder = p.item ? ((section[p.item] ??= {}) as Record<string, unknown>) : section;
  holder[p.question] = value;
  return into;
}

/** Saved answers (path → value) as one answers object; paths that do not parse are left out. */
export function assembleAnswers(saved: Iterable<{ path: string; value: unknown }>): Record<string, unknown> {
  const answers: Record<string, unknown> = {};
  for (const { path, value } of saved) {
    const p = parseAnswerPath(path);
    if (p) answersWith(p, value, answers);
  }
  return answers;
}

/** A finding's field (`answers.x[y].z[2].c`) as a path relative to the answers (`x[y].z[2].c`). */
export const relativeField = (field: string): string => field.replace(/^answers\.?/, '');
