import { canonicalJson } from './canonical-json';
import type { GeneratedSectionKind, Question, ReportTemplate } from './report-template';

/**
 * What changed between two versions of a report template, question by question (by ID, which is
 * unique in a template), and so which of the boards' answers carry over to the new version. SLK
 * publishes a corrected template during a cycle; the boards' drafts must not silently lose or
 * misread what they wrote.
 *
 * Terms: ny version = new version, tillagd = added, ändrad = changed, borttagen = removed.
 */

/** What about a question changed; a surface translates these (DESIGN.md: codes, not sentences). */
export const questionChangeAspects = [
  'kind',
  'label',
  'help',
  'required',
  'limits',
  'options',
  'columns',
  'section',
] as const;
export type QuestionChangeAspect = (typeof questionChangeAspects)[number];

export interface QuestionRef {
  questionId: string;
  sectionId: string;
  label: string;
}

export interface ChangedQuestion extends QuestionRef {
  aspects: QuestionChangeAspect[];
}

/**
 * Why an answer does not carry over: the question is gone, it asks for another kind of answer,
 * or it moved between sections whose answers are shaped differently (one per item or not).
 */
export type DroppedAnswerReason = 'removed' | 'kind-changed' | 'moved-between-generated';

export interface TemplateChanges {
  templateId: string;
  fromVersion: number;
  toVersion: number;
  added: QuestionRef[];
  removed: QuestionRef[];
  changed: ChangedQuestion[];
  /**
   * Question IDs whose answers carry over (same ID and kind, in a section shaped alike). They are
   * checked against the new version like any draft: a tightened limit shows as a finding, not a loss.
   */
  answersKept: string[];
  /** Question IDs whose answers do not carry over, with why; the drafts flag them to the board. */
  answersDropped: Array<{ questionId: string; reason: DroppedAnswerReason }>;
}

interface Located {
  question: Question;
  sectionId: string;
  generate: GeneratedSectionKind | undefined;
}

function questionsById(template: ReportTemplate): Map<string, Located> {
  const map = new Map<string, Located>();
  for (const section of template.sections) {
    for (const question of section.questions) {
      map.set(question.id, { question, sectionId: section.id, generate: section.generate });
    }
  }
  return map;
}

const ref = ({ question, sectionId }: Located): QuestionRef => ({
  questionId: question.id,
  sectionId,
  label: question.label,
});

// Fields with an aspect of their own; everything else a kind carries (maxLength, min, max, unit,
// integer, maxRows, accept, maxFiles) is a limit.
const NAMED_FIELDS = new Set(['id', 'kind', 'label', 'help', 'required', 'options', 'columns']);

function limitsOf(question: Question): Record<string, unknown> {
  return Object.fromEntries(Object.entries(question).filter(([key]) => !NAMED_FIELDS.has(key)));
}

function aspectsChanged(before: Located, after: Located): QuestionChangeAspect[] {
  const a = before.question as Record<string, unknown>;
  const b = after.question as Record<string, unknown>;
  const differs = (key: string) => canonicalJson(a[key]) !== canonicalJson(b[key]);
  const aspects: QuestionChangeAspect[] = [];
  if (differs('kind')) aspects.push('kind');
  if (differs('label')) aspects.push('label');
  if (differs('help')) aspects.push('help');
  if (differs('required')) aspects.push('required');
  // Limits of another kind mean nothing next to the new kind's: the kind change says it all.
  if (
    !aspects.includes('kind') &&
    canonicalJson(limitsOf(before.question)) !== canonicalJson(limitsOf(after.question))
  ) {
    aspects.push('limits');
  }
  if (differs('options')) aspects.push('options');
  if (differs('columns')) aspects.push('columns');
  if (before.sectionId !== after.sectionId) aspects.push('section');
  return aspects;
}

/** Compares two versions of one template; pure, in the order of the new version (removed: the old). */
export function compareTemplates(before: ReportTemplate, after: ReportTemplate): TemplateChanges {
  const old = questionsById(before);
  const now = questionsById(after);
  const changes: TemplateChanges = {
    templateId: after.id,
    fromVersion: before.version,
    toVersion: after.version,
    added: [],
    removed: [],
    changed: [],
    answersKept: [],
    answersDropped: [],
  };
  for (const [id, located] of now) {
    const earlier = old.get(id);
    if (!earlier) {
      changes.added.push(ref(located));
      continue;
    }
    const aspects = aspectsChanged(earlier, located);
    if (aspects.length) changes.changed.push({ ...ref(located), aspects });
    if (aspects.includes('kind')) changes.answersDropped.push({ questionId: id, reason: 'kind-changed' });
    else if (earlier.generate !== located.generate) {
      changes.answersDropped.push({ questionId: id, reason: 'moved-between-generated' });
    } else changes.answersKept.push(id);
  }
  for (const [id, located] of old) {
    if (now.has(id)) continue;
    changes.removed.push(ref(located));
    changes.answersDropped.push({ questionId: id, reason: 'removed' });
  }
  return changes;
}

/** Where one saved answer goes when a draft moves onto a corrected version. */
export interface DraftCorrection {
  /** Answers that stay: `to` differs from `from` when their question moved to another section. */
  carried: Array<{ from: string; to: string }>;
  /** Answers that leave the draft, with their question as the old version asked it. */
  dropped: Array<{ path: string; questionId: string; reason: DroppedAnswerReason; label: string; question?: Question }>;
}

/**
 * What a correction does to one draft, by the answers' paths (`<section>.<question>` or
 * `<section>[<item>].<question>`): an answer whose question is kept carries over, to the section
 * its question is in now; every other answer is dropped with the reason the comparison gives (an
 * answer to a question neither version knows counts as removed). Pure; `changes` is
 * compareTemplates(before, after).
 */
export function correctDraft(
  before: ReportTemplate,
  after: ReportTemplate,
  changes: TemplateChanges,
  paths: readonly string[],
): DraftCorrection {
  const old = questionsById(before);
  const now = questionsById(after);
  const kept = new Set(changes.answersKept);
  const reasons = new Map(changes.answersDropped.map((d) => [d.questionId, d.reason]));
  const result: DraftCorrection = { carried: [], dropped: [] };
  for (const path of paths) {
    const match = /^([a-z0-9-]+)(\[[a-z0-9-]+\])?\.([a-z0-9-]+)$/.exec(path);
    const questionId = match?.[3] ?? path;
    const target = now.get(questionId);
    if (match && target && kept.has(questionId)) {
      result.carried.push({ from: path, to: `${target.sectionId}${match[2] ?? ''}.${questionId}` });
      continue;
    }
    const earlier = old.get(questionId);
    result.dropped.push({
      path,
      questionId,
      reason: reasons.get(questionId) ?? 'removed',
      label: earlier?.question.label ?? questionId,
      ...(earlier && { question: earlier.question }),
    });
  }
  return result;
}
