import { pathInTemplate } from '../../src/client/operations/report-review';
import type { ExpandedTemplate } from '../../src/client/operations/report-drafts';

describe('what SLK may comment on: a question or a section the board is asked', () => {
  const template = {
    id: 't',
    version: 1,
    title: 'T',
    sections: [
      { id: 'ekonomi', title: 'Ekonomi', questions: [{ id: 'prognos', kind: 'number', label: 'Prognos' }] },
      {
        id: 'omraden',
        title: 'Områden',
        generate: 'priority-areas',
        items: [{ id: 'rinkeby-kista', name: 'Rinkeby-Kista' }],
        questions: [{ id: 'insats', kind: 'short-text', label: 'Insats' }],
      },
    ],
  } as unknown as ExpandedTemplate;

  test.each([
    ['ekonomi', true],
    ['ekonomi.prognos', true],
    ['omraden', true],
    ['omraden[rinkeby-kista].insats', true],
    ['omraden.insats', false], // a generated section's question needs its item
    ['omraden[tensta].insats', false], // an item the board does not have
    ['ekonomi[rinkeby-kista].prognos', false], // an ordinary section has no items
    ['ekonomi.okand', false],
    ['okand', false],
    ['ekonomi.prognos[0]', false],
    ['', false],
  ])('%s → %s', (path, expected) => {
    expect(pathInTemplate(template, path)).toBe(expected);
  });
});
