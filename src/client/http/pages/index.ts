import type { FastifyInstance } from 'fastify';
import type { PageDeps } from './common';
import { registerAccessibilityStatement } from './accessibility-statement';
import { registerBoardPage } from './board-page';
import { registerCyclePage } from './cycle-page';
import { registerLocalDevelopmentPage } from './local-development-page';
import { registerLupTracePage } from './lup-trace-page';
import { registerLogin } from './login';
import { registerOverview } from './overview';
import { registerPeoplePage } from './people-page';
import { registerProgrammePage } from './programme-page';
import { registerReportForm } from './report-form';
import { REPORT_FORM_SCRIPT } from './report-form-script';
import { registerReviewPage } from './review-page';
import { registerSettingsPage } from './settings-page';
import { STYLESHEET } from './styles';
import { registerTemplatePreviewPage } from './template-preview-page';

/**
 * The web pages (issue 5): server-rendered Swedish HTML over the operations layer, with the same
 * access rules as the API. Signed in by the session cookie that /logga-in sets.
 *
 * - `/logga-in`, `/logga-ut`, `/`: sign in with a token, sign out, go to the caller's page;
 * - `/oversikt/:year`: the committee's overview (committee and SLK);
 * - `/oversikt/:year/lokalt-utvecklingsarbete`: local development work (issue 6; committee and SLK);
 * - `/namnd/:boardId`: a board's page (the board itself; SLK and the committee read it);
 * - `/namnd/:boardId/:year/:phaseId`: a board's report form, for phases with a template (issue 12);
 * - `/cykel/:year`: SLK's cycle page (plan, milestones, deadlines, extensions, review);
 * - `/cykel/:year/granska/:phaseId/:boardId`: SLK's review of a report per question (issue 12; SLK and the committee);
 * - `/cykel/:year/mallar/:templateId`: SLK's preview of a template the cycle keeps, as a chosen board sees it (issue 12; SLK and the committee);
 * - `/personer`: SLK's people page: roles per board, who has not signed in before a deadline (issue 13; SLK);
 * - `/tillganglighet`: the accessibility statement (issue 12; everyone, signed in or not);
 * - `/mina-installningar`: a person's own settings and stand-ins (issue 13; people, not keys).
 */
export async function registerPages(app: FastifyInstance, deps: PageDeps): Promise<void> {
  app.get('/static/arshjul.css', async (_request, reply) =>
    reply.type('text/css; charset=utf-8').header('cache-control', 'public, max-age=3600').send(STYLESHEET),
  );
  app.get('/static/report-form.js', async (_request, reply) =>
    reply
      .type('text/javascript; charset=utf-8')
      .header('cache-control', 'public, max-age=3600')
      .header('x-content-type-options', 'nosniff')
      .send(REPORT_FORM_SCRIPT),
  );
  registerLogin(app, deps);
  registerOverview(app, deps);
  registerLocalDevelopmentPage(app, deps);
  registerLupTracePage(app, deps);
  registerBoardPage(app, deps);
  registerProgrammePage(app, deps);
  registerReportForm(app, deps);
  registerCyclePage(app, deps);
  registerReviewPage(app, deps);
  registerTemplatePreviewPage(app, deps);
  registerAccessibilityStatement(app, deps);
  registerPeoplePage(app, deps);
  registerSettingsPage(app, deps);
}
