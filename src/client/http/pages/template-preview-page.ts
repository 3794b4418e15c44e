import type { FastifyInstance } from 'fastify';
import type { CycleTemplateVersion } from '../../../db/cycle-templates';
import type { Principal } from '../../../domain/principal';
import { may } from '../../../domain/permissions';
import { OperationError } from '../../operations/operation-error';
import { loadTemplatePreview, PreviewBoard, TemplatePreview } from '../../operations/template-preview';
import { forbiddenPage, isSlug, notFoundPage, PageDeps, parseYear, queryValue, requireUser, sendPage } from './common';
import { formatInstant, KIND_LABELS } from './format';
import { html, SafeHtml } from './html';
import { messagePage, page } from './layout';
import { readOnlySections } from './report-form';
import { ActorNames, loadActorNames } from '../../../db/actor-names';

/**
 * SLK's preview of a template the cycle keeps (issue 12): the current version drawn by the board
 * form's own renderer, read-only, as the board chosen would see it (its generated items, the
 * sections asked of its kind only), and every version with who published it and why. For SLK and
 * the committee; a board sees its own form instead.
 */

/** The preview's address; `board` chooses whom it is shown as. */
export const templatePreviewUrl = (year: number, templateId: string, board?: string): string =>
  `/cykel/${year}/mallar/${templateId}${board ? `?namnd=${encodeURIComponent(board)}` : ''}`;

function boardChooser(url: string, boards: PreviewBoard[], chosen: string): SafeHtml {
  const kinds = [...new Set(boards.map((b) => b.kind))];
  return html`<form method="get" action="${url}" class="panel">
    <div class="field">
      <label for="namnd">Visa mallen som</label>
      <select id="namnd" name="namnd">
        ${kinds.map(
          (kind) =>
            html`<optgroup label="${KIND_LABELS[kind]}">
              ${boards
                .filter((b) => b.kind === kind)
                .map((b) => html`<option value="${b.id}" ${b.id === chosen ? html` selected` : ''}>${b.name}</option>`)}
            </optgroup>`,
        )}
      </select>
    </div>
    <button type="submit">Visa</button>
  </form>`;
}

function versionTable(versions: CycleTemplateVersion[], names: ActorNames): SafeHtml {
  return html`<div class="table-wrap" role="region" aria-labelledby="versioner-rubrik" tabindex="0">
    <table>
      <caption>
        <span class="caption-text">Mallens versioner i budgetåret (den högsta gäller)</span>
      </caption>
      <thead>
        <tr>
          <th scope="col">Version</th>
          <th scope="col">Publicerad</th>
          <th scope="col">Av</th>
          <th scope="col">Ersätter</th>
          <th scope="col">Skäl</th>
        </tr>
      </thead>
      <tbody>
        ${versions.map(
          (v) =>
            html`<tr>
              <th scope="row">${String(v.version)}</th>
              <td>${formatInstant(v.publishedAt.toISOString())}</td>
              <td>${names.label(v.publishedBy)}</td>
              <td>${v.supersedesVersion === undefined ? 'Budgetårets start' : `Version ${v.supersedesVersion}`}</td>
              <td>${v.reason ?? '—'}</td>
            </tr>`,
        )}
      </tbody>
    </table>
  </div>`;
}

function previewBody(
  principal: Principal,
  year: number,
  data: TemplatePreview,
  names: ActorNames,
  maxBytes: number,
): SafeHtml {
  const { template, board } = data;
  const url = templatePreviewUrl(year, template.id);
  const back = may(principal, 'admin')
    ? html`<a href="/cykel/${year}">Tillbaka till budgetcykeln</a>`
    : html`<a href="/oversikt/${year}">Tillbaka till översikten</a>`;
  return html`<p>${back}</p>
    <h1>Förhandsvisning: ${template.title}, budgetår ${String(year)}</h1>
    <p class="notice" id="forhandsvisning">
      Förhandsvisning av mallen ${template.title} version ${String(data.current.version)}, som ${board.name} ser den.
      Fälten går inte att fylla i här.
    </p>
    <p>
      ${
        data.phases.length
          ? `Mallen används i: ${data.phases.map((p) => p.name).join(', ')}.`
          : 'Ingen fas i budgetåret använder mallen.'
      }
    </p>
    ${boardChooser(url, data.boards, board.id)}
    <h2 id="versioner-rubrik">Versioner</h2>
    ${versionTable(data.versions, names)}
    <h2>Formuläret som ${board.name} ser det</h2>
    ${template.help ? html`<p>${template.help}</p>` : ''} ${readOnlySections(template, url, maxBytes)}`;
}

export function registerTemplatePreviewPage(app: FastifyInstance, deps: PageDeps): void {
  app.get('/cykel/:year/mallar/:templateId', async (request, reply) => {
    const principal = requireUser(request, reply);
    if (!principal) return reply;
    // A board sees its own form; the preview of any board's is SLK's and the committee's.
    if (!may(principal, 'read-all')) return forbiddenPage(reply, principal, 'förhandsvisning av mallar');
    const { year: rawYear = '', templateId = '' } = request.params as Record<string, string>;
    const year = parseYear(rawYear);
    if (year === undefined || !isSlug(templateId)) return notFoundPage(reply, principal);
    const boardId = queryValue(request.query, 'namnd') || undefined;
    let data: TemplatePreview;
    try {
      data = await loadTemplatePreview(deps, principal, year, templateId, boardId);
    } catch (error) {
      if (!(error instanceof OperationError)) throw error;
      if (error.status === 404) return notFoundPage(reply, principal);
      if (error.status === 403) return forbiddenPage(reply, principal, 'förhandsvisning av mallar');
      // Only the chooser's board is refused with 400: say which, and how to go on.
      return sendPage(
        reply,
        400,
        messagePage(
          'Nämnden finns inte',
          `Det finns ingen nämnd ”${boardId ?? ''}” i organisationsregistret. Välj en nämnd i listan på förhandsvisningen.`,
          principal,
        ),
      );
    }
    // Who published each version, by name (one look-up for the page).
    const names = await loadActorNames(
      deps.pool,
      data.versions.map((v) => v.publishedBy),
    );
    return sendPage(
      reply,
      200,
      page({
        title: `Förhandsvisning: ${data.template.title}`,
        principal,
        year,
        current: may(principal, 'admin') ? 'cykel' : 'oversikt',
        body: previewBody(principal, year, data, names, deps.attachments.policy.maxBytes),
      }),
    );
  });
}
