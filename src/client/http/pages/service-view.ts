import { MEASURE_STATUS_SV, type MeasureStatus } from '../../../domain/lup-state';
import type { Registry } from '../../../domain/organisations';
import type { ActorNames } from '../../../db/actor-names';
import type { BoardLupMeasures } from '../../operations/service-view';
import { errorSummary, field, FormProblem, hidden } from './common';
import { formatDate, formatInstant } from './format';
import { html, SafeHtml } from './html';

/** The labels of the form a service board records its part in a dialogue with (fields and summary). */
export const DIALOGUE_PART_LABELS = {
  contribution: 'Nämndens medverkan i dialogen',
} as const;

/** The form's key: one form per district and dialogue on the page. */
export const dialoguePartFormKey = (districtId: string, dialogueId: string): string =>
  `medverkan-${districtId}-${dialogueId}`;

/** Where the service board's people record what the board contributed to a district's dialogue. */
function dialoguePartForm(boardId: string, districtId: string, dialogueId: string, problem?: FormProblem): SafeHtml {
  const form = dialoguePartFormKey(districtId, dialogueId);
  const open = problem?.form === form;
  return html`<details ${open ? html`open` : ''}>
    <summary>Registrera nämndens medverkan i dialogen</summary>
    <form method="post" action="/namnd/${boardId}/lup-medverkan" novalidate>
      ${errorSummary(problem, form, DIALOGUE_PART_LABELS, 'Det gick inte att registrera medverkan.')}
      ${hidden({ district: districtId, dialogueId })}
      ${field({
        form,
        name: 'contribution',
        label: DIALOGUE_PART_LABELS.contribution,
        hint: 'Vad nämnden bidrog med: deltagande, underlag, åtaganden. Högst 4 000 tecken.',
        kind: 'textarea',
        required: true,
        ...(problem && { problem }),
      })}
      <button type="submit">Registrera medverkan</button>
    </form>
  </details>`;
}

/** One service board's or company's part in a dialogue, as the pages show it. */
export interface DialoguePartView {
  boardName: string;
  contribution: string;
  by: string;
  recordedAt: string;
}

/** The parts the service boards and companies recorded in a dialogue, in the order recorded. */
export function dialoguePartsHtml(parts: readonly DialoguePartView[], names: ActorNames): SafeHtml {
  if (parts.length === 0) return html``;
  return html`<div class="dialogue-parts">
    <p><strong>Facknämnders och bolags delar i dialogen</strong></p>
    <ol>
      ${parts.map(
        (p) =>
          html`<li data-part-board="${p.boardName}">
            <strong>${p.boardName}:</strong> ${p.contribution}
            <span class="hint"
              >${names.label(p.by)}, <time datetime="${p.recordedAt}">${formatInstant(p.recordedAt)}</time></span
            >
          </li>`,
      )}
    </ol>
  </div>`;
}

/** A company's deliverables in one cycle under way, counted as the overview counts them. */
export interface CompanyStatusRow {
  boardId: string;
  name: string;
  year: number;
  /** Open or returned: still owed. */
  owed: number;
  /** Submitted or approved. */
  handedIn: number;
  /** Late and still owed. */
  late: number;
  total: number;
}

const statusText = (status: string) => MEASURE_STATUS_SV[status as MeasureStatus] ?? status;

/**
 * A service board's or company's section: per district, the measures of its programme in force
 * that name the board as owner, with the district's dialogues and its consultations with the board.
 */
export function ownedMeasuresSection(
  view: BoardLupMeasures,
  registry: Registry | undefined,
  names: ActorNames,
  /** When the reader may record the board's part in dialogues: the board and a refused post's problem. */
  recording?: { boardId: string; problem?: FormProblem; recorded?: string },
): SafeHtml {
  const areaName = (id: string) => registry?.priorityAreas.find((a) => a.id === id)?.name ?? id;
  const withMeasures = view.districts.filter((d) => d.measures.length > 0);
  return html`<section aria-labelledby="lup-atgarder">
    <h2 id="lup-atgarder">LUP-åtgärder där nämnden är ansvarig</h2>
    <p>
      Åtgärder i stadsdelsnämndernas lokala utvecklingsprogram (LUP) som gäller nu och där ${view.boardName} är
      ansvarig, med stadsdelsnämndens medborgardialoger och samråd med nämnden.
    </p>
    ${withMeasures.length === 0 ? html`<p>Inget lokalt utvecklingsprogram som gäller nu pekar ut nämnden som ansvarig.</p>` : ''}
    ${view.districts.map((d) => {
      const id = `lup-atgarder-${d.boardId}`;
      return html`<div class="panel" data-district="${d.boardId}">
        <h3>${d.boardName}</h3>
        <p><a href="/namnd/${d.boardId}/lup">Lokalt utvecklingsprogram för ${d.boardName}</a></p>
        ${
          d.measures.length === 0
            ? html`<p>Inga åtgärder där nämnden är ansvarig.</p>`
            : html`<div class="table-wrap" role="region" aria-labelledby="${id}" tabindex="0">
                <table>
                  <caption id="${id}">
                    <span class="caption-text">Åtgärder i programmet för ${d.boardName} där nämnden är ansvarig</span>
                  </caption>
                  <thead>
                    <tr>
                      <th scope="col">Åtgärd</th>
                      <th scope="col">Mål</th>
                      <th scope="col">Kostnad</th>
                      <th scope="col">Större åtgärd</th>
                      <th scope="col">Status</th>
                    </tr>
                  </thead>
                  <tbody>
                    ${d.measures.map(
                      (m) =>
                        html`<tr data-measure="${m.measureId}">
                          <th scope="row">
                            ${m.title}${m.priorityArea ? html`<br /><span class="muted">${areaName(m.priorityArea)}</span>` : ''}
                          </th>
                          <td>${m.goal ?? '–'}</td>
                          <td>${m.cost !== null ? `${m.cost.toLocaleString('sv-SE')} kr` : '–'}</td>
                          <td>${m.larger ? 'Ja, kräver KF:s budget' : 'Nej'}</td>
                          <td>
                            ${statusText(m.status)}${
                              m.statusSince
                                ? html` sedan <time datetime="${m.statusSince}">${formatDate(m.statusSince)}</time>`
                                : ''
                            }
                          </td>
                        </tr>`,
                    )}
                  </tbody>
                </table>
              </div>`
        }
        <h4>Medborgardialoger</h4>
        ${
          d.dialogues.length === 0
            ? html`<p>Inga medborgardialoger registrerade.</p>`
            : html`<ul>
                ${d.dialogues.map(
                  (x) =>
                    html`<li data-dialogue="${x.id}">
                      <time datetime="${x.heldOn}">${formatDate(x.heldOn)}</time>:
                      ${x.question}${x.outcome ? html` <span class="muted">Resultat: ${x.outcome}</span>` : ''}
                      ${dialoguePartsHtml(x.parts, names)}
                      ${
                        recording?.recorded === dialoguePartFormKey(d.boardId, x.id)
                          ? html`<div class="notice" role="status" id="medverkan-registrerad">
                              Nämndens medverkan i dialogen är registrerad.
                            </div>`
                          : ''
                      }
                      ${recording ? dialoguePartForm(recording.boardId, d.boardId, x.id, recording.problem) : ''}
                    </li>`,
                )}
              </ul>`
        }
        <h4>Samråd med nämnden</h4>
        ${
          d.consultations.length === 0
            ? html`<p>Inga samråd med nämnden registrerade.</p>`
            : html`<ul>
                ${d.consultations.map(
                  (c) =>
                    html`<li data-consultation="${c.id}">
                      <time datetime="${c.heldOn}">${formatDate(c.heldOn)}</time>: ${c.said}
                    </li>`,
                )}
              </ul>`
        }
      </div>`;
    })}
  </section>`;
}

/** The group parent's section: each company's deliverables in the cycles under way. */
export function companyStatusTable(rows: readonly CompanyStatusRow[], today: string): SafeHtml {
  return html`<section aria-labelledby="bolagen">
    <h2 id="bolagen">Bolagens läge</h2>
    ${
      rows.length === 0
        ? html`<p>Inga bolag med leveranser i pågående budgetcykler.</p>`
        : html`<div class="table-wrap" role="region" aria-labelledby="bolagen-tabell" tabindex="0">
            <table>
              <caption id="bolagen-tabell">
                <span class="caption-text">Bolagens leveranser i pågående budgetcykler, ${formatDate(today)}</span>
              </caption>
              <thead>
                <tr>
                  <th scope="col">Bolag</th>
                  <th scope="col">Budgetår</th>
                  <th scope="col">Öppna eller återremitterade</th>
                  <th scope="col">Inlämnade eller godkända</th>
                  <th scope="col">Försenade</th>
                </tr>
              </thead>
              <tbody>
                ${rows.map(
                  (r) =>
                    html`<tr data-board="${r.boardId}" data-year="${r.year}">
                      <th scope="row"><a href="/namnd/${r.boardId}">${r.name}</a></th>
                      <td>${r.year}</td>
                      <td>${r.owed}</td>
                      <td>${r.handedIn} av ${r.total}</td>
                      <td>${r.late}</td>
                    </tr>`,
                )}
              </tbody>
            </table>
          </div>`
    }
  </section>`;
}
