import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Principal } from '../../../domain/principal';
import { may } from '../../../domain/permissions';
import type {
  CycleOperations,
  DeliverableSummary,
  ExpiredMail,
  SubmissionRecord,
} from '../../operations/cycle-operations';
import { OperationError } from '../../operations/operation-error';
import { actorOf } from '../auth';
import {
  attempt,
  auditPageWrite,
  errorSummary,
  field,
  forbiddenPage,
  FormProblem,
  formValue,
  hidden,
  isSameOrigin,
  isSlug,
  notFoundPage,
  PageDeps,
  parseYear,
  queryValue,
  requireUser,
  select,
  sendPage,
  describeFormProblem,
} from './common';
import {
  CycleView,
  loadCycleWithDeliverables,
  phaseDeadline,
  phaseOpening,
  phaseStateWords,
  phaseStatus,
  timelineItems,
} from './cycle-data';
import { formatDate, formatInstant, mailKindLabel } from './format';
import { html, SafeHtml } from './html';
import { page } from './layout';
import { reviewLink, sendReviewPage } from './review-page';
import { timeline } from './timeline';

const NOTICES: Record<string, string> = {
  milstolpe: 'Milstolpen är bekräftad.',
  flyttad: 'Sista dagen är flyttad.',
  anstand: 'Anståndet är beviljat.',
  godkand: 'Leveransen är godkänd.',
  aterremitterad: 'Leveransen är återremitterad till nämnden.',
};

/** Swedish order of board names (å, ä, ö last). */
const SWEDISH = new Intl.Collator('sv');
/** The first of each key, in the list's order. */
function uniqueBy<T>(items: T[], key: (item: T) => string): T[] {
  const seen = new Map<string, T>();
  for (const item of items) if (!seen.has(key(item))) seen.set(key(item), item);
  return [...seen.values()];
}

const DATE_HINT = 'Skriv datumet ÅÅÅÅ-MM-DD, till exempel 2027-04-30.';

/** The forms' fields by the labels they show: the error summary names a field so too. */
const CONFIRMED_ON = 'Datum då det skedde';
const MOVE_LABELS = { phaseId: 'Fas', deadline: 'Ny sista dag', reason: 'Skäl' } as const;
const EXTEND_LABELS = {
  phaseId: 'Leveransens fas',
  boardId: 'Nämnd',
  deadline: 'Ny sista dag',
  reason: 'Skäl',
} as const;

function finishedIn(rows: DeliverableSummary[], reviewRequired: boolean): number {
  return rows.filter(
    (d) => d.stage === 'approved' || d.stage === 'exempt' || (d.stage === 'submitted' && !reviewRequired),
  ).length;
}

function planTable(view: CycleView, rows: DeliverableSummary[], year: number): SafeHtml {
  return html`<div class="table-wrap" role="region" aria-labelledby="plan-rubrik" tabindex="0">
    <table>
      <caption id="plan-rubrik">
        <span class="caption-text">Faser och milstolpar, budgetår ${year}</span>
      </caption>
      <thead>
        <tr>
          <th scope="col">Fas</th>
          <th scope="col">Slag</th>
          <th scope="col">Öppnar / datum</th>
          <th scope="col">Sista dag</th>
          <th scope="col">Läge</th>
          <th scope="col">Klara leveranser</th>
        </tr>
      </thead>
      <tbody>
        ${view.cycle.calendar.phases.map((p) => {
          if (p.kind === 'milestone') {
            return html`<tr>
              <th scope="row">${p.name}</th>
              <td>Milstolpe (${p.owner})</td>
              <td>${formatDate(p.date)}</td>
              <td>—</td>
              <td>${phaseStateWords(view, p.id)}</td>
              <td>—</td>
            </tr>`;
          }
          const inPhase = rows.filter((d) => d.phaseId === p.id);
          const opening = phaseOpening(view, p);
          const opens = p.opens;
          const waitsFor =
            'afterMilestone' in opens ? view.milestones.find((m) => m.id === opens.afterMilestone) : undefined;
          const moved = phaseDeadline(view, p) !== p.deadline;
          return html`<tr>
            <th scope="row">${p.name}</th>
            <td>Leverans${p.reviewRequired ? ', granskas av SLK' : ''}</td>
            <td>
              ${opening ? formatDate(opening) : '—'}${waitsFor ? html`<br /><span class="muted">när ${waitsFor.name} är bekräftad</span>` : ''}
            </td>
            <td>
              ${formatDate(phaseDeadline(view, p))}${moved ? html`<br /><span class="muted">flyttad från ${formatDate(p.deadline)}</span>` : ''}
            </td>
            <td>${phaseStateWords(view, p.id)}</td>
            <td>${inPhase.length ? `${finishedIn(inPhase, p.reviewRequired)} av ${inPhase.length}` : '—'}</td>
          </tr>`;
        })}
      </tbody>
    </table>
  </div>`;
}

/**
 * The review queue as one compact table: SLK picks a report here and decides on its review page,
 * which has the approve and return forms (two forms per waiting report made this page over 100 KB).
 */
function reviewQueue(year: number, queue: DeliverableSummary[], records: Map<string, SubmissionRecord>): SafeHtml {
  return html`<div class="table-wrap" role="region" aria-labelledby="granska-rubrik" tabindex="0">
    <table>
      <caption id="granska-rubrik">
        <span class="caption-text">Väntar på granskning (${String(queue.length)})</span>
      </caption>
      <thead>
        <tr>
          <th scope="col">Nämnd</th>
          <th scope="col">Fas</th>
          <th scope="col">Inlämnad</th>
          <th scope="col">I tid</th>
          <th scope="col">Granska</th>
        </tr>
      </thead>
      <tbody>
        ${queue.map((d) => {
          const at = records.get(d.workflowId)?.lastSubmission?.at;
          return html`<tr>
            <th scope="row">${d.boardName}</th>
            <td>${d.phaseName}</td>
            <td>${at ? formatInstant(at) : '—'}</td>
            <td>${d.late ? 'Efter sista dag' : 'I tid'}</td>
            <td>${reviewLink(year, d)}</td>
          </tr>`;
        })}
      </tbody>
    </table>
  </div>`;
}

/** A refused approval or return comes from a report's review page: the way back to it. */
function decidedOn(year: number, problem: FormProblem): SafeHtml | string {
  const { phaseId = '', boardId = '' } = problem.values;
  if (!/^(godkann|aterremittera)-/.test(problem.form) || !isSlug(phaseId) || !isSlug(boardId)) return '';
  return html`<p><a href="/cykel/${year}/granska/${phaseId}/${boardId}">Tillbaka till granskningen</a></p>`;
}

interface CyclePageInput {
  principal: Principal;
  year: number;
  notice?: string;
  problem?: FormProblem;
}

/** Mails that never went out: the relay could not take them before their moment passed. */
function expiredMailsSection(view: CycleView, expired: ExpiredMail[]): SafeHtml | string {
  if (expired.length === 0) return '';
  const phaseName = (id: string) => view.deliverablePhases.find((p) => p.id === id)?.name ?? id;
  return html`<h2 id="utgangna-utskick">Utskick som inte gick ut i tid</h2>
    <p>
      De här breven kunde inte lämnas till e-postservern före det datum de gällde (sista dag eller nästa steg) och
      skickades därför aldrig. Kontakta nämnden på annat sätt om det behövs.
    </p>
    <table>
      <caption>
        Utgångna utskick (${String(expired.length)})
      </caption>
      <thead>
        <tr>
          <th scope="col">Nämnd</th>
          <th scope="col">Fas</th>
          <th scope="col">Utskick</th>
          <th scope="col">Planerat</th>
          <th scope="col">Senaste fel</th>
        </tr>
      </thead>
      <tbody>
        ${expired.map(
          (m) =>
            html`<tr>
              <td>${m.boardName}</td>
              <td>${phaseName(m.phaseId)}</td>
              <td>${mailKindLabel(m.kind)}</td>
              <td>${formatInstant(m.plannedAt)}</td>
              <td>${m.lastError ?? '—'}</td>
            </tr>`,
        )}
      </tbody>
    </table>`;
}

/** Everything SLK's cycle page shows, read from PostgreSQL before any markup is written. */
interface CyclePageData {
  view: CycleView;
  rows: DeliverableSummary[];
  expired: ExpiredMail[];
  /** Submissions waiting for SLK's review, with what the record holds of each. */
  queue: DeliverableSummary[];
  records: Map<string, SubmissionRecord>;
  today: string;
}

/**
 * The page's data, or undefined when no such cycle was started: the calendar and the board names
 * from the process's checked snapshot; the deliverables, the cycle's events, the expired mails
 * and the review queue's submissions from PostgreSQL.
 */
async function loadCyclePage(ops: CycleOperations, year: number): Promise<CyclePageData | undefined> {
  const found = await loadCycleWithDeliverables(ops, year);
  if (!found) return undefined;
  const { at, view, rows } = found;
  const reviewed = new Set(view.deliverablePhases.filter((p) => p.reviewRequired).map((p) => p.id));
  const queue = rows.filter((d) => d.stage === 'submitted' && reviewed.has(d.phaseId));
  const [expired, records] = await Promise.all([
    ops.expiredMails(year, at),
    ops.submissionRecords(queue.map((d) => d.workflowId)),
  ]);
  return { view, rows, expired, queue, records, today: ops.today() };
}

/** Loads, then renders (or a 404 for a cycle never started); `status` is 200 or a refused post's. */
async function sendCyclePage(deps: PageDeps, reply: FastifyReply, status: number, input: CyclePageInput) {
  const { principal, year } = input;
  const data = await loadCyclePage(deps.ops, year);
  if (!data) return notFoundPage(reply, principal);
  return sendPage(
    reply,
    status,
    page({ title: `Budgetcykel ${year}`, principal, year, current: 'cykel', body: renderCyclePage(data, input) }),
  );
}

/** The page's markup from its data and the request (a notice after a write, a refused post's problem). */
function renderCyclePage(data: CyclePageData, input: CyclePageInput): SafeHtml {
  const { view, rows, expired, queue, records, today } = data;
  const { year, problem } = input;
  const unconfirmed = view.milestones.filter((m) => phaseStatus(view, m.id)?.stage !== 'confirmed');
  const movable = view.deliverablePhases.filter((p) => phaseStatus(view, p.id)?.stage !== 'closed');
  const extendable = rows.filter((d) => d.stage === 'planned' || d.stage === 'open' || d.stage === 'returned');
  // A refused approval or return (posted from a review page) shows in the summary at the top.
  const formsOnPage = new Set([...unconfirmed.map((m) => `milstolpe-${m.id}`), 'flytta', 'anstand']);

  return html`<h1>Budgetcykel ${year}</h1>
    <p class="lead">
      Stadsledningskontorets sida för cykeln: planen, granskningen och ändringarna. I dag: ${formatDate(today)}.
    </p>
    ${input.notice ? html`<div class="notice" role="status">${input.notice}</div>` : ''}
    ${
      problem && !formsOnPage.has(problem.form)
        ? html`<div class="error-summary" role="alert">
            <p><strong>Det gick inte att spara.</strong></p>
            <p>${describeFormProblem(problem)}</p>
            ${decidedOn(year, problem)}
          </div>`
        : ''
    }
    <h2>Planen</h2>
    ${planTable(view, rows, year)} ${expiredMailsSection(view, expired)}
    ${timeline(timelineItems(view), today, `Årshjulet för budgetår ${year}`)}
    <h2>Granskning</h2>
    ${
      queue.length === 0
        ? html`<p>Inget väntar på granskning.</p>`
        : html`<p>${queue.length} ${queue.length === 1 ? 'leverans väntar' : 'leveranser väntar'} på granskning.</p>
            ${reviewQueue(year, queue, records)}`
    }
    <h2>Bekräfta milstolpar</h2>
    ${
      unconfirmed.length === 0
        ? html`<p>Alla milstolpar är bekräftade.</p>`
        : unconfirmed.map((m) => {
            const form = `milstolpe-${m.id}`;
            return html`<section class="deliverable" aria-labelledby="${form}-rubrik">
              <h3 id="${form}-rubrik">${m.name}</h3>
              <p>Planerad ${formatDate(m.date)} (${m.owner}).</p>
              <form method="post" action="/cykel/${year}/milstolpe" novalidate>
                ${errorSummary(problem, form, { date: CONFIRMED_ON })} ${hidden({ milestoneId: m.id })}
                ${field({ form, name: 'date', label: CONFIRMED_ON, hint: DATE_HINT, value: m.date, inputmode: 'numeric', autocomplete: 'off', ...(problem && { problem }) })}
                <button type="submit">Bekräfta ${m.name}</button>
              </form>
            </section>`;
          })
    }
    <h2>Flytta sista dag för en fas</h2>
    ${
      movable.length === 0
        ? html`<p>Ingen fas har en sista dag kvar att flytta.</p>`
        : html`<form class="panel" method="post" action="/cykel/${year}/flytta-sista-dag" novalidate>
            ${errorSummary(problem, 'flytta', MOVE_LABELS)}
            ${select({
              form: 'flytta',
              name: 'phaseId',
              label: MOVE_LABELS.phaseId,
              options: movable.map((p) => ({
                value: p.id,
                text: `${p.name} (sista dag ${formatDate(phaseDeadline(view, p))})`,
              })),
              ...(problem && { problem }),
            })}
            ${field({ form: 'flytta', name: 'deadline', label: MOVE_LABELS.deadline, hint: DATE_HINT, inputmode: 'numeric', autocomplete: 'off', required: true, ...(problem && { problem }) })}
            ${field({ form: 'flytta', name: 'reason', label: MOVE_LABELS.reason, kind: 'textarea', required: true, ...(problem && { problem }) })}
            <button type="submit">Flytta sista dag</button>
          </form>`
    }
    <h2>Ge en nämnd anstånd</h2>
    ${
      extendable.length === 0
        ? html`<p>Ingen leverans kan få anstånd just nu.</p>`
        : html`<form class="panel" method="post" action="/cykel/${year}/anstand" novalidate>
            ${errorSummary(problem, 'anstand', EXTEND_LABELS)}
            <p class="hint">
              Välj fasen och nämnden. Leveransen måste vara planerad, öppen eller återremitterad; nämndens sista dag
              står på översikten.
            </p>
            ${select({
              form: 'anstand',
              name: 'phaseId',
              label: EXTEND_LABELS.phaseId,
              options: uniqueBy(extendable, (d) => d.phaseId).map((d) => ({ value: d.phaseId, text: d.phaseName })),
              ...(problem && { problem }),
            })}
            ${select({
              form: 'anstand',
              name: 'boardId',
              label: EXTEND_LABELS.boardId,
              options: uniqueBy(extendable, (d) => d.boardId)
                .sort((a, b) => SWEDISH.compare(a.boardName, b.boardName))
                .map((d) => ({ value: d.boardId, text: d.boardName })),
              ...(problem && { problem }),
            })}
            ${field({ form: 'anstand', name: 'deadline', label: EXTEND_LABELS.deadline, hint: DATE_HINT, inputmode: 'numeric', autocomplete: 'off', required: true, ...(problem && { problem }) })}
            ${field({ form: 'anstand', name: 'reason', label: EXTEND_LABELS.reason, kind: 'textarea', required: true, ...(problem && { problem }) })}
            <button type="submit">Ge anstånd</button>
          </form>`
    }`;
}

/** What every write of the cycle page checks first: signed in, same origin, SLK, a year. */
function guardWrite(deps: PageDeps, request: FastifyRequest, reply: FastifyReply) {
  const principal = requireUser(request, reply);
  if (!principal) return undefined;
  if (!isSameOrigin(request, deps.publicUrl)) {
    void forbiddenPage(reply, principal, 'att skicka formulär från en annan webbplats');
    return undefined;
  }
  if (!may(principal, 'admin')) {
    void forbiddenPage(reply, principal, 'Stadsledningskontorets sida');
    return undefined;
  }
  const year = parseYear((request.params as { year: string }).year);
  if (year === undefined) {
    void notFoundPage(reply, principal);
    return undefined;
  }
  return { principal, year };
}

interface CycleWrite {
  url: string;
  form: (body: unknown) => string;
  fields: readonly string[];
  notice: keyof typeof NOTICES;
  operation: string;
  run: (deps: PageDeps, year: number, values: Record<string, string>, actor: string) => Promise<unknown>;
  target: (deps: PageDeps, year: number, values: Record<string, string>) => string;
  /** The write checks its ids itself (they may come in another field). */
  checksOwnIds?: true;
  /** A decision on one report, also posted from its review page, which shows a refusal itself. */
  decidesOnReview?: true;
}

const text = (v: string | undefined) => (v ?? '').trim();
const optional = (name: string, v: string | undefined) => (text(v) ? { [name]: v } : {});

const writes: CycleWrite[] = [
  {
    url: '/cykel/:year/milstolpe',
    form: (body) => `milstolpe-${formValue(body, 'milestoneId')}`,
    fields: ['milestoneId', 'date'],
    notice: 'milstolpe',
    operation: 'confirm-milestone',
    run: (deps, year, v, actor) =>
      deps.ops.confirmMilestone(year, { milestoneId: v.milestoneId, date: text(v.date) }, actor),
    target: (deps, year) => `${deps.ops.municipality}/${year}`,
  },
  {
    url: '/cykel/:year/flytta-sista-dag',
    form: () => 'flytta',
    fields: ['phaseId', 'deadline', 'reason'],
    notice: 'flyttad',
    operation: 'move-deadline',
    run: (deps, year, v, actor) =>
      deps.ops.moveDeadline(year, { phaseId: v.phaseId, deadline: text(v.deadline), reason: v.reason }, actor),
    target: (deps, year) => `${deps.ops.municipality}/${year}`,
  },
  {
    url: '/cykel/:year/anstand',
    form: () => 'anstand',
    // A phase and a board (two short lists), or `deliverable` as phase/board (one list of every
    // deliverable, which made the page 20 KB heavier; still accepted from an open page).
    fields: ['phaseId', 'boardId', 'deliverable', 'deadline', 'reason'],
    notice: 'anstand',
    operation: 'deliverable-extend',
    checksOwnIds: true,
    run: (deps, year, v, actor) => {
      const [phaseId = '', boardId = ''] = text(v.deliverable)
        ? (v.deliverable ?? '').split('/')
        : [text(v.phaseId), text(v.boardId)];
      if (!isSlug(phaseId) || !isSlug(boardId))
        throw new OperationError(400, 'deliverable', 'must not be empty', 'required');
      return deps.ops.actOnDeliverable(
        year,
        phaseId,
        boardId,
        'extend',
        { deadline: text(v.deadline), reason: v.reason },
        actor,
      );
    },
    target: (deps, year, v) =>
      `${deps.ops.municipality}/${year}/${text(v.deliverable) || `${text(v.phaseId)}/${text(v.boardId)}`}`,
  },
  {
    url: '/cykel/:year/godkann',
    decidesOnReview: true,
    form: (body) => `godkann-${formValue(body, 'phaseId')}-${formValue(body, 'boardId')}`,
    fields: ['phaseId', 'boardId', 'comment'],
    notice: 'godkand',
    operation: 'deliverable-approve',
    run: (deps, year, v, actor) =>
      deps.ops.actOnDeliverable(year, v.phaseId!, v.boardId!, 'approve', optional('comment', v.comment), actor),
    target: (deps, year, v) => `${deps.ops.municipality}/${year}/${v.phaseId}/${v.boardId}`,
  },
  {
    url: '/cykel/:year/aterremittera',
    decidesOnReview: true,
    form: (body) => `aterremittera-${formValue(body, 'phaseId')}-${formValue(body, 'boardId')}`,
    fields: ['phaseId', 'boardId', 'reason', 'deadline'],
    notice: 'aterremitterad',
    operation: 'deliverable-return',
    run: (deps, year, v, actor) =>
      deps.ops.actOnDeliverable(
        year,
        v.phaseId!,
        v.boardId!,
        'return',
        { reason: v.reason, deadline: text(v.deadline) },
        actor,
      ),
    target: (deps, year, v) => `${deps.ops.municipality}/${year}/${v.phaseId}/${v.boardId}`,
  },
];

export function registerCyclePage(app: FastifyInstance, deps: PageDeps): void {
  app.get('/cykel/:year', async (request, reply) => {
    const principal = requireUser(request, reply);
    if (!principal) return reply;
    if (!may(principal, 'admin')) return forbiddenPage(reply, principal, 'Stadsledningskontorets sida');
    const year = parseYear((request.params as { year: string }).year);
    if (year === undefined) return notFoundPage(reply, principal);
    const notice = NOTICES[queryValue(request.query, 'klart')];
    return sendCyclePage(deps, reply, 200, { principal, year, ...(notice && { notice }) });
  });

  for (const write of writes) {
    app.post(write.url, async (request, reply) => {
      const guarded = guardWrite(deps, request, reply);
      if (!guarded) return reply;
      const { principal, year } = guarded;
      const values = Object.fromEntries(write.fields.map((name) => [name, formValue(request.body, name)]));
      for (const id of ['phaseId', 'boardId', 'milestoneId'] as const) {
        if (!write.checksOwnIds && write.fields.includes(id) && !isSlug(values[id] ?? '')) {
          return notFoundPage(reply, principal);
        }
      }
      const target = write.target(deps, year, values);
      const result = await attempt(write.form(request.body), values, () =>
        write.run(deps, year, values, actorOf(principal)),
      );
      await auditPageWrite(
        deps,
        principal,
        write.operation,
        target,
        result.ok
          ? { outcome: 'accepted', body: values }
          : {
              outcome: 'refused',
              status: result.status,
              field: result.problem.field,
              problem: result.problem.problem,
              code: result.problem.code,
            },
      );
      if (result.ok) return reply.redirect(`/cykel/${year}?klart=${write.notice}`, 303);
      if (result.status === 404 && !['deliverable', 'phaseId', 'milestoneId'].includes(result.problem.field)) {
        return notFoundPage(reply, principal);
      }
      const status = result.status === 404 ? 400 : result.status;
      // Posted from the report's review page: the refusal is shown there, by the form.
      if (write.decidesOnReview && formValue(request.body, 'fran') === 'granskning') {
        const p = { year, phaseId: values.phaseId!, boardId: values.boardId! };
        return sendReviewPage(deps, reply, principal, p, status, { decision: result.problem });
      }
      return sendCyclePage(deps, reply, status, {
        principal,
        year,
        problem: result.problem,
      });
    });
  }
}
