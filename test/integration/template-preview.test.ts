import { loadCycleTemplate } from '../../src/db/cycle-templates';
import { publishTemplateVersion } from '../../src/client/operations/template-versions';
import { STACK_YEAR, useHttpStack } from '../helpers/http-stack';
import { httpCalls } from '../helpers/http-calls';
import { reviewStackOptions } from '../helpers/report-stack';

/**
 * SLK's preview of a template the cycle keeps, as a board would see its form (issue 12), over
 * real HTTP on a real cycle: the generated sections expanded with the chosen board's own items,
 * the sections asked of other kinds left out, read-only; the versions with who published them
 * and why; who may see it.
 */
const stack = useHttpStack('template_preview', reviewStackOptions());
const y = STACK_YEAR;
const preview = (board?: string) => `/cykel/${y}/mallar/testrapport${board ? `?namnd=${board}` : ''}`;
const { page } = httpCalls(stack);

const text = async (who: Parameters<typeof page>[0], path: string) => {
  const response = await page(who, path);
  return { status: response.status, body: await response.text() };
};

describe('the preview of a template as a board sees it', () => {
  test('as a district: its priority area expanded, every field disabled, nothing to save or mark ready', async () => {
    const { status, body } = await text('admin', preview('jarva'));
    expect(status).toBe(200);
    expect(body).toContain('Förhandsvisning av mallen Testrapport version 1, som Järva stadsdelsnämnd ser den.');
    // The section per priority area, with Järva's one area (Rinkeby-Kista) as its item.
    expect(body).toContain('<span class="legend-text">Prioriterade områden</span>');
    expect(body).toContain('<legend>Rinkeby-Kista</legend>');
    expect(body).toContain('name="omraden[rinkeby-kista].insats"');
    // The form's own renderer: each section's fieldset disabled, no buttons to save or upload.
    const sections = body.match(/<fieldset\s+disabled>/g) ?? [];
    expect(sections).toHaveLength(4);
    expect(body).not.toMatch(/>\s*Spara /);
    expect(body).not.toContain('Klarmarkera');
    expect(body).not.toContain('Ladda upp');
    expect(body).toContain('Inga filer bifogade än.');
    // The chooser is a plain GET form with the board chosen.
    expect(body).toMatch(/<form method="get" action="\/cykel\/2090\/mallar\/testrapport"/);
    expect(body).toMatch(/<option value="jarva"\s+selected>Järva stadsdelsnämnd<\/option>/);
    expect(body).toContain('Mallen används i: Testrapport, Granskad rapport.');
  });

  test('as a service board: the districts’ section left out; a district with no area has nothing there', async () => {
    const culture = await text('admin', preview('kulturnamnden'));
    expect(culture.status).toBe(200);
    expect(culture.body).toContain('som Kulturnämnden ser den.');
    expect(culture.body).not.toContain('Prioriterade områden');
    expect(culture.body).toContain('<span class="legend-text">Ekonomi</span>');
    const farsta = await text('committee', preview('farsta'));
    expect(farsta.status).toBe(200);
    expect(farsta.body).toContain('<span class="legend-text">Prioriterade områden</span>');
    expect(farsta.body).toContain('Inget att besvara här för er nämnd.');
    // Without a choice, the first district.
    expect((await text('admin', preview())).body).toContain('som Farsta stadsdelsnämnd ser den.');
  });

  test('who may see it and what is refused: a board 403, an unknown template 404, an unknown board 400', async () => {
    expect((await page('farsta', preview('farsta'))).status).toBe(403);
    expect((await page('kulturnamnden', preview())).status).toBe(403);
    expect((await page('admin', `/cykel/${y}/mallar/okand`)).status).toBe(404);
    expect((await page('admin', `/cykel/2091/mallar/testrapport`)).status).toBe(404);
    const unknown = await text('admin', preview('okand-namnd'));
    expect(unknown.status).toBe(400);
    expect(unknown.body).toContain('Det finns ingen nämnd ”okand-namnd” i organisationsregistret.');
    // A board that is no longer in force is not one to preview as.
    expect((await page('admin', preview('rinkeby-kista'))).status).toBe(400);
    const anonymous = await fetch(`${stack.url}${preview()}`, { redirect: 'manual' });
    expect(anonymous.status).toBe(303);
  });

  test('the versions: a correction SLK publishes is previewed, and listed with who published it and why', async () => {
    const kept = await loadCycleTemplate(stack.harness.db.pool, 'teststad', y, 'testrapport');
    const v1 = kept!.template;
    const v2 = {
      ...v1,
      version: 2,
      sections: v1.sections.map((s) =>
        s.id === 'ekonomi'
          ? {
              ...s,
              questions: s.questions.map((q) => (q.id === 'prognos' ? { ...q, label: 'Prognos för helåret' } : q)),
            }
          : s,
      ),
    };
    await publishTemplateVersion(
      stack.harness.db.pool,
      { municipality: 'teststad', budgetYear: y, template: v2, reason: 'Rubriken på prognosfrågan var otydlig' },
      'cli:slk',
    );
    const { status, body } = await text('admin', preview('jarva'));
    expect(status).toBe(200);
    expect(body).toContain('Förhandsvisning av mallen Testrapport version 2, som Järva stadsdelsnämnd ser den.');
    expect(body).toContain('Prognos för helåret');
    const rows = body.slice(body.indexOf('<tbody>', body.indexOf('Mallens versioner')));
    expect(rows).toMatch(/<th scope="row">1<\/th>[\s\S]*?test[\s\S]*?Budgetårets start/);
    expect(rows).toMatch(
      /<th scope="row">2<\/th>[\s\S]*?cli:slk[\s\S]*?Version 1[\s\S]*?Rubriken på prognosfrågan var otydlig/,
    );
  });

  test('SLK’s review of a report links to the preview as that board', async () => {
    const { body } = await text('admin', `/cykel/${y}/granska/granskad/farsta`);
    expect(body).toContain(`href="/cykel/${y}/mallar/testrapport?namnd=farsta"`);
  });
});
