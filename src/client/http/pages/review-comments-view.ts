import type { ReviewComment } from '../../../db/review-comments';
import type { ReturnNotes } from '../../operations/report-review';
import type { ExpandedTemplate } from '../../operations/report-drafts';
import { formatDate, formatInstant } from './format';
import { html, HtmlValue } from './html';

/**
 * SLK's comments where they apply: next to a question (or at a section's head) on the board's
 * form and on SLK's review page, and the summary of a return at the top of the board's form.
 */

/** An HTML id for a comment block: the path's letters, digits and dashes. */
export const commentAnchor = (path: string): string =>
  `kommentar-${path.replace(/[^a-z0-9]+/g, '-').replace(/-$/, '')}`;

/** Who wrote or handed in, as people read it: the token's label rather than the token. */
export function authorLabel(actor: string): string {
  const match = /^\S+ \((.*), [^,()]+\)$/.exec(actor);
  return match?.[1] ?? actor;
}

/** The comments on one path, as a list under its own small heading; nothing without any. */
export function commentsAt(
  comments: readonly ReviewComment[] | undefined,
  path: string,
  options: {
    /** The question's words, for a screen reader's list of headings and landmarks. */
    label?: string;
    /** Names the version each comment was made on (SLK's review, where several versions show). */
    versionOf?: (submissionSeq: number) => number | undefined;
    /** Who wrote, as the page's loader looked them up (issue 13: names at display time). */
    nameOf?: (actor: string) => string;
  } = {},
): HtmlValue {
  const mine = (comments ?? []).filter((c) => c.path === path);
  if (mine.length === 0) return '';
  return html`<div class="review-comments" id="${commentAnchor(path)}">
    <p class="review-comments-title">
      <strong
        >Kommentar från
        stadsledningskontoret${
          options.label ? html`<span class="visually-hidden"> om ${options.label}</span>` : ''
        }</strong
      >
    </p>
    <ul>
      ${mine.map((c) => {
        const version = options.versionOf?.(c.submissionSeq);
        return html`<li>
          <p class="answer-text">${c.comment}</p>
          <p class="hint">
            ${(options.nameOf ?? authorLabel)(c.author)},
            ${formatInstant(c.createdAt.toISOString())}${version !== undefined ? `, om version ${version}` : ''}
          </p>
        </li>`;
      })}
    </ul>
  </div>`;
}

/** A path's words for people: section, item and question as the template names them. */
export function pathLabel(template: ExpandedTemplate, path: string): string {
  const section = template.sections.find(
    (s) => s.id === path || path.startsWith(`${s.id}.`) || path.startsWith(`${s.id}[`),
  );
  if (!section) return path;
  if (section.id === path) return section.title;
  const match = /^[^.[]+(?:\[([^\]]+)\])?\.(.+)$/.exec(path);
  const item = match?.[1] && section.items?.find((i) => i.id === match[1])?.name;
  const question = section.questions.find((q) => q.id === match?.[2])?.label ?? match?.[2] ?? path;
  return `${section.title}${item ? `, ${item}` : ''}: ${question}`;
}

/**
 * At the top of the board's form when SLK returned the report: the reason, the new deadline and
 * the questions SLK commented on, each linked to its comment by the question.
 */
export function returnSummary(notes: ReturnNotes | undefined, template: ExpandedTemplate): HtmlValue {
  if (!notes) return '';
  const paths = [...new Set(notes.comments.map((c) => c.path))];
  return html`<section class="return-summary" aria-labelledby="aterremiss-rubrik">
    <h2 id="aterremiss-rubrik">Rapporten är återremitterad</h2>
    <!-- The reason may be long: a paragraph, not the heading. -->
    <p class="answer-text">Stadsledningskontoret har återremitterat rapporten: ${notes.reason}</p>
    <p>
      Återremitterad
      ${formatInstant(notes.returnedAt.toISOString())}${
        notes.deadline ? html`. Ny sista dag: ${formatDate(notes.deadline)}` : ''
      }.
    </p>
    ${
      paths.length
        ? html`<p>Stadsledningskontoret har kommenterat de här frågorna:</p>
            <ul>
              ${paths.map((p) => html`<li><a href="#${commentAnchor(p)}">${pathLabel(template, p)}</a></li>`)}
            </ul>`
        : ''
    }
  </section>`;
}
