import { randomUUID } from 'node:crypto';
import { may } from '../../../domain/permissions';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { loadActorNames } from '../../../db/actor-names';
import type { Principal } from '../../../domain/principal';
import { actorOf } from '../auth';
import {
  DECISION_FIELDS,
  DECISION_FORM,
  decisionForm,
  decisionTable,
  AREA_FLAG_FORM,
  areaFlagForm,
  areaFlagList,
  COMMITTEE_COMMENT_FIELDS,
  COMMITTEE_COMMENT_FORM,
  committeeCommentForm,
  committeeCommentList,
  SUPPLEMENT_FIELDS,
  SUPPLEMENT_FORM,
  supplementForm,
} from './committee-comments-view';
import type { StoredCycle } from '../../../db/cycles';
import { LUP_STAGE_SV, LupStage, PARTICIPANT_GROUP_SV, ParticipantGroup } from '../../../domain/lup-state';
import {
  boardKinds,
  deliversReports,
  findOrganisation,
  OrganisationKind,
  organisationsOn,
  priorityAreasOn,
  Registry,
} from '../../../domain/organisations';
import { FOLLOW_UP_STATUS_SV } from '../../../domain/guideline-answers';
import type { LocalDevelopmentOperations } from '../../operations/local-development';
import { OperationError } from '../../operations/operation-error';
import {
  attempt,
  auditPageWrite,
  forbiddenPage,
  formValue,
  FormProblem,
  isSameOrigin,
  notFoundPage,
  PageDeps,
  parseYear,
  queryValue,
  requireUser,
  sendPage,
  yearNavigation,
} from './common';
import { formatDate, formatShare, KIND_LABELS } from './format';
import { analysisFocusHtml } from './analysis-focus-view';
import { html, HtmlValue, SafeHtml } from './html';
import { page } from './layout';

/**
 * The committee's view of local development work (issue 6), at
 * `/oversikt/:year/lokalt-utvecklingsarbete`: per priority area what each board named and how its
 * follow-up stands, per district the LUP's stage and its citizen dialogues, and each board's
 * punctuality across cycles. Read only; the committee and SLK see it, a board does not.
 */

type LocalDevelopmentView = Awaited<ReturnType<LocalDevelopmentOperations['localDevelopment']>>;
type AreaView = LocalDevelopmentView['priorityAreas'][number];
type AreaEntry = AreaView['boards'][number];
type DistrictView = LocalDevelopmentView['districts'][number];

/** Columns: service boards, then company boards, then districts (through their LUP measures). */
const COLUMN_ORDER: OrganisationKind[] = ['facknamnd', 'bolagsstyrelse', 'stadsdelsnamnd'];
const KIND_ORDER = new Map<string, number>(boardKinds.map((k) => [k, COLUMN_ORDER.indexOf(k)]));

/** A follow-up status's colour (the existing status classes); the words always come with it. */
const FOLLOW_UP_CLASS: Record<string, string> = {
  'ej-paborjad': 'st-planned',
  pagar: 'st-open',
  klar: 'st-approved',
  forsenad: 'st-late',
  installd: 'st-exempt',
};

const LUP_STAGE_CLASS: Record<LupStage, string> = {
  'utan-program': 'st-open',
  'i-kraft': 'st-approved',
  overlamnat: 'st-exempt',
};

interface Column {
  id: string;
  name: string;
  kind?: OrganisationKind;
}

function columnsOf(view: LocalDevelopmentView, registry: Registry | undefined): Column[] {
  const columns = new Map<string, Column>();
  for (const area of view.priorityAreas) {
    for (const entry of area.boards) {
      if (columns.has(entry.boardId)) continue;
      const org = registry && findOrganisation(registry, entry.boardId);
      columns.set(entry.boardId, { id: entry.boardId, name: entry.boardName, ...(org && { kind: org.kind }) });
    }
  }
  return sortBoards([...columns.values()]);
}

function sortBoards<T extends { name: string; kind?: OrganisationKind }>(boards: T[]): T[] {
  return boards.sort(
    (a, b) =>
      (KIND_ORDER.get(a.kind ?? '') ?? 9) - (KIND_ORDER.get(b.kind ?? '') ?? 9) || a.name.localeCompare(b.name, 'sv'),
  );
}

/** "Rinkeby-Kista stadsdelsnämnd (2015) → Järva stadsdelsnämnd från 1 juli 2023". */
function mappingNote(history: AreaView['servedByHistory']): HtmlValue {
  const [first, ...rest] = history;
  if (!first) return '';
  const start = html`${first.name} (${first.validFrom.slice(0, 4)})`;
  if (rest.length === 0 && first.validTo === null) return html`${start}, oförändrat`;
  const last = rest[rest.length - 1] ?? first;
  return html`${start}${rest.map(
    (s) => html` → ${s.name} från <time datetime="${s.validFrom}">${formatDate(s.validFrom)}</time>`,
  )}${last.validTo ? html`, till och med <time datetime="${last.validTo}">${formatDate(last.validTo)}</time>` : ''}`;
}

function followUpHtml(entry: AreaEntry, phaseName: (id: string) => string): SafeHtml {
  const f = entry.followUp;
  if (!f) {
    return html`<span class="status st-planned"><span class="words">Ingen uppföljning än</span></span>`;
  }
  const words = FOLLOW_UP_STATUS_SV[f.status] ?? f.status;
  return html`<span class="status ${FOLLOW_UP_CLASS[f.status] ?? 'st-planned'}"
    ><span class="words">${words}</span>
    <span class="when">Enligt ${phaseName(f.phaseId)}</span>
    ${f.comment ? html`<span class="when">${f.comment}</span>` : ''}</span
  >`;
}

function entryHtml(entry: AreaEntry, phaseName: (id: string) => string): SafeHtml {
  const list = (items: string[]) =>
    html`<ul>
      ${items.map((i) => html`<li>${i}</li>`)}
    </ul>`;
  const named =
    entry.source === 'lup'
      ? html`<p><strong>LUP-åtgärd:</strong> ${entry.aktiviteter.join(', ')}</p>`
      : html`${
          entry.nämndmål.length > 0
            ? html`<p><strong>Nämndmål:</strong></p>
                ${list(entry.nämndmål)}`
            : ''
        }
        ${
          entry.aktiviteter.length > 0
            ? html`<p><strong>Aktiviteter:</strong></p>
                ${list(entry.aktiviteter)}`
            : ''
        }
        ${entry.ingenDel ? html`<p><strong>Ingen del:</strong> ${entry.ingenDel}</p>` : ''}`;
  return html`<div class="part">
    ${named}
    ${entry.ingenDel && entry.nämndmål.length + entry.aktiviteter.length === 0 ? '' : followUpHtml(entry, phaseName)}
  </div>`;
}

function matrixHtml(view: LocalDevelopmentView, columns: Column[], phaseName: (id: string) => string): SafeHtml {
  if (view.priorityAreas.length === 0) return html`<p>Det finns inga prioriterade områden i registret i dag.</p>`;
  return html`<div class="table-wrap" role="region" aria-labelledby="omraden-rubrik" tabindex="0">
    <table class="matrix">
      <caption id="omraden-rubrik">
        <span class="caption-text">Nämndernas delar i de prioriterade områdena, budgetår ${view.budgetYear}</span>
      </caption>
      <thead>
        <tr>
          <th scope="col">Prioriterat område</th>
          ${
            columns.length === 0
              ? html`<th scope="col">Nämndernas delar</th>`
              : columns.map(
                  (c) =>
                    html`<th scope="col">
                      ${c.name}${c.kind ? html`<br /><span class="muted">${KIND_LABELS[c.kind]}</span>` : ''}
                    </th>`,
                )
          }
        </tr>
      </thead>
      <tbody>
        ${view.priorityAreas.map(
          (area) =>
            html`<tr data-area="${area.id}">
              <th scope="row">
                ${area.name}
                <br /><span class="muted"
                  >Betjänas av:
                  ${area.servedBy.length > 0 ? area.servedBy.map((b) => b.name).join(', ') : 'ingen nämnd i dag'}</span
                >
                <br /><span class="muted">Historik: ${mappingNote(area.servedByHistory)}</span>
              </th>
              ${
                columns.length === 0
                  ? html`<td><span class="not-in-audience">Ingen nämnd har redovisat än</span></td>`
                  : columns.map((c) => {
                      const entries = area.boards.filter((b) => b.boardId === c.id);
                      return html`<td data-area="${area.id}" data-board="${c.id}">
                        ${
                          entries.length === 0
                            ? html`<span class="not-in-audience">Inget angivet</span>`
                            : entries.map((e) => entryHtml(e, phaseName))
                        }
                      </td>`;
                    })
              }
            </tr>`,
        )}
      </tbody>
    </table>
  </div>`;
}

function districtsHtml(view: LocalDevelopmentView): SafeHtml {
  if (view.districts.length === 0) {
    return html`<p>Inga lokala utvecklingsprogram har startats för budgetår ${view.budgetYear}.</p>`;
  }
  const areaName = (id: string) => view.priorityAreas.find((a) => a.id === id)?.name ?? id;
  const goalName = (id: string) => view.goals.find((g) => g.id === id)?.name ?? id;
  const focus = (d: DistrictView) =>
    d.mainFocus ? goalName(d.mainFocus) : 'Inte angivet än (analysen är inte inlämnad)';
  const stage = (d: DistrictView) => {
    const known = d.stage in LUP_STAGE_SV ? (d.stage as LupStage) : undefined;
    return html`<span class="status ${known ? LUP_STAGE_CLASS[known] : 'st-planned'}"
      ><span class="words">${known ? LUP_STAGE_SV[known] : d.stage}</span></span
    >`;
  };
  return html`<div class="table-wrap" role="region" aria-labelledby="lup-rubrik" tabindex="0">
      <table class="matrix">
        <caption id="lup-rubrik">
          <span class="caption-text">Stadsdelsnämndernas lokala utvecklingsprogram, budgetår ${view.budgetYear}</span>
        </caption>
        <thead>
          <tr>
            <th scope="col">Stadsdelsnämnd</th>
            <th scope="col">LUP:ens läge</th>
            <th scope="col">Huvudfokus</th>
            <th scope="col">Åtgärder</th>
            <th scope="col">Prioriterat område</th>
            <th scope="col">Medborgardialoger</th>
          </tr>
        </thead>
        <tbody>
          ${view.districts.map(
            (d) =>
              html`<tr data-district="${d.boardId}">
                <th scope="row">${d.boardName}</th>
                <td>${stage(d)}</td>
                <td>${focus(d)}</td>
                <td>${d.measures}</td>
                <td>
                  ${d.servesPriorityAreas.length > 0 ? `Ja: ${d.servesPriorityAreas.map(areaName).join(', ')}` : 'Nej'}
                </td>
                <td><a href="#dialoger-${d.boardId}">${dialogueCount(d.dialogues.length)}</a></td>
              </tr>`,
          )}
        </tbody>
      </table>
    </div>
    ${view.districts.map(
      (d) =>
        html`<section class="district" aria-labelledby="analys-${d.boardId}" data-district-focus="${d.boardId}">
            <h3 id="analys-${d.boardId}">Analysens fokus — ${d.boardName}</h3>
            ${analysisFocusHtml(d.analysis ?? undefined, goalName, `analys-${d.boardId}`)}
          </section>
          <section class="district" aria-labelledby="dialoger-${d.boardId}">
            <h3 id="dialoger-${d.boardId}" tabindex="-1">Medborgardialoger — ${d.boardName}</h3>
            ${
              d.dialogues.length === 0
                ? html`<p>Inga medborgardialoger registrerade än.</p>`
                : d.dialogues.map(
                    (g) =>
                      html`<div class="panel dialogue" data-dialogue="${g.id}">
                        <h4>Dialog <time datetime="${g.heldOn}">${formatDate(g.heldOn)}</time></h4>
                        <dl class="facts">
                          <dt>Fråga</dt>
                          <dd>${g.question}</dd>
                          <dt>Former</dt>
                          <dd>${g.forms.join(', ')}</dd>
                          <dt>Utrymme för påverkan</dt>
                          <dd>${g.roomForInfluence}</dd>
                          <dt>Deltagare</dt>
                          <dd>${participantsText(g.participants)}</dd>
                        </dl>
                      </div>`,
                  )
            }
          </section>`,
    )}`;
}

const participantsText = (participants: { group: string; count: number }[]): string =>
  participants.map((p) => `${PARTICIPANT_GROUP_SV[p.group as ParticipantGroup] ?? p.group}: ${p.count}`).join(', ');

const dialogueCount = (n: number) => (n === 1 ? '1 dialog' : `${n} dialoger`);

function punctualityHtml(view: LocalDevelopmentView, registry: Registry | undefined): SafeHtml {
  if (view.punctuality.length === 0) return html`<p>Inga leveranser ännu.</p>`;
  const rows = sortBoards(
    view.punctuality.map((p) => {
      const kind = registry && findOrganisation(registry, p.boardId)?.kind;
      return { ...p, name: p.boardName, ...(kind && { kind }) };
    }),
  );
  return html`<div class="table-wrap" role="region" aria-labelledby="punktlighet-rubrik" tabindex="0">
    <table class="matrix">
      <caption id="punktlighet-rubrik">
        <span class="caption-text">Punktlighet per nämnd, alla budgetår</span>
      </caption>
      <thead>
        <tr>
          <th scope="col">Nämnd</th>
          <th scope="col">Inlämnade</th>
          <th scope="col">Varav i tid</th>
          <th scope="col">Försenade nu</th>
          <th scope="col">Andel i tid</th>
        </tr>
      </thead>
      <tbody>
        ${rows.map(
          (p) =>
            html`<tr data-punctuality="${p.boardId}">
              <th scope="row">
                ${p.name}${p.kind ? html`<br /><span class="muted">${KIND_LABELS[p.kind]}</span>` : ''}
              </th>
              <td>${p.finished}</td>
              <td>${p.onTime}</td>
              <td>
                ${
                  p.lateNow > 0
                    ? html`<span class="status st-late"><span class="words">${p.lateNow} försenade</span></span>`
                    : '0'
                }
              </td>
              <td>${p.finished > 0 ? formatShare(p.onTime, p.finished) : 'Inget inlämnat än'}</td>
            </tr>`,
        )}
      </tbody>
    </table>
  </div>`;
}

const LEGEND: Array<[string, string]> = [
  ...Object.entries(FOLLOW_UP_STATUS_SV).map(([status, words]): [string, string] => [
    FOLLOW_UP_CLASS[status] ?? 'st-planned',
    words,
  ]),
  ['st-planned', 'Ingen uppföljning än'],
];

/** What a refused or saved committee comment brings back to the page. */
interface CommitteeFormState {
  problem?: FormProblem;
  saved?: string;
}

const pageUrl = (year: number) => `/oversikt/${year}/lokalt-utvecklingsarbete`;

export function registerLocalDevelopmentPage(app: FastifyInstance, deps: PageDeps): void {
  const { ops } = deps;

  /** Loads, then renders the page (status 200, or a refused comment's). */
  const sendLocalDevelopmentPage = async (
    reply: FastifyReply,
    principal: Principal,
    year: number,
    status: number,
    form: CommitteeFormState = {},
  ): Promise<FastifyReply> => {
    let cycle: StoredCycle;
    try {
      cycle = await ops.cycle(year);
    } catch (error) {
      if (error instanceof OperationError && error.status === 404) return notFoundPage(reply, principal);
      throw error;
    }
    const [view, registry, cycles, comments, flags, decisions] = await Promise.all([
      ops.local.localDevelopment(year),
      ops.registry().catch(() => undefined),
      ops.listCycles(),
      ops.committee.comments(year),
      ops.committee.areaFlags(),
      ops.committee.decisions(),
    ]);
    const names = await loadActorNames(deps.pool, [
      ...comments.map((c) => c.author),
      ...flags.flatMap((f) => f.flags.map((a) => a.author)),
    ]);
    const areasToday = registry ? priorityAreasOn(registry, view.onDate) : [];
    const areaName = (id: string) => registry?.priorityAreas.find((a) => a.id === id)?.name ?? id;
    const acts = may(principal, 'committee-act');
    const phaseName = (id: string) => cycle.calendar.phases.find((p) => p.id === id)?.name ?? id;
    const boards = sortBoards(
      (registry ? organisationsOn(registry, view.onDate) : [])
        .filter((o) => (boardKinds as readonly string[]).includes(o.kind))
        .map((o) => ({ id: o.id, name: o.name, kind: o.kind })),
    );
    const boardName = (id: string) => boards.find((b) => b.id === id)?.name ?? id;
    const reportPhases = cycle.calendar.phases
      .filter((p) => p.kind === 'deliverable')
      .map((p) => ({ id: p.id, name: p.name }));
    const columns = columnsOf(view, registry);
    const years = cycles.map((c) => c.budgetYear);

    const body = html`<h1>Lokalt utvecklingsarbete budgetår ${year}</h1>
      <p class="lead">
        Hur nämnderna arbetar i de prioriterade områdena, stadsdelsnämndernas lokala utvecklingsprogram (LUP) och
        nämndernas punktlighet. I dag: ${formatDate(view.onDate)}.
      </p>
      ${yearNavigation(years, year, (y) => `/oversikt/${y}/lokalt-utvecklingsarbete`)}
      <nav aria-label="På sidan">
        <ul>
          <li><a href="#omraden">Prioriterade områden</a></li>
          <li><a href="#lup">Stadsdelsnämndernas LUP</a></li>
          <li><a href="#punktlighet">Punktlighet per nämnd</a></li>
          <li><a href="#uppmarksammade">Områden som utskottet uppmärksammar</a></li>
          <li><a href="#utskottet">Utskottets kommentarer</a></li>
          <li><a href="#beslut">Utskottets beslut</a></li>
        </ul>
      </nav>
      <h2 id="uppmarksammade">Områden som utskottet uppmärksammar</h2>
      ${areaFlagList(flags, names, areaName, acts ? `${pageUrl(year)}/ta-bort-uppmarksamhet` : undefined)}
      ${
        acts
          ? html`<h3 id="uppmarksamma">Uppmärksamma ett prioriterat område</h3>
              ${areaFlagForm({
                action: `${pageUrl(year)}/uppmarksamma`,
                areas: areasToday.map((a) => ({ id: a.id, name: a.name })),
                ...(form.problem && { problem: form.problem }),
              })}`
          : ''
      }
      <h2 id="omraden">Prioriterade områden</h2>
      <p>
        Varje rad är ett prioriterat område med den nämnd som betjänar det i dag och vilka nämnder som betjänat det
        sedan 2015 (efter sammanslagningarna 2020 och 2023). Varje kolumn är en nämnd som har redovisat sin del:
        facknämnder och bolagsstyrelser i verksamhetsplanen, stadsdelsnämnder genom åtgärder i sin LUP. Rutan visar vad
        nämnden angett och det senaste uppföljningsläget.
      </p>
      ${matrixHtml(view, columns, phaseName)}
      <h3>Teckenförklaring</h3>
      <p>Varje ruta anger uppföljningens läge i ord; färgen är ett stöd.</p>
      <ul class="legend">
        ${LEGEND.map(([cls, text]) => html`<li><span class="status ${cls}">${text}</span></li>`)}
      </ul>
      <h2 id="lup">Stadsdelsnämndernas LUP</h2>
      <p>
        <a href="/lup-sparning/${year}">Spårning av större LUP-åtgärder</a>: budgetunderlag, KF:s budgetbeslut och
        uppföljning per åtgärd.
      </p>
      ${districtsHtml(view)}
      <h2 id="punktlighet">Punktlighet per nämnd</h2>
      <p>
        Leveranser i alla budgetcykler: hur många nämnden har lämnat in, hur många av dem i tid, och hur många som är
        försenade och fortfarande väntar på nämnden.
      </p>
      ${punctualityHtml(view, registry)}
      <h2 id="utskottet">Utskottets kommentarer</h2>
      <p>
        Utskottets kommentarer på nämndernas rapporter och stadsdelsnämndernas LUP detta budgetår, äldst först. Nämnden
        ser kommentarerna på sin sida.
      </p>
      ${committeeCommentList(comments, names, (_y, id) => phaseName(id), boardName)}
      ${
        acts
          ? html`<h3 id="kommentera">Kommentera en nämnds rapport eller LUP</h3>
              ${committeeCommentForm({
                year,
                boards,
                phases: reportPhases,
                ...(form.problem && { problem: form.problem }),
                ...(form.saved && { saved: form.saved }),
              })}`
          : ''
      }
      <h2 id="beslut">Utskottets beslut</h2>
      ${decisionTable(decisions, {
        board: boardName,
        area: areaName,
        phase: (y, id) => cycles.find((c) => c.budgetYear === y)?.calendar.phases.find((p) => p.id === id)?.name ?? id,
      })}
      ${
        acts
          ? html`<h3 id="registrera-beslut">Registrera ett beslut</h3>
              ${decisionForm({
                action: `${pageUrl(year)}/beslut`,
                boards,
                phases: reportPhases,
                areas: areasToday.map((a) => ({ id: a.id, name: a.name })),
                ...(form.problem && { problem: form.problem }),
              })}`
          : ''
      }
      ${
        acts
          ? html`<h2 id="komplettering">Begär komplettering</h2>
              <p>
                Utskottet begär en kompletterande redovisning av en nämnd. Den blir en leverans med påminnelser och
                eskalering som alla andra.
              </p>
              ${supplementForm({
                action: `${pageUrl(year)}/komplettering`,
                boards: boards.filter((b) => {
                  const org = registry && findOrganisation(registry, b.id);
                  return org !== undefined && deliversReports(org);
                }),
                requestId: randomUUID(),
                ...(form.problem && { problem: form.problem }),
              })}`
          : ''
      }
      <p><a href="/oversikt/${year}">Till översikten budgetår ${year}</a></p>`;
    return sendPage(
      reply,
      status,
      page({ title: `Lokalt utvecklingsarbete ${year}`, principal, year, current: 'lokalt', body }),
    );
  };

  app.get('/oversikt/:year/lokalt-utvecklingsarbete', async (request, reply) => {
    const principal = requireUser(request, reply);
    if (!principal) return reply;
    if (!may(principal, 'read-all'))
      return forbiddenPage(reply, principal, 'uppföljningen av lokalt utvecklingsarbete');
    const year = parseYear((request.params as { year: string }).year);
    if (year === undefined) return notFoundPage(reply, principal);
    const saved = queryValue(request.query, 'kommenterat');
    return sendLocalDevelopmentPage(reply, principal, year, 200, saved ? { saved } : {});
  });

  /**
   * What every committee form's post checks first: a signed-in person, a form from this site,
   * the right to act as the committee (refused as `what`), a budget year. The person and year,
   * or the reply already sent.
   */
  const committeeFormRequest = (
    request: FastifyRequest,
    reply: FastifyReply,
    what: string,
  ): { answered: FastifyReply } | { principal: Principal; year: number } => {
    const principal = requireUser(request, reply);
    if (!principal) return { answered: reply };
    if (!isSameOrigin(request, deps.publicUrl)) {
      return { answered: forbiddenPage(reply, principal, 'att skicka formulär från en annan webbplats') };
    }
    if (!may(principal, 'committee-act')) return { answered: forbiddenPage(reply, principal, what) };
    const year = parseYear((request.params as { year: string }).year);
    if (year === undefined) return { answered: notFoundPage(reply, principal) };
    return { principal, year };
  };

  // The committee flags a priority area for attention, or takes its attention away (issue 14).
  for (const [path, action] of [
    ['uppmarksamma', 'flag'],
    ['ta-bort-uppmarksamhet', 'unflag'],
  ] as const) {
    app.post(`/oversikt/:year/lokalt-utvecklingsarbete/${path}`, async (request, reply) => {
      const form = committeeFormRequest(request, reply, 'att agera som utskottet');
      if ('answered' in form) return form.answered;
      const { principal, year } = form;
      const values = { areaId: formValue(request.body, 'areaId'), reason: formValue(request.body, 'reason') };
      const input = action === 'flag' || values.reason.trim() ? { reason: values.reason } : {};
      const result = await attempt(AREA_FLAG_FORM, values, () =>
        ops.committee.actOnArea(principal, values.areaId, action, input, actorOf(principal), ops.today()),
      );
      await auditPageWrite(deps, principal, `committee-area-${action}`, `${ops.municipality}/priority-area`, {
        outcome: result.ok ? 'accepted' : 'refused',
        areaId: values.areaId,
        ...(!result.ok && { status: result.status, field: result.problem.field, code: result.problem.code }),
      });
      if (result.ok) return reply.redirect(`${pageUrl(year)}#uppmarksammade`, 303);
      if (result.status === 403) return forbiddenPage(reply, principal, 'att agera som utskottet');
      // An area the registry lacks is named next to the area field.
      const problem = result.problem.field === 'area' ? { ...result.problem, field: 'areaId' } : result.problem;
      return sendLocalDevelopmentPage(reply, principal, year, result.status === 404 ? 400 : result.status, {
        problem,
      });
    });
  }

  // The committee requests a supplementary report from a board (issue 14).
  app.post('/oversikt/:year/lokalt-utvecklingsarbete/komplettering', async (request, reply) => {
    const form = committeeFormRequest(request, reply, 'att agera som utskottet');
    if ('answered' in form) return form.answered;
    const { principal, year } = form;
    const values = Object.fromEntries(SUPPLEMENT_FIELDS.map((name) => [name, formValue(request.body, name)]));
    const input = { ...values, deadline: values.deadline!.trim() };
    const result = await attempt(SUPPLEMENT_FORM, values, () =>
      ops.committee.requestSupplement(principal, year, input, actorOf(principal), ops.today()),
    );
    await auditPageWrite(deps, principal, 'committee-supplement', `${ops.municipality}/committee`, {
      outcome: result.ok ? 'accepted' : 'refused',
      ...(!result.ok && { status: result.status, field: result.problem.field, code: result.problem.code }),
    });
    if (result.ok) return reply.redirect(`/namnd/${encodeURIComponent(result.value.boardId)}`, 303);
    if (result.status === 403) return forbiddenPage(reply, principal, 'att agera som utskottet');
    // A board the registry lacks is named next to the board field.
    const problem = result.problem.field === 'board' ? { ...result.problem, field: 'boardId' } : result.problem;
    return sendLocalDevelopmentPage(reply, principal, year, result.status === 404 ? 400 : result.status, { problem });
  });

  // The committee records one of its decisions (issue 14).
  app.post('/oversikt/:year/lokalt-utvecklingsarbete/beslut', async (request, reply) => {
    const form = committeeFormRequest(request, reply, 'att agera som utskottet');
    if ('answered' in form) return form.answered;
    const { principal, year } = form;
    const values = Object.fromEntries(DECISION_FIELDS.map((name) => [name, formValue(request.body, name)]));
    const subject = values.subject!;
    const rest = { decidedOn: values.decidedOn!.trim(), reference: values.reference!, decision: values.decision! };
    const input = subject.startsWith('omrade:')
      ? { concerns: 'area', areaId: subject.slice('omrade:'.length), ...rest }
      : subject.startsWith('rapport:')
        ? { concerns: 'report', phaseId: subject.slice('rapport:'.length), boardId: values.boardId, ...rest }
        : { concerns: 'lup', boardId: values.boardId, ...rest };
    const result = await attempt(DECISION_FORM, values, () =>
      ops.committee.recordDecision(principal, year, input, actorOf(principal)),
    );
    await auditPageWrite(deps, principal, 'committee-decision', `${ops.municipality}/committee`, {
      outcome: result.ok ? 'accepted' : 'refused',
      ...(!result.ok && { status: result.status, field: result.problem.field, code: result.problem.code }),
    });
    if (result.ok) return reply.redirect(`${pageUrl(year)}#beslut`, 303);
    if (result.status === 403) return forbiddenPage(reply, principal, 'att agera som utskottet');
    // What the form offers but the registry or cycle lacks is named next to its field.
    const fieldOf: Record<string, string> = { board: 'boardId', deliverable: 'subject', area: 'subject' };
    const problem = { ...result.problem, field: fieldOf[result.problem.field] ?? result.problem.field };
    return sendLocalDevelopmentPage(reply, principal, year, result.status === 404 ? 400 : result.status, { problem });
  });

  // The committee's comment (issue 14): on a board's whole report or a district's LUP. A comment
  // on one question is made through the API (path).
  app.post('/oversikt/:year/lokalt-utvecklingsarbete/kommentar', async (request, reply) => {
    const form = committeeFormRequest(request, reply, 'att kommentera som utskottet');
    if ('answered' in form) return form.answered;
    const { principal, year } = form;
    const values = Object.fromEntries(COMMITTEE_COMMENT_FIELDS.map((name) => [name, formValue(request.body, name)]));
    const [subject, phaseId] = values.subject!.startsWith('rapport:')
      ? ['report', values.subject!.slice('rapport:'.length)]
      : [values.subject!, undefined];
    const input = {
      subject,
      boardId: values.boardId!,
      ...(phaseId !== undefined && { phaseId }),
      comment: values.comment!,
    };
    const target = `${ops.municipality}/${year}/committee`;
    const result = await attempt(COMMITTEE_COMMENT_FORM, values, () =>
      ops.committee.addComment(principal, year, input, actorOf(principal), async () => false),
    );
    if (result.ok) {
      await auditPageWrite(deps, principal, 'committee-comment', target, {
        outcome: 'accepted',
        commentId: result.value.id,
      });
      return reply.redirect(
        `/oversikt/${year}/lokalt-utvecklingsarbete?kommenterat=${encodeURIComponent(result.value.id)}#utskottet`,
        303,
      );
    }
    await auditPageWrite(deps, principal, 'committee-comment', target, {
      outcome: 'refused',
      status: result.status,
      field: result.problem.field,
      code: result.problem.code,
    });
    // A board or report the form offers but the cycle lacks is named next to its field.
    const problem =
      result.status === 404 && (result.problem.field === 'board' || result.problem.field === 'deliverable')
        ? { ...result.problem, field: result.problem.field === 'board' ? 'boardId' : 'subject' }
        : result.problem;
    if (result.status === 404 && problem === result.problem) return notFoundPage(reply, principal);
    if (result.status === 403) return forbiddenPage(reply, principal, 'att kommentera som utskottet');
    return sendLocalDevelopmentPage(reply, principal, year, result.status === 404 ? 400 : result.status, {
      problem,
    });
  });
}
