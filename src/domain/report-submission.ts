import type { Refusal } from './refusals';

/**
 * What the workflow checks of a submitted report before anything else, without the database: a
 * phase with a report template takes the board's answers (an object of sections), a phase
 * without one takes none, and no submission may fill a workflow's history. The answers are
 * checked against the template, with the items the database knows, in the submission-rules
 * activity.
 */

/**
 * The largest answers the workflow takes, as JSON characters. A report with long texts is tens
 * of kilobytes; the bound keeps any Temporal client from filling a workflow's history (whose
 * events are limited to 2 MB) with one update.
 */
export const MAX_CONTENT_CHARS = 256 * 1024;

/** The LUP stage a deliverable phase records in the district's LUP workflow. */
export const lupStages = ['analysis', 'programme', 'follow-up'] as const;
export type LupStageKind = (typeof lupStages)[number];

/** A refusal of a submission's content: the field (`content`, `answers.<section>…`), problem and code. */
export type ContentIssue = Refusal;

export interface ContentCheck {
  /** Block the submission. */
  errors: ContentIssue[];
  /** Shown, recorded, not blocking. */
  warnings: ContentIssue[];
}

/**
 * The checks a submission's content needs before the rules: its size, and whether the phase
 * takes answers at all. Returns the problem with the field, or undefined when the content may
 * go on to the rules.
 */
export function contentShapeProblem(takesAnswers: boolean, content: unknown): ContentIssue | undefined {
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
  if (!takesAnswers) {
    return {
      field: 'content',
      problem: 'this phase has no report template: give only the document reference',
      code: 'no-content-taken',
    };
  }
  if (typeof content !== 'object' || content === null || Array.isArray(content)) {
    return { field: 'content', problem: 'must be the answers: an object of sections', code: 'wrong-type' };
  }
  return undefined;
}
