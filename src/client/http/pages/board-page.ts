import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { compareDates } from '../../../domain/local-date';
import type { DeliverablePhase } from '../../../domain/cycle-calendar';
import {
  boardsServingArea,
  findOrganisation,
  isValidOn,
  nameOn,
  priorityAreasOn,
  Registry,
} from '../../../domain/organisations';
import { audienceOf, writtenDeadlineFor } from '../../../domain/planner';
import type { Principal } from '../../../domain/principal';
import { boardTarget } from '../../../domain/board-target';
import { Action, homeBoard, may } from '../../../domain/permissions';
import type { StoredCycle } from '../../../db/cycles';
import type { DeliverableSummary, SubmissionRecord } from '../../operations/cycle-operations';
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
  mayOnBoard,
  isSlug,
  notFoundPage,
  PageDeps,
  parseYear,
  queryValue,
  requireUser,
  sendPage,
  describeFormProblem,
} from './common';
import { CycleView, cycleViewOf, phaseDeadline, phaseOpening, timelineItems } from './cycle-data';
import {
  awaitsBoard,
  formatDate,
  formatDateWithWeekday,
  formatInstant,
  isOverdue,
  KIND_LABELS,
  MAIL_STATUS,
  mailKindLabel,
  STAGE_LABELS,
  statusOf,
} from './format';
import { html, SafeHtml } from './html';
import { AwaitingSignOff, listAwaitingSignOffs } from '../../../db/report-sign-offs';
import { awaitingLine } from './sign-off-view';
import { ActorNames, loadActorNames } from '../../../db/actor-names';
import type { CommitteeComment } from '../../../db/committee-comments';
import type { AreaFlag } from '../../../db/committee-area-flags';
import type { CommitteeDecision } from '../../../db/committee-decisions';
import { areaFlagList, committeeCommentList, decisionTable } from './committee-comments-view';
import { page } from './layout';
import type { TimelineItem } from './timeline';
import { spanOfItems, yearWheelBesideList } from './year-wheel';
import { isWithin } from '../../../domain/year-wheel';
import type { BoardLupMeasures } from '../../operations/service-view';
import { companyStatusTable, CompanyStatusRow, dialoguePartFormKey, ownedMeasuresSection } from './service-view';

/** A deliverable with its budget year (a board's page spans every cycle started). */
type YearDeliverable = DeliverableSummary & { year: number; template?: string };

const formKey = (d: Pick<YearDeliverable, 'year' | 'phaseId' | 'boardId'>) =>
  `lamna-${d.year}-${d.phaseId}-${d.boardId}`;
/** The submit form's fields by the labels it shows (the error summary names them so too). */
const SUBMIT_LABELS = {
  documentRef: 'Dokumentreferens/diarienummer',
  decisionDate: 'Beslutsdatum',
  comment: 'Kommentar',
} as const;
const SUBMIT_FIELDS = Object.keys(SUBMIT_LABELS) as (keyof typeof SUBMIT_LABELS)[];

function statusBadge(d: Pick<YearDeliverable, 'stage' | 'late' | 'escalationLevel'>): SafeHtml {
  const s = statusOf(d);
  return html`<span class="status ${s.className}"><span class="words">${s.words.join(', ')}</span></span>`;
}

function submitForm(boardId: string, d: YearDeliverable, problem: FormProblem | undefined): SafeHtml {
  const form = formKey(d);
  return html`<form method="post" action="/namnd/${boardId}/lamna-in" novalidate>
    ${errorSummary(problem, form, SUBMIT_LABELS, 'Det gick inte att lämna in.')}
    ${hidden({ year: d.year, phaseId: d.phaseId, boardId: d.boardId })}
    ${field({
      form,
      name: 'documentRef',
      label: SUBMIT_LABELS.documentRef,
      hint: 'Till exempel diarienumret för nämndens beslut.',
      required: true,
      ...(problem && { problem }),
    })}
    ${field({
      form,
      name: 'decisionDate',
      label: SUBMIT_LABELS.decisionDate,
      hint: 'Dagen då nämnden beslutade, skrivet ÅÅÅÅ-MM-DD, till exempel 2027-04-22. Frivilligt.',
      inputmode: 'numeric',
      autocomplete: 'off',
      ...(problem && { problem }),
    })}
    ${field({ form, name: 'comment', label: SUBMIT_LABELS.comment, hint: 'Frivilligt.', kind: 'textarea', ...(problem && { problem }) })}
    <button type="submit">Lämna in ${d.phaseName} ${d.year}</button>
  </form>`;
}

function deliverableTable(
  caption: string,
  id: string,
  items: YearDeliverable[],
  records: Map<string, SubmissionRecord>,
  names: ActorNames,
) {
  return html`<div class="table-wrap" role="region" aria-labelledby="${id}" tabindex="0">
    <table>
      <caption id="${id}">
        <span class="caption-text">${caption}</span>
      </caption>
      <thead>
        <tr>
          <th scope="col">Leverans</th>
          <th scope="col">Budgetår</th>
          <th scope="col">Sista dag</th>
          <th scope="col">Läge</th>
          <th scope="col">Senaste inlämning</th>
        </tr>
      </thead>
      <tbody>
        ${items.map((d) => {
          const last = records.get(d.workflowId)?.lastSubmission;
          return html`<tr>
            <th scope="row">${d.phaseName}</th>
            <td>${d.year}</td>
            <td>${formatDate(d.deadline)}</td>
            <td>${statusBadge(d)}</td>
            <td>
              ${
                last
                  ? html`${last.documentRef}${last.decisionDate ? `, beslut ${formatDate(last.decisionDate)}` : ''}${
                        last.comment ? html`<br /><span class="muted">${last.comment}</span>` : ''
                      }<br /><span class="muted">Inlämnad av ${names.label(last.by)}</span>`
                  : '—'
              }
            </td>
          </tr>`;
        })}
      </tbody>
    </table>
  </div>`;
}

type Upcoming = Pick<YearDeliverable, 'year' | 'phaseName' | 'deadline' | 'stage' | 'late' | 'escalationLevel'>;

/** The board's deadline as written in a phase not opened yet, or undefined when the phase does not address it. */
function plannedDeadline(
  view: CycleView,
  phase: DeliverablePhase,
  boardId: string,
  registry: Registry,
  today: string,
): string | undefined {
  const on = phaseOpening(view, phase) ?? today;
  const moved: DeliverablePhase = { ...phase, deadline: phaseDeadline(view, phase) };
  const org = audienceOf(registry, moved, on).find((o) => o.id === boardId);
  return org && writtenDeadlineFor(registry, moved, org, on);
}

/**
 * Deadlines of phases not opened yet that will address this board (from the calendar and the
 * registry, as the overview shows them): a board sees its year ahead, not only what is open.
 */
function phasesNotOpened(
  views: CycleView[],
  boardId: string,
  known: YearDeliverable[],
  registry: Registry | undefined,
  today: string,
): Upcoming[] {
  if (!registry) return [];
  return views.flatMap((view) => {
    const year = view.cycle.budgetYear;
    return view.deliverablePhases.flatMap((phase): Upcoming[] => {
      if (known.some((d) => d.year === year && d.phaseId === phase.id)) return [];
      const deadline = plannedDeadline(view, phase, boardId, registry, today);
      if (!deadline || compareDates(deadline, today) < 0) return [];
      return [{ year, phaseName: phase.name, deadline, stage: 'planned', late: false, escalationLevel: 0 }];
    });
  });
}

/** A cycle's wheel as one board sees it: the board's own windows and states, the cycle's milestones. */
interface BoardWheel {
  year: number;
  items: TimelineItem[];
  /** The whole cycle's dates, so that the wheel has the same span on every page. */
  spanDates: string[];
}

function toneOf(d: YearDeliverable): TimelineItem['tone'] {
  if (d.stage === 'submitted' || d.stage === 'approved' || d.stage === 'exempt') return 'done';
  if (isOverdue(d)) return 'late';
  return awaitsBoard(d) ? 'open' : 'waiting';
}

/**
 * The wheel's items for one board in one cycle, in the calendar's order: each phase it answers
 * for with its own deadline (an extension, a group's later day) and state in words; a phase not
 * opened yet when the board is in its audience; every milestone. A cancelled deliverable is left
 * out: nothing is owed, and the wheel shows what is.
 */
function boardWheelItems(
  view: CycleView,
  boardId: string,
  all: YearDeliverable[],
  registry: Registry | undefined,
  today: string,
): TimelineItem[] {
  const year = view.cycle.budgetYear;
  const cycleItems = new Map(timelineItems(view).map((i) => [i.id, i]));
  return view.cycle.calendar.phases.flatMap((phase): TimelineItem[] => {
    if (phase.kind === 'milestone') return [cycleItems.get(phase.id)!];
    const start = phaseOpening(view, phase);
    const own = all.filter((d) => d.year === year && d.phaseId === phase.id && d.stage !== 'cancelled');
    if (own.length > 0) {
      return own.map((d) => ({
        id: d.boardId === boardId ? phase.id : `${phase.id}-${d.boardId}`,
        name: d.boardId === boardId ? phase.name : `${phase.name} (övertagen från ${d.boardName})`,
        kind: 'deliverable' as const,
        ...(start && { start }),
        end: d.deadline,
        state: statusOf(d).words.join(', '),
        tone: toneOf(d),
      }));
    }
    if (!registry || all.some((d) => d.year === year && d.phaseId === phase.id)) return [];
    const deadline = plannedDeadline(view, phase, boardId, registry, today);
    if (!deadline) return [];
    return [
      {
        id: phase.id,
        name: phase.name,
        kind: 'deliverable',
        ...(start && { start }),
        end: deadline,
        state: STAGE_LABELS.planned,
        tone: 'waiting',
      },
    ];
  });
}

/**
 * The cycles a board's page draws: those whose wheel today falls on (in autumn the follow-up of
 * this budget year and the preparation of the next run side by side), or else the latest.
 */
function boardWheels(
  views: CycleView[],
  boardId: string,
  all: YearDeliverable[],
  registry: Registry | undefined,
  today: string,
): BoardWheel[] {
  const wheels = views
    .map((view) => {
      const spanDates = timelineItems(view).flatMap((i) => (i.start ? [i.start, i.end] : [i.end]));
      return { year: view.cycle.budgetYear, items: boardWheelItems(view, boardId, all, registry, today), spanDates };
    })
    .sort((a, b) => a.year - b.year);
  const current = wheels.filter((w) => isWithin(spanOfItems(w.items, w.spanDates), today));
  return current.length > 0 ? current : wheels.slice(-1);
}

interface BoardPageInput {
  principal: Principal;
  boardId: string;
  /** After a successful submission: what was handed in. */
  receipt?: { year: number; phaseId: string };
  problem?: FormProblem;
  /** After the board recorded its part in a dialogue: that form's key (a confirmation beside it). */
  recordedPart?: string;
}

/** Everything a board's page shows, read from PostgreSQL before any markup is written. */
interface BoardPageData {
  today: string;
  registry: Registry | undefined;
  cycles: StoredCycle[];
  /** The board's deliverables in every cycle, by deadline. */
  all: YearDeliverable[];
  name: string;
  kind?: keyof typeof KIND_LABELS;
  /** The latest submission and return of each deliverable past its open stage (audit log). */
  records: Map<string, SubmissionRecord>;
  mails: Awaited<ReturnType<PageDeps['ops']['boardMails']>>;
  upcoming: Upcoming[];
  /** The reports marked ready and awaiting their sign-off (påskrift), by workflow ID. */
  awaitingSignOff: Map<string, AwaitingSignOff>;
  /** Who handed in, returned or marked ready, by name (one look-up for the page). */
  names: ActorNames;
  /** The year wheels drawn: the cycles under way today, as this board sees them. */
  wheels: BoardWheel[];
  /** The committee's comments on the board's reports and LUP, all years, oldest first (issue 14). */
  committeeComments: CommitteeComment[];
  /** The priority areas the board serves that the committee flags for attention now. */
  areaFlags: AreaFlag[];
  /** The committee's decisions on the board's reports and LUP and on the areas it serves. */
  decisions: CommitteeDecision[];
  /** A service board's or company's: the districts' LUP measures that name it as owner (issue 14). */
  lupMeasures?: BoardLupMeasures;
  /** The group parent's: its companies' deliverables in the cycles under way, those the caller may read. */
  companies?: CompanyStatusRow[];
}

/**
 * The page's data, or undefined when the board is neither in the registry nor in any cycle: the
 * registry and the calendars from the process's checked snapshot; the board's deliverables, their
 * submissions and returns, its mails and each cycle's events from PostgreSQL.
 */
async function loadBoardPage(
  deps: PageDeps,
  boardId: string,
  principal: Principal,
): Promise<BoardPageData | undefined> {
  const { ops } = deps;
  const today = ops.today();
  const at = await ops.snapshot();
  const { registry, cycles } = at;
  const perYear = await Promise.all(
    cycles.map(async (c) =>
      (await ops.deliverablesOf(c, { boardId }, at)).map((d): YearDeliverable => {
        const phase = c.calendar.phases.find((p) => p.id === d.phaseId);
        const template = phase?.kind === 'deliverable' ? phase.template : undefined;
        return { ...d, year: c.budgetYear, ...(template && { template }) };
      }),
    ),
  );
  const all = perYear
    .flat()
    .sort((a, b) => compareDates(a.deadline, b.deadline) || a.phaseName.localeCompare(b.phaseName));
  const org = registry && findOrganisation(registry, boardId);
  if (!org && all.length === 0) return undefined;
  const name = (org && nameOn(org, today)) ?? all.find((d) => d.boardId === boardId)?.boardName ?? boardId;
  const detailed = all.filter((d) => d.stage !== 'planned' && d.stage !== 'open');
  const [records, mails, views, waits, committeeComments, allFlags] = await Promise.all([
    ops.submissionRecords(detailed.map((d) => d.workflowId)),
    ops.boardMails(boardId, 100),
    Promise.all(cycles.map((cycle) => cycleViewOf(ops, cycle))),
    listAwaitingSignOffs(
      deps.pool,
      all.filter((d) => d.template && awaitsBoard(d)).map((d) => d.workflowId),
    ),
    ops.committee.boardComments(boardId),
    ops.committee.areaFlags(),
  ]);
  const notOpened = phasesNotOpened(views, boardId, all, registry, today);
  // The flagged areas this board serves today: the committee's attention concerns it.
  const served = new Set(
    registry
      ? priorityAreasOn(registry, today)
          .filter((a) => boardsServingArea(registry, a.id, today).some((b) => b.id === boardId))
          .map((a) => a.id)
      : [],
  );
  const areaFlags = allFlags.filter((f) => served.has(f.areaId));
  const decisions = await ops.committee.decisions({ boardId, areaIds: [...served] });
  const awaitingSignOff = new Map(waits.map((w) => [w.workflowId, w]));
  const lupMeasures =
    org && (org.kind === 'facknamnd' || org.kind === 'bolagsstyrelse')
      ? await ops.serviceView.boardLupMeasures(principal, boardId)
      : undefined;
  const names = await loadActorNames(deps.pool, [
    ...[...records.values()].flatMap((r) => [r.lastSubmission?.by, r.lastReturn?.by]),
    ...waits.map((w) => w.markedReadyBy),
    ...committeeComments.map((c) => c.author),
    ...areaFlags.flatMap((f) => f.flags.map((a) => a.author)),
    ...(lupMeasures?.districts ?? []).flatMap((d) => d.dialogues.flatMap((x) => x.parts.map((p) => p.by))),
  ]);
  const companies =
    org?.kind === 'koncernmoder' && registry ? await companyRows(deps, at, registry, boardId, principal) : undefined;
  const upcoming: Upcoming[] = [
    ...all.filter((d) => (awaitsBoard(d) || d.stage === 'planned') && compareDates(d.deadline, today) >= 0),
    ...notOpened,
  ].sort((a, b) => compareDates(a.deadline, b.deadline));
  return {
    today,
    registry,
    cycles,
    all,
    name,
    ...(org && { kind: org.kind }),
    records,
    mails,
    upcoming,
    awaitingSignOff,
    names,
    wheels: boardWheels(views, boardId, all, registry, today),
    committeeComments,
    areaFlags,
    decisions,
    ...(lupMeasures && { lupMeasures }),
    ...(companies && { companies }),
  };
}

/**
 * The group parent's companies (today's, that the caller may read) with their deliverables in
 * each cycle under way: a cycle in which some deliverable is still owed or not opened yet. The
 * counts are the overview's: owed (open or returned), handed in (submitted or approved), late.
 */
async function companyRows(
  deps: PageDeps,
  at: Awaited<ReturnType<PageDeps['ops']['snapshot']>>,
  registry: Registry,
  parentId: string,
  principal: Principal,
): Promise<CompanyStatusRow[]> {
  const today = deps.ops.today();
  const companies = registry.organisations.filter(
    (o) => o.parentId === parentId && isValidOn(o, today) && may(principal, 'read-board', boardTarget(registry, o.id)),
  );
  const rows: CompanyStatusRow[] = [];
  for (const cycle of [...at.cycles].sort((a, b) => a.budgetYear - b.budgetYear)) {
    const deliverables = await deps.ops.deliverablesOf(cycle, {}, at);
    if (!deliverables.some((d) => awaitsBoard(d) || d.stage === 'planned')) continue;
    for (const company of companies) {
      const own = deliverables.filter((d) => d.answeringBoardId === company.id);
      rows.push({
        boardId: company.id,
        name: nameOn(company, today),
        year: cycle.budgetYear,
        owed: own.filter(awaitsBoard).length,
        handedIn: own.filter((d) => d.stage === 'submitted' || d.stage === 'approved').length,
        late: own.filter(isOverdue).length,
        total: own.length,
      });
    }
  }
  return rows;
}

/** A phase's name in a budget year's calendar (its id when the calendar has none such). */
const phaseNameIn = (cycles: readonly StoredCycle[], year: number, id: string): string =>
  cycles.find((c) => c.budgetYear === year)?.calendar.phases.find((p) => p.id === id)?.name ?? id;

/** Loads, then renders (or a 404 for a board nobody knows); `status` is 200 or a refused post's. */
async function sendBoardPage(deps: PageDeps, reply: FastifyReply, status: number, input: BoardPageInput) {
  const { principal } = input;
  const data = await loadBoardPage(deps, input.boardId, principal);
  if (!data) return notFoundPage(reply, principal);
  const { registry, cycles, name } = data;
  const principalName =
    homeBoard(principal) && registry ? findOrganisation(registry, homeBoard(principal)!)?.name : undefined;
  const latest = cycles.length ? Math.max(...cycles.map((c) => c.budgetYear)) : undefined;
  return sendPage(
    reply,
    status,
    page({
      title: name,
      principal,
      ...(principalName && { principalName }),
      ...(latest !== undefined && { year: latest }),
      current: 'namnd',
      body: renderBoardPage(data, input),
    }),
  );
}

/** The page's markup from its data and the request (a receipt after a submission, a refused post's problem). */
function renderBoardPage(data: BoardPageData, input: BoardPageInput): SafeHtml {
  const {
    today,
    all,
    name,
    kind,
    records,
    mails,
    upcoming,
    awaitingSignOff,
    names,
    committeeComments,
    cycles,
    areaFlags,
    registry,
    decisions,
    wheels,
    lupMeasures,
    companies,
  } = data;
  const { principal, boardId } = input;
  const owed = all.filter(awaitsBoard);
  const late = owed.filter(isOverdue);
  const finished = all.filter((d) => d.stage === 'submitted' || d.stage === 'approved' || d.stage === 'exempt');
  const writable = may(principal, 'submit-document', boardTarget(data.registry, boardId));
  const receipt =
    input.receipt && all.find((d) => d.year === input.receipt!.year && d.phaseId === input.receipt!.phaseId);

  return html`<h1>${name}</h1>
    <p class="lead">
      ${kind ? `${KIND_LABELS[kind]}. ` : ''}Nämndens leveranser, sista dagar och utskick. I dag: ${formatDate(today)}.
    </p>
    ${
      receipt
        ? html`<div class="notice" role="status" id="kvitto">
            Tack! ${receipt.phaseName} för budgetår ${receipt.year} är inlämnad.
          </div>`
        : ''
    }
    ${
      input.problem &&
      !owed.some((d) => formKey(d) === input.problem!.form) &&
      !input.problem.form.startsWith('medverkan-')
        ? html`<div class="error-summary" role="alert">
            <p><strong>Det gick inte att lämna in.</strong></p>
            <p>${describeFormProblem(input.problem)}</p>
          </div>`
        : ''
    }
    ${writable ? '' : html`<p class="panel">Du kan läsa nämndens sida men inte lämna in åt nämnden.</p>`}
    <h2>Försenat</h2>
    ${
      late.length === 0
        ? html`<p>Inget är försenat.</p>`
        : html`<ul>
            ${late.map(
              (d) =>
                html`<li>
                  <strong>${d.phaseName} ${d.year}</strong>: sista dag var ${formatDateWithWeekday(d.deadline)}.
                  ${statusBadge(d)}
                </li>`,
            )}
          </ul>`
    }
    <h2>Kommande sista dagar</h2>
    ${
      upcoming.length === 0
        ? html`<p>Inga kommande sista dagar.</p>`
        : html`<div class="table-wrap" role="region" aria-labelledby="kommande" tabindex="0">
            <table>
              <caption id="kommande">
                <span class="caption-text">Kommande sista dagar för ${name}</span>
              </caption>
              <thead>
                <tr>
                  <th scope="col">Sista dag</th>
                  <th scope="col">Leverans</th>
                  <th scope="col">Budgetår</th>
                  <th scope="col">Läge</th>
                </tr>
              </thead>
              <tbody>
                ${upcoming.map(
                  (d) =>
                    html`<tr>
                      <th scope="row">${formatDateWithWeekday(d.deadline)}</th>
                      <td>${d.phaseName}</td>
                      <td>${d.year}</td>
                      <td>${statusBadge(d)}</td>
                    </tr>`,
                )}
              </tbody>
            </table>
          </div>`
    }
    <h2>Årshjulet</h2>
    ${wheels.length === 0 ? html`<p>Ingen budgetcykel är startad.</p>` : ''}
    ${wheels.map((w) =>
      yearWheelBesideList({
        items: w.items,
        spanDates: w.spanDates,
        today,
        year: w.year,
        title: `Årshjulet för budgetår ${w.year}, ${name}`,
        id: `arshjul-${w.year}`,
        listId: `arshjul-${w.year}-lista`,
        listHeading: `Årshjulet för budgetår ${w.year} som lista`,
      }),
    )}
    <h2>Att lämna in</h2>
    ${
      owed.length === 0
        ? html`<p>Nämnden har inget att lämna in just nu.</p>`
        : owed.map((d) => {
            const returned = records.get(d.workflowId)?.lastReturn;
            const wait = awaitingSignOff.get(d.workflowId);
            return html`<section class="deliverable" aria-labelledby="${formKey(d)}-rubrik">
              <h3 id="${formKey(d)}-rubrik">${d.phaseName}, budgetår ${d.year}</h3>
              <dl class="facts">
                <dt>Läge</dt>
                <dd>${statusBadge(d)}</dd>
                <dt>Sista dag</dt>
                <dd>${formatDateWithWeekday(d.deadline)}</dd>
                ${
                  d.boardId !== boardId
                    ? html`<dt>Övertagen från</dt>
                        <dd>${d.boardName}</dd>`
                    : ''
                }
                ${
                  wait
                    ? html`<dt>Påskrift</dt>
                        <dd>${awaitingLine(wait, (actor) => names.label(actor))}</dd>`
                    : ''
                }
                ${
                  returned
                    ? html`<dt>Återremitterad</dt>
                        <dd>${formatInstant(returned.at)}: ${returned.reason}</dd>`
                    : ''
                }
              </dl>
              ${
                // A report with a template is answered and marked ready on its form.
                d.template
                  ? html`<p>
                      <a href="/namnd/${d.boardId}/${d.year}/${d.phaseId}"
                        >Fyll i rapporten: ${d.phaseName} ${d.year}</a
                      >
                    </p>`
                  : writable
                    ? submitForm(boardId, d, input.problem)
                    : ''
              }
            </section>`;
          })
    }
    ${companies ? companyStatusTable(companies, today) : ''}
    ${
      lupMeasures
        ? ownedMeasuresSection(
            lupMeasures,
            registry,
            names,
            may(principal, 'record-dialogue', boardTarget(data.registry, boardId))
              ? {
                  boardId,
                  ...(input.problem && { problem: input.problem }),
                  ...(input.recordedPart && { recorded: input.recordedPart }),
                }
              : undefined,
          )
        : ''
    }
    <h2>Inlämnat</h2>
    ${
      finished.length === 0
        ? html`<p>Inget inlämnat än.</p>`
        : deliverableTable(`Inlämnade leveranser för ${name}`, 'inlamnat', finished, records, names)
    }
    ${
      areaFlags.length > 0
        ? html`<h2 id="uppmarksammade">Områden som utskottet uppmärksammar</h2>
            ${areaFlagList(areaFlags, names, (id) => registry?.priorityAreas.find((a) => a.id === id)?.name ?? id)}`
        : ''
    }
    <h2 id="utskottet">Utskottets kommentarer</h2>
    ${committeeCommentList(committeeComments, names, (year, id) => phaseNameIn(cycles, year, id))}
    <h2 id="beslut">Utskottets beslut</h2>
    ${decisionTable(decisions, {
      board: (id) => (registry && findOrganisation(registry, id)?.name) ?? id,
      area: (id) => registry?.priorityAreas.find((a) => a.id === id)?.name ?? id,
      phase: (year, id) => phaseNameIn(cycles, year, id),
    })}
    <h2>Utskick</h2>
    ${
      mails.length === 0
        ? html`<p>Inga utskick än.</p>`
        : html`<div class="table-wrap" role="region" aria-labelledby="utskick" tabindex="0">
            <table>
              <caption id="utskick">
                <span class="caption-text">Utskick om nämndens leveranser, senaste först</span>
              </caption>
              <thead>
                <tr>
                  <th scope="col">Planerat</th>
                  <th scope="col">Slag</th>
                  <th scope="col">Ämne</th>
                  <th scope="col">Status</th>
                </tr>
              </thead>
              <tbody>
                ${mails.map(
                  (m) =>
                    html`<tr>
                      <th scope="row">${formatInstant(m.plannedAt)}</th>
                      <td>${mailKindLabel(m.kind)}</td>
                      <td>${m.subject}</td>
                      <td>
                        ${MAIL_STATUS[m.status] ?? m.status}${m.sentAt ? html`<br /><span class="muted">${formatInstant(m.sentAt)}</span>` : ''}${
                          m.problem ? html`<br /><span class="muted">${m.problem}</span>` : ''
                        }
                      </td>
                    </tr>`,
                )}
              </tbody>
            </table>
          </div>`
    }`;
}

export function registerBoardPage(app: FastifyInstance, deps: PageDeps): void {
  const { ops } = deps;

  /**
   * What every form post to a board's page checks first, in order: signed in, posted from this
   * site, a board the caller may read (another's is a page that does not exist), and `action` on
   * it. Undefined when the answer has been sent.
   */
  const boardFormRequest = async (
    request: FastifyRequest,
    reply: FastifyReply,
    action: Action,
    forbiddenWhat: string,
  ): Promise<{ principal: Principal; boardId: string } | undefined> => {
    const principal = requireUser(request, reply);
    if (!principal) return undefined;
    if (!isSameOrigin(request, deps.publicUrl)) {
      await forbiddenPage(reply, principal, 'att skicka formulär från en annan webbplats');
      return undefined;
    }
    const { boardId } = request.params as { boardId: string };
    if (!isSlug(boardId) || !(await mayOnBoard(ops, principal, 'read-board', boardId))) {
      await notFoundPage(reply, principal);
      return undefined;
    }
    if (!(await mayOnBoard(ops, principal, action, boardId))) {
      await forbiddenPage(reply, principal, forbiddenWhat);
      return undefined;
    }
    return { principal, boardId };
  };

  app.get('/namnd/:boardId', async (request, reply) => {
    const principal = requireUser(request, reply);
    if (!principal) return reply;
    const { boardId } = request.params as { boardId: string };
    // Another board's page is a page that does not exist: a board must not learn of others.
    if (!isSlug(boardId) || !(await mayOnBoard(ops, principal, 'read-board', boardId)))
      return notFoundPage(reply, principal);
    const year = parseYear(queryValue(request.query, 'ar'));
    const phaseId = queryValue(request.query, 'inlamnad');
    const recordedPart = queryValue(request.query, 'medverkan');
    return sendBoardPage(deps, reply, 200, {
      principal,
      boardId,
      ...(year !== undefined && isSlug(phaseId) && { receipt: { year, phaseId } }),
      ...(isSlug(recordedPart) && { recordedPart }),
    });
  });

  // A service board's or company's part in a district's citizen dialogue, recorded by its people
  // (the API's POST /api/lup/:district/dialogues/:dialogue/parts, as a form on the board's page).
  app.post('/namnd/:boardId/lup-medverkan', async (request, reply) => {
    const asked = await boardFormRequest(
      request,
      reply,
      'record-dialogue',
      'att registrera nämndens medverkan i en dialog',
    );
    if (!asked) return reply;
    const { principal, boardId } = asked;
    const district = formValue(request.body, 'district');
    const dialogueId = formValue(request.body, 'dialogueId');
    if (!isSlug(district) || !isSlug(dialogueId)) return notFoundPage(reply, principal);
    const form = dialoguePartFormKey(district, dialogueId);
    const values = { contribution: formValue(request.body, 'contribution') };
    const target = `lup/${ops.municipality}/${district}`;
    const result = await attempt(form, values, () =>
      ops.local.recordDialoguePart(
        district,
        dialogueId,
        { serviceBoardId: boardId, contribution: values.contribution },
        actorOf(principal),
      ),
    );
    if (result.ok) {
      await auditPageWrite(deps, principal, 'lup-dialogue-part', target, {
        outcome: 'accepted',
        dialogueId,
        serviceBoardId: boardId,
      });
      return reply.redirect(
        `/namnd/${encodeURIComponent(boardId)}?medverkan=${encodeURIComponent(form)}#medverkan-registrerad`,
        303,
      );
    }
    await auditPageWrite(deps, principal, 'lup-dialogue-part', target, {
      outcome: 'refused',
      status: result.status,
      field: result.problem.field,
      problem: result.problem.problem,
      code: result.problem.code,
    });
    if (result.status === 404) return notFoundPage(reply, principal);
    return sendBoardPage(deps, reply, result.status, { principal, boardId, problem: result.problem });
  });

  app.post('/namnd/:boardId/lamna-in', async (request, reply) => {
    const asked = await boardFormRequest(request, reply, 'submit-document', 'att lämna in åt en nämnd');
    if (!asked) return reply;
    const { principal, boardId } = asked;

    const body = request.body;
    const year = parseYear(formValue(body, 'year'));
    const phaseId = formValue(body, 'phaseId');
    const deliverableBoard = formValue(body, 'boardId');
    if (year === undefined || !isSlug(phaseId) || !isSlug(deliverableBoard)) return notFoundPage(reply, principal);
    // The deliverable must be one this board answers for (its own, or a predecessor's after a merger).
    let summary: DeliverableSummary;
    try {
      summary = await ops.deliverable(year, phaseId, deliverableBoard);
    } catch (error) {
      if (error instanceof OperationError && error.status === 404) return notFoundPage(reply, principal);
      throw error;
    }
    if (summary.answeringBoardId !== boardId) return notFoundPage(reply, principal);

    const values = Object.fromEntries(SUBMIT_FIELDS.map((name) => [name, formValue(body, name)]));
    // Empty optional fields are absent, not empty strings; what the board typed goes as typed.
    const input = {
      documentRef: values.documentRef!,
      ...(values.decisionDate!.trim() && { decisionDate: values.decisionDate!.trim() }),
      ...(values.comment!.trim() && { comment: values.comment! }),
    };
    const target = `${ops.municipality}/${year}/${phaseId}/${deliverableBoard}`;
    const result = await attempt(formKey({ year, phaseId, boardId: deliverableBoard }), values, () =>
      ops.actOnDeliverable(year, phaseId, deliverableBoard, 'submit', input, actorOf(principal)),
    );
    if (result.ok) {
      await auditPageWrite(deps, principal, 'deliverable-submit', target, { outcome: 'accepted', body: input });
      return reply.redirect(
        `/namnd/${encodeURIComponent(boardId)}?inlamnad=${encodeURIComponent(phaseId)}&ar=${year}#kvitto`,
        303,
      );
    }
    await auditPageWrite(deps, principal, 'deliverable-submit', target, {
      outcome: 'refused',
      status: result.status,
      field: result.problem.field,
      problem: result.problem.problem,
      code: result.problem.code,
    });
    if (result.status === 404) return notFoundPage(reply, principal);
    return sendBoardPage(deps, reply, result.status, { principal, boardId, problem: result.problem });
  });
}
