import { homeBoard, may } from '../../../domain/permissions';
import type { Principal } from '../../../domain/principal';
import { principalLabel } from './format';
import { html, SafeHtml } from './html';

/** The accessibility statement's address (its page is accessibility-statement.ts). */
export const STATEMENT_PATH = '/tillganglighet';

export type Section =
  'oversikt' | 'lokalt' | 'cykel' | 'namnd' | 'logga-in' | 'tillganglighet' | 'personer' | 'installningar';

export interface PageShell {
  title: string;
  /** The signed-in caller, for the navigation and the sign-out button. */
  principal?: Principal;
  /** The caller's board name (board role), for the header. */
  principalName?: string;
  /** The budget year the navigation links point to. */
  year?: number;
  current?: Section;
  body: SafeHtml;
  /** Scripts of this server's own (/static/…) that enhance the page; it works without them. */
  scripts?: string[];
}

function navigation(principal: Principal, year: number | undefined, current: Section | undefined): SafeHtml {
  const link = (href: string, text: string, section: Section) =>
    html`<li><a href="${href}" ${current === section ? html` aria-current="page"` : ''}>${text}</a></li>`;
  const items: SafeHtml[] = [];
  const board = homeBoard(principal);
  if (!may(principal, 'read-all')) {
    if (board) items.push(link(`/namnd/${encodeURIComponent(board)}`, 'Vår nämnd', 'namnd'));
  } else if (year !== undefined) {
    items.push(link(`/oversikt/${year}`, 'Översikt', 'oversikt'));
    items.push(link(`/oversikt/${year}/lokalt-utvecklingsarbete`, 'Lokalt utvecklingsarbete', 'lokalt'));
    if (may(principal, 'admin')) items.push(link(`/cykel/${year}`, 'Cykeln', 'cykel'));
  }
  // SLK's people page (issue 13) does not depend on a budget year.
  if (may(principal, 'admin')) items.push(link('/personer', 'Personer', 'personer'));
  // Keys have no settings of their own (issue 13): people only.
  if (principal.kind === 'person') items.push(link('/mina-installningar', 'Mina inställningar', 'installningar'));
  return html`<nav class="site-nav" aria-label="Huvudmeny">
    <ul>
      ${items}
    </ul>
  </nav>`;
}

/**
 * The page every route renders: Swedish, a skip link, one <main>, the shared stylesheet, and a
 * footer linking the accessibility statement, which Lag (2018:1937) wants reachable from every page.
 */
export function page(shell: PageShell): string {
  const who = shell.principal
    ? html`<div class="who">
        <span>Inloggad: ${principalLabel(shell.principal, shell.principalName)}</span>
        <form method="post" action="/logga-ut"><button type="submit">Logga ut</button></form>
      </div>`
    : '';
  return html`<!doctype html>
    <html lang="sv">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>${shell.title} — Årshjul</title>
        <link rel="stylesheet" href="/static/arshjul.css" />
        ${(shell.scripts ?? []).map((src) => html`<script src="${src}" defer></script>`)}
      </head>
      <body>
        <a class="skip-link" href="#innehall">Hoppa till innehållet</a>
        <header class="site-header">
          <div class="bar">
            <a class="brand" href="/">Årshjul</a>
            ${shell.principal ? navigation(shell.principal, shell.year, shell.current) : ''} ${who}
          </div>
        </header>
        <main id="innehall" tabindex="-1">${shell.body}</main>
        <footer class="site-footer">
          <div class="bar">
            <a href="${STATEMENT_PATH}" ${shell.current === 'tillganglighet' ? html` aria-current="page"` : ''}
              >Tillgänglighetsredogörelse</a
            >
          </div>
        </footer>
      </body>
    </html> `.value;
}

/** A page that says what went wrong, in Swedish, with a way onwards. */
export function messagePage(title: string, message: string, principal?: Principal, principalName?: string): string {
  return page({
    title,
    ...(principal && { principal }),
    ...(principalName && { principalName }),
    body: html`<h1>${title}</h1>
      <p class="lead">${message}</p>
      <p><a href="/">Till startsidan</a></p>`,
  });
}
