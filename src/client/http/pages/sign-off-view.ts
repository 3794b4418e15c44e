import type { AwaitingSignOff, SignOffReturn } from '../../../db/report-sign-offs';
import type { SignOffView } from '../../operations/report-drafts';
import { formatDate, formatInstant } from './format';
import { html, HtmlValue, SafeHtml } from './html';

/**
 * The sign-off (påskrift) on a board's report form (issue 13): while the report awaits it, who
 * marked it ready and when, what they gave with it, and the forms to sign it off, decline it
 * (with a reason) or withdraw the ready mark; after a decline or a withdrawal, who and why.
 * Drawn by the report form (report-form.ts), which posts the forms to `<form>/paskrift`.
 */

/** The FormState section of a posted sign-off form (not a template section: those are slugs). */
export const SIGN_OFF_SECTION = '(paskrift)';

/** The steps the page posts (`atgard`). */
export const SIGN_OFF_STEPS = ['skriv-under', 'avboj', 'aterta'] as const;
export type SignOffPageStep = (typeof SIGN_OFF_STEPS)[number];

/** The fields a sign-off's refusal points at: their element and their label in the error summary. */
export const SIGN_OFF_FIELDS: Record<string, { id: string; label: string }> = {
  'avboj.reason': { id: 'paskrift-avboj-skal', label: 'Skäl att avböja påskriften' },
  'aterta.reason': { id: 'paskrift-aterta-skal', label: 'Skäl att ta tillbaka klarmarkeringen' },
  paskrift: { id: 'paskrift', label: 'Påskrift' },
};

/** A problem of a posted sign-off form, with its Swedish text already chosen. */
export interface SignOffProblem {
  field: string;
  text: string;
}

/** "Klarmarkerad av … den … — väntar på påskrift": the board page's list says it too. */
export function awaitingLine(wait: AwaitingSignOff, nameOf: (actor: string) => string): string {
  return `Klarmarkerad av ${nameOf(wait.markedReadyBy)} den ${formatInstant(wait.markedReadyAt.toISOString())} — väntar på påskrift`;
}

function reasonField(
  step: 'avboj' | 'aterta',
  required: boolean,
  hint: string,
  typed: string,
  problem: SignOffProblem | undefined,
): SafeHtml {
  const { id, label } = SIGN_OFF_FIELDS[`${step}.reason`]!;
  const describedBy = `${id}-hjalp${problem ? ` ${id}-fel` : ''}`;
  return html`<div class="field${problem ? ' has-error' : ''}">
    <label for="${id}">${label}${required ? html` <span class="required">(obligatorisk)</span>` : ''}</label>
    <span class="hint" id="${id}-hjalp">${hint}</span>
    ${problem ? html`<span class="error-message" id="${id}-fel">${problem.text}</span>` : ''}
    <textarea
      id="${id}"
      name="skal"
      rows="3"
      aria-describedby="${describedBy}"
      ${problem ? html` aria-invalid="true"` : ''}
    >
${typed}</textarea>
  </div>`;
}

/**
 * The report's sign-off on its form: the wait with its forms (for those who may act for the
 * board), or the last decline or withdrawal while the report is a draft again; nothing for a
 * phase without a sign-off.
 */
export function signOffPanel(input: {
  view: SignOffView;
  /** The form page's URL; the forms post to `<action>/paskrift`. */
  action: string;
  /** The caller may sign off and decline (the förvaltningschef's, or a company's VD's). */
  maySignOff: boolean;
  /** The caller may withdraw the ready mark (who may mark ready). */
  mayWithdraw: boolean;
  /** The report can be changed (not handed in or closed): a decline's reason is shown then only. */
  editable: boolean;
  typed: Map<string, unknown>;
  problems: SignOffProblem[];
  nameOf: (actor: string) => string;
}): HtmlValue {
  const { view, action, nameOf } = input;
  if (!view.required) return '';
  if (!view.awaiting) return view.lastReturn && input.editable ? returnNotice(view.lastReturn, nameOf) : '';
  const wait = view.awaiting;
  const problem = (field: string) => input.problems.find((p) => p.field === field);
  const typed = (field: string) => {
    const value = input.typed.get(field);
    return typeof value === 'string' ? value : '';
  };
  return html`<section class="sign-off panel" id="paskrift" tabindex="-1" aria-labelledby="paskrift-rubrik">
    <h2 id="paskrift-rubrik">${awaitingLine(wait, nameOf)}</h2>
    <p>
      Förvaltningschefen (i ett bolag VD) skriver under rapporten innan den lämnas in till stadsledningskontoret. Svaren
      kan inte ändras medan rapporten väntar på påskrift.
    </p>
    ${
      wait.documentRef || wait.decisionDate || wait.comment
        ? html`<dl class="facts">
            ${
              wait.documentRef
                ? html`<dt>Diarienummer för nämndens beslut</dt>
                    <dd>${wait.documentRef}</dd>`
                : ''
            }
            ${
              wait.decisionDate
                ? html`<dt>Beslutsdatum</dt>
                    <dd>${formatDate(wait.decisionDate)}</dd>`
                : ''
            }
            ${
              wait.comment
                ? html`<dt>Kommentar till stadsledningskontoret</dt>
                    <dd>${wait.comment}</dd>`
                : ''
            }
          </dl>`
        : ''
    }
    ${
      input.maySignOff
        ? html`<form method="post" action="${action}/paskrift" novalidate>
              <input type="hidden" name="atgard" value="skriv-under" />
              <button type="submit">Skriv under och lämna in</button>
            </form>
            <h3 id="avboj-rubrik">Avböj påskriften</h3>
            <form method="post" action="${action}/paskrift" aria-labelledby="avboj-rubrik" novalidate>
              <input type="hidden" name="atgard" value="avboj" />
              ${reasonField(
                'avboj',
                true,
                'Rapporten blir ett utkast igen och skälet visas på rapporten.',
                typed('avboj.reason'),
                problem('avboj.reason'),
              )}
              <button type="submit" class="secondary">Avböj påskriften</button>
            </form>`
        : ''
    }
    ${
      input.mayWithdraw
        ? html`<h3 id="aterta-rubrik">Ta tillbaka klarmarkeringen</h3>
            <form method="post" action="${action}/paskrift" aria-labelledby="aterta-rubrik" novalidate>
              <input type="hidden" name="atgard" value="aterta" />
              ${reasonField(
                'aterta',
                false,
                'Frivilligt. Rapporten blir ett utkast igen, till exempel för att rätta ett svar.',
                typed('aterta.reason'),
                problem('aterta.reason'),
              )}
              <button type="submit" class="secondary">Ta tillbaka klarmarkeringen</button>
            </form>`
        : ''
    }
  </section>`;
}

/** After a decline or a withdrawn ready mark: who, when and why, until the report is marked ready again. */
function returnNotice(r: SignOffReturn, nameOf: (actor: string) => string): SafeHtml {
  const when = formatInstant(r.at.toISOString());
  const what =
    r.kind === 'sign-off-declined'
      ? `Påskriften avböjdes av ${nameOf(r.by)} ${when}`
      : `Klarmarkeringen togs tillbaka av ${nameOf(r.by)} ${when}`;
  return html`<section class="notice" id="paskrift" tabindex="-1" aria-labelledby="paskrift-rubrik">
    <h2 id="paskrift-rubrik">${what}</h2>
    ${r.reason ? html`<p class="answer-text">Skäl: ${r.reason}</p>` : ''}
    <p>Rapporten är ett utkast igen och kan klarmarkeras på nytt.</p>
  </section>`;
}
