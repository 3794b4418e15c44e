import type { FastifyInstance } from 'fastify';
import { authenticateBearer } from '../../../db/api-tokens';
import { refuseTooManyFailures, SESSION_COOKIE } from '../auth';
import { field, FormProblem, formValue, homeOf, isSameOrigin, PageDeps, sendPage, forbiddenPage } from './common';
import { setCookie } from '../cookies';
import { html } from './html';
import { messagePage, page } from './layout';

function loginPage(problem: FormProblem | undefined, singleSignOn: boolean): string {
  const error = problem
    ? html`<div class="error-summary" role="alert">
        <p><strong>Det gick inte att logga in.</strong></p>
        <p><a href="#logga-in-token">Åtkomstnyckeln är fel, återkallad eller har gått ut.</a></p>
      </div>`
    : '';
  return page({
    title: 'Logga in',
    current: 'logga-in',
    body: html`<h1>Logga in</h1>
      <p class="lead">
        Årshjulet visar budgetcykelns sista dagar, leveranser och läge för Stadsledningskontoret, nämnderna och
        utskottet.
      </p>
      ${
        singleSignOn
          ? html`<form class="panel" method="get" action="/logga-in/sso">
                <h2>Med ditt konto i staden</h2>
                <p>Du loggar in hos stadens inloggningstjänst och kommer sedan tillbaka hit.</p>
                <button type="submit">Fortsätt till stadens inloggning</button>
              </form>
              <h2>Med åtkomstnyckel</h2>
              <p>För skript och test: nycklar skapas av Stadsledningskontoret.</p>`
          : ''
      }
      <form class="panel" method="post" action="/logga-in" novalidate>
        ${error}
        ${field({
          form: 'logga-in',
          name: 'token',
          label: 'Åtkomstnyckel',
          hint: 'Nyckeln får du av Stadsledningskontoret. Den börjar med arshjul_.',
          kind: 'password',
          autocomplete: 'current-password',
          required: true,
          ...(problem && { problem }),
        })}
        <button type="submit">Logga in</button>
      </form>`,
  });
}

export function registerLogin(app: FastifyInstance, deps: PageDeps): void {
  const secure = (deps.publicUrl ?? '').startsWith('https:');
  const singleSignOn = deps.signIn !== undefined;

  app.get('/', async (request, reply) => {
    if (!request.principal) return reply.redirect('/logga-in', 303);
    const home = await homeOf(request.principal, deps.ops);
    if (home) return reply.redirect(home, 303);
    return sendPage(
      reply,
      200,
      messagePage('Ingen budgetcykel', 'Ingen budgetcykel har startats än.', request.principal),
    );
  });

  app.get('/logga-in', async (_request, reply) => sendPage(reply, 200, loginPage(undefined, singleSignOn)));

  app.post('/logga-in', async (request, reply) => {
    if (!isSameOrigin(request, deps.publicUrl)) {
      return forbiddenPage(reply, undefined, 'att skicka formulär från en annan webbplats');
    }
    const wait = deps.guard.retryAfterSeconds(request.ip);
    if (wait > 0) return refuseTooManyFailures(request, reply, wait);
    const principal = await authenticateBearer(deps.pool, formValue(request.body, 'token').trim());
    if (!principal) {
      if (await deps.guard.failed(request.ip))
        return refuseTooManyFailures(request, reply, deps.guard.retryAfterSeconds(request.ip));
      // The token is never echoed back: it is a secret, right or wrong.
      return sendPage(
        reply,
        401,
        loginPage(
          { form: 'logga-in', field: 'token', code: 'forbidden', problem: 'invalid', values: {} },
          singleSignOn,
        ),
      );
    }
    reply.header(
      'set-cookie',
      setCookie(SESSION_COOKIE, formValue(request.body, 'token').trim(), { sameSite: 'Strict', secure }),
    );
    return reply.redirect((await homeOf(principal, deps.ops)) ?? '/', 303);
  });
}
