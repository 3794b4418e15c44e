import type { FastifyInstance, FastifyReply } from 'fastify';
import { FOLLOW_UP_STATUS_SV } from '../../../domain/guideline-answers';
import {
  KF_OUTCOME_SV,
  KF_OUTCOMES,
  STEP_STATE_SV,
  StepState,
  TRACE_GAP_SV,
  TRACE_STEP_SV,
  TRACE_STEPS,
  TraceGap,
  TraceStepResult,
} from '../../../domain/lup-trace';
import { may } from '../../../domain/permissions';
import type { Principal } from '../../../domain/principal';
import type { LupTrace } from '../../operations/lup-trace';
import { actorOf } from '../auth';
import { OperationError } from '../../operations/operation-error';
import {
  attempt,
  auditPageWrite,
  errorSummary,
  field,
  forbiddenPage,
  formValue,
  FormProblem,
  isSameOrigin,
  isSlug,
  notFoundPage,
  PageDeps,
  parseYear,
  queryValue,
  requireUser,
  select,
  sendPage,
} from './common';
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
        </table>
        <p>
          <a href="/api/cycles/${trace.budgetYear}/lup-trace/${d.boardId}/export.pdf"
            >Spårningen som PDF<span class="visually-hidden"> (${d.boardName})</span></a
          >
        </p>`,
  )}`;
}

export const KF_DECISION_FORM = 'kf-beslut';
const KF_DECISION_LABELS = {
  measure: 'Åtgärd',
  outcome: 'KF:s beslut',
  reference: 'Diarienummer',
  amount: 'Beviljat belopp i kronor',
} as const;
const KF_DECISION_FIELDS = Object.keys(KF_DECISION_LABELS) as Array<keyof typeof KF_DECISION_LABELS>;

/** A measure as the form names it: the district and the measure, one value for one select. */
const measureValue = (boardId: string, measureId: string) => `${boardId}/${measureId}`;

/**
 * SLK's form for the KF budget decision on one larger measure (the PUT route's input): a new
 * recording replaces the measure's earlier one for the year.
 */
function kfDecisionForm(trace: LupTrace, problem: FormProblem | undefined): SafeHtml {
  const form = KF_DECISION_FORM;
  const p = problem ? { problem } : {};
  return html`${errorSummary(problem, form, KF_DECISION_LABELS, 'KF:s beslut kunde inte registreras.')}
    <form class="panel" method="post" action="/lup-sparning/${trace.budgetYear}/kf-beslut" novalidate>
      ${select({
        form,
        name: 'measure',
        label: KF_DECISION_LABELS.measure,
        options: [
          { value: '', text: 'Välj åtgärd' },
          ...trace.districts.flatMap((d) =>
            d.measures.map((m) => ({
              value: measureValue(d.boardId, m.measureId),
              text: `${d.boardName}: ${m.title}`,
            })),
          ),
        ],
        ...p,
      })}
      ${select({
        form,
        name: 'outcome',
        label: KF_DECISION_LABELS.outcome,
        options: [
          { value: '', text: 'Välj beslut' },
          ...KF_OUTCOMES.map((o) => ({ value: o, text: KF_OUTCOME_SV[o] })),
        ],
        ...p,
      })}
      ${field({ form, name: 'reference', label: KF_DECISION_LABELS.reference, hint: 'Beslutets diarienummer eller paragraf, till exempel KF 2025-11-24 § 3.', required: true, ...p })}
      ${field({ form, name: 'amount', label: KF_DECISION_LABELS.amount, hint: 'Hela kronor. Lämnas tomt om beslutet inte anger ett belopp.', inputmode: 'numeric', autocomplete: 'off', ...p })}
      <button type="submit">Registrera KF:s beslut</button>
    </form>`;
}

/**
 * The form's amount as the API takes it: absent when empty, kronor when it is whole (spaces
 * between thousands allowed); anything else is refused here, as the API would refuse it.
 */
function amountOf(text: string): { amount?: number } {
  const compact = text.replace(/[\s\u00a0]/g, '');
  if (compact === '') return {};
  if (!/^-?\d{1,15}$/.test(compact))
    throw new OperationError(400, 'amount', 'must be a whole number of kronor', 'not-an-integer');
  return { amount: Number(compact) };
}

export function registerLupTracePage(app: FastifyInstance, deps: PageDeps): void {
  const { ops } = deps;

  const sendTracePage = async (
    reply: FastifyReply,
    principal: Principal,
    year: number,
    status: number,
    form: { problem?: FormProblem; saved?: string } = {},
  ): Promise<FastifyReply> => {
    let trace: LupTrace;
    try {
      trace = await ops.lupTrace.cityTrace(principal, year);
    } catch (error) {
      if (error instanceof OperationError && error.status === 404) return notFoundPage(reply, principal);
      throw error;
    }
    const saved = trace.districts.flatMap((d) =>
      d.measures.filter((m) => measureValue(d.boardId, m.measureId) === form.saved).map((m) => ({ d, m })),
    )[0];
    const records = may(principal, 'admin') && trace.districts.length > 0;
    const body = html`<h1>Spårning av större LUP-åtgärder budgetår ${year}</h1>
      ${
        saved
          ? html`<div class="notice" role="status" id="registrerat">
              KF:s beslut om ${saved.m.title} (${saved.d.boardName}) är registrerat.
            </div>`
          : ''
      }
      <p class="lead">
        Större åtgärder i stadsdelsnämndernas lokala utvecklingsprogram behöver finansieras i kommunfullmäktiges budget.
        Här följs varje åtgärd från budgetunderlaget, via KF:s budgetbeslut, till uppföljningen i tertialrapporterna och
        verksamhetsberättelsen. Varje steg är Klar, Saknas (tiden har gått ut) eller Inte aktuell än, med det som
        fattas.
      </p>
      <p>
        <a href="/api/cycles/${year}/lup-trace.xlsx">Hela stadens spårning som Excel (XLSX)</a> ·
        <a href="/api/cycles/${year}/lup-trace.pdf">Hela stadens spårning som PDF</a>
      </p>
      ${lupTraceHtml(trace)}
      ${
        records
          ? html`<h2 id="kf-beslut">Registrera KF:s budgetbeslut</h2>
              <p>
                Stadsledningskontoret registrerar kommunfullmäktiges beslut om varje större åtgärd. Ett nytt beslut om
                samma åtgärd ersätter det tidigare.
              </p>
              ${kfDecisionForm(trace, form.problem)}`
          : ''
      }
      <p><a href="/oversikt/${year}/lokalt-utvecklingsarbete">Till lokalt utvecklingsarbete budgetår ${year}</a></p>`;
    return sendPage(
      reply,
      status,
      page({ title: `Spårning av större LUP-åtgärder ${year}`, principal, year, current: 'lokalt', body }),
    );
  };

  app.get('/lup-sparning/:year', async (request, reply) => {
    const principal = requireUser(request, reply);
    if (!principal) return reply;
    if (!may(principal, 'read-all')) return forbiddenPage(reply, principal, 'spårningen av större LUP-åtgärder');
    const year = parseYear((request.params as { year: string }).year);
    if (year === undefined) return notFoundPage(reply, principal);
    const saved = queryValue(request.query, 'registrerat');
    return sendTracePage(reply, principal, year, 200, saved ? { saved } : {});
  });

  // SLK records the KF budget decision on a larger measure (the PUT route's operation, from a page).
  app.post('/lup-sparning/:year/kf-beslut', async (request, reply) => {
    const principal = requireUser(request, reply);
    if (!principal) return reply;
    if (!isSameOrigin(request, deps.publicUrl)) {
      return forbiddenPage(reply, principal, 'att skicka formulär från en annan webbplats');
    }
    if (!may(principal, 'admin')) return forbiddenPage(reply, principal, 'att registrera KF:s budgetbeslut');
    const year = parseYear((request.params as { year: string }).year);
    if (year === undefined) return notFoundPage(reply, principal);
    const values = Object.fromEntries(KF_DECISION_FIELDS.map((name) => [name, formValue(request.body, name)]));
    const [boardId = '', measureId = ''] = values.measure!.split('/');
    const result = await attempt(KF_DECISION_FORM, values, async () => {
      if (!isSlug(boardId) || !isSlug(measureId))
        throw new OperationError(400, 'measure', 'must not be empty', 'required');
      return ops.lupTrace.recordKfDecision(
        principal,
        year,
        boardId,
        measureId,
        { outcome: values.outcome, reference: values.reference, ...amountOf(values.amount!) },
        actorOf(principal),
      );
    });
    await auditPageWrite(deps, principal, 'lup-kf-decision', `${ops.municipality}/${year}/lup-trace`, {
      outcome: result.ok ? 'accepted' : 'refused',
      boardId,
      measureId,
      ...(!result.ok && { status: result.status, field: result.problem.field, code: result.problem.code }),
    });
    if (result.ok) {
      const saved = encodeURIComponent(measureValue(boardId, measureId));
      return reply.redirect(`/lup-sparning/${year}?registrerat=${saved}#registrerat`, 303);
    }
    if (result.status === 403) return forbiddenPage(reply, principal, 'att registrera KF:s budgetbeslut');
    // A measure the form offered but the trace no longer has is named next to the measure field.
    const onMeasure = result.problem.field === 'board' || result.problem.field === 'measure';
    if (result.status === 404 && !onMeasure) return notFoundPage(reply, principal);
    const problem = onMeasure ? { ...result.problem, field: 'measure' } : result.problem;
    return sendTracePage(reply, principal, year, result.status === 404 ? 400 : result.status, { problem });
  });
}
