import type { FastifyInstance } from 'fastify';
import { MUNICIPALITY_TIME_ZONE } from '../../../domain/glossary';
import { may } from '../../../domain/permissions';
import { localDateOf, localTimeOf } from '../../../domain/zoned-time';
import { OperationError } from '../../operations/operation-error';
import { PeopleOverview, peopleOverview } from '../../operations/people-admin';
import { forbiddenPage, latestYear, PageDeps, requireUser, sendPage } from './common';
import { formatDate } from './format';
import { html, SafeHtml } from './html';
import { page } from './layout';

/**
 * SLK's people page (issue 13), `/personer`: who holds which role at which board, from where,
 * since when and when they last signed in; and per deliverable due soon, the people with a duty
 * at its board who have not signed in since it opened. The data is the API's (GET /api/people).
 */

export const PEOPLE_PATH = '/personer';

const DUTY_SV: Record<string, string> = {
  handlaggare: 'handläggare',
  controller: 'controller',
  forvaltningschef: 'förvaltningschef/stadsdelsdirektör/VD',
};

const GRANT_SV: Record<string, string> = {
  admin: 'SLK (administratör)',
  committee: 'Utskottet (läser allt)',
  stadshus: 'Stockholms Stadshus AB',
};

const SOURCE_SV = { provider: 'Inloggningen (grupp)', manual: 'Manuellt' } as const;

function when(iso: string | null): SafeHtml | string {
  if (!iso) return 'aldrig';
  const instant = new Date(iso);
  const date = localDateOf(instant, MUNICIPALITY_TIME_ZONE);
  return html`<time datetime="${iso}"
    >${formatDate(date)} ${localTimeOf(instant, MUNICIPALITY_TIME_ZONE).slice(0, 5)}</time
  >`;
}

const personCell = (p: { personId: string; name: string | null; email: string | null }): SafeHtml =>
  html`${p.name ?? html`<span class="muted">(uppgifter raderade)</span>`}${
      p.email ? html`<br /><span class="muted">${p.email}</span>` : ''
    }<br /><span class="muted"><code>${p.personId}</code></span>`;

function body(view: PeopleOverview): SafeHtml {
  return html`<h1>Personer och behörigheter</h1>
    <p class="lead">
      Vem som har vilken roll vid vilken nämnd, varifrån rollen kommer, sedan när, och när personen senast loggade in.
    </p>
    <h2 id="ej-inloggade">Har inte loggat in före sista dagen</h2>
    <form method="get" action="/personer" class="filters">
      <div>
        <label for="inom-dagar">Sista dag inom (dagar)</label>
        <input id="inom-dagar" name="withinDays" type="number" min="0" max="365" value="${view.withinDays}" />
      </div>
      <div><button type="submit">Visa</button></div>
    </form>
    ${
      view.notSignedIn.length === 0
        ? html`<p>
            Alla med en uppgift vid en nämnd vars leverans har sista dag till och med ${formatDate(view.until)} har
            loggat in sedan fasen öppnade.
          </p>`
        : html`<div class="table-wrap" role="region" aria-labelledby="ej-inloggade-rubrik" tabindex="0">
            <table>
              <caption id="ej-inloggade-rubrik">
                <span class="caption-text"
                  >Öppna leveranser med sista dag till och med ${formatDate(view.until)}: personer som inte har loggat
                  in sedan fasen öppnade</span
                >
              </caption>
              <thead>
                <tr>
                  <th scope="col">Nämnd</th>
                  <th scope="col">Leverans</th>
                  <th scope="col">Sista dag</th>
                  <th scope="col">Person</th>
                  <th scope="col">Uppgift</th>
                  <th scope="col">Senast inloggad</th>
                </tr>
              </thead>
              <tbody>
                ${view.notSignedIn.flatMap((d) =>
                  d.people.map(
                    (p) =>
                      html`<tr data-board="${d.boardId}" data-person="${p.personId}">
                        <th scope="row">${d.boardName}</th>
                        <td>${d.phaseName} ${d.budgetYear}</td>
                        <td><time datetime="${d.deadline}">${formatDate(d.deadline)}</time></td>
                        <td>${personCell(p)}</td>
                        <td>${DUTY_SV[p.duty] ?? p.duty}</td>
                        <td>${when(p.lastSignInAt)}</td>
                      </tr>`,
                  ),
                )}
              </tbody>
            </table>
          </div>`
    }
    <h2 id="roller">Roller</h2>
    ${
      view.memberships.length === 0
        ? html`<p>Ingen har någon roll ännu: roller kommer från inloggningen (grupper) eller läggs till manuellt.</p>`
        : html`<div class="table-wrap" role="region" aria-labelledby="roller-rubrik" tabindex="0">
            <table>
              <caption id="roller-rubrik">
                <span class="caption-text">Roller som gäller nu, per nämnd</span>
              </caption>
              <thead>
                <tr>
                  <th scope="col">Nämnd</th>
                  <th scope="col">Person</th>
                  <th scope="col">Roll</th>
                  <th scope="col">Varifrån</th>
                  <th scope="col">Sedan</th>
                  <th scope="col">Senast inloggad</th>
                </tr>
              </thead>
              <tbody>
                ${view.memberships.map(
                  (m) =>
                    html`<tr data-person="${m.personId}">
                      <th scope="row">${m.boardName ?? 'Hela staden'}</th>
                      <td>${personCell(m)}</td>
                      <td>${m.duty ? (DUTY_SV[m.duty] ?? m.duty) : (GRANT_SV[m.grant] ?? m.grant)}</td>
                      <td>${SOURCE_SV[m.source]}${m.until ? html`<br />till ${when(m.until)}` : ''}</td>
                      <td>${when(m.since)}</td>
                      <td>${when(m.lastSignInAt)}</td>
                    </tr>`,
                )}
              </tbody>
            </table>
          </div>`
    }`;
}

export function registerPeoplePage(app: FastifyInstance, deps: PageDeps): void {
  app.get(PEOPLE_PATH, async (request, reply) => {
    const principal = requireUser(request, reply);
    if (!principal) return reply;
    if (!may(principal, 'admin')) return forbiddenPage(reply, principal, 'sidan om personer');
    const query = request.query as Record<string, unknown>;
    let view: PeopleOverview;
    let problem: string | undefined;
    const load = (q: unknown) =>
      deps.ops
        .snapshot()
        .then((snapshot) =>
          peopleOverview(
            { pool: deps.pool, municipality: deps.ops.municipality, snapshot, today: deps.ops.today() },
            q,
          ),
        );
    try {
      view = await load(
        query.withinDays === undefined || query.withinDays === '' ? {} : { withinDays: query.withinDays },
      );
    } catch (error) {
      if (!(error instanceof OperationError)) throw error;
      problem = 'Antal dagar måste vara ett heltal mellan 0 och 365.';
      view = await load({});
    }
    const year = await latestYear(deps.ops);
    const content = problem
      ? html`<div class="error-summary" role="alert"><p>${problem}</p></div>
          ${body(view)}`
      : body(view);
    return sendPage(
      reply,
      problem ? 400 : 200,
      page({ title: 'Personer', principal, current: 'personer', ...(year !== undefined && { year }), body: content }),
    );
  });
}
