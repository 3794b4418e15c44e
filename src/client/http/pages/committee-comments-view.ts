import type { ActorNames } from '../../../db/actor-names';
import type { CommitteeComment } from '../../../db/committee-comments';
import type { CommitteeDecision } from '../../../db/committee-decisions';
import type { AreaFlag } from '../../../db/committee-area-flags';
import { errorSummary, field, FormProblem, hidden, select } from './common';
import { formatDate, formatInstant } from './format';
import { html, HtmlValue, SafeHtml } from './html';

/**
 * The committee's comments (issue 14) where they are read: on the board's page (its own) and on
 * the local development page (all, for the committee and SLK), and the committee's form there.
 */

/** The form's id on the local development page; its fields' ids derive from it. */
export const COMMITTEE_COMMENT_FORM = 'utskottskommentar';
/** Each form's fields by the label it shows: the fields and the error summary name them alike. */
const COMMITTEE_COMMENT_LABELS = { boardId: 'Nämnd', subject: 'Vad kommentaren gäller', comment: 'Kommentar' } as const;
export const COMMITTEE_COMMENT_FIELDS = Object.keys(COMMITTEE_COMMENT_LABELS) as Array<
  keyof typeof COMMITTEE_COMMENT_LABELS
>;

/** What a comment is about, in words: "LUP 2027" or the report's phase and year, with the question. */
export function commentSubject(c: CommitteeComment, phaseName: (year: number, id: string) => string): string {
  const what =
    c.subject === 'lup' ? `LUP ${c.budgetYear}` : `${phaseName(c.budgetYear, c.phaseId ?? '')} ${c.budgetYear}`;
  return c.path ? `${what}, frågan ${c.path}` : what;
}

/** The comments as a list, oldest first; `boardName` given where several boards' comments show. */
export function committeeCommentList(
  comments: readonly CommitteeComment[],
  names: ActorNames,
  phaseName: (year: number, id: string) => string,
  boardName?: (boardId: string) => string,
): SafeHtml {
  if (comments.length === 0) return html`<p>Utskottet har inte kommenterat något än.</p>`;
  return html`<ol class="committee-comments">
    ${comments.map(
      (c) =>
        html`<li id="utskottskommentar-${c.id}">
          <p>
            <strong>${boardName ? html`${boardName(c.boardId)}: ` : ''}${commentSubject(c, phaseName)}</strong><br />
            <span class="muted"
              >${names.label(c.author)},
              <time datetime="${c.createdAt.toISOString()}">${formatInstant(c.createdAt.toISOString())}</time></span
            >
          </p>
          <blockquote>${c.comment}</blockquote>
        </li>`,
    )}
  </ol>`;
}

/**
 * The committee's form: which board, whether the comment is on its LUP or one of its reports
 * (`rapport:<phase>`), and the comment. Errors next to the field and in a summary above.
 */
export function committeeCommentForm(input: {
  year: number;
  boards: Array<{ id: string; name: string }>;
  /** The cycle's report phases. */
  phases: Array<{ id: string; name: string }>;
  problem?: FormProblem;
  /** The comment just saved: its id, to confirm it. */
  saved?: string;
}): SafeHtml {
  const { problem } = input;
  const form = COMMITTEE_COMMENT_FORM;
  const confirmation: HtmlValue = input.saved
    ? html`<div class="notice" role="status">
        <p>Kommentaren är sparad och skickas till nämnden och stadsledningskontoret.</p>
      </div>`
    : '';
  return html`${confirmation}${errorSummary(problem, form, COMMITTEE_COMMENT_LABELS, 'Kommentaren kunde inte sparas.')}
    <form method="post" action="/oversikt/${input.year}/lokalt-utvecklingsarbete/kommentar" novalidate>
      ${select({
        form,
        name: 'boardId',
        label: COMMITTEE_COMMENT_LABELS.boardId,
        options: [{ value: '', text: 'Välj nämnd' }, ...input.boards.map((b) => ({ value: b.id, text: b.name }))],
        ...(problem && { problem }),
      })}
      ${select({
        form,
        name: 'subject',
        label: COMMITTEE_COMMENT_LABELS.subject,
        hint: 'Stadsdelsnämndens lokala utvecklingsprogram eller en av nämndens rapporter detta budgetår.',
        options: [
          { value: 'lup', text: 'Lokalt utvecklingsprogram (LUP)' },
          ...input.phases.map((p) => ({ value: `rapport:${p.id}`, text: `Rapport: ${p.name}` })),
        ],
        ...(problem && { problem }),
      })}
      ${field({
        form,
        name: 'comment',
        label: COMMITTEE_COMMENT_LABELS.comment,
        hint: 'Högst 4 000 tecken. Nämnden och stadsledningskontoret ser kommentaren och får den med e-post.',
        kind: 'textarea',
        required: true,
        ...(problem && { problem }),
      })}
      <button type="submit">Spara kommentaren</button>
    </form>`;
}

const AREA_FLAG_LABELS = { areaId: 'Prioriterat område', reason: 'Skäl' } as const;
export const AREA_FLAG_FORM = 'uppmarksamma';

/** The areas the committee flags now, each with its reasons (who, when); nothing flagged says so. */
export function areaFlagList(
  flags: readonly AreaFlag[],
  names: ActorNames,
  areaName: (id: string) => string,
  /** The committee's unflag button per area, on the local development page. */
  unflagAction?: string,
): SafeHtml {
  if (flags.length === 0) return html`<p>Utskottet uppmärksammar inget prioriterat område just nu.</p>`;
  return html`<ul class="area-flags">
    ${flags.map(
      (f) =>
        html`<li data-area-flag="${f.areaId}">
          <p><strong>${areaName(f.areaId)}</strong></p>
          <ul>
            ${f.flags.map(
              (a) =>
                html`<li>
                  ${a.reason ?? ''}
                  <span class="muted"
                    >(${names.label(a.author)},
                    <time datetime="${a.createdAt.toISOString()}">${formatInstant(a.createdAt.toISOString())}</time
                    >)</span
                  >
                </li>`,
            )}
          </ul>
          ${
            unflagAction
              ? html`<form method="post" action="${unflagAction}">
                  ${hidden({ areaId: f.areaId })}
                  <button type="submit" class="secondary">
                    Ta bort uppmärksamheten<span class="visually-hidden"> för ${areaName(f.areaId)}</span>
                  </button>
                </form>`
              : ''
          }
        </li>`,
    )}
  </ul>`;
}

/** The committee's form to flag a priority area, with its reason. */
export function areaFlagForm(input: {
  action: string;
  areas: Array<{ id: string; name: string }>;
  problem?: FormProblem;
}): SafeHtml {
  const { problem } = input;
  const form = AREA_FLAG_FORM;
  return html`${errorSummary(problem, form, AREA_FLAG_LABELS, 'Området kunde inte uppmärksammas.')}
    <form method="post" action="${input.action}" novalidate>
      ${select({
        form,
        name: 'areaId',
        label: AREA_FLAG_LABELS.areaId,
        options: [{ value: '', text: 'Välj område' }, ...input.areas.map((a) => ({ value: a.id, text: a.name }))],
        ...(problem && { problem }),
      })}
      ${field({
        form,
        name: 'reason',
        label: AREA_FLAG_LABELS.reason,
        hint: 'Varför utskottet uppmärksammar området. Nämnderna i området och stadsledningskontoret får det med e-post.',
        kind: 'textarea',
        required: true,
        ...(problem && { problem }),
      })}
      <button type="submit">Uppmärksamma området</button>
    </form>`;
}

export const DECISION_FORM = 'utskottsbeslut';
const DECISION_LABELS = {
  boardId: 'Nämnd',
  subject: 'Vad beslutet gäller',
  decidedOn: 'Beslutsdatum',
  reference: 'Diarienummer',
  decision: 'Beslut',
} as const;
export const DECISION_FIELDS = Object.keys(DECISION_LABELS) as Array<keyof typeof DECISION_LABELS>;

/** What a decision concerns, in words. */
export function decisionSubject(
  d: CommitteeDecision,
  names: { board: (id: string) => string; area: (id: string) => string; phase: (year: number, id: string) => string },
): string {
  if (d.concerns === 'area') return `Prioriterat område ${names.area(d.areaId ?? '')}`;
  const board = names.board(d.boardId ?? '');
  return d.concerns === 'lup'
    ? `${board}: LUP ${d.budgetYear ?? ''}`
    : `${board}: ${names.phase(d.budgetYear ?? 0, d.phaseId ?? '')} ${d.budgetYear ?? ''}`;
}

/** The decisions as a table: date, reference, what it concerns, what was decided. */
export function decisionTable(
  decisions: readonly CommitteeDecision[],
  names: Parameters<typeof decisionSubject>[1],
): SafeHtml {
  if (decisions.length === 0) return html`<p>Inga beslut av utskottet är registrerade.</p>`;
  return html`<div class="table-wrap" role="region" aria-labelledby="utskottsbeslut-rubrik" tabindex="0">
    <table>
      <caption id="utskottsbeslut-rubrik">
        <span class="caption-text">Utskottets beslut, äldst först</span>
      </caption>
      <thead>
        <tr>
          <th scope="col">Datum</th>
          <th scope="col">Diarienummer</th>
          <th scope="col">Gäller</th>
          <th scope="col">Beslut</th>
        </tr>
      </thead>
      <tbody>
        ${decisions.map(
          (d) =>
            html`<tr data-decision="${d.id}">
              <th scope="row"><time datetime="${d.decidedOn}">${formatDate(d.decidedOn)}</time></th>
              <td>${d.reference}</td>
              <td>${decisionSubject(d, names)}</td>
              <td>${d.decision}</td>
            </tr>`,
        )}
      </tbody>
    </table>
  </div>`;
}

/** The committee's form to record a decision. */
export function decisionForm(input: {
  action: string;
  boards: Array<{ id: string; name: string }>;
  phases: Array<{ id: string; name: string }>;
  areas: Array<{ id: string; name: string }>;
  problem?: FormProblem;
}): SafeHtml {
  const { problem } = input;
  const form = DECISION_FORM;
  const p = problem ? { problem } : {};
  return html`${errorSummary(problem, form, DECISION_LABELS, 'Beslutet kunde inte registreras.')}
    <form method="post" action="${input.action}" novalidate>
      ${select({
        form,
        name: 'subject',
        label: DECISION_LABELS.subject,
        options: [
          { value: 'lup', text: 'En stadsdelsnämnds LUP' },
          ...input.phases.map((ph) => ({ value: `rapport:${ph.id}`, text: `En nämnds rapport: ${ph.name}` })),
          ...input.areas.map((a) => ({ value: `omrade:${a.id}`, text: `Prioriterat område: ${a.name}` })),
        ],
        ...p,
      })}
      ${select({
        form,
        name: 'boardId',
        label: DECISION_LABELS.boardId,
        hint: 'För en rapport eller en LUP. Lämnas tom för ett prioriterat område.',
        options: [{ value: '', text: 'Ingen nämnd' }, ...input.boards.map((b) => ({ value: b.id, text: b.name }))],
        ...p,
      })}
      ${field({ form, name: 'decidedOn', label: DECISION_LABELS.decidedOn, hint: 'ÅÅÅÅ-MM-DD', required: true, ...p })}
      ${field({ form, name: 'reference', label: DECISION_LABELS.reference, required: true, ...p })}
      ${field({ form, name: 'decision', label: DECISION_LABELS.decision, hint: 'Vad utskottet beslutade.', kind: 'textarea', required: true, ...p })}
      <button type="submit">Registrera beslutet</button>
    </form>`;
}

export const SUPPLEMENT_FORM = 'komplettering';
const SUPPLEMENT_LABELS = { boardId: 'Nämnd', what: 'Vad utskottet begär', deadline: 'Sista dag' } as const;
export const SUPPLEMENT_FIELDS = ['boardId', 'what', 'deadline', 'requestId'] as const;

/**
 * The committee's form to request a supplementary report (komplettering) from a board. The
 * request id is chosen when the form is drawn, so a form sent twice starts one deliverable.
 */
export function supplementForm(input: {
  action: string;
  boards: Array<{ id: string; name: string }>;
  requestId: string;
  problem?: FormProblem;
}): SafeHtml {
  const { problem } = input;
  const form = SUPPLEMENT_FORM;
  const p = problem ? { problem } : {};
  return html`${errorSummary(problem, form, SUPPLEMENT_LABELS, 'Kompletteringen kunde inte begäras.')}
    <form method="post" action="${input.action}" novalidate>
      ${hidden({ requestId: input.requestId })}
      ${select({
        form,
        name: 'boardId',
        label: SUPPLEMENT_LABELS.boardId,
        options: [{ value: '', text: 'Välj nämnd' }, ...input.boards.map((b) => ({ value: b.id, text: b.name }))],
        ...p,
      })}
      ${field({
        form,
        name: 'what',
        label: SUPPLEMENT_LABELS.what,
        hint: 'Nämnden får begäran med e-post och påminnelser före sista dagen, som vid varje leverans.',
        kind: 'textarea',
        required: true,
        ...p,
      })}
      ${field({
        form,
        name: 'deadline',
        label: SUPPLEMENT_LABELS.deadline,
        hint: 'ÅÅÅÅ-MM-DD, efter i dag. En lördag, söndag eller helgdag flyttas till nästa vardag.',
        required: true,
        ...p,
      })}
      <button type="submit">Begär komplettering</button>
    </form>`;
}
