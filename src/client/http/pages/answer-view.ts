import { optionsOf, Question } from '../../../domain/report-template';
import { html, HtmlValue, SafeHtml } from './html';

/**
 * One handed-in answer, read-only, as its question asks it: text with its line breaks, numbers
 * in Swedish notation with their unit, choices by their labels, a table as a table. For SLK's
 * review, where nothing is edited.
 */

const number = (n: number): string => String(n).replace('.', ',').replace('-', '−');

const isEmpty = (v: unknown): boolean =>
  v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0);

function cellText(column: Extract<Question, { kind: 'table' }>['columns'][number], value: unknown): string {
  if (value === undefined || value === null || value === '') return '';
  if (typeof value === 'number') return number(value);
  if (column.kind === 'choice') return optionsOf(column).find((o) => o.id === value)?.label ?? String(value);
  return String(value);
}

/** A file answer's entries: `{ attachment, name }`. */
const fileNames = (value: unknown): string[] =>
  Array.isArray(value)
    ? value.map((f) => (f && typeof f === 'object' && 'name' in f ? String((f as { name: unknown }).name) : String(f)))
    : [];

/** The answer as a reader sees it; `caption` names a table (the question's label). */
export function answerView(question: Question, value: unknown): SafeHtml {
  if (isEmpty(value)) return html`<p class="muted">Inte besvarad.</p>`;
  switch (question.kind) {
    case 'short-text':
    case 'long-text':
    case 'date':
      return html`<p class="answer-text">${String(value)}</p>`;
    case 'number':
      return html`<p class="answer-text">
        ${typeof value === 'number' ? number(value) : String(value)}${question.unit ? ` ${question.unit}` : ''}
      </p>`;
    case 'yes-no':
      return html`<p class="answer-text">${value === true ? 'Ja' : value === false ? 'Nej' : String(value)}</p>`;
    case 'choice':
      return html`<p class="answer-text">
        ${optionsOf(question).find((o) => o.id === value)?.label ?? String(value)}
      </p>`;
    case 'choices': {
      const chosen = Array.isArray(value) ? value : [value];
      return html`<ul>
        ${chosen.map((c) => html`<li>${optionsOf(question).find((o) => o.id === c)?.label ?? String(c)}</li>`)}
      </ul>`;
    }
    case 'file':
      return html`<ul>
        ${fileNames(value).map((name) => html`<li>${name}</li>`)}
      </ul>`;
    case 'table': {
      const rows = Array.isArray(value) ? (value as Array<Record<string, unknown>>) : [];
      return answerTable(question, {
        region: html`aria-label="${question.label}"`,
        rows: rows.map(
          (row, r) =>
            html`<tr>
              <th scope="row">${String(r + 1)}</th>
              ${question.columns.map((c) => html`<td>${cellText(c, row?.[c.id])}</td>`)}
            </tr>`,
        ),
      });
    }
  }
}

type TableQuestion = Extract<Question, { kind: 'table' }>;

/**
 * A table question's answer as a table in a region that scrolls sideways: the question's label as
 * caption, a "Rad" column, then each column by its label and unit. The review's read-only answer
 * and the report form's editable one both draw it here; the form marks the columns a row must
 * fill (`markRequired`) and describes the table by the question's hint and errors (`describedBy`).
 */
export function answerTable(
  question: TableQuestion,
  parts: {
    /** What names the region: `aria-label="…"` or `aria-labelledby="…"`. */
    region: SafeHtml;
    rows: HtmlValue;
    markRequired?: boolean;
    describedBy?: HtmlValue;
  },
): SafeHtml {
  return html`<div class="table-wrap" role="region" ${parts.region} tabindex="0">
    <table ${parts.describedBy}>
      <caption>
        <span class="caption-text">${question.label}</span>
      </caption>
      <thead>
        <tr>
          <th scope="col">Rad</th>
          ${question.columns.map(
            (c) =>
              html`<th scope="col">
                ${c.label}${parts.markRequired && c.required ? ' (obligatorisk)' : ''}${
                  c.kind === 'number' && c.unit ? ` (${c.unit})` : ''
                }
              </th>`,
          )}
        </tr>
      </thead>
      <tbody>
        ${parts.rows}
      </tbody>
    </table>
  </div>`;
}

/** The answer in one line, for "tidigare: …" next to a changed answer. */
export function answerInOneLine(question: Question, value: unknown): string {
  if (isEmpty(value)) return 'inte besvarad';
  switch (question.kind) {
    case 'number':
      return typeof value === 'number' ? `${number(value)}${question.unit ? ` ${question.unit}` : ''}` : String(value);
    case 'yes-no':
      return value === true ? 'ja' : value === false ? 'nej' : String(value);
    case 'choice':
      return optionsOf(question).find((o) => o.id === value)?.label ?? String(value);
    case 'choices':
      return (Array.isArray(value) ? value : [value])
        .map((c) => optionsOf(question).find((o) => o.id === c)?.label ?? String(c))
        .join(', ');
    case 'table':
      return Array.isArray(value)
        ? `en tabell med ${value.length} ${value.length === 1 ? 'rad' : 'rader'}`
        : String(value);
    case 'file':
      return fileNames(value).join(', ');
    default:
      return String(value);
  }
}
