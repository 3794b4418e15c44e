import { randomUUID } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { appendAuditEvent } from '../../../db/audit-log';
import type { RefusalParams } from '../../../domain/refusals';
import { boardTargets } from '../../../domain/board-target';
import { Action, homeBoard, may, readableBoards } from '../../../domain/permissions';
import type { Principal } from '../../../domain/principal';
import { targetOf } from '../../operations/authorize';
import type { CycleOperations } from '../../operations/cycle-operations';
import type { AnswerFileOperations } from '../../operations/answer-files';
import type { AttachmentOperations } from '../../operations/attachments';
import type { ReportDraftOperations } from '../../operations/report-drafts';
import type { ReportReviewOperations } from '../../operations/report-review';
import { OperationError } from '../../operations/operation-error';
import { actorOf } from '../auth';
import type { AuthGuard } from '../auth-guard';
import type { HttpAppDeps } from '../server';
import { describeProblem, describeProblemAs } from './format';
import { html, HtmlValue, SafeHtml } from './html';
import { messagePage } from './layout';

export type PageDeps = HttpAppDeps & {
  drafts: ReportDraftOperations;
  attachments: AttachmentOperations;
  answerFiles: AnswerFileOperations;
  review: ReportReviewOperations;
  guard: AuthGuard;
};

const SECURITY_HEADERS = {
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
  // Scripts only from our own files (the report form's upload, /static/report-form.js), never
  // inline ones: injected markup could still not run even if the escaping ever missed something.
  // The script talks to this server only.
  'content-security-policy':
    "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
};

/** Sends a rendered page with the given status. */
export function sendPage(reply: FastifyReply, status: number, body: string): FastifyReply {
  return reply.code(status).headers(SECURITY_HEADERS).type('text/html; charset=utf-8').send(body);
}

export function notFoundPage(reply: FastifyReply, principal?: Principal): FastifyReply {
  return sendPage(
    reply,
    404,
    messagePage('Sidan finns inte', 'Sidan du söker finns inte, eller så har du inte tillgång till den.', principal),
  );
}

export function forbiddenPage(reply: FastifyReply, principal?: Principal, what = 'den här sidan'): FastifyReply {
  return sendPage(reply, 403, messagePage('Åtkomst nekad', `Din behörighet räcker inte för ${what}.`, principal));
}

/** The caller, or a redirect (303) to the sign-in page. */
export function requireUser(request: FastifyRequest, reply: FastifyReply): Principal | undefined {
  if (request.principal) return request.principal;
  void reply.redirect('/logga-in', 303);
  return undefined;
}

/**
 * Refuses a cross-site form post: when the browser names the origin of the page that posted,
 * it must be this server's own (as the request reached it, or as PUBLIC_URL names it).
 */
export function isSameOrigin(request: FastifyRequest, publicUrl?: string): boolean {
  const origin = request.headers.origin;
  if (origin === undefined) return true;
  const allowed = new Set([`${request.protocol}://${request.host}`]);
  if (publicUrl) allowed.add(new URL(publicUrl).origin);
  return allowed.has(origin);
}

/** A text field of a urlencoded form body ('' when missing; the first of repeated ones). */
export function formValue(body: unknown, name: string): string {
  if (!body || typeof body !== 'object') return '';
  const value = (body as Record<string, unknown>)[name];
  const first = Array.isArray(value) ? (value[0] as unknown) : value;
  return typeof first === 'string' ? first : '';
}

/** A query parameter as text ('' when missing). */
export const queryValue = formValue;

const SLUG = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
export const isSlug = (text: string): boolean => SLUG.test(text);

/** A budget year from a URL or form, or undefined. */
export function parseYear(text: string): number | undefined {
  if (!/^\d{4}$/.test(text)) return undefined;
  const year = Number(text);
  return year >= 2000 && year <= 2200 ? year : undefined;
}

/** The newest budget year started, if any. */
export async function latestYear(ops: CycleOperations): Promise<number | undefined> {
  const years = (await ops.listCycles()).map((c) => c.budgetYear);
  return years.length ? Math.max(...years) : undefined;
}

/** Where a caller belongs: SLK's cycle page, the committee's overview, a board's own page. */
export async function homeOf(principal: Principal, ops: CycleOperations): Promise<string | undefined> {
  const board = homeBoard(principal);
  if (board && !may(principal, 'read-all')) return `/namnd/${encodeURIComponent(board)}`;
  if (!may(principal, 'read-all')) {
    // Stockholms Stadshus AB (or someone at several boards): the first board it may read.
    const targets = boardTargets((await ops.snapshot()).registry);
    const readable = readableBoards(principal, targets);
    // The group parent's page first: it shows Stadshus its companies' status.
    const parent = targets.find((t) => t.isGroupParent && readable !== 'all' && readable.has(t.boardId));
    const first = parent?.boardId ?? (readable === 'all' ? undefined : [...readable].sort()[0]);
    return first && `/namnd/${encodeURIComponent(first)}`;
  }
  const year = await latestYear(ops);
  if (year === undefined) return undefined;
  return may(principal, 'admin') ? `/cykel/${year}` : `/oversikt/${year}`;
}

/** Whether the caller may do a board action on a board (the registry says which are companies). */
export async function mayOnBoard(
  ops: Pick<CycleOperations, 'snapshot'>,
  principal: Principal,
  action: Action,
  boardId: string,
): Promise<boolean> {
  return may(principal, action, await targetOf(ops, boardId));
}

/**
 * What a form shows after a refused post: which form, the field at fault (and `at`, where inside
 * it), the refusal's code and params (what the page translates) with its English problem (what
 * the record keeps), and the input.
 */
export interface FormProblem {
  form: string;
  field: string;
  at?: string;
  code: string;
  params?: RefusalParams;
  problem: string;
  values: Record<string, string>;
}

export function problemFrom(form: string, error: OperationError, values: Record<string, string>): FormProblem {
  return {
    form,
    field: error.field,
    code: error.code,
    ...(error.params && { params: error.params }),
    problem: error.problem,
    values,
  };
}

/** A form's refusal as one Swedish sentence (see describeProblem). */
export const describeFormProblem = (problem: FormProblem): string =>
  describeProblem(problem.field, problem, problem.at);

/** Records a write made through the pages (accepted or refused), as the API does. */
export async function auditPageWrite(
  deps: PageDeps,
  principal: Principal,
  operation: string,
  target: string,
  outcome: Record<string, unknown>,
): Promise<void> {
  await appendAuditEvent(deps.pool, {
    occurredAt: new Date(),
    workflowId: target,
    kind: `web-${operation}`,
    actor: actorOf(principal),
    eventKey: `web#${randomUUID()}`,
    payload: outcome,
  });
}

/** Field ids are unique per page: the form's id and the field's name. */
export const fieldId = (form: string, name: string): string => `${form}-${name}`;

export interface FieldSpec {
  form: string;
  name: string;
  label: string;
  hint?: string;
  kind?: 'text' | 'textarea' | 'password';
  value?: string;
  problem?: FormProblem;
  required?: boolean;
  autocomplete?: string;
  inputmode?: string;
}

/** A labelled input with its hint and, after a refused post, its error (named in Swedish). */
export function field(spec: FieldSpec): SafeHtml {
  const id = fieldId(spec.form, spec.name);
  const mine = spec.problem && spec.problem.form === spec.form && spec.problem.field === spec.name;
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const described = [spec.hint ? hintId : '', mine ? errorId : ''].filter(Boolean).join(' ');
  const value = spec.problem?.form === spec.form ? (spec.problem.values[spec.name] ?? '') : (spec.value ?? '');
  const common = html`id="${id}"
  name="${spec.name}"${described ? html` aria-describedby="${described}"` : ''}${
    mine ? html` aria-invalid="true"` : ''
  }${spec.required ? html` required` : ''}${spec.autocomplete ? html` autocomplete="${spec.autocomplete}"` : ''}${
    spec.inputmode ? html` inputmode="${spec.inputmode}"` : ''
  }`;
  const control =
    spec.kind === 'textarea'
      ? html`<textarea ${common} rows="3">${value}</textarea>`
      : html`<input type="${spec.kind ?? 'text'}" ${common} value="${spec.kind === 'password' ? '' : value}" />`;
  return html`<div class="field${mine ? ' field-error' : ''}">
    <label for="${id}">${spec.label}</label>
    ${spec.hint ? html`<span class="hint" id="${hintId}">${spec.hint}</span>` : ''}
    ${mine ? html`<span class="error-message" id="${errorId}">${describeFormProblem(spec.problem!)}</span>` : ''}
    ${control}
  </div>`;
}

export interface SelectSpec {
  form: string;
  name: string;
  label: string;
  options: Array<{ value: string; text: string }>;
  value?: string;
  problem?: FormProblem;
  hint?: string;
}

export function select(spec: SelectSpec): SafeHtml {
  const id = fieldId(spec.form, spec.name);
  const mine = spec.problem && spec.problem.form === spec.form && spec.problem.field === spec.name;
  const chosen = spec.problem?.form === spec.form ? spec.problem.values[spec.name] : spec.value;
  const described = [spec.hint ? `${id}-hint` : '', mine ? `${id}-error` : ''].filter(Boolean).join(' ');
  return html`<div class="field${mine ? ' field-error' : ''}">
    <label for="${id}">${spec.label}</label>
    ${spec.hint ? html`<span class="hint" id="${id}-hint">${spec.hint}</span>` : ''}
    ${mine ? html`<span class="error-message" id="${id}-error">${describeFormProblem(spec.problem!)}</span>` : ''}
    <select
      id="${id}"
      name="${spec.name}"
      ${described ? html` aria-describedby="${described}"` : ''}${mine ? html` aria-invalid="true"` : ''}
    >
      ${spec.options.map(
        (o) => html`<option value="${o.value}" ${o.value === chosen ? html` selected` : ''}>${o.text}</option>`,
      )}
    </select>
  </div>`;
}

/**
 * The summary above a form after a refused post: what was wrong, the field named by the label
 * the form shows (`labels`: field name → label) and linked to it when the form has it (a
 * refusal about the deliverable's stage names no field of the form).
 */
export function errorSummary(
  problem: FormProblem | undefined,
  form: string,
  labels: Readonly<Record<string, string>>,
  title = 'Det gick inte att spara.',
): HtmlValue {
  if (!problem || problem.form !== form) return '';
  const label = Object.hasOwn(labels, problem.field) ? labels[problem.field] : undefined;
  const text =
    label === undefined ? describeFormProblem(problem) : describeProblemAs(label, problem.field, problem, problem.at);
  const target = label === undefined ? undefined : fieldId(form, problem.field);
  return html`<div class="error-summary" role="alert">
    <p><strong>${title}</strong></p>
    <p>${target ? html`<a href="#${target}">${text}</a>` : text}</p>
  </div>`;
}

/** Hidden inputs, escaped like everything else. */
export function hidden(values: Record<string, string | number>): SafeHtml {
  return html`${Object.entries(values).map(([name, value]) => html`<input type="hidden" name="${name}" value="${String(value)}" />`)}`;
}

/** Runs a page write; an OperationError becomes a FormProblem, anything else propagates. */
export async function attempt<T>(
  form: string,
  values: Record<string, string>,
  write: () => Promise<T>,
): Promise<{ ok: true; value: T } | { ok: false; status: number; problem: FormProblem }> {
  try {
    return { ok: true, value: await write() };
  } catch (error) {
    if (error instanceof OperationError) {
      return { ok: false, status: error.status, problem: problemFrom(form, error, values) };
    }
    throw error;
  }
}

/** Links to the same page in the other budget years, the current one marked; nothing for one year. */
export function yearNavigation(years: number[], current: number, href: (year: number) => string): SafeHtml | string {
  if (years.length <= 1) return '';
  return html`<nav aria-label="Budgetår">
    <p>
      Budgetår:
      ${years.map(
        (y, i) =>
          html`${i > 0 ? ' · ' : ''}<a href="${href(y)}" ${y === current ? html` aria-current="page"` : ''}>${y}</a>`,
      )}
    </p>
  </nav>`;
}
