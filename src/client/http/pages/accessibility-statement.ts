import type { FastifyInstance } from 'fastify';
import { latestYear, PageDeps, sendPage } from './common';
import { formatDate } from './format';
import { html } from './html';
import { page, STATEMENT_PATH } from './layout';

/**
 * Where people report accessibility problems. A placeholder until the city names the mailbox
 * that will answer (the law asks for a way to report problems; the address is the city's to
 * choose, not the engine's).
 */
export const ACCESSIBILITY_CONTACT = 'tillganglighet@stockholm.example';

/** When the statement was prepared or last reviewed (DIGG asks for the date; update it with the text). */
export const STATEMENT_UPDATED = '2026-11-30';

/** DIGG's form for reporting a public body's digital service that does not follow the law. */
const DIGG_REPORT_URL = 'https://www.digg.se/tdosanmalan';

/**
 * The accessibility statement (tillgänglighetsredogörelse) that Lag (2018:1937) om tillgänglighet
 * till digital offentlig service requires, in the order of DIGG's model statement: whom
 * it applies to, how accessible the service is, what is not, how to report a problem, the
 * supervisory authority, how the service was tested, and the date. Open to everyone, signed in
 * or not: the law wants it reachable before anyone can use the service.
 */
function statement(): ReturnType<typeof html> {
  const mail = html`<a href="mailto:${ACCESSIBILITY_CONTACT}">${ACCESSIBILITY_CONTACT}</a>`;
  return html`<div class="prose">
    <h1>Tillgänglighetsredogörelse för Årshjulet</h1>
    <p class="lead">
      Stockholms stad står bakom Årshjulet, stadens tjänst för budget- och uppföljningscykeln. Vi vill att så många som
      möjligt ska kunna använda tjänsten. Här beskriver vi hur Årshjulet uppfyller lagen (2018:1937) om tillgänglighet
      till digital offentlig service, vilka brister vi känner till och hur du kan rapportera brister till oss så att vi
      kan åtgärda dem.
    </p>

    <h2 id="omfattning">Vad redogörelsen gäller</h2>
    <p>
      Redogörelsen gäller Årshjulets webbsidor: inloggningen, utskottets översikt, sidan om lokalt utvecklingsarbete,
      nämndernas sidor med formuläret för inlämning och Stadsledningskontorets sida för budgetcykeln. Den gäller inte
      kalenderflödena, som visas i din egen kalenderapp, eller programmeringsgränssnittet (API).
    </p>

    <h2 id="hur-tillganglig">Hur tillgänglig är tjänsten?</h2>
    <p>
      Vi vet att delar av tjänsten inte är helt tillgängliga. Se avsnittet om innehåll som inte är tillgängligt nedan.
    </p>

    <h2 id="om-du-inte-kan">Vad kan du göra om du inte kan använda delar av tjänsten?</h2>
    <p>
      Om du behöver innehåll från Årshjulet i ett annat format, till exempel nämndens sista dagar som en lista i ett
      dokument, kan du kontakta oss på ${mail}.
    </p>

    <h2 id="rapportera">Rapportera brister i tjänstens tillgänglighet</h2>
    <p>
      Vi strävar hela tiden efter att förbättra tjänstens tillgänglighet. Om du upptäcker problem som inte beskrivs här,
      eller om du anser att vi inte uppfyller lagens krav, meddela oss på ${mail} så att vi vet att problemet finns.
    </p>

    <h2 id="tillsyn">Tillsyn</h2>
    <p>
      Myndigheten för digital förvaltning (DIGG) har ansvaret för tillsyn över lagen om tillgänglighet till digital
      offentlig service. Om du inte är nöjd med hur vi hanterar dina synpunkter kan du
      <a href="${DIGG_REPORT_URL}">anmäla det till Myndigheten för digital förvaltning</a>.
    </p>

    <h2 id="teknisk-information">Teknisk information om tjänstens tillgänglighet</h2>
    <p>
      Årshjulet är delvis förenligt med lagen om tillgänglighet till digital offentlig service, på grund av de brister
      som beskrivs nedan. Kraven är de i den europeiska standarden EN 301 549, som för webbsidor motsvarar nivå AA i Web
      Content Accessibility Guidelines (WCAG) 2.1.
    </p>

    <h3 id="ej-tillgangligt">Innehåll som inte är tillgängligt</h3>
    <ul>
      <li>
        Tjänsten har ännu inte granskats manuellt mot alla framgångskriterier i WCAG 2.1 nivå AA, och den har inte
        prövats med skärmläsare. Brister som bara en sådan granskning hittar kan därför finnas kvar.
      </li>
      <li>
        Breda tabeller, som utskottets översikt över alla nämnder och faser, och årshjulet rullas i sidled på en smal
        skärm i stället för att radbrytas. Rutorna som rullas går att nå med tangentbordet.
      </li>
    </ul>

    <h2 id="hur-vi-testat">Hur vi testat tjänsten</h2>
    <p>
      Varje sida kontrolleras automatiskt med verktyget axe-core mot de regler i WCAG 2.1 nivå A och AA som går att
      kontrollera automatiskt. Kontrollen körs i en riktig webbläsare, på dator- och mobilskärm, varje gång tjänstens
      tester körs, och en ändring som bryter mot någon av reglerna godtas inte. Sådana kontroller hittar bara en del av
      alla brister. Testerna går därför också igenom sidorna med enbart tangentbordet: att länken Hoppa till innehållet
      kommer först, att allt som går att klicka på nås med tabbtangenten och att fokus syns.
    </p>
    <p>
      Redogörelsen upprättades och uppdaterades senast den
      <time datetime="${STATEMENT_UPDATED}">${formatDate(STATEMENT_UPDATED)}</time>.
    </p>
  </div>`;
}

export function registerAccessibilityStatement(app: FastifyInstance, deps: PageDeps): void {
  app.get(STATEMENT_PATH, async (request, reply) => {
    const principal = request.principal;
    // The navigation needs a budget year; without one (or without the database) the statement is
    // still shown, since it must be reachable whatever else is down.
    const year = principal ? await latestYear(deps.ops).catch(() => undefined) : undefined;
    return sendPage(
      reply,
      200,
      page({
        title: 'Tillgänglighetsredogörelse',
        current: 'tillganglighet',
        ...(principal && { principal }),
        ...(year !== undefined && { year }),
        body: statement(),
      }),
    );
  });
}
