import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ReturnRecord } from '../../../db/submission-versions';
import type { AnswerChange } from '../../../domain/answer-diff';
import { Question } from '../../../domain/report-template';
import type { Principal } from '../../../domain/principal';
import { may } from '../../../domain/permissions';
import type { DeliverableSummary, SubmissionRecord } from '../../operations/cycle-operations';
import { OperationError } from '../../operations/operation-error';
import { visibleDeliverable } from '../../operations/visible-deliverable';
import type { ExpandedSection } from '../../operations/report-drafts';
import type { ReportReview, VersionSummary } from '../../operations/report-review';
import { actorOf } from '../auth';
import {
  auditPageWrite,
  describeFormProblem,
  field,
  fieldId,
  FormProblem,
  forbiddenPage,
  formValue,
  isSameOrigin,
  isSlug,
  notFoundPage,
  PageDeps,
  parseYear,
  queryValue,
  requireUser,
  sendPage,
} from './common';
import { answerInOneLine, answerView } from './answer-view';
import { formatDate, formatInstant, statusOf } from './format';
import { html, HtmlValue, SafeHtml } from './html';
import { page } from './layout';
import { ActorNames, loadActorNames } from '../../../db/actor-names';
import { commentAnchor, commentsAt, pathLabel } from './review-comments-view';
import { templatePreviewUrl } from './template-preview-page';

/**
 * SLK's review of one board's report (issue 12): the whole answer in the template's structure,
 * what changed since the version SLK returned, the versions and returns, the attachments, a
 * comment form per question, and the approve and return forms (posted to the cycle page's own
 * handlers). The committee reads the same page without the forms.
 */

interface Params {
  year: number;
  phaseId: string;
  boardId: string;
}

/** A refused comment: where, why (a stable code), and what was typed. */
interface CommentProblem {
  path: string;
  code?: string;
  problem: string;
  typed: string;
}

const COMMENT_CODES: Record<string, string> = {
  required: 'Skriv en kommentar.',
  'too-long': 'Kommentaren är för lång; den får vara högst 4 000 tecken.',
  'bad-path': 'Frågan finns inte i rapportens mall.',
  'not-under-review': 'Rapporten granskas inte just nu: kommentarer lämnas medan den är inlämnad.',
};

const reviewUrl = (p: Params) => `/cykel/${p.year}/granska/${p.phaseId}/${p.boardId}`;

/** An HTML id for a question's block on this page. */
const questionAnchor = (path: string) => `fraga-${path.replace(/[^a-z0-9]+/g, '-').replace(/-$/, '')}`;

interface ReviewPageData {
  review: ReportReview;
  /** Whether the phase has SLK's review step (approve or return); without it there is nothing to decide. */
  reviewRequired: boolean;
  /** Who handed in, marked ready, returned, commented or uploaded, by name (one look-up). */
  names: ActorNames;
}

/**
 * A deliverable whose phase has no template (a document handed in by reference): nothing to draw
 * per question, but SLK still decides on it here, since the cycle page only lists the queue.
 */
interface PlainReviewData {
  deliverable: DeliverableSummary;
  record: SubmissionRecord | undefined;
  reviewRequired: boolean;
}

/** The facts every review starts with: the budget year, the deliverable's state, its deadline. */
function stateFacts(year: number, d: DeliverableSummary): SafeHtml {
  const status = statusOf(d);
  return html`<dt>Budgetår</dt>
    <dd>${String(year)}</dd>
    <dt>Läge</dt>
    <dd>
      <span class="status ${status.className}"><span class="words">${status.words.join(', ')}</span></span>
    </dd>
    <dt>Sista dag</dt>
    <dd>${formatDate(d.deadline)}</dd>`;
}

async function loadReviewPage(
  deps: PageDeps,
  principal: Principal,
  p: Params,
): Promise<ReviewPageData | PlainReviewData | undefined> {
  const reviewRequired = async () => {
    const cycle = await deps.ops.cycle(p.year);
    const phase = cycle.calendar.phases.find((ph) => ph.id === p.phaseId);
    return phase?.kind === 'deliverable' && phase.reviewRequired === true;
  };
  try {
    const review = await deps.review.loadReview(principal, p.year, p.phaseId, p.boardId);
    const names = await loadActorNames(deps.pool, [
      ...review.versions.flatMap((v) => [v.submittedBy, v.markedReadyBy]),
      ...review.returns.map((r) => r.returnedBy),
      ...review.comments.map((c) => c.author),
      ...review.attachments.map((a) => a.uploadedBy),
    ]);
    return { review, reviewRequired: await reviewRequired(), names };
  } catch (error) {
    if (!(error instanceof OperationError && error.status === 404)) throw error;
    if (error.field !== 'template') return undefined;
  }
  try {
    const deliverable = await visibleDeliverable(deps.ops, principal, p.year, p.phaseId, p.boardId);
    const records = await deps.ops.submissionRecords([deliverable.workflowId]);
    return { deliverable, record: records.get(deliverable.workflowId), reviewRequired: await reviewRequired() };
  } catch (error) {
    if (error instanceof OperationError && error.status === 404) return undefined;
    throw error;
  }
}

/** The review of a deliverable without a template: what the board handed in, and the decision. */
function plainReviewBody(principal: Principal, p: Params, data: PlainReviewData, extra: ReviewExtra): SafeHtml {
  const d = data.deliverable;
  const { decision } = extra;
  const last = data.record?.lastSubmission;
  const lastReturn = data.record?.lastReturn;
  const back = may(principal, 'admin')
    ? html`<a href="/cykel/${p.year}">Tillbaka till budgetcykeln</a>`
    : html`<a href="/oversikt/${p.year}">Tillbaka till översikten</a>`;
  return html`<p>${back}</p>
    <h1>Granskning: ${d.phaseName}, ${d.boardName}</h1>
    ${decisionSummary(p, decision)}
    <dl class="facts">
      ${stateFacts(p.year, d)}
      ${
        last
          ? html`<dt>Dokumentreferens</dt>
              <dd>${last.documentRef}</dd>
              ${
                last.decisionDate
                  ? html`<dt>Beslutsdatum</dt>
                      <dd>${formatDate(last.decisionDate)}</dd>`
                  : ''
              }
              ${
                last.comment
                  ? html`<dt>Kommentar</dt>
                      <dd class="comment">${last.comment}</dd>`
                  : ''
              }
              <dt>Inlämnad</dt>
              <dd>${formatInstant(last.at)}</dd>`
          : ''
      }
      ${
        lastReturn
          ? html`<dt>Senast återremitterad</dt>
              <dd>${formatInstant(lastReturn.at)}: <q>${lastReturn.reason}</q></dd>`
          : ''
      }
    </dl>
    ${!last ? html`<p class="panel">Nämnden har inte lämnat in något än.</p>` : ''}
    ${may(principal, 'admin') && d.stage === 'submitted' && data.reviewRequired ? decisionForms(p, decision) : ''}`;
}

// --- Rendering ----------------------------------------------------------------------------------

function valueAt(
  answers: Record<string, unknown> | undefined,
  section: string,
  item: string | undefined,
  question: string,
) {
  const s = answers?.[section] as Record<string, unknown> | undefined;
  const holder = item ? (s?.[item] as Record<string, unknown> | undefined) : s;
  return holder?.[question];
}

function commentForm(p: Params, path: string, label: string, problem: CommentProblem | undefined): SafeHtml {
  const id = `kommentera-${questionAnchor(path)}`;
  const mine = problem?.path === path ? problem : undefined;
  return html`<form method="post" action="${reviewUrl(p)}/kommentar" class="comment-form" novalidate>
    <input type="hidden" name="path" value="${path}" />
    <div class="field${mine ? ' field-error' : ''}">
      <label for="${id}">Kommentera<span class="visually-hidden"> ${label}</span></label>
      ${mine ? html`<span class="error-message" id="${id}-fel">${COMMENT_CODES[mine.code ?? ''] ?? mine.problem}</span>` : ''}
      <textarea
        id="${id}"
        name="comment"
        rows="2"
        maxlength="4000"
        ${mine ? html` aria-invalid="true" aria-describedby="${id}-fel"` : ''}
      >
${mine?.typed ?? ''}</textarea>
    </div>
    <button type="submit" class="secondary">Spara kommentaren</button>
  </form>`;
}

/**
 * A question's comment form, folded away: the page is long and most questions get no comment.
 * Open when the question already has comments or its comment was just refused.
 */
function commentDetails(form: SafeHtml, label: string, open: boolean): SafeHtml {
  return html`<details class="comment-details" ${open ? html` open` : ''}>
    <summary>Lämna en kommentar<span class="visually-hidden"> om ${label}</span></summary>
    ${form}
  </details>`;
}

interface DrawContext {
  p: Params;
  data: ReviewPageData;
  changes: Map<string, AnswerChange>;
  versionOf: (seq: number) => number | undefined;
  problem?: CommentProblem;
}

function questionBlock(
  ctx: DrawContext,
  section: ExpandedSection,
  question: Question,
  item?: { id: string; name: string },
) {
  const { review } = ctx.data;
  const path = `${section.id}${item ? `[${item.id}]` : ''}.${question.id}`;
  const label = `${section.title}${item ? `, ${item.name}` : ''}: ${question.label}`;
  const change = ctx.changes.get(path);
  const heading = item ? html`<h5>${question.label}</h5>` : html`<h4>${question.label}</h4>`;
  return html`<div class="review-question${change ? ' changed' : ''}" id="${questionAnchor(path)}">
    ${heading}
    ${
      change
        ? html`<p class="changed-mark">
            <strong>Ändrat sedan återremissen</strong>${
              change.change === 'added'
                ? ' (nytt svar)'
                : html` (tidigare: ${answerInOneLine(question, change.before)})`
            }
          </p>`
        : ''
    }
    ${answerView(question, valueAt(review.latest?.answers, section.id, item?.id, question.id))}
    ${commentsAt(review.comments, path, { label, versionOf: ctx.versionOf, nameOf: (a) => ctx.data.names.label(a) })}
    ${
      review.canComment
        ? commentDetails(
            commentForm(ctx.p, path, label, ctx.problem),
            label,
            ctx.problem?.path === path || review.comments.some((c) => c.path === path),
          )
        : ''
    }
  </div>`;
}

function sectionBlock(ctx: DrawContext, section: ExpandedSection): SafeHtml {
  const items = section.items ?? [];
  return html`<section class="review-section" aria-labelledby="avsnitt-${section.id}">
    <h3 id="avsnitt-${section.id}">${section.title}</h3>
    ${commentsAt(ctx.data.review.comments, section.id, {
      label: section.title,
      versionOf: ctx.versionOf,
      nameOf: (a) => ctx.data.names.label(a),
    })}
    ${
      section.generate
        ? items.length === 0
          ? html`<p class="muted">Inget att besvara här för nämnden.</p>`
          : items.map(
              (item) =>
                html`<div class="review-item">
                  <h4>${item.name}</h4>
                  ${section.questions.map((q) => questionBlock(ctx, section, q, item))}
                </div>`,
            )
        : section.questions.map((q) => questionBlock(ctx, section, q))
    }
  </section>`;
}

/** The versions and returns in the order they happened. */
function historyList(versions: VersionSummary[], returns: ReturnRecord[], names: ActorNames): SafeHtml {
  const events = [
    ...versions.map((v, i) => ({ seq: v.seq, line: versionLine(v, i + 1, names) })),
    ...returns.map((r) => ({ seq: r.seq, line: returnLine(r, names) })),
  ].sort((a, b) => a.seq - b.seq);
  return html`<ol class="history">
    ${events.map((e) => html`<li>${e.line}</li>`)}
  </ol>`;
}

function versionLine(v: VersionSummary, n: number, names: ActorNames): SafeHtml {
  return html`<strong>Version ${n}</strong> inlämnad ${formatInstant(v.submittedAt.toISOString())} av
    ${names.label(v.submittedBy)}${
      v.markedReadyBy ? html` (påskriven; klarmarkerad av ${names.label(v.markedReadyBy)})` : ''
    }.
    Dokumentreferens:
    ${v.documentRef ?? '—'}${v.decisionDate ? html`, beslutsdatum ${formatDate(v.decisionDate)}` : ''}.
    ${v.comment ? html`<br />Nämndens kommentar: <q>${v.comment}</q>` : ''}`;
}

function returnLine(r: ReturnRecord, names: ActorNames): SafeHtml {
  return html`<strong>Återremitterad</strong> ${formatInstant(r.returnedAt.toISOString())} av
    ${names.label(r.returnedBy)}: <q>${r.reason}</q>${
      r.deadline ? html`. Ny sista dag ${formatDate(r.deadline)}` : ''
    }.`;
}

/** The approve and return forms' names (as the cycle page's handlers name them) and their fields. */
const decisionFormsOf = (p: Params) => ({
  approve: { form: `godkann-${p.phaseId}-${p.boardId}`, fields: ['comment'] },
  return: { form: `aterremittera-${p.phaseId}-${p.boardId}`, fields: ['reason', 'deadline'] },
});

/** Where a refused decision is shown: by its field, or (the deliverable's stage) above the forms. */
function decisionTarget(p: Params, problem: FormProblem): string | undefined {
  const form = Object.values(decisionFormsOf(p)).find((f) => f.form === problem.form);
  if (!form) return undefined;
  return form.fields.includes(problem.field) ? fieldId(form.form, problem.field) : 'beslut-fel';
}

/**
 * The approve and return forms, posted to the cycle page's handlers (SLK's writes of the cycle);
 * `fran=granskning` asks them to show a refusal here, by its field and in the summary.
 */
function decisionForms(p: Params, problem: FormProblem | undefined): SafeHtml {
  const forms = decisionFormsOf(p);
  const hiddenFields = html`<input type="hidden" name="phaseId" value="${p.phaseId}" />
    <input type="hidden" name="boardId" value="${p.boardId}" />
    <input type="hidden" name="fran" value="granskning" />`;
  const standsAlone = problem && decisionTarget(p, problem) === 'beslut-fel';
  return html`<section aria-labelledby="beslut-rubrik">
    <h2 id="beslut-rubrik">Godkänn eller återremittera</h2>
    ${standsAlone ? html`<p class="error-message" id="beslut-fel" tabindex="-1">${describeFormProblem(problem)}</p>` : ''}
    <div class="actions">
      <form method="post" action="/cykel/${p.year}/godkann" novalidate>
        ${hiddenFields}
        ${field({
          form: forms.approve.form,
          name: 'comment',
          label: 'Kommentar till godkännandet',
          hint: 'Frivilligt.',
          kind: 'textarea',
          ...(problem && { problem }),
        })}
        <button type="submit">Godkänn</button>
      </form>
      <form method="post" action="/cykel/${p.year}/aterremittera" novalidate>
        ${hiddenFields}
        ${field({
          form: forms.return.form,
          name: 'reason',
          label: 'Skäl för återremiss',
          kind: 'textarea',
          required: true,
          ...(problem && { problem }),
        })}
        ${field({
          form: forms.return.form,
          name: 'deadline',
          label: 'Ny sista dag',
          hint: 'Skriv datumet ÅÅÅÅ-MM-DD, till exempel 2027-04-30.',
          inputmode: 'numeric',
          autocomplete: 'off',
          required: true,
          ...(problem && { problem }),
        })}
        <button type="submit" class="warning">Återremittera</button>
      </form>
    </div>
  </section>`;
}

/** After a refused approval or return: what went wrong, linked to where it is shown. */
function decisionSummary(p: Params, problem: FormProblem | undefined): HtmlValue {
  const target = problem && decisionTarget(p, problem);
  if (!problem || !target) return '';
  const approving = problem.form === decisionFormsOf(p).approve.form;
  return html`<div class="error-summary" role="alert" id="fel">
    <h2>${approving ? 'Det gick inte att godkänna' : 'Det gick inte att återremittera'}</h2>
    <ul>
      <li><a href="#${target}">${describeFormProblem(problem)}</a></li>
    </ul>
  </div>`;
}

function reviewBody(principal: Principal, p: Params, data: ReviewPageData, extra: ReviewExtra): SafeHtml {
  const { review } = data;
  const { decision } = extra;
  const d = review.deliverable;
  const changes = new Map(review.changes.map((c) => [c.path, c]));
  const versionOf = (seq: number) => {
    const i = review.versions.findIndex((v) => v.seq === seq);
    return i < 0 ? undefined : i + 1;
  };
  const ctx: DrawContext = { p, data, changes, versionOf, ...(extra.problem && { problem: extra.problem }) };
  const back = may(principal, 'admin')
    ? html`<a href="/cykel/${p.year}">Tillbaka till budgetcykeln</a>`
    : html`<a href="/oversikt/${p.year}">Tillbaka till översikten</a>`;
  // Named in the URL after a save: shown only for a path that has a comment, never as typed.
  const commented =
    extra.commented && review.comments.some((c) => c.path === extra.commented)
      ? pathLabel(review.template, extra.commented)
      : undefined;
  return html`<p>${back}</p>
    <h1>Granskning: ${review.template.title}, ${d.boardName}</h1>
    <p><a href="${templatePreviewUrl(p.year, review.template.id, p.boardId)}">Mallen som nämnden ser den</a></p>
    <dl class="facts">
      ${stateFacts(p.year, d)}
      <dt>Inlämnade versioner</dt>
      <dd>${String(review.versions.length)}</dd>
    </dl>
    ${decisionSummary(p, decision)}
    ${
      extra.problem
        ? html`<div class="error-summary" role="alert">
            <h2>Kommentaren sparades inte</h2>
            <p>
              <a href="#kommentera-${questionAnchor(extra.problem.path)}"
                >${pathLabel(review.template, extra.problem.path)}:
                ${COMMENT_CODES[extra.problem.code ?? ''] ?? extra.problem.problem}</a
              >
            </p>
          </div>`
        : ''
    }
    ${
      commented
        ? html`<div class="notice" role="status" id="kommenterat">
            Kommentaren är sparad: <a href="#${commentAnchor(extra.commented!)}">${commented}</a>.
          </div>`
        : ''
    }
    ${!review.latest ? html`<p class="panel">Nämnden har inte lämnat in rapporten än.</p>` : ''}
    ${
      review.latest
        ? html`<p>
            <a href="/api/cycles/${p.year}/deliverables/${p.phaseId}/${p.boardId}/report.pdf"
              >Rapporten som PDF<span class="visually-hidden"> (${d.boardName})</span></a
            >
          </p>`
        : ''
    }
    <h2>Versioner</h2>
    ${review.versions.length || review.returns.length ? historyList(review.versions, review.returns, data.names) : html`<p>Inga än.</p>`}
    ${
      review.previousSeq !== undefined
        ? html`<h2>Ändrat sedan återremissen</h2>
            ${
              review.changes.length === 0
                ? html`<p>Inga svar har ändrats sedan versionen som återremitterades.</p>`
                : html`<p>
                      ${String(review.changes.length)} ${review.changes.length === 1 ? 'svar har' : 'svar har'} ändrats
                      sedan version ${String(review.versions.length - 1)}:
                    </p>
                    <ul>
                      ${review.changes.map(
                        (c) =>
                          html`<li><a href="#${questionAnchor(c.path)}">${pathLabel(review.template, c.path)}</a></li>`,
                      )}
                    </ul>`
            }`
        : ''
    }
    <h2>Bilagor</h2>
    ${
      review.attachments.length === 0
        ? html`<p>Inga bilagor.</p>`
        : html`<ul>
            ${review.attachments.map(
              (a) =>
                html`<li>
                  <a href="/api/cycles/${p.year}/deliverables/${p.phaseId}/${p.boardId}/attachments/${a.id}"
                    >${a.fileName}</a
                  >
                  (${a.fileType.toUpperCase()}, ${Math.max(1, Math.round(a.sizeBytes / 1024))} kB,
                  ${data.names.label(a.uploadedBy)}, ${formatInstant(a.uploadedAt.toISOString())})
                </li>`,
            )}
          </ul>`
    }
    ${
      review.latest
        ? html`<h2>Svar${review.versions.length > 1 ? html` i version ${String(review.versions.length)}` : ''}</h2>
            ${review.template.sections.map((s) => sectionBlock(ctx, s))}`
        : ''
    }
    ${may(principal, 'admin') && d.stage === 'submitted' && data.reviewRequired ? decisionForms(p, decision) : ''}`;
}

// --- Routes -------------------------------------------------------------------------------------

/** What the review page shows besides the report after a post: a comment or a decision refused, a comment saved. */
interface ReviewExtra {
  problem?: CommentProblem;
  commented?: string;
  /** An approval or return refused (the cycle page's handlers send the review page back). */
  decision?: FormProblem;
}

/** Loads, then renders the review page (or a 404 for a report the caller may not see). */
export async function sendReviewPage(
  deps: PageDeps,
  reply: FastifyReply,
  principal: Principal,
  p: Params,
  status: number,
  extra: ReviewExtra = {},
): Promise<FastifyReply> {
  const data = await loadReviewPage(deps, principal, p);
  if (!data) return notFoundPage(reply, principal);
  return sendPage(
    reply,
    status,
    page({
      title:
        'review' in data
          ? `Granskning: ${data.review.template.title}, ${data.review.deliverable.boardName}`
          : `Granskning: ${data.deliverable.phaseName}, ${data.deliverable.boardName}`,
      principal,
      year: p.year,
      current: may(principal, 'admin') ? 'cykel' : 'oversikt',
      body: 'review' in data ? reviewBody(principal, p, data, extra) : plainReviewBody(principal, p, data, extra),
    }),
  );
}

export function registerReviewPage(app: FastifyInstance, deps: PageDeps): void {
  const route = '/cykel/:year/granska/:phaseId/:boardId';

  const params = (raw: unknown): Params | undefined => {
    const { year = '', phaseId = '', boardId = '' } = raw as Record<string, string>;
    const y = parseYear(year);
    return isSlug(boardId) && isSlug(phaseId) && y !== undefined ? { year: y, phaseId, boardId } : undefined;
  };

  app.get(route, async (request, reply) => {
    const principal = requireUser(request, reply);
    if (!principal) return reply;
    // A board reads SLK's comments on its own form; this page is SLK's and the committee's.
    if (!may(principal, 'read-all')) return forbiddenPage(reply, principal, 'Stadsledningskontorets granskning');
    const p = params(request.params);
    if (!p) return notFoundPage(reply, principal);
    const commented = queryValue(request.query, 'kommenterat');
    return sendReviewPage(deps, reply, principal, p, 200, commented ? { commented } : {});
  });

  app.post(`${route}/kommentar`, async (request, reply) => {
    const principal = requireUser(request, reply);
    if (!principal) return reply;
    if (!isSameOrigin(request, deps.publicUrl)) {
      return forbiddenPage(reply, principal, 'att skicka formulär från en annan webbplats');
    }
    const p = params(request.params);
    if (!p) return notFoundPage(reply, principal);
    const input = { path: formValue(request.body, 'path'), comment: formValue(request.body, 'comment') };
    const target = `${deps.ops.municipality}/${p.year}/${p.phaseId}/${p.boardId}`;
    try {
      await deps.review.addComment(principal, p.year, p.phaseId, p.boardId, input, actorOf(principal));
    } catch (error) {
      if (!(error instanceof OperationError)) throw error;
      await auditPageWrite(deps, principal, 'review-comment', target, {
        outcome: 'refused',
        status: error.status,
        field: error.field,
        problem: error.problem,
      });
      if (error.status === 404) return notFoundPage(reply, principal);
      if (error.status === 403) return forbiddenPage(reply, principal, 'att kommentera rapporter');
      const problem: CommentProblem = {
        path: input.path,
        ...(error.code && { code: error.code }),
        problem: error.problem,
        typed: input.comment,
      };
      return sendReviewPage(deps, reply, principal, p, error.status, { problem });
    }
    await auditPageWrite(deps, principal, 'review-comment', target, {
      outcome: 'accepted',
      path: input.path,
      commentLength: input.comment.length,
    });
    return reply.redirect(
      `${reviewUrl(p)}?kommenterat=${encodeURIComponent(input.path)}#${commentAnchor(input.path)}`,
      303,
    );
  });
}

/** The link to a report's review, for SLK's cycle page (named by phase and board for a screen reader's list of links). */
export const reviewLink = (
  year: number,
  d: { phaseId: string; boardId: string; phaseName: string; boardName: string },
): HtmlValue =>
  html`<a href="/cykel/${year}/granska/${d.phaseId}/${d.boardId}"
    >Granska svaren<span class="visually-hidden">: ${d.phaseName}, ${d.boardName}</span></a
  >`;
