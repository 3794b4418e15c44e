import { answerTable, answerView } from '../../src/client/http/pages/answer-view';
import { html } from '../../src/client/http/pages/html';
import type { Question } from '../../src/domain/report-template';

/** A table question's header is drawn in one place for the review's answer and the report form. */
describe('a table answer', () => {
  const question = {
    id: 'utfall',
    label: 'Utfall per område',
    required: false,
    kind: 'table',
    maxRows: 10,
    columns: [
      { id: 'omrade', label: 'Område', required: true, kind: 'short-text', maxLength: 100 },
      { id: 'tkr', label: 'Belopp', required: false, kind: 'number', unit: 'tkr', integer: false },
    ],
  } as Extract<Question, { kind: 'table' }>;
  const headers = (markup: string) =>
    [...markup.matchAll(/<th scope="col">\s*([^<]*?)\s*<\/th>/g)].map((m) => m[1]!.replace(/\s+/g, ' '));

  it('reads, in the review, with the question as caption, a row column and each column with its unit', () => {
    const markup = answerView(question, [{ omrade: 'Farsta', tkr: 12.5 }]).value;
    expect(markup).toMatch(/<caption>\s*<span class="caption-text">Utfall per område<\/span>/);
    expect(markup).toContain('aria-label="Utfall per område"');
    expect(headers(markup)).toEqual(['Rad', 'Område', 'Belopp (tkr)']);
    expect(markup).toMatch(/<th scope="row">1<\/th>\s*<td>Farsta<\/td>\s*<td>12,5<\/td>/);
  });

  it('marks the columns a row must fill where the form asks for them', () => {
    const markup = answerTable(question, {
      region: html`aria-labelledby="svar-x-rubrik"`,
      markRequired: true,
      describedBy: html`aria-describedby="svar-x-hjalp"`,
      rows: [],
    }).value;
    expect(headers(markup)).toEqual(['Rad', 'Område (obligatorisk)', 'Belopp (tkr)']);
    expect(markup).toContain('<table aria-describedby="svar-x-hjalp">');
    expect(markup).toContain('role="region" aria-labelledby="svar-x-rubrik" tabindex="0"');
  });
});
