import type { AnalysisFocus, Indicator } from '../../../domain/guideline-answers';
import { html, SafeHtml } from './html';

/**
 * The latest LUP analysis's focus (issue 14) where it is read: on the district's LUP page and,
 * per district, on the committee's local development overview. Renders only; the callers load
 * the analysis and the goals' names.
 */

export interface LatestAnalysis extends AnalysisFocus {
  budgetYear: number;
}

const numberSv = (n: number): string => n.toLocaleString('sv-SE');

/** "Känner sig trygga: 54 (2025, SCB)"; a missing baseline is said, not hidden. */
export function indicatorText(i: Indicator): string {
  const about = [i.year !== undefined ? String(i.year) : '', i.source ?? ''].filter(Boolean).join(', ');
  const baseline = i.baseline !== undefined ? `utgångsvärde ${numberSv(i.baseline)}` : 'utgångsvärde saknas';
  return `${i.name}: ${baseline}${about ? ` (${about})` : ''}`;
}

const indicatorList = (indicators: readonly Indicator[]): SafeHtml =>
  indicators.length === 0
    ? html`<span class="hint">Inga indikatorer angivna</span>`
    : html`<ul class="indicators">
        ${indicators.map((i) => html`<li>${indicatorText(i)}</li>`)}
      </ul>`;

/**
 * The analysis's main focus, its geographic focus areas (why, and the indicators with their
 * baselines) and the indicators per goal. `idPrefix` keeps captions' ids unique where several
 * districts show on one page.
 */
export function analysisFocusHtml(
  analysis: LatestAnalysis | undefined,
  goalName: (id: string) => string,
  idPrefix: string,
): SafeHtml {
  if (!analysis) return html`<p>Ingen analys är inlämnad än.</p>`;
  return html`<div class="analysis-focus" data-analysis-year="${analysis.budgetYear}">
    <dl class="facts">
      <dt>Analysen avser</dt>
      <dd>Budgetår ${analysis.budgetYear}</dd>
      <dt>Huvudfokus</dt>
      <dd data-main-focus>${analysis.mainFocus ? goalName(analysis.mainFocus) : 'Inte angivet'}</dd>
    </dl>
    ${
      analysis.areas.length === 0
        ? html`<p>Analysen anger inga geografiska fokusområden.</p>`
        : html`<div class="table-wrap" role="region" aria-labelledby="${idPrefix}-omraden" tabindex="0">
            <table>
              <caption id="${idPrefix}-omraden">
                Geografiska fokusområden
              </caption>
              <thead>
                <tr>
                  <th scope="col">Område</th>
                  <th scope="col">Varför</th>
                  <th scope="col">Indikatorer och utgångsvärden</th>
                </tr>
              </thead>
              <tbody>
                ${analysis.areas.map(
                  (a) =>
                    html`<tr data-focus-area="${a.name}">
                      <th scope="row">${a.name}</th>
                      <td>${a.needs ?? '–'}</td>
                      <td>${indicatorList(a.indicators)}</td>
                    </tr>`,
                )}
              </tbody>
            </table>
          </div>`
    }
    ${
      analysis.indicatorsByGoal.length === 0
        ? html`<p>Analysen anger inga indikatorer per mål.</p>`
        : html`<div class="table-wrap" role="region" aria-labelledby="${idPrefix}-indikatorer" tabindex="0">
            <table>
              <caption id="${idPrefix}-indikatorer">
                Indikatorer per mål
              </caption>
              <thead>
                <tr>
                  <th scope="col">Mål</th>
                  <th scope="col">Indikatorer och utgångsvärden</th>
                </tr>
              </thead>
              <tbody>
                ${analysis.indicatorsByGoal.map(
                  (g) =>
                    html`<tr data-goal="${g.goal}">
                      <th scope="row">${goalName(g.goal)}</th>
                      <td>${indicatorList(g.indicators)}</td>
                    </tr>`,
                )}
              </tbody>
            </table>
          </div>`
    }
  </div>`;
}
