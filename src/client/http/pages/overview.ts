import { may } from '../../../domain/permissions';
import type { FastifyInstance } from 'fastify';
import type { DeliverablePhase } from '../../../domain/cycle-calendar';
import {
  boardKinds,
  boardsServingArea,
  findOrganisation,
  isValidOn,
  nameOn,
  OrganisationKind,
  Registry,
} from '../../../domain/organisations';
import { audienceOf, writtenDeadlineFor } from '../../../domain/planner';
import type { CycleOperations, DeliverableSummary } from '../../operations/cycle-operations';
import {
  forbiddenPage,
  notFoundPage,
  PageDeps,
  parseYear,
  queryValue,
  requireUser,
  select,
  sendPage,
  yearNavigation,
} from './common';
import { CycleView, loadCycleWithDeliverables, phaseDeadline, phaseOpening, timelineItems } from './cycle-data';
import { formatDate, isEscalated, isOverdue, KIND_LABELS, STAGE_LABELS, statusOf } from './format';
import { html, SafeHtml } from './html';
import { page } from './layout';
import { timelineChart } from './timeline';
import { yearWheelBesideList } from './year-wheel';

interface Cell {
  /** Deliverables of this board in this phase (two after a merger: its own and its predecessor's). */
  deliverables: DeliverableSummary[];
  /** A phase not opened yet: the board is in its audience, with this deadline. */
  plannedDeadline?: string;
}

interface BoardRow {
  id: string;
  name: string;
  kind?: OrganisationKind;
  cells: Map<string, Cell>;
}

const KIND_ORDER = new Map<string, number>(boardKinds.map((k, i) => [k, i]));
/** Swedish order of board names (å, ä, ö last); one collator, not one per comparison. */
const SWEDISH = new Intl.Collator('sv');

/** Boards (rows) × deliverable phases (columns): every deliverable, and the audience of phases not opened yet. */
function buildMatrix(view: CycleView, rows: DeliverableSummary[], registry: Registry | undefined, today: string) {
  const boards = new Map<string, BoardRow>();
  const boardRow = (id: string, fallbackName: string) => {
    let row = boards.get(id);
    if (!row) {
      const org = registry && findOrganisation(registry, id);
      row = { id, name: (org && nameOn(org, today)) ?? fallbackName, ...(org && { kind: org.kind }), cells: new Map() };
      boards.set(id, row);
    }
    return row;
  };
  for (const d of rows) {
    const row = boardRow(d.answeringBoardId, d.boardId === d.answeringBoardId ? d.boardName : d.answeringBoardId);
    const cell = row.cells.get(d.phaseId) ?? { deliverables: [] };
    cell.deliverables.push(d);
    row.cells.set(d.phaseId, cell);
  }
  const opened = new Set(rows.map((d) => d.phaseId));
  if (registry) {
    for (const phase of view.deliverablePhases.filter((p) => !opened.has(p.id))) {
      const on = phaseOpening(view, phase) ?? today;
      const moved: DeliverablePhase = { ...phase, deadline: phaseDeadline(view, phase) };
      for (const org of audienceOf(registry, moved, on)) {
        boardRow(org.id, nameOn(org, on)).cells.set(phase.id, {
          deliverables: [],
          plannedDeadline: writtenDeadlineFor(registry, moved, org, on),
        });
      }
    }
  }
  return [...boards.values()].sort(
    (a, b) =>
      (KIND_ORDER.get(a.kind ?? '') ?? 9) - (KIND_ORDER.get(b.kind ?? '') ?? 9) || SWEDISH.compare(a.name, b.name),
  );
}

/**
 * One cell, kept small: 315 of them make most of the page. The column header names the phase
 * and its deadline, the row header the board, so a cell says only the state in words, and a
 * deadline only when this board's differs from the phase's (an extension, a written date). The
 * row carries the board's id for scripts and tests, the cell only the phase's.
 */
function cellHtml(row: BoardRow, phase: DeliverablePhase, phaseDue: string, cell: Cell | undefined): SafeHtml {
  if (!cell) return html`<td data-phase="${phase.id}"><span class="not-in-audience">Ingår inte</span></td>`;
  const due = (deadline: string | undefined) =>
    deadline && deadline !== phaseDue ? html` <span class="when">Sista dag ${formatDate(deadline)}</span>` : '';
  if (cell.deliverables.length === 0) {
    return html`<td data-phase="${phase.id}">
      <span class="status st-planned">${STAGE_LABELS.planned}${due(cell.plannedDeadline)}</span>
    </td>`;
  }
  return html`<td data-phase="${phase.id}">
    ${cell.deliverables.map((d) => {
      const status = statusOf(d);
      const from = d.boardId !== row.id ? html` <span class="when">Övertagen från ${d.boardName}</span>` : '';
      return html`<span class="status ${status.className}">${status.words.join(', ')}${due(d.deadline)}${from}</span>`;
    })}
  </td>`;
}

const LEGEND: Array<[string, string]> = [
  ['st-planned', 'Ej öppnad'],
  ['st-open', 'Öppen'],
  ['st-returned', 'Återremitterad'],
  ['st-submitted', 'Inlämnad'],
  ['st-approved', 'Godkänd'],
  ['st-exempt', 'Undantagen'],
  ['st-late', 'Försenad'],
  ['st-escalated', 'Eskalerad'],
];

/** Everything the committee's overview shows, read from PostgreSQL before any markup is written. */
interface OverviewData {
  year: number;
  today: string;
  view: CycleView;
  rows: DeliverableSummary[];
  registry: Registry | undefined;
  years: number[];
}

/**
 * The page's data, or undefined when no such cycle was started: the registry and the cycles
 * from the process's checked snapshot, the deliverables and the cycle's events from PostgreSQL
 * (two statements beside the snapshot's check).
 */
async function loadOverview(ops: CycleOperations, year: number): Promise<OverviewData | undefined> {
  const found = await loadCycleWithDeliverables(ops, year);
  if (!found) return undefined;
  const { at, view, rows } = found;
  return { year, today: ops.today(), view, rows, registry: at.registry, years: at.cycles.map((c) => c.budgetYear) };
}

export function registerOverview(app: FastifyInstance, deps: PageDeps): void {
  app.get('/oversikt/:year', async (request, reply) => {
    const principal = requireUser(request, reply);
    if (!principal) return reply;
    if (!may(principal, 'read-all')) return forbiddenPage(reply, principal, 'översikten över alla nämnder');
    const year = parseYear((request.params as { year: string }).year);
    if (year === undefined) return notFoundPage(reply, principal);
    const data = await loadOverview(deps.ops, year);
    if (!data) return notFoundPage(reply, principal);
    const body = renderOverview(data, {
      kind: queryValue(request.query, 'typ'),
      area: queryValue(request.query, 'omrade'),
    });
    return sendPage(reply, 200, page({ title: `Översikt ${year}`, principal, year, current: 'oversikt', body }));
  });
}

/** The overview's markup from its data; `filter` is the GET form's choice (a board kind, a priority area). */
function renderOverview(data: OverviewData, filter: { kind: string; area: string }): SafeHtml {
  const { year, today, view, rows, registry, years } = data;
  // Filters (GET form): a board kind, a priority area (boards serving it today).
  const kind = (boardKinds as readonly string[]).includes(filter.kind) ? (filter.kind as OrganisationKind) : undefined;
  const areas = (registry?.priorityAreas ?? []).filter((a) => isValidOn(a, today));
  const area = areas.find((a) => a.id === filter.area);
  const serving = area && registry ? new Set(boardsServingArea(registry, area.id, today).map((o) => o.id)) : undefined;
  const matrix = buildMatrix(view, rows, registry, today).filter(
    (b) => (!kind || b.kind === kind) && (!serving || serving.has(b.id)),
  );
  const shown = new Set(matrix.map((b) => b.id));
  const counted = rows.filter((d) => shown.has(d.answeringBoardId));
  const late = counted.filter(isOverdue).length;
  const escalated = counted.filter(isEscalated).length;
  const done = counted.filter((d) => d.stage === 'submitted' || d.stage === 'approved').length;
  const owed = counted.filter((d) => d.stage === 'open' || d.stage === 'returned').length;

  const filterText = [kind ? `typ: ${KIND_LABELS[kind]}` : '', area ? `prioriterat område: ${area.name}` : '']
    .filter(Boolean)
    .join(', ');
  const phases = view.deliverablePhases;
  const phaseDues = phases.map((p) => phaseDeadline(view, p));

  return html`<h1>Översikt budgetår ${year}</h1>
    <p class="lead">Läget för nämndernas leveranser i budgetcykeln ${year}. I dag: ${formatDate(today)}.</p>
    ${yearNavigation(years, year, (y) => `/oversikt/${y}`)}
    <h2 id="laget">Läget${filterText ? ` (${filterText})` : ''}</h2>
    <ul class="counts" aria-labelledby="laget">
      <li class="c-late"><span class="number">${late}</span> försenade</li>
      <li class="c-escalated"><span class="number">${escalated}</span> eskalerade</li>
      <li class="c-done"><span class="number">${done} av ${counted.length}</span> inlämnade eller godkända</li>
      <li><span class="number">${owed}</span> öppna eller återremitterade</li>
    </ul>
    <h2>Urval</h2>
    <form class="filters" method="get" action="/oversikt/${year}">
      ${select({
        form: 'urval',
        name: 'typ',
        label: 'Typ av nämnd',
        value: kind ?? '',
        options: [{ value: '', text: 'Alla typer' }, ...boardKinds.map((k) => ({ value: k, text: KIND_LABELS[k] }))],
      })}
      ${select({
        form: 'urval',
        name: 'omrade',
        label: 'Prioriterat område',
        value: area?.id ?? '',
        options: [{ value: '', text: 'Alla områden' }, ...areas.map((a) => ({ value: a.id, text: a.name }))],
      })}
      <div><button type="submit">Visa</button></div>
      ${filterText ? html`<p><a href="/oversikt/${year}">Visa alla nämnder</a></p>` : ''}
    </form>
    <p>
      Vad nämnderna gör i de prioriterade områdena och stadsdelsnämndernas LUP:
      <a href="/oversikt/${year}/lokalt-utvecklingsarbete">Lokalt utvecklingsarbete budgetår ${year}</a>
    </p>
    <h2>Nämnder och leveranser</h2>
    ${
      matrix.length === 0
        ? html`<p>Inga nämnder matchar urvalet.</p>`
        : html`<div class="table-wrap" role="region" aria-labelledby="matris-rubrik" tabindex="0">
            <table class="matrix">
              <caption id="matris-rubrik">
                <span class="caption-text"
                  >Leveranser per nämnd och fas, budgetår ${year}${filterText ? ` (${filterText})` : ''}</span
                >
              </caption>
              <thead>
                <tr>
                  <th scope="col">Nämnd</th>
                  ${phases.map(
                    (p, i) =>
                      html`<th scope="col">
                        ${p.name}<br /><span class="muted">sista dag ${formatDate(phaseDues[i]!)}</span>
                      </th>`,
                  )}
                </tr>
              </thead>
              <tbody>
                ${matrix.map(
                  (b) =>
                    html`<tr data-board="${b.id}">
                      <th scope="row">
                        ${b.name}${b.kind ? html`<br /><span class="muted">${KIND_LABELS[b.kind]}</span>` : ''}
                      </th>
                      ${phases.map((p, i) => cellHtml(b, p, phaseDues[i]!, b.cells.get(p.id)))}
                    </tr>`,
                )}
              </tbody>
            </table>
          </div>`
    }
    <h3>Teckenförklaring</h3>
    <p>
      Varje ruta anger läget i ord; färgen är ett stöd. Sista dag står i kolumnens rubrik, och i rutan bara när nämndens
      sista dag är en annan.
    </p>
    <ul class="legend">
      ${LEGEND.map(([cls, text]) => html`<li><span class="status ${cls}">${text}</span></li>`)}
    </ul>
    <h2>Årshjulet</h2>
    ${yearWheelBesideList({
      items: timelineItems(view),
      today,
      year,
      title: `Årshjulet för budgetår ${year}`,
      id: 'arshjul-hjul',
      listId: 'arshjul-lista',
    })}
    <h3>Tidslinje</h3>
    ${timelineChart(timelineItems(view), today, `Tidslinje för budgetår ${year}`)}`;
}
