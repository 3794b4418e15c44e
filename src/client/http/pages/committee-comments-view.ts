import type { ActorNames } from '../../../db/actor-names';
import type { CommitteeComment } from '../../../db/committee-comments';
import type { AreaFlag } from '../../../db/committee-area-flags';
import { errorSummary, field, FormProblem, hidden, select } from './common';
import { formatInstant } from './format';
import { html, HtmlValue, SafeHtml } from './html';

/**
 * The committee's comments (issue 14) where they are read: on the board's page (its own) and on
 * the local development page (all, for the committee and SLK), and the committee's form there.
 */

/** The form's id on the local development page; its fields' ids derive from it. */
export const COMMITTEE_COMMENT_FORM = 'utskottskommentar';
export const COMMITTEE_COMMENT_FIELDS = ['boardId', 'subject', 'comment'] as const;

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
  return html`${confirmation}${errorSummary(problem, form, COMMITTEE_COMMENT_FIELDS, 'Kommentaren kunde inte sparas.')}
    <form method="post" action="/oversikt/${input.year}/lokalt-utvecklingsarbete/kommentar" novalidate>
      ${select({
        form,
        name: 'boardId',
        label: 'Nämnd',
        options: [{ value: '', text: 'Välj nämnd' }, ...input.boards.map((b) => ({ value: b.id, text: b.name }))],
        ...(problem && { problem }),
      })}
      ${select({
        form,
        name: 'subject',
        label: 'Vad kommentaren gäller',
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
        label: 'Kommentar',
        hint: 'Högst 4 000 tecken. Nämnden och stadsledningskontoret ser kommentaren och får den med e-post.',
        kind: 'textarea',
        required: true,
        ...(problem && { problem }),
      })}
      <button type="submit">Spara kommentaren</button>
    </form>`;
}

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
  return html`${errorSummary(problem, form, ['areaId', 'reason'], 'Området kunde inte uppmärksammas.')}
    <form method="post" action="${input.action}" novalidate>
      ${select({
        form,
        name: 'areaId',
        label: 'Prioriterat område',
        options: [{ value: '', text: 'Välj område' }, ...input.areas.map((a) => ({ value: a.id, text: a.name }))],
        ...(problem && { problem }),
      })}
      ${field({
        form,
        name: 'reason',
        label: 'Skäl',
        hint: 'Varför utskottet uppmärksammar området. Nämnderna i området och stadsledningskontoret får det med e-post.',
        kind: 'textarea',
        required: true,
        ...(problem && { problem }),
      })}
      <button type="submit">Uppmärksamma området</button>
    </form>`;
}
