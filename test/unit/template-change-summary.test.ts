import { join } from 'node:path';
import { changeSummary } from '../../src/client/cli/template-commands';
import { loadTemplateFile, shippedTemplatesDir } from '../../src/client/templates';
import { compareTemplates, TemplateChanges } from '../../src/domain/report-template-changes';

/** The Swedish summary of `template publish`: counts in the right number, the aspects named. */

const template = loadTemplateFile(join(shippedTemplatesDir(), 'tertialrapport-1.yaml')).template!;
/** The next version with nothing changed; the cases below write in what changed. */
const none: TemplateChanges = compareTemplates(template, { ...template, version: 3 });
const q = (questionId: string) => ({ questionId, sectionId: 'ekonomi', label: questionId.toUpperCase() });

describe('changeSummary', () => {
  it('says so when no question changed', () => {
    expect(changeSummary(none)).toEqual([
      'tertialrapport-1 version 2 → 3: inga frågor ändrade.',
      'Svar följer med för 17 frågor.',
    ]);
  });

  it('names a question when changes start with it, and the aspects of all changed questions', () => {
    const changes: TemplateChanges = {
      ...none,
      changed: [
        { ...q('a'), aspects: ['label', 'options'] },
        { ...q('b'), aspects: ['kind'] },
      ],
      answersKept: ['a'],
      answersDropped: [{ questionId: 'b', reason: 'kind-changed' }],
    };
    expect(changeSummary(changes)).toEqual([
      'tertialrapport-1 version 2 → 3: 2 frågor ändrade (rubrik, alternativ, typ).',
      '  ändrad: a (A): rubrik, alternativ',
      '  ändrad: b (B): typ',
      'Svar följer med för 1 fråga; inte för b.',
    ]);
  });

  it('counts removed questions in the plural and says their answers do not follow', () => {
    const changes: TemplateChanges = {
      ...none,
      added: [q('c')],
      removed: [q('a'), q('b')],
      answersKept: [],
      answersDropped: [
        { questionId: 'a', reason: 'removed' },
        { questionId: 'b', reason: 'removed' },
      ],
    };
    expect(changeSummary(changes)[0]).toBe(
      'tertialrapport-1 version 2 → 3: 1 fråga tillagd, 2 borttagna: svar på dem följer inte med.',
    );
  });
});
