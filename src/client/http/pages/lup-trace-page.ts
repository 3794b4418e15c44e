import type { FastifyInstance } from 'fastify';
import { FOLLOW_UP_STATUS_SV } from '../../../domain/guideline-answers';
import {
  KF_OUTCOME_SV,
  STEP_STATE_SV,
  StepState,
  TRACE_GAP_SV,
  TRACE_STEP_SV,
  TRACE_STEPS,
  TraceGap,
  TraceStepResult,
} from '../../../domain/lup-trace';
import { may } from '../../../domain/permissions';
import type { LupTrace } from '../../operations/lup-trace';
import { OperationError } from '../../operations/operation-error';
import { forbiddenPage, notFoundPage, PageDeps, parseYear, requireUser, sendPage } from './common';
import { formatDate } from './format';
import { html, SafeHtml } from './html';
import { page } from './layout';

/**
 * LUP-spårning (issue 14, the trace): for the committee and SLK, each district's larger LUP
 * measures through the budgetunderlag, the KF budget decision, the tertial reports and the annual
 * report, one table per district, each cell the step's state in words and what is missing.
 */

const STATE_CLASS: Record<StepState, string> = {
  klar: 'st-approved',
  saknas: 'st-late',
  'ej-aktuell-an': 'st-planned',
};

const kronor = (amount: number): string => `${amount.toLocaleString('sv-SE')} kr`;

/** What the step shows besides its state: the cost asked for, the decision, the follow-up. */
function detailOf(step: TraceStepResult): SafeHtml | string {
  if (step.cost !== undefined) return html`<br />Kostnad: ${step.cost.toLocaleString('sv-SE')} tkr`;
  if (step.decision)
    return html`<br />${KF_OUTCOME_SV[step.decision.outcome]},
      ${step.decision.reference}${step.decision.amount !== undefined ? html`, ${kronor(step.decision.amount)}` : ''}`;
  if (step.followUpStatus) return html`<br />Läge: ${FOLLOW_UP_STATUS_SV[step.followUpStatus] ?? step.followUpStatus}`;
  return '';
}

function cellOf(step: TraceStepResult): SafeHtml {
  // What is missing is named only where the step is not done: before the due date it is what remains.
  const gaps = step.state === 'klar' ? [] : step.gaps;
  return html`<td>
    <span class="status ${STATE_CLASS[step.state]}">${STEP_STATE_SV[step.state]}</span>${detailOf(step)}
    ${
      gaps.length > 0
        ? html`<ul class="gaps">
            ${gaps.map((g) => html`<li>${TRACE_GAP_SV[g as TraceGap] ?? g}</li>`)}
          </ul>`
        : ''
    }
  </td>`;
}

export function lupTraceHtml(trace: LupTrace): SafeHtml {
  const dueText = (step: (typeof TRACE_STEPS)[number]) => {
    const due = trace.due[step];
    return due ? html`<br /><span class="due">senast ${formatDate(due)}</span>` : '';
  };
  if (trace.districts.length === 0)
    return html`<p>Inga stadsdelsnämnder har större åtgärder i ett lokalt utvecklingsprogram som gäller.</p>`;
  return html`${trace.districts.map(
    (d) =>
      html`<table class="lup-trace" aria-labelledby="sparning-${d.boardId}">
        <caption id="sparning-${d.boardId}">
          ${d.boardName}: större åtgärder budgetår ${trace.budgetYear}
        </caption>
        <thead>
          <tr>
            <th scope="col">Åtgärd</th>
            <th scope="col">Ansvarig nämnd</th>
            ${TRACE_STEPS.map((s) => html`<th scope="col">${TRACE_STEP_SV[s]}${dueText(s)}</th>`)}
          </tr>
        </thead>
        <tbody>
          ${d.measures.map(
            (m) =>
              html`<tr>
                <th scope="row">${m.title}${m.cost !== undefined ? html`<br />Beräknat: ${kronor(m.cost)}` : ''}</th>
                <td>${m.ownerName}</td>
                ${m.steps.map(cellOf)}
              </tr>`,
          )}
        </tbody>
      </table>`,
  )}`;
}

export function registerLupTracePage(app: FastifyInstance, deps: PageDeps): void {
  const { ops } = deps;
  app.get('/lup-sparning/:year', async (request, reply) => {
    const principal = requireUser(request, reply);
    if (!principal) return reply;
    if (!may(principal, 'read-all')) return forbiddenPage(reply, principal, 'spårningen av större LUP-åtgärder');
    const year = parseYear((request.params as { year: string }).year);
    if (year === undefined) return notFoundPage(reply, principal);
    let trace: LupTrace;
    try {
      trace = await ops.lupTrace.cityTrace(principal, year);
    } catch (error) {
      if (error instanceof OperationError && error.status === 404) return notFoundPage(reply, principal);
      throw error;
    }
    const body = html`<h1>Spårning av större LUP-åtgärder budgetår ${year}</h1>
      <p class="lead">
        Större åtgärder i stadsdelsnämndernas lokala utvecklingsprogram behöver finansieras i kommunfullmäktiges budget.
        Här följs varje åtgärd från budgetunderlaget, via KF:s budgetbeslut, till uppföljningen i tertialrapporterna och
        verksamhetsberättelsen. Varje steg är Klar, Saknas (tiden har gått ut) eller Inte aktuell än, med det som
        fattas.
      </p>
      ${lupTraceHtml(trace)}
      <p><a href="/oversikt/${year}/lokalt-utvecklingsarbete">Till lokalt utvecklingsarbete budgetår ${year}</a></p>`;
    return sendPage(
      reply,
      200,
      page({ title: `Spårning av större LUP-åtgärder ${year}`, principal, year, current: 'lokalt', body }),
    );
  });
}
