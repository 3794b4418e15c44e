import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AttachmentMeta, createPostgresAttachmentStore } from '../../../db/attachments';
import type { SavedAnswer } from '../../../db/report-drafts';
import { AnswerCode, optionsOf, Question, TableColumn } from '../../../domain/report-template';
import { canWrite, Principal } from '../../../domain/roles';
import { OperationError } from '../../operations/operation-error';
import { AnswerConflict, ReportNotReady, BoardReport, ExpandedSection } from '../../operations/report-drafts';
import type { ReturnNotes } from '../../operations/report-review';
import { actorOf } from '../auth';
import {
  forbiddenPage,
  formValue,
  isSameOrigin,
  isSlug,
  notFoundPage,
  PageDeps,
  parseYear,
  requireUser,
  sendPage,
} from './common';
import { formatInstant } from './format';
import { html, HtmlValue, SafeHtml } from './html';
import { page } from './layout';
import { commentsAt, returnSummary } from './review-comments-view';

/**
 * The report form of a board (issue 12): the phase's template as a plain HTML form in Swedish,
 * one form and save button per section, each answer saved as a draft through the same operation
 * as the API (so a save over someone else's newer answer is refused here too, and shown).
 * Works without JavaScript; the pages send none.
 */

/** Swedish for the stable codes of checkAnswers and the save (never the English problem text). */
const CODE_TEXT: Record<AnswerCode | 'bad-path' | 'edited-by-someone-else' | 'not-editable', string> = {
  required: 'Svaret behövs.',
  'one-required': 'Besvara minst en av frågorna.',
  'too-long': 'Texten är för lång.',
  'not-text': 'Svaret ska vara text.',
  'not-a-number': 'Skriv ett tal, till exempel 1200 eller 12,5.',
  'not-an-integer': 'Skriv ett heltal.',
  'out-of-range': 'Talet är utanför det tillåtna intervallet.',
  'not-yes-no': 'Välj ja eller nej.',
  'not-an-option': 'Välj ett av alternativen.',
  'not-a-list': 'Svaret ska vara en lista.',
  'bad-date': 'Skriv datumet som ÅÅÅÅ-MM-DD, till exempel 2027-04-22.',
  'not-a-table': 'Svaret ska vara en tabell.',
  'too-many-rows': 'Tabellen har för många rader.',
  'unknown-column': 'Tabellen har ingen sådan kolumn.',
  'not-a-file': 'Svaret ska vara en bifogad fil.',
  'bad-file-type': 'Filtypen tas inte emot här.',
  'too-many-files': 'För många filer.',
  'not-an-object': 'Svaret har fel form.',
  'not-asked': 'Frågan ställs inte till er nämnd.',
  'unknown-section': 'Mallen har inget sådant avsnitt.',
  'unknown-item': 'Det finns ingen sådan rad i avsnittet.',
  'unknown-question': 'Mallen har ingen sådan fråga.',
  'bad-path': 'Frågan finns inte i mallen.',
  'edited-by-someone-else': 'Någon annan har sparat svaret efter att du öppnade sidan.',
  'not-editable': 'Rapporten är inlämnad eller stängd; den kan inte ändras nu.',
};

const codeText = (code: string | undefined, problem: string): string =>
  (code && CODE_TEXT[code as keyof typeof CODE_TEXT]) || problem;

/** An HTML id for an answer path (or a cell's path): letters, digits and dashes only. */
export const idOf = (path: string): string => `svar-${path.replace(/[^a-z0-9]+/g, '-').replace(/-$/, '')}`;

/** Who saved, as people read it: the token's label (a person or a team) rather than the token. */
export function savedByLabel(actor: string): string {
  const match = /^\S+ \((.*), [^,()]+\)$/.exec(actor);
  return match?.[1] ?? actor;
}

/** What went wrong with one answer after a post: the code, and for a conflict the other save. */
interface AnswerProblem {
  field: string;
  code?: string;
  problem: string;
  other?: SavedAnswer;
}

interface FormState {
  /** The section posted, with what was typed (path → the value as posted). */
  section: string;
  typed: Map<string, unknown>;
  problems: AnswerProblem[];
}

interface ReportPageData {
  report: BoardReport;
  saved: Map<string, SavedAnswer>;
  attachments: AttachmentMeta[];
  /** SLK's reason and comments, while the report is returned for completion. */
  returned?: ReturnNotes;
}

async function loadReportPage(
  deps: PageDeps,
  principal: Principal,
  year: number,
  phaseId: string,
  boardId: string,
): Promise<ReportPageData> {
  const report = await deps.drafts.loadReport(principal, year, phaseId, boardId);
  const hasFiles = report.template.sections.some((s) => s.questions.some((q) => q.kind === 'file'));
  const attachments = hasFiles
    ? await createPostgresAttachmentStore(deps.pool).list(report.deliverable.workflowId)
    : [];
  const returned = await deps.review.returnNotes(report.deliverable);
  return { report, saved: new Map(report.answers.map((a) => [a.path, a])), attachments, ...(returned && { returned }) };
}

// --- Reading a posted section -------------------------------------------------------------------

/** The answers a section asks, each with its path: per item for a generated section. */
function answersOf(section: ExpandedSection): Array<{ path: string; question: Question; item?: string }> {
  const items = section.generate ? (section.items ?? []).map((i) => i.id) : [undefined];
  return items.flatMap((item) =>
    section.questions.map((question) => ({
      path: `${section.id}${item ? `[${item}]` : ''}.${question.id}`,
      question,
      ...(item && { item }),
    })),
  );
}

const all = (body: unknown, name: string): string[] => {
  const value = body && typeof body === 'object' ? (body as Record<string, unknown>)[name] : undefined;
  return (Array.isArray(value) ? value : value === undefined ? [] : [value]).filter(
    (v): v is string => typeof v === 'string',
  );
};

/** A number as people type it in Swedish (1 200,5); text that is no number stays text, so the check names it. */
function numberFrom(text: string): unknown {
  const trimmed = text.trim();
  if (trimmed === '') return null;
  const normal = trimmed
    .replace(/[\s\u00a0]/g, '')
    .replace(',', '.')
    .replace('−', '-');
  return /^-?\d+(\.\d+)?$/.test(normal) ? Number(normal) : trimmed;
}

function cellFrom(column: TableColumn, text: string): unknown {
  if (column.kind === 'number') return numberFrom(text);
  return text.trim() === '' ? null : text;
}

/** One answer's value from the posted form, as the template's question kind wants it. */
export function valueFromForm(question: Question, path: string, body: unknown): unknown {
  const text = formValue(body, path);
  switch (question.kind) {
    case 'short-text':
    case 'long-text':
      // Browsers send a textarea's line breaks as CRLF; the answer keeps them as typed elsewhere.
      return text.trim() === '' ? null : text.replace(/\r\n/g, '\n');
    case 'date':
    case 'choice':
      return text.trim() === '' ? null : text.trim();
    case 'number':
      return numberFrom(text);
    case 'yes-no':
      return text === 'ja' ? true : text === 'nej' ? false : null;
    case 'choices': {
      const chosen = all(body, path);
      return chosen.length ? chosen : null;
    }
    case 'table': {
      const rows: Record<string, unknown>[] = [];
      const count = Math.min(Number(formValue(body, `${path}.rader`)) || 0, question.maxRows + 1);
      for (let r = 0; r < count; r++) {
        const row: Record<string, unknown> = {};
        for (const column of question.columns) {
          const cell = cellFrom(column, formValue(body, `${path}[${r}].${column.id}`));
          if (cell !== null) row[column.id] = cell;
        }
        // An empty row is a row not added (the form always offers one).
        if (Object.keys(row).length) rows.push(row);
      }
      return rows.length ? rows : null;
    }
    case 'file':
      return undefined; // files are attached through the attachments, not typed here
  }
}

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/**
 * A short fingerprint of the value a field was drawn with, sent back with the form: an answer
 * posted as it was drawn was not touched, and is not saved even if someone saved it meanwhile
 * (saving it would either overwrite their answer or refuse a change nobody made).
 */
export const fingerprint = (value: unknown): string =>
  createHash('sha256')
    .update(JSON.stringify(value ?? null))
    .digest('base64url')
    .slice(0, 16);

// --- Rendering ----------------------------------------------------------------------------------

function displayValue(question: Question, value: unknown): string {
  if (value === null || value === undefined) return '(tomt)';
  if (question.kind === 'yes-no') return value ? 'Ja' : 'Nej';
  if (question.kind === 'choice') return optionsOf(question).find((o) => o.id === value)?.label ?? String(value);
  if (question.kind === 'table' && Array.isArray(value)) return `${value.length} rader`;
  return Array.isArray(value) ? value.join(', ') : String(value);
}

interface QuestionView {
  path: string;
  question: Question;
  saved?: SavedAnswer;
  /** What the field shows: what was typed after a refused post, else the saved value. */
  value: unknown;
  problem?: AnswerProblem;
  disabled: boolean;
  attachments: AttachmentMeta[];
}

function questionField(v: QuestionView): SafeHtml {
  const { path, question, saved, problem } = v;
  const id = idOf(path);
  const hintId = question.help ? `${id}-hjalp` : '';
  const savedId = saved ? `${id}-sparad` : '';
  const errorId = problem ? `${id}-fel` : '';
  const described = [hintId, errorId, savedId].filter(Boolean).join(' ');
  const labelText = html`${question.label}${question.required ? html` <span class="required">(obligatorisk)</span>` : ''}${
    question.kind === 'number' && question.unit ? ` (${question.unit})` : ''
  }`;
  const describedBy = described ? html` aria-describedby="${described}"` : '';
  const invalid = problem ? html` aria-invalid="true"` : '';
  const info = html`${question.help ? html`<span class="hint" id="${hintId}">${question.help}</span>` : ''}
  ${
    problem
      ? html`<span class="error-message" id="${errorId}"
          >${codeText(problem.code, problem.problem)}${
            problem.other
              ? html` ${savedByLabel(problem.other.savedBy)} sparade
                  ${formatInstant(problem.other.savedAt.toISOString())}:
                  <q>${displayValue(question, problem.other.value)}</q>. Spara igen för att ersätta det med ditt svar.`
              : ''
          }</span
        >`
      : ''
  }`;
  const savedLine = saved
    ? html`<span class="hint saved" id="${savedId}"
        >Senast sparad av ${savedByLabel(saved.savedBy)}, ${formatInstant(saved.savedAt.toISOString())}</span
      >`
    : '';
  // Numbers as Swedish readers write them (12,5), which the save reads back.
  const text =
    typeof v.value === 'number' ? String(v.value).replace('.', ',') : typeof v.value === 'string' ? v.value : '';
  const groupClass = `field${problem ? ' field-error' : ''}`;

  switch (question.kind) {
    case 'short-text':
    case 'number':
    case 'date':
      return html`<div class="${groupClass}">
        <label for="${id}">${labelText}</label>
        ${info}
        <input
          type="text"
          id="${id}"
          name="${path}"
          value="${text}"
          ${describedBy}${invalid}${question.kind === 'number' ? html` inputmode="decimal"` : ''}${
            question.kind === 'short-text' ? html` maxlength="${question.maxLength}"` : ''
          }
        />
        ${savedLine}
      </div>`;
    case 'long-text':
      return html`<div class="${groupClass}">
        <label for="${id}">${labelText}</label>
        ${info}
        <textarea id="${id}" name="${path}" rows="5" ${describedBy}${invalid}>${text}</textarea>
        ${savedLine}
      </div>`;
    case 'choice':
    case 'yes-no': {
      const options =
        question.kind === 'choice'
          ? optionsOf(question).map((o) => ({ value: o.id, text: o.label }))
          : [
              { value: 'ja', text: 'Ja' },
              { value: 'nej', text: 'Nej' },
            ];
      const chosen = question.kind === 'yes-no' ? (v.value === true ? 'ja' : v.value === false ? 'nej' : '') : text;
      return html`<div class="${groupClass}">
        <label for="${id}">${labelText}</label>
        ${info}
        <select id="${id}" name="${path}" ${describedBy}${invalid}>
          <option value="">Inget valt</option>
          ${options.map((o) => html`<option value="${o.value}" ${o.value === chosen ? html` selected` : ''}>${o.text}</option>`)}
        </select>
        ${savedLine}
      </div>`;
    }
    case 'choices': {
      const chosen = Array.isArray(v.value) ? (v.value as unknown[]) : [];
      return html`<fieldset class="${groupClass}" id="${id}" ${describedBy}>
        <legend>${labelText}</legend>
        ${info}
        ${question.options.map(
          (o, i) =>
            html`<div>
              <input
                type="checkbox"
                id="${id}-${i}"
                name="${path}"
                value="${o.id}"
                ${chosen.includes(o.id) ? html` checked` : ''}
              />
              <label for="${id}-${i}">${o.label}</label>
            </div>`,
        )}
        ${savedLine}
      </fieldset>`;
    }
    case 'table':
      return tableField(v, labelText, info, savedLine, describedBy);
    case 'file':
      return html`<div class="field" id="${id}" tabindex="-1">
        <span class="label">${labelText}</span>
        ${info}
        ${
          v.attachments.length
            ? html`<ul>
                ${v.attachments.map((a) => html`<li>${a.fileName} (${savedByLabel(a.uploadedBy)}, ${formatInstant(a.uploadedAt.toISOString())})</li>`)}
              </ul>`
            : html`<p>Inga filer bifogade än.</p>`
        }
        <p class="hint">
          Filer (${question.accept.join(', ')}) bifogas till rapporten genom Årshjulets API (bilagor); de listas här.
        </p>
      </div>`;
  }
}

function tableField(
  v: QuestionView,
  labelText: SafeHtml,
  info: HtmlValue,
  savedLine: HtmlValue,
  describedBy: HtmlValue,
) {
  const question = v.question as Extract<Question, { kind: 'table' }>;
  const id = idOf(v.path);
  const rows = Array.isArray(v.value) ? (v.value as Array<Record<string, unknown>>) : [];
  // Existing rows and one empty row to add, up to the limit.
  const shown = [...rows, ...(rows.length < question.maxRows && !v.disabled ? [{}] : [])];
  return html`<div class="field${v.problem ? ' field-error' : ''}" id="${id}" tabindex="-1">
    <span class="label" id="${id}-rubrik">${labelText}</span>
    ${info}
    <input type="hidden" name="${v.path}.rader" value="${shown.length}" />
    <div class="table-wrap" role="region" aria-labelledby="${id}-rubrik" tabindex="0">
      <table ${describedBy}>
        <caption>
          <span class="caption-text">${question.label}</span>
        </caption>
        <thead>
          <tr>
            <th scope="col">Rad</th>
            ${question.columns.map(
              (c) =>
                html`<th scope="col">
                  ${c.label}${c.required ? ' (obligatorisk)' : ''}${c.kind === 'number' && c.unit ? ` (${c.unit})` : ''}
                </th>`,
            )}
          </tr>
        </thead>
        <tbody>
          ${shown.map(
            (row, r) =>
              html`<tr>
                <th scope="row">${r < rows.length ? String(r + 1) : 'Ny rad'}</th>
                ${question.columns.map((c) => {
                  const cellPath = `${v.path}[${r}].${c.id}`;
                  const cell = row[c.id];
                  return html`<td>
                    <label class="visually-hidden" for="${idOf(cellPath)}"
                      >${c.label}, ${r < rows.length ? `rad ${r + 1}` : 'ny rad'}</label
                    >
                    ${
                      c.kind === 'choice'
                        ? html`<select id="${idOf(cellPath)}" name="${cellPath}">
                            <option value="">Inget valt</option>
                            ${optionsOf(c).map(
                              (o) =>
                                html`<option value="${o.id}" ${o.id === cell ? html` selected` : ''}>
                                  ${o.label}
                                </option>`,
                            )}
                          </select>`
                        : html`<input
                            type="text"
                            id="${idOf(cellPath)}"
                            name="${cellPath}"
                            value="${typeof cell === 'number' ? String(cell).replace('.', ',') : typeof cell === 'string' ? cell : ''}"
                            ${c.kind === 'number' ? html` inputmode="decimal"` : ''}
                          />`
                    }
                  </td>`;
                })}
              </tr>`,
          )}
        </tbody>
      </table>
    </div>
    ${savedLine}
  </div>`;
}

function sectionForm(
  data: ReportPageData,
  section: ExpandedSection,
  state: FormState | undefined,
  action: string,
  disabled: boolean,
): SafeHtml {
  const mine = state?.section === section.id ? state : undefined;
  const view = (path: string, question: Question): QuestionView => {
    const saved = data.saved.get(path);
    const problem = mine?.problems.find((p) => p.field === path || p.field.startsWith(`${path}[`));
    return {
      path,
      question,
      ...(saved && { saved }),
      value: mine?.typed.has(path) ? mine.typed.get(path) : saved?.value,
      ...(problem && { problem }),
      disabled,
      attachments: data.attachments,
    };
  };
  const questions = (item?: string) =>
    section.questions.map((q) => {
      const path = `${section.id}${item ? `[${item}]` : ''}.${q.id}`;
      return html`${questionField(view(path, q))}${commentsAt(data.returned?.comments, path, { label: q.label })}`;
    });
  const items = section.items ?? [];
  return html`<form method="post" action="${action}" id="avsnitt-${section.id}" class="report-form" novalidate>
    <input type="hidden" name="avsnitt" value="${section.id}" />
    ${answersOf(section).map(({ path }) => {
      // The version each answer had when the page was drawn: a save over a newer one is refused.
      // After a conflict the field holds the other save's version, so saving again is a choice.
      const shown = mine?.problems.find((p) => p.field === path)?.other ?? data.saved.get(path);
      return html`<input type="hidden" name="version:${path}" value="${shown?.version ?? 0}" />
        <input type="hidden" name="seen:${path}" value="${fingerprint(shown?.value)}" />`;
    })}
    <fieldset ${disabled ? html` disabled` : ''}>
      <legend><span class="legend-text">${section.title}</span></legend>
      ${section.help ? html`<p class="hint">${section.help}</p>` : ''}
      ${commentsAt(data.returned?.comments, section.id, { label: section.title })}
      ${
        section.generate
          ? items.length === 0
            ? html`<p>Inget att besvara här för er nämnd.</p>`
            : items.map(
                (item) =>
                  html`<fieldset class="item">
                    <legend>${item.name}</legend>
                    ${questions(item.id)}
                  </fieldset>`,
              )
          : questions()
      }
      ${
        // A section of files only has nothing to type, so nothing to save here.
        disabled || section.questions.every((q) => q.kind === 'file')
          ? ''
          : html`<button type="submit">Spara ${section.title.toLowerCase()}</button>`
      }
    </fieldset>
  </form>`;
}

function reportBody(
  data: ReportPageData,
  input: {
    boardId: string;
    year: number;
    phaseId: string;
    state?: FormState;
    savedSection?: string;
    writable: boolean;
  },
): SafeHtml {
  const { report } = data;
  const d = report.deliverable;
  const action = `/namnd/${input.boardId}/${input.year}/${input.phaseId}`;
  const disabled = !input.writable || !report.editable;
  const problems = input.state?.problems ?? [];
  const savedSection = report.template.sections.find((s) => s.id === input.savedSection);
  return html`<p><a href="/namnd/${input.boardId}">Tillbaka till nämndens sida</a></p>
    <h1>${report.template.title}, budgetår ${input.year}</h1>
    <p class="lead">${d.boardName}. Svaren sparas som utkast tills rapporten klarmarkeras.</p>
    ${report.template.help ? html`<p>${report.template.help}</p>` : ''} ${returnSummary(data.returned, report.template)}
    ${
      problems.length
        ? html`<div class="error-summary" role="alert" id="fel">
            <h2>
              ${input.state?.section === READY_SECTION ? 'Det gick inte att klarmarkera' : 'Det gick inte att spara allt'}
            </h2>
            <ul>
              ${problems.map(
                (p) =>
                  html`<li>
                    <a href="#${idOf(fieldTarget(p.field))}"
                      >${labelFor(report, p.field)}: ${codeText(p.code, p.problem)}</a
                    >
                  </li>`,
              )}
            </ul>
          </div>`
        : ''
    }
    ${savedSection ? html`<div class="notice" role="status" id="sparat">${savedSection.title}: sparat.</div>` : ''}
    ${
      !input.writable
        ? html`<p class="panel">Du kan läsa rapporten men inte svara åt nämnden.</p>`
        : !report.editable
          ? html`<p class="panel">Rapporten är inlämnad eller stängd; svaren kan inte ändras nu.</p>`
          : ''
    }
    <h2>Det här saknas</h2>
    ${
      report.missing.length === 0
        ? html`<p>Alla obligatoriska frågor är besvarade.</p>`
        : html`<ul>
            ${report.missing.map(
              (m) =>
                html`<li>
                  <a href="#${idOf(m.field)}">${m.section}${m.item ? `, ${m.item}` : ''}: ${m.question}</a>
                </li>`,
            )}
          </ul>`
    }
    <h2>Svar</h2>
    ${report.template.sections.map((s) => sectionForm(data, s, input.state, action, disabled))}
    ${disabled ? '' : readyForm(action, report, input.state)}`;
}

/** The fields of the klarmarkera form besides the answers, in the order shown. */
const READY_FIELDS = [
  {
    name: 'documentRef',
    label: 'Diarienummer för nämndens beslut',
    hint: 'Frivilligt. Utan det är rapporten i Årshjul själva dokumentet.',
  },
  { name: 'decisionDate', label: 'Beslutsdatum', hint: 'Frivilligt. Skrivet ÅÅÅÅ-MM-DD, till exempel 2027-04-22.' },
  { name: 'comment', label: 'Kommentar till stadsledningskontoret', hint: 'Frivilligt.' },
] as const;

/**
 * Klarmarkera: hands the saved answers in. Shown while the report can be changed; a report with
 * required answers missing is refused with what is missing (the list above the answers).
 */
function readyForm(action: string, report: BoardReport, state: FormState | undefined): SafeHtml {
  const typed = (name: string) => (state?.section === READY_SECTION ? state.typed.get(name) : undefined);
  const problem = (name: string) => state?.problems.find((p) => p.field === name);
  return html`<section aria-labelledby="klarmarkera-rubrik">
    <h2 id="klarmarkera-rubrik">Klarmarkera och lämna in</h2>
    <p>
      ${
        report.missing.length === 0
          ? 'Alla obligatoriska frågor är besvarade. När rapporten klarmarkeras lämnas de sparade svaren in till stadsledningskontoret.'
          : `Rapporten kan klarmarkeras när de ${report.missing.length} obligatoriska svar som saknas är ifyllda.`
      }
    </p>
    <form method="post" action="${action}/klarmarkera" novalidate>
      ${READY_FIELDS.map((f) => {
        const id = `klar-${f.name}`;
        const p = problem(f.name);
        const value = typeof typed(f.name) === 'string' ? (typed(f.name) as string) : '';
        const describedBy = html` aria-describedby="${id}-hjalp${p ? ` ${id}-fel` : ''}"`;
        return html`<div class="field${p ? ' has-error' : ''}">
          <label for="${id}">${f.label}</label>
          <span class="hint" id="${id}-hjalp">${f.hint}</span>
          ${p ? html`<span class="error-message" id="${id}-fel">${codeText(p.code, p.problem)}</span>` : ''}
          ${
            f.name === 'comment'
              ? html`<textarea
                  id="${id}"
                  name="${f.name}"
                  rows="3"
                  ${describedBy}${p ? html` aria-invalid="true"` : ''}
                >
${value}</textarea>`
              : html`<input
                  type="text"
                  id="${id}"
                  name="${f.name}"
                  value="${value}"
                  ${describedBy}${p ? html` aria-invalid="true"` : ''}
                />`
          }
        </div>`;
      })}
      <button type="submit">Klarmarkera ${report.template.title}</button>
    </form>
  </section>`;
}

/** The FormState section of a posted klarmarkera form (not a template section: those are slugs). */
const READY_SECTION = '(klarmarkera)';

/** The element a problem points at: the question's field (a table's cell problems point at the table). */
function fieldTarget(field: string): string {
  const match = /^([a-z0-9-]+(?:\[[a-z0-9-]+\])?\.[a-z0-9-]+)/.exec(field);
  return match?.[1] ?? field;
}

function labelFor(report: BoardReport, field: string): string {
  const readyField = READY_FIELDS.find((f) => f.name === field);
  if (readyField) return readyField.label;
  for (const section of report.template.sections) {
    for (const { path, question, item } of answersOf(section)) {
      if (fieldTarget(field) === path) {
        const name = item && section.items?.find((i) => i.id === item)?.name;
        return `${section.title}${name ? `, ${name}` : ''}: ${question.label}`;
      }
    }
  }
  return field;
}

// --- Routes -------------------------------------------------------------------------------------

export function registerReportForm(app: FastifyInstance, deps: PageDeps): void {
  const route = '/namnd/:boardId/:year/:phaseId';

  const params = (raw: unknown) => {
    const { boardId = '', year = '', phaseId = '' } = raw as Record<string, string>;
    const y = parseYear(year);
    return isSlug(boardId) && isSlug(phaseId) && y !== undefined ? { boardId, year: y, phaseId } : undefined;
  };

  /** The page's data, or undefined for a report that does not exist or the caller may not see. */
  const loadVisible = async (principal: Principal, p: { boardId: string; year: number; phaseId: string }) => {
    try {
      return await loadReportPage(deps, principal, p.year, p.phaseId, p.boardId);
    } catch (error) {
      if (error instanceof OperationError && error.status === 404) return undefined;
      throw error;
    }
  };

  const render = async (
    reply: FastifyReply,
    principal: Principal,
    p: { boardId: string; year: number; phaseId: string },
    status: number,
    extra: { state?: FormState; savedSection?: string } = {},
  ) => {
    const data = await loadVisible(principal, p);
    if (!data) return notFoundPage(reply, principal);
    const writable = canWrite(principal, data.report.deliverable.answeringBoardId);
    return sendPage(
      reply,
      status,
      page({
        title: `${data.report.template.title}, ${data.report.deliverable.boardName}`,
        principal,
        year: p.year,
        current: 'namnd',
        body: reportBody(data, { ...p, ...extra, writable }),
      }),
    );
  };

  /**
   * The signed-in caller and the report a form from this site was posted to; otherwise the page
   * that refuses it is sent and there is nothing to do.
   */
  const postedBy = async (request: FastifyRequest, reply: FastifyReply) => {
    const principal = requireUser(request, reply);
    if (!principal) return undefined;
    if (!isSameOrigin(request, deps.publicUrl)) {
      await forbiddenPage(reply, principal, 'att skicka formulär från en annan webbplats');
      return undefined;
    }
    const p = params(request.params);
    if (!p) {
      await notFoundPage(reply, principal);
      return undefined;
    }
    return { principal, p };
  };

  app.get(route, async (request, reply) => {
    const principal = requireUser(request, reply);
    if (!principal) return reply;
    // Whether the caller may see it is the deliverable's answering board's question (a merger
    // hands a predecessor's report to its successor): loadVisible answers that.
    const p = params(request.params);
    if (!p) return notFoundPage(reply, principal);
    const savedSection = formValue(request.query, 'sparat');
    return render(reply, principal, p, 200, isSlug(savedSection) ? { savedSection } : {});
  });

  app.post(route, async (request, reply) => {
    const posted = await postedBy(request, reply);
    if (!posted) return reply;
    const { principal, p } = posted;
    const data = await loadVisible(principal, p);
    if (!data) return notFoundPage(reply, principal);
    if (!canWrite(principal, data.report.deliverable.answeringBoardId))
      return forbiddenPage(reply, principal, 'att svara åt en nämnd');
    const body = request.body;
    const section = data.report.template.sections.find((s) => s.id === formValue(body, 'avsnitt'));
    if (!section) return notFoundPage(reply, principal);

    const state: FormState = { section: section.id, typed: new Map(), problems: [] };
    let status = 200;
    for (const { path, question } of answersOf(section)) {
      // Every answer the form drew carries its version; one without was not in the form posted.
      if (formValue(body, `version:${path}`) === '') continue;
      const value = valueFromForm(question, path, body);
      if (value === undefined) continue;
      state.typed.set(path, value);
      const saved = data.saved.get(path);
      const expectedVersion = Number(formValue(body, `version:${path}`)) || 0;
      // Only what changed is saved: an untouched answer keeps its version and its author.
      const seen = formValue(body, `seen:${path}`);
      const untouched = seen
        ? fingerprint(value) === seen
        : same(value, saved?.value) && expectedVersion === (saved?.version ?? 0);
      if (untouched) continue;
      try {
        await deps.drafts.saveAnswer(
          principal,
          p.year,
          p.phaseId,
          p.boardId,
          { path, value, expectedVersion },
          actorOf(principal),
        );
      } catch (error) {
        if (!(error instanceof OperationError)) throw error;
        if (error.status === 404) return notFoundPage(reply, principal);
        status = Math.max(status, error.status === 409 ? 409 : error.status === 403 ? 403 : 400);
        state.problems.push({
          field: error.field === 'stage' ? path : error.field,
          ...(error.code && { code: error.code }),
          problem: error.problem,
          ...(error instanceof AnswerConflict && { other: error.current }),
        });
      }
    }
    if (state.problems.length === 0) {
      return reply.redirect(`/namnd/${p.boardId}/${p.year}/${p.phaseId}?sparat=${section.id}#sparat`, 303);
    }
    return render(reply, principal, p, status, { state });
  });

  app.post(`${route}/klarmarkera`, async (request, reply) => {
    const posted = await postedBy(request, reply);
    if (!posted) return reply;
    const { principal, p } = posted;
    const typed = new Map<string, unknown>();
    const input: Record<string, string> = {};
    for (const { name } of READY_FIELDS) {
      const value = formValue(request.body, name).trim();
      typed.set(name, value);
      // Empty optional fields are absent, not empty strings.
      if (value) input[name] = value;
    }
    try {
      await deps.drafts.markReady(principal, p.year, p.phaseId, p.boardId, input, actorOf(principal));
    } catch (error) {
      if (!(error instanceof OperationError)) throw error;
      if (error.status === 404) return notFoundPage(reply, principal);
      if (error.status === 403) return forbiddenPage(reply, principal, 'att klarmarkera åt en nämnd');
      const problems: AnswerProblem[] =
        error instanceof ReportNotReady
          ? error.missing.map((m) => ({ field: m.field, code: 'required', problem: 'must be answered' }))
          : [
              {
                // The workflow names answers as `answers.<section>…`; the form's fields are relative.
                field: error.field.startsWith('answers.') ? error.field.slice('answers.'.length) : error.field,
                ...(error.code && { code: error.code }),
                problem: error.problem,
              },
            ];
      return render(reply, principal, p, error.status, { state: { section: READY_SECTION, typed, problems } });
    }
    return reply.redirect(
      `/namnd/${encodeURIComponent(p.boardId)}?inlamnad=${encodeURIComponent(p.phaseId)}&ar=${p.year}#kvitto`,
      303,
    );
  });
}
