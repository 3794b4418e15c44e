import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { actorNamesFrom, ActorNames, loadActorNames } from '../../../db/actor-names';
import type { AttachmentMeta } from '../../../db/attachments';
import type { SavedAnswer } from '../../../db/report-drafts';
import { listLatestSubmissions } from '../../../db/submissions';
import { dismissTemplateCorrection, DroppedAnswer, TemplateCorrection } from '../../../db/template-corrections';
import { FileReference, optionsOf, Question, TableColumn } from '../../../domain/report-template';
import type { RefusalParams } from '../../../domain/refusals';
import { homeBoard } from '../../../domain/permissions';
import type { Principal } from '../../../domain/principal';
import { OperationError } from '../../operations/operation-error';
import {
  AnswerConflict,
  GENERATED_REF,
  ReportNotReady,
  BoardReport,
  ExpandedSection,
  ExpandedTemplate,
} from '../../operations/report-drafts';
import type { ReturnNotes } from '../../operations/report-review';
import { actorOf } from '../auth';
import {
  forbiddenPage,
  formValue,
  isSameOrigin,
  mayOnBoard,
  isSlug,
  notFoundPage,
  PageDeps,
  parseYear,
  requireUser,
  sendPage,
} from './common';
import { formatInstant, refusalBesideQuestion, sentencesBesideQuestion } from './format';
import { html, HtmlValue, SafeHtml } from './html';
import { messagePage, page } from './layout';
import { answerTable } from './answer-view';
import { acceptMultipart, MultipartBody } from '../multipart';
import { commentAnchor, commentsAt, returnSummary } from './review-comments-view';
import { SIGN_OFF_FIELDS, SIGN_OFF_SECTION, SIGN_OFF_STEPS, SignOffPageStep, signOffPanel } from './sign-off-view';

/**
 * The report form of a board (issue 12): the phase's template as a plain HTML form in Swedish,
 * one form and save button per section, each answer saved as a draft through the same operation
 * as the API (so a save over someone else's newer answer is refused here too, and shown).
 * Works without JavaScript: a file question uploads with a multipart post to this page's route;
 * with it, /static/report-form.js uploads through the API with a progress bar and saves the answer
 * without a page load. A published template correction is shown to the board until dismissed.
 */

const megabytes = (bytes: number): string =>
  `${(bytes / (1024 * 1024)).toLocaleString('sv-SE', { maximumFractionDigits: 1 })}\u00a0MB`;

/** A file's size as people read it: "840 byte", "12,3 kB", "4,2 MB". */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} byte`;
  const units = ['kB', 'MB', 'GB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toLocaleString('sv-SE', { maximumFractionDigits: 1 })}\u00a0${units[unit]}`;
}

/**
 * The Swedish texts of a file question's refusals and progress, with its limits filled in: the
 * server's errors and the page's script read the same table.
 */
function fileMessages(question: Extract<Question, { kind: 'file' }>, maxBytes: number): Record<string, string> {
  return {
    ...sentencesBesideQuestion(),
    'too-large': `Filen är för stor: högst ${megabytes(maxBytes)} tas emot.`,
    'bad-file-type': `Frågan tar bara emot ${question.accept.join(', ')}.`,
    'too-many-files': `Frågan tar högst ${question.maxFiles} filer: ta bort en innan du bifogar en till.`,
    failed: 'Det gick inte att bifoga filen. Försök igen.',
    uploading: 'Laddar upp {name} …',
    saving: 'Sparar svaret …',
    uploaded: '{name} är bifogad.',
    uploadedBy: 'uppladdad av',
    remove: 'Ta bort',
  };
}

/** A problem beside its question: the file question's own text (its limits), else the code's sentence. */
const codeText = (problem: AnswerProblem): string => problem.text || refusalBesideQuestion(problem);

/** An HTML id for an answer path (or a cell's path): letters, digits and dashes only. */
export const idOf = (path: string): string => `svar-${path.replace(/[^a-z0-9]+/g, '-').replace(/-$/, '')}`;

/** What went wrong with one answer after a post: the code, and for a conflict the other save. */
interface AnswerProblem {
  field: string;
  code: string;
  params?: RefusalParams;
  problem: string;
  /** The Swedish text when it needs more than the code (a file question's limits). */
  text?: string;
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
  /** What the caller may do here (the form shows only that; the rest is to read). */
  allowed: { draft: boolean; markReady: boolean; signOff: boolean };
  saved: Map<string, SavedAnswer>;
  attachments: AttachmentMeta[];
  /** The correction SLK published to the current template version, until the board dismisses it. */
  correction?: TemplateCorrection;
  /** The largest file taken. */
  maxBytes: number;
  /** Where the page, the API's report and its attachments are, for links and the script. */
  urls: { page: string; report: string; attachments: string };
  /** SLK's reason and comments, while the report is returned for completion. */
  returned?: ReturnNotes;
  /**
   * What the board gave with its last hand-in (its decision's reference and date), offered again
   * when a returned report is marked ready anew.
   */
  handedIn?: { documentRef?: string; decisionDate?: string };
  /** Who saved, uploaded, marked ready or commented, by name (looked up once for the page). */
  names: ActorNames;
  /** The caller as the page names them: the uploader of a file the script adds without a reload. */
  me: string;
}

/** What drawing a section needs: the form page's data, or for SLK's preview the template alone. */
type SectionData = Pick<ReportPageData, 'saved' | 'attachments' | 'maxBytes' | 'urls' | 'returned' | 'names' | 'me'> & {
  report: Pick<BoardReport, 'template'>;
};

async function loadReportPage(
  deps: PageDeps,
  principal: Principal,
  year: number,
  phaseId: string,
  boardId: string,
  /** Actors the page shows besides the report's own (the other save of a conflict). */
  moreActors: readonly string[] = [],
): Promise<ReportPageData> {
  // Every attachment of the report is listed (also one no answer names any more): the record.
  const { report, attachments, correction, allowed } = await deps.drafts.loadReportWithFiles(
    principal,
    year,
    phaseId,
    boardId,
  );
  const returned = await deps.review.returnNotes(report.deliverable);
  const handedIn = returned && (await lastHandIn(deps, report.deliverable));
  const api = `/api/cycles/${year}/deliverables/${phaseId}/${boardId}`;
  const names = await loadActorNames(deps.pool, [
    ...report.answers.map((a) => a.savedBy),
    ...attachments.map((a) => a.uploadedBy),
    ...(returned?.comments.map((c) => c.author) ?? []),
    report.signOff.awaiting?.markedReadyBy,
    report.signOff.lastReturn?.by,
    ...moreActors,
    actorOf(principal),
  ]);
  return {
    names,
    me: names.label(actorOf(principal)),
    ...(handedIn && { handedIn }),
    report,
    allowed,
    saved: new Map(report.answers.map((a) => [a.path, a])),
    attachments,
    ...(correction && { correction }),
    ...(returned && { returned }),
    maxBytes: deps.attachments.policy.maxBytes,
    urls: { page: `/namnd/${boardId}/${year}/${phaseId}`, report: `${api}/report`, attachments: `${api}/attachments` },
  };
}

/** The board's own reference and date from its latest hand-in (not the one Årshjul made up). */
async function lastHandIn(deps: PageDeps, d: BoardReport['deliverable']): Promise<ReportPageData['handedIn']> {
  const cycleId = d.workflowId.split('/').slice(0, 2).join('/');
  const [last] = await listLatestSubmissions(deps.pool, cycleId, d.phaseId, d.boardId);
  if (!last) return undefined;
  const documentRef = last.documentRef && !last.documentRef.startsWith(GENERATED_REF) ? last.documentRef : undefined;
  return { ...(documentRef && { documentRef }), ...(last.decisionDate && { decisionDate: last.decisionDate }) };
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
  if (typeof value === 'number') return String(value).replace('.', ',');
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
  data: SectionData;
}

function questionField(v: QuestionView): SafeHtml {
  const { path, question, saved, problem } = v;
  const id = idOf(path);
  const hintId = question.help ? `${id}-hjalp` : '';
  const savedId = saved ? `${id}-sparad` : '';
  const errorId = problem ? `${id}-fel` : '';
  // SLK's comment on a returned report, drawn after the field, is read out with it too.
  const commentId = v.data.returned?.comments.some((c) => c.path === path) ? commentAnchor(path) : '';
  const described = [hintId, errorId, commentId, savedId].filter(Boolean).join(' ');
  const labelText = html`${question.label}${question.required ? html` <span class="required">(obligatorisk)</span>` : ''}${
    question.kind === 'number' && question.unit ? ` (${question.unit})` : ''
  }`;
  const describedBy = described ? html` aria-describedby="${described}"` : '';
  const invalid = problem ? html` aria-invalid="true"` : '';
  const info = html`${question.help ? html`<span class="hint" id="${hintId}">${question.help}</span>` : ''}
  ${
    problem
      ? html`<span class="error-message" id="${errorId}"
          >${codeText(problem)}${
            problem.other
              ? html` ${v.data.names.label(problem.other.savedBy)} sparade
                  ${formatInstant(problem.other.savedAt.toISOString())}:
                  <q>${displayValue(question, problem.other.value)}</q>. Spara igen för att ersätta det med ditt svar.`
              : ''
          }</span
        >`
      : ''
  }`;
  const savedLine = saved
    ? html`<span class="hint saved" id="${savedId}"
        >Senast sparad av ${v.data.names.label(saved.savedBy)}, ${formatInstant(saved.savedAt.toISOString())}</span
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
      return fileField(v, question, labelText, info, hintId);
  }
}

/**
 * A file question: the answer's files (with a link, size, uploader and time, and a remove
 * button), and a file input with an upload button. The controls belong to forms outside the
 * section's form (`form=` attribute; forms do not nest): see fileForms.
 */
function fileField(
  v: QuestionView,
  question: Extract<Question, { kind: 'file' }>,
  labelText: SafeHtml,
  info: HtmlValue,
  hintId: string,
): SafeHtml {
  const { path, problem, data } = v;
  const id = idOf(path);
  const files = fileList(v.saved?.value);
  const byId = new Map(data.attachments.map((a) => [a.id, a]));
  const typesId = `${id}-typer`;
  const describedBy = [hintId, typesId, problem ? `${id}-fel` : ''].filter(Boolean).join(' ');
  const extensions = question.accept.map((e) => `.${e}`).join(',');
  return html`<div
    class="field file-field${problem ? ' field-error' : ''}"
    id="${id}"
    tabindex="-1"
    data-path="${path}"
    data-label="${labelFor(data.report, path) ?? path}"
    data-version="${v.saved?.version ?? 0}"
    data-files="${JSON.stringify(files)}"
    data-max-bytes="${data.maxBytes}"
    data-page-url="${data.urls.page}"
    data-upload-url="${data.urls.attachments}"
    data-download-url="${data.urls.attachments}"
    data-save-url="${data.urls.report}/answers"
    data-upload-form="${id}-bifoga"
    data-me="${data.me}"
    data-messages="${JSON.stringify(fileMessages(question, data.maxBytes))}"
  >
    <span class="label" id="${id}-rubrik">${labelText}</span>
    ${info}
    <p id="${id}-inga" ${files.length ? html` hidden` : ''}>Inga filer bifogade än.</p>
    <ul class="files" id="${id}-filer" aria-labelledby="${id}-rubrik" ${files.length ? '' : html` hidden`}>
      ${files.map((f) => {
        const meta = byId.get(f.attachment);
        return html`<li>
          <a href="${data.urls.attachments}/${f.attachment}">${f.name}</a>
          ${
            meta
              ? ` (${formatBytes(meta.sizeBytes)}), uppladdad av ${data.names.label(meta.uploadedBy)}, ${formatInstant(meta.uploadedAt.toISOString())}`
              : ''
          }
          ${
            v.disabled
              ? ''
              : html`<button type="submit" class="secondary" form="${id}-ta-bort-${f.attachment}">
                  Ta bort<span class="visually-hidden"> ${f.name}</span>
                </button>`
          }
        </li>`;
      })}
    </ul>
    ${
      v.disabled
        ? ''
        : html`<label for="${id}-fil">Välj en fil att bifoga till ${question.label}</label>
            <span class="hint" id="${typesId}"
              >Tas emot: ${question.accept.join(', ')}, högst ${megabytes(data.maxBytes)} per fil och
              ${question.maxFiles} filer.</span
            >
            <div class="file-upload">
              <input
                type="file"
                id="${id}-fil"
                name="fil"
                form="${id}-bifoga"
                accept="${extensions}"
                aria-describedby="${describedBy}"
                ${problem ? html` aria-invalid="true"` : ''}
              />
              <button type="submit" form="${id}-bifoga">Ladda upp</button>
              <progress
                id="${id}-framsteg"
                max="100"
                value="0"
                aria-label="Uppladdning av ${question.label}"
                hidden
              ></progress>
            </div>
            <span class="hint" id="${id}-status" aria-live="polite"></span>`
    }
  </div>`;
}

/** The files of a file answer as saved (anything else: none). */
function fileList(value: unknown): FileReference[] {
  return Array.isArray(value)
    ? value.filter(
        (f): f is FileReference =>
          typeof f === 'object' && f !== null && typeof (f as FileReference).attachment === 'string',
      )
    : [];
}

/** The forms a section's file questions post: one to upload per question, one per file to remove. */
function fileForms(data: SectionData, section: ExpandedSection, disabled: boolean): HtmlValue {
  if (disabled) return '';
  return answersOf(section)
    .filter(({ question }) => question.kind === 'file')
    .map(({ path }) => {
      const id = idOf(path);
      const saved = data.saved.get(path);
      const version = html`<input type="hidden" name="fraga" value="${path}" />
        <input type="hidden" name="version:${path}" value="${saved?.version ?? 0}" />`;
      return html`<form
          id="${id}-bifoga"
          class="upload-form"
          data-field="${id}"
          method="post"
          action="${data.urls.page}"
          enctype="multipart/form-data"
        >
          <input type="hidden" name="atgard" value="bifoga" />
          ${version}
        </form>
        ${fileList(saved?.value).map(
          (f) =>
            html`<form id="${id}-ta-bort-${f.attachment}" method="post" action="${data.urls.page}">
              <input type="hidden" name="atgard" value="ta-bort-fil" />
              <input type="hidden" name="bilaga" value="${f.attachment}" />
              ${version}
            </form>`,
        )}`;
    });
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
    ${answerTable(question, {
      region: html`aria-labelledby="${id}-rubrik"`,
      markRequired: true,
      describedBy,
      rows: shown.map(
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
                            html`<option value="${o.id}" ${o.id === cell ? html` selected` : ''}>${o.label}</option>`,
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
      ),
    })}
    ${savedLine}
  </div>`;
}

function sectionForm(
  data: SectionData,
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
      data,
    };
  };
  const questions = (item?: string) =>
    section.questions.map((q) => {
      const path = `${section.id}${item ? `[${item}]` : ''}.${q.id}`;
      return html`${questionField(view(path, q))}${commentsAt(data.returned?.comments, path, { label: q.label, nameOf: (actor) => data.names.label(actor) })}`;
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
        ${commentsAt(data.returned?.comments, section.id, { label: section.title, nameOf: (actor) => data.names.label(actor) })}
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
    </form>
    ${fileForms(data, section, disabled)}`;
}

function renderReportPage(
  data: ReportPageData,
  input: {
    boardId: string;
    year: number;
    phaseId: string;
    state?: FormState;
    savedSection?: string;
    /** A file question whose file was just attached or removed (after the redirect). */
    fileNotice?: { path: string; attached: boolean };
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
              ${
                input.state?.section === READY_SECTION
                  ? 'Det gick inte att klarmarkera'
                  : input.state?.section === SIGN_OFF_SECTION
                    ? 'Det gick inte att genomföra påskriften'
                    : 'Det gick inte att spara allt'
              }
            </h2>
            <ul>
              ${problems.map((p) => {
                // A field the form shows by its label; a refusal of no field (the caller's duty,
                // the report's stage) by its sentence alone, linked to the form that was posted.
                const label = labelFor(report, p.field);
                const target = summaryTarget(report, p.field) ?? formTarget(input.state?.section);
                return html`<li>
                  <a href="#${target}">${label ? `${label}: ` : ''}${codeText(p)}</a>
                </li>`;
              })}
            </ul>
          </div>`
        : ''
    }
    <div class="error-summary" role="alert" id="fel-filer" tabindex="-1" hidden>
      <h2>Det gick inte att bifoga filen</h2>
      <ul></ul>
    </div>
    ${savedSection ? html`<div class="notice" role="status" id="sparat">${savedSection.title}: sparat.</div>` : ''}
    ${fileNotice(data, input.fileNotice)} ${correctionNotice(data, !disabled)}
    ${signOffPanel({
      view: report.signOff,
      action,
      maySignOff: input.writable && data.allowed.signOff,
      mayWithdraw: input.writable && data.allowed.markReady,
      editable: report.editable,
      typed: input.state?.section === SIGN_OFF_SECTION ? input.state.typed : new Map(),
      problems:
        input.state?.section === SIGN_OFF_SECTION
          ? input.state.problems.map((p) => ({ field: p.field, text: codeText(p) }))
          : [],
      nameOf: (actor) => data.names.label(actor),
    })}
    ${
      !input.writable
        ? html`<p class="panel">Du kan läsa rapporten men inte svara åt nämnden.</p>`
        : !report.editable && !report.signOff.awaiting
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
    ${attachmentsTable(data)} ${disabled ? '' : readyForm(action, report, input.state, data.handedIn)}`;
}

/**
 * A template's sections drawn exactly as a board's form draws them, but read-only and empty (no
 * save buttons, no file controls): SLK's preview of a template as a board would see it.
 */
export function readOnlySections(template: ExpandedTemplate, action: string, maxBytes: number): SafeHtml[] {
  const data: SectionData = {
    report: { template },
    saved: new Map(),
    attachments: [],
    maxBytes,
    urls: { page: action, report: action, attachments: action },
    names: actorNamesFrom(new Map()),
    me: '',
  };
  return template.sections.map((s) => sectionForm(data, s, undefined, action, true));
}

/** After a file was attached or removed: which, by its question. */
function fileNotice(data: ReportPageData, notice: { path: string; attached: boolean } | undefined): HtmlValue {
  if (!notice) return '';
  const saved = fileList(data.saved.get(notice.path)?.value);
  const label = labelFor(data.report, notice.path) ?? notice.path;
  const last = saved[saved.length - 1];
  return html`<div class="notice" role="status" id="sparat">
    ${notice.attached && last ? `${label}: ${last.name} är bifogad.` : `${label}: filen är borttagen ur svaret.`}
  </div>`;
}

/**
 * SLK corrected the template while the board was answering: what carried over, and the answers
 * that no longer fit the template, with what the board had written, until the board dismisses it.
 */
function correctionNotice(data: ReportPageData, dismissable: boolean): HtmlValue {
  const c = data.correction;
  if (!c) return '';
  return html`<section class="correction" aria-labelledby="rattelse-rubrik">
    <h2 id="rattelse-rubrik">
      Mallen har rättats (version ${c.toVersion}): ${c.carried} svar fördes över, ${c.dropped.length} svar togs bort
    </h2>
    <p>
      SLK har publicerat en rättad version av mallen (version ${c.fromVersion} → ${c.toVersion}).
      ${
        c.dropped.length
          ? 'Svaren nedan hör till frågor som tagits bort eller som nu frågar efter något annat. De finns kvar i registret; skriv in det som fortfarande gäller där det hör hemma.'
          : 'Alla svar fördes över.'
      }
    </p>
    ${
      c.dropped.length
        ? html`<dl class="facts">
            ${c.dropped.map(
              (d) =>
                html`<dt>${d.label} (${DROPPED_REASON[d.reason]})</dt>
                  <dd>${d.question ? displayValue(d.question, d.value) : JSON.stringify(d.value)}</dd>`,
            )}
          </dl>`
        : ''
    }
    ${
      dismissable
        ? html`<form method="post" action="${data.urls.page}">
            <input type="hidden" name="atgard" value="dolj-rattelse" />
            <input type="hidden" name="mallversion" value="${c.toVersion}" />
            <button type="submit" class="secondary">Dölj meddelandet</button>
          </form>`
        : ''
    }
  </section>`;
}

/** Why an answer left the draft, as the notice says it. */
const DROPPED_REASON: Record<DroppedAnswer['reason'], string> = {
  removed: 'frågan är borttagen',
  'kind-changed': 'frågan ber nu om en annan sorts svar',
  'moved-between-generated': 'frågan har flyttats till ett avsnitt av annat slag',
};

/** Every file attached to the report, with who, when, size and the start of its SHA-256. */
function attachmentsTable(data: ReportPageData): HtmlValue {
  if (!data.attachments.length) return '';
  return html`<h2 id="bilagor-rubrik">Bilagor till rapporten</h2>
    <p class="hint">Alla filer som bifogats, också de som sedan tagits bort ur ett svar.</p>
    <div class="table-wrap" role="region" aria-labelledby="bilagor-rubrik" tabindex="0">
      <table>
        <caption>
          Bilagor till rapporten
        </caption>
        <thead>
          <tr>
            <th scope="col">Fil</th>
            <th scope="col">Storlek</th>
            <th scope="col">Uppladdad av</th>
            <th scope="col">Tidpunkt</th>
            <th scope="col">SHA-256 (början)</th>
          </tr>
        </thead>
        <tbody>
          ${data.attachments.map(
            (a) =>
              html`<tr>
                <td><a href="${data.urls.attachments}/${a.id}">${a.fileName}</a></td>
                <td>${formatBytes(a.sizeBytes)}</td>
                <td>${data.names.label(a.uploadedBy)}</td>
                <td>${formatInstant(a.uploadedAt.toISOString())}</td>
                <td><code>${a.sha256.slice(0, 12)}</code></td>
              </tr>`,
          )}
        </tbody>
      </table>
    </div>`;
}

/**
 * Where a summary link takes the reader: the field as the page has it (for a file question its
 * file input); undefined for a field the page does not have.
 */
function summaryTarget(report: BoardReport, field: string): string | undefined {
  if (READY_FIELDS.some((f) => f.name === field)) return `klar-${field}`;
  const signOffField = SIGN_OFF_FIELDS[field];
  if (signOffField) return signOffField.id;
  const path = fieldTarget(field);
  const question = report.template.sections.flatMap((s) => answersOf(s)).find((a) => a.path === path);
  if (!question) return undefined;
  return `${idOf(path)}${question.question.kind === 'file' ? '-fil' : ''}`;
}

/** Where a problem of no field points: the form that was posted (klarmarkera, the sign-off, a section). */
function formTarget(section: string | undefined): string {
  if (section === READY_SECTION) return 'klarmarkera-rubrik';
  if (section === SIGN_OFF_SECTION || section === undefined) return SIGN_OFF_FIELDS.paskrift!.id;
  return `avsnitt-${section}`;
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
function readyForm(
  action: string,
  report: BoardReport,
  state: FormState | undefined,
  handedIn: ReportPageData['handedIn'],
): SafeHtml {
  const typed = (name: string) =>
    state?.section === READY_SECTION ? state.typed.get(name) : handedIn?.[name as keyof typeof handedIn];
  const problem = (name: string) => state?.problems.find((p) => p.field === name);
  const signOff = report.signOff.required;
  return html`<section aria-labelledby="klarmarkera-rubrik">
    <h2 id="klarmarkera-rubrik">${signOff ? 'Klarmarkera för påskrift' : 'Klarmarkera och lämna in'}</h2>
    <p>
      ${
        report.missing.length === 0
          ? signOff
            ? 'Alla obligatoriska frågor är besvarade. När rapporten klarmarkeras väntar den på förvaltningschefens påskrift; först påskriften lämnar in de sparade svaren till stadsledningskontoret.'
            : 'Alla obligatoriska frågor är besvarade. När rapporten klarmarkeras lämnas de sparade svaren in till stadsledningskontoret.'
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
          ${p ? html`<span class="error-message" id="${id}-fel">${codeText(p)}</span>` : ''}
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

function labelFor(report: Pick<BoardReport, 'template'>, field: string): string | undefined {
  const readyField = READY_FIELDS.find((f) => f.name === field);
  if (readyField) return readyField.label;
  const signOffField = SIGN_OFF_FIELDS[field];
  if (signOffField) return signOffField.label;
  for (const section of report.template.sections) {
    for (const { path, question, item } of answersOf(section)) {
      if (fieldTarget(field) === path) {
        const name = item && section.items?.find((i) => i.id === item)?.name;
        return `${section.title}${name ? `, ${name}` : ''}: ${question.label}`;
      }
    }
  }
  // Not a field of the form (`role`, `scope`, `stage`, `version`): no raw name in front.
  return undefined;
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
  const loadVisible = async (
    principal: Principal,
    p: { boardId: string; year: number; phaseId: string },
    moreActors: readonly string[] = [],
  ) => {
    try {
      return await loadReportPage(deps, principal, p.year, p.phaseId, p.boardId, moreActors);
    } catch (error) {
      if (error instanceof OperationError && error.status === 404) return undefined;
      throw error;
    }
  };

  // Loads, then renders (or a 404 for a report the caller may not see).
  const send = async (
    reply: FastifyReply,
    principal: Principal,
    p: { boardId: string; year: number; phaseId: string },
    status: number,
    extra: { state?: FormState; savedSection?: string; fileNotice?: { path: string; attached: boolean } } = {},
  ) => {
    const others = extra.state?.problems.flatMap((problem) => (problem.other ? [problem.other.savedBy] : [])) ?? [];
    const data = await loadVisible(principal, p, others);
    if (!data) return notFoundPage(reply, principal);
    const writable = data.allowed.draft;
    return sendPage(
      reply,
      status,
      page({
        title: `${data.report.template.title}, ${data.report.deliverable.boardName}`,
        principal,
        // The header names the caller's own board by its name when this report is the board's.
        ...(homeBoard(principal) === data.report.deliverable.answeringBoardId && {
          principalName: data.report.deliverable.boardName,
        }),
        year: p.year,
        current: 'namnd',
        body: renderReportPage(data, { ...p, ...extra, writable }),
        scripts: ['/static/report-form.js'],
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
    const attached = formValue(request.query, 'bifogat');
    const removed = formValue(request.query, 'borttaget');
    const filePath = attached || removed;
    return send(reply, principal, p, 200, {
      ...(isSlug(savedSection) && { savedSection }),
      ...(filePath && isAnswerPath(filePath) && { fileNotice: { path: filePath, attached: attached !== '' } }),
    });
  });

  /** Whether a query's answer path is one at all (the notice names only what the page knows). */
  const isAnswerPath = (path: string) => /^[a-z0-9-]+(\[[a-z0-9-]+\])?\.[a-z0-9-]+$/.test(path);

  /**
   * Attaches a file to a file question or removes one (`atgard` bifoga / ta-bort-fil), over the
   * version the page saw; then back to the page (PRG), or the page with the refusal by the field
   * and in the summary. A refused file is not stored.
   */
  const fileAction = async (
    reply: FastifyReply,
    principal: Principal,
    p: { boardId: string; year: number; phaseId: string },
    page: ReportPageData,
    body: MultipartBody | undefined,
    fields: unknown,
  ) => {
    const action = formValue(fields, 'atgard');
    const path = formValue(fields, 'fraga');
    const located = page.report.template.sections
      .flatMap((section) => answersOf(section).map((a) => ({ ...a, section })))
      .find((a) => a.path === path && a.question.kind === 'file');
    if (!located || located.question.kind !== 'file') return notFoundPage(reply, principal);
    const question = located.question;
    const expectedVersion = Number(formValue(fields, `version:${path}`)) || 0;
    const by = actorOf(principal);
    try {
      if (action === 'bifoga') {
        const file = body?.file('fil');
        if (!file) throw new OperationError(400, path, 'no file was chosen', 'no-file');
        await deps.answerFiles.attach(
          principal,
          p.year,
          p.phaseId,
          p.boardId,
          { path, fileName: file.fileName, bytes: file.bytes, expectedVersion },
          by,
        );
      } else {
        await deps.answerFiles.remove(
          principal,
          p.year,
          p.phaseId,
          p.boardId,
          { path, attachment: formValue(fields, 'bilaga'), expectedVersion },
          by,
        );
      }
    } catch (error) {
      if (!(error instanceof OperationError)) throw error;
      if (error.status === 404) return notFoundPage(reply, principal);
      const messages = fileMessages(question, page.maxBytes);
      const state: FormState = {
        section: located.section.id,
        typed: new Map(),
        problems: [
          {
            // The file's own refusals (size, type, name) are the question's: shown by its field.
            field: path,
            code: error.code,
            ...(error.params && { params: error.params }),
            problem: error.problem,
            ...(error.code && messages[error.code] && { text: messages[error.code] }),
            ...(error instanceof AnswerConflict && { other: error.current }),
          },
        ],
      };
      return send(reply, principal, p, error.status === 409 ? 409 : error.status === 403 ? 403 : 400, { state });
    }
    const notice = action === 'bifoga' ? 'bifogat' : 'borttaget';
    return reply.redirect(`${page.urls.page}?${notice}=${path}#${idOf(path)}`, 303);
  };

  // Multipart bodies (a file from the upload form) up to twice the file limit reach the checks,
  // so an oversized file gets the clear refusal by its field; a larger one a page saying so.
  const bodyLimit = deps.attachments.policy.maxBytes * 2 + 64 * 1024;
  app.register(async (scope) => {
    acceptMultipart(scope, bodyLimit);
    scope.post(route, {
      bodyLimit,
      errorHandler: (error, request, reply) => {
        if ((error as { statusCode?: number }).statusCode === 413) {
          return sendPage(
            reply,
            413,
            messagePage(
              'Filen är för stor',
              `Filen är för stor: högst ${megabytes(deps.attachments.policy.maxBytes)} tas emot. Gå tillbaka och välj en mindre fil.`,
              request.principal,
            ),
          );
        }
        throw error;
      },
      handler: postHandler,
    });
  });

  async function postHandler(request: FastifyRequest, reply: FastifyReply) {
    const posted = await postedBy(request, reply);
    if (!posted) return reply;
    const { principal, p } = posted;
    const data = await loadVisible(principal, p);
    if (!data) return notFoundPage(reply, principal);
    if (!(await mayOnBoard(deps.ops, principal, 'draft', data.report.deliverable.answeringBoardId)))
      return forbiddenPage(reply, principal, 'att svara åt en nämnd');
    const multipart = request.body instanceof MultipartBody ? request.body : undefined;
    const body = multipart ? multipart.fields : request.body;
    const action = formValue(body, 'atgard');
    if (action === 'bifoga' || action === 'ta-bort-fil') return fileAction(reply, principal, p, data, multipart, body);
    if (action === 'dolj-rattelse') {
      const version = Number(formValue(body, 'mallversion'));
      if (Number.isInteger(version)) {
        await dismissTemplateCorrection(deps.pool, data.report.deliverable.workflowId, version, actorOf(principal));
      }
      return reply.redirect(data.urls.page, 303);
    }
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
          field: error.field === 'stage' || error.field === 'template' ? path : error.field,
          code: error.code,
          ...(error.params && { params: error.params }),
          problem: error.problem,
          ...(error instanceof AnswerConflict && { other: error.current }),
        });
      }
    }
    if (state.problems.length === 0) {
      return reply.redirect(`/namnd/${p.boardId}/${p.year}/${p.phaseId}?sparat=${section.id}#sparat`, 303);
    }
    return send(reply, principal, p, status, { state });
  }

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
    let awaiting = false;
    try {
      const outcome = await deps.drafts.markReady(principal, p.year, p.phaseId, p.boardId, input, actorOf(principal));
      awaiting = 'awaitingSignOff' in outcome;
    } catch (error) {
      if (!(error instanceof OperationError)) throw error;
      if (error.status === 404) return notFoundPage(reply, principal);
      // A refusal by duty or scope shows on the form in Swedish (a handläggare may draft, not mark ready).
      if (error.status === 403 && error.code === 'forbidden')
        return forbiddenPage(reply, principal, 'att klarmarkera åt en nämnd');
      const problems: AnswerProblem[] =
        error instanceof ReportNotReady
          ? error.missing.map((m) => ({ field: m.field, code: 'required', problem: 'must be answered' }))
          : [
              {
                // The workflow names answers as `answers.<section>…`; the form's fields are relative.
                field: error.field.startsWith('answers.') ? error.field.slice('answers.'.length) : error.field,
                code: error.code,
                ...(error.params && { params: error.params }),
                problem: error.problem,
              },
            ];
      return send(reply, principal, p, error.status, { state: { section: READY_SECTION, typed, problems } });
    }
    // Marked ready for its sign-off: back to the form, which says so.
    if (awaiting) return reply.redirect(`/namnd/${p.boardId}/${p.year}/${p.phaseId}#paskrift`, 303);
    return reply.redirect(
      `/namnd/${encodeURIComponent(p.boardId)}?inlamnad=${encodeURIComponent(p.phaseId)}&ar=${p.year}#kvitto`,
      303,
    );
  });

  // The sign-off's forms (issue 13): sign off (hands the report in), decline with a reason, or
  // withdraw the ready mark; a refusal comes back by its field and in the summary.
  app.post(`${route}/paskrift`, async (request, reply) => {
    const posted = await postedBy(request, reply);
    if (!posted) return reply;
    const { principal, p } = posted;
    const step = formValue(request.body, 'atgard') as SignOffPageStep;
    if (!SIGN_OFF_STEPS.includes(step)) return notFoundPage(reply, principal);
    const reason = formValue(request.body, 'skal').trim();
    const withReason = reason ? { reason } : {};
    const by = actorOf(principal);
    try {
      if (step === 'skriv-under') await deps.drafts.signOff(principal, p.year, p.phaseId, p.boardId, {}, by);
      else if (step === 'avboj')
        await deps.drafts.declineSignOff(principal, p.year, p.phaseId, p.boardId, withReason, by);
      else await deps.drafts.withdrawReadyMark(principal, p.year, p.phaseId, p.boardId, withReason, by);
    } catch (error) {
      if (!(error instanceof OperationError)) throw error;
      if (error.status === 404) return notFoundPage(reply, principal);
      if (error.status === 403) return forbiddenPage(reply, principal, 'att skriva under åt en nämnd');
      const field = error.field === 'reason' ? `${step}.reason` : 'paskrift';
      const problem: AnswerProblem = {
        field,
        code: error.code,
        ...(error.params && { params: error.params }),
        problem: error.problem,
        ...(field === 'avboj.reason' && error.code === 'required' && { text: 'Skriv varför påskriften avböjs.' }),
      };
      const typed = new Map<string, unknown>([[`${step}.reason`, reason]]);
      return send(reply, principal, p, error.status, {
        state: { section: SIGN_OFF_SECTION, typed, problems: [problem] },
      });
    }
    if (step === 'skriv-under') {
      return reply.redirect(
        `/namnd/${encodeURIComponent(p.boardId)}?inlamnad=${encodeURIComponent(p.phaseId)}&ar=${p.year}#kvitto`,
        303,
      );
    }
    return reply.redirect(`/namnd/${p.boardId}/${p.year}/${p.phaseId}#paskrift`, 303);
  });
}
