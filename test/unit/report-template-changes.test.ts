import { parseReportTemplate, ReportTemplate } from '../../src/domain/report-template';
import { compareTemplates, correctDraft } from '../../src/domain/report-template-changes';

/** Parsed like a file, so defaults are filled in on both sides as they are in the store. */
function template(input: unknown): ReportTemplate {
  const result = parseReportTemplate(input);
  if (!result.template) throw new Error(JSON.stringify(result.errors));
  return result.template;
}

const options = [
  { id: 'god', label: 'God' },
  { id: 'svag', label: 'Svag' },
];

const v1 = {
  id: 'tertialrapport-1',
  version: 1,
  title: 'Tertialrapport 1',
  sections: [
    {
      id: 'ekonomi',
      title: 'Ekonomi',
      questions: [
        { id: 'sammanfattning', kind: 'short-text', label: 'Sammanfattning', required: true },
        { id: 'prognos', kind: 'number', label: 'Prognos', unit: 'tkr', min: -1000, max: 1000 },
        { id: 'bedomning', kind: 'choice', label: 'Bedömning', options },
        { id: 'i-balans', kind: 'yes-no', label: 'Budget i balans?' },
      ],
    },
    {
      id: 'mal',
      title: 'Mål',
      generate: 'namndmal',
      questions: [{ id: 'mal-bedomning', kind: 'long-text', label: 'Bedömning', maxLength: 2000 }],
    },
  ],
};

/** v1 with its sections replaced by what `edit` makes of a deep copy of them. */
function v2(edit: (sections: typeof v1.sections) => void): ReportTemplate {
  const copy = structuredClone(v1);
  edit(copy.sections);
  return template({ ...copy, version: 2 });
}

const before = template(v1);

describe('compareTemplates', () => {
  it('finds nothing changed between equal versions, and every answer carries over', () => {
    const changes = compareTemplates(
      before,
      v2(() => undefined),
    );
    expect(changes).toEqual({
      templateId: 'tertialrapport-1',
      fromVersion: 1,
      toVersion: 2,
      added: [],
      removed: [],
      changed: [],
      answersKept: ['sammanfattning', 'prognos', 'bedomning', 'i-balans', 'mal-bedomning'],
      answersDropped: [],
    });
  });

  it('does not count a default written out as a change', () => {
    const changes = compareTemplates(
      before,
      v2((s) => Object.assign(s[0]!.questions[0]!, { maxLength: 300 })),
    );
    expect(changes.changed).toEqual([]);
  });

  it('lists an added question; nothing is dropped for it', () => {
    const changes = compareTemplates(
      before,
      v2((s) => s[0]!.questions.push({ id: 'risker', kind: 'long-text', label: 'Risker', maxLength: 500 } as never)),
    );
    expect(changes.added).toEqual([{ questionId: 'risker', sectionId: 'ekonomi', label: 'Risker' }]);
    expect(changes.answersDropped).toEqual([]);
    expect(changes.answersKept).not.toContain('risker');
  });

  it('lists a removed question and drops its answers', () => {
    const changes = compareTemplates(
      before,
      v2((s) => s[0]!.questions.splice(3, 1)),
    );
    expect(changes.removed).toEqual([{ questionId: 'i-balans', sectionId: 'ekonomi', label: 'Budget i balans?' }]);
    expect(changes.answersDropped).toEqual([{ questionId: 'i-balans', reason: 'removed' }]);
    expect(changes.answersKept).toEqual(['sammanfattning', 'prognos', 'bedomning', 'mal-bedomning']);
  });

  it('drops the answers to a question whose kind changed, naming only the kind', () => {
    const changes = compareTemplates(
      before,
      v2((s) => (s[0]!.questions[1] = { id: 'prognos', kind: 'long-text', label: 'Prognos', maxLength: 800 } as never)),
    );
    expect(changes.changed).toEqual([
      { questionId: 'prognos', sectionId: 'ekonomi', label: 'Prognos', aspects: ['kind'] },
    ]);
    expect(changes.answersDropped).toEqual([{ questionId: 'prognos', reason: 'kind-changed' }]);
    expect(changes.answersKept).not.toContain('prognos');
  });

  it('keeps the answers to a question whose label, limits, options or requiredness changed', () => {
    const changes = compareTemplates(
      before,
      v2((s) => {
        const [sammanfattning, prognos, bedomning] = s[0]!.questions as Array<Record<string, unknown>>;
        sammanfattning!.label = 'Sammanfattning av perioden';
        sammanfattning!.required = false;
        prognos!.max = 5000;
        bedomning!.options = [...options, { id: 'okand', label: 'Går inte att bedöma' }];
      }),
    );
    expect(changes.changed).toEqual([
      {
        questionId: 'sammanfattning',
        sectionId: 'ekonomi',
        label: 'Sammanfattning av perioden',
        aspects: ['label', 'required'],
      },
      { questionId: 'prognos', sectionId: 'ekonomi', label: 'Prognos', aspects: ['limits'] },
      { questionId: 'bedomning', sectionId: 'ekonomi', label: 'Bedömning', aspects: ['options'] },
    ]);
    expect(changes.answersKept).toEqual(['sammanfattning', 'prognos', 'bedomning', 'i-balans', 'mal-bedomning']);
    expect(changes.answersDropped).toEqual([]);
  });

  it('keeps a question moved to a section of the same shape, drops one moved into a generated section', () => {
    const changes = compareTemplates(
      before,
      v2((s) => {
        const moved = s[0]!.questions.splice(3, 1);
        s[1]!.questions.push(...(moved as never[]));
        s.push({ id: 'ovrigt', title: 'Övrigt', questions: s[0]!.questions.splice(0, 1) } as never);
      }),
    );
    expect(changes.changed.map((c) => [c.questionId, c.sectionId, c.aspects])).toEqual([
      ['i-balans', 'mal', ['section']],
      ['sammanfattning', 'ovrigt', ['section']],
    ]);
    expect(changes.answersDropped).toEqual([{ questionId: 'i-balans', reason: 'moved-between-generated' }]);
    expect(changes.answersKept).toContain('sammanfattning');
  });
});

describe('correctDraft', () => {
  const before = template({
    id: 't',
    version: 1,
    title: 'T',
    sections: [
      {
        id: 'a',
        title: 'A',
        questions: [
          { id: 'kvar', kind: 'short-text', label: 'Kvar' },
          { id: 'flyttad', kind: 'short-text', label: 'Flyttad' },
          { id: 'bort', kind: 'yes-no', label: 'Bort' },
          { id: 'nytt-slag', kind: 'number', label: 'Nytt slag' },
        ],
      },
      {
        id: 'per-omrade',
        title: 'P',
        generate: 'priority-areas',
        questions: [{ id: 'insats', kind: 'short-text', label: 'Insats' }],
      },
    ],
  });
  const after = template({
    id: 't',
    version: 2,
    title: 'T',
    sections: [
      {
        id: 'a',
        title: 'A',
        questions: [
          { id: 'kvar', kind: 'short-text', label: 'Kvar' },
          { id: 'nytt-slag', kind: 'short-text', label: 'Nytt slag' },
        ],
      },
      { id: 'b', title: 'B', questions: [{ id: 'flyttad', kind: 'short-text', label: 'Flyttad' }] },
      {
        id: 'per-omrade',
        title: 'P',
        generate: 'priority-areas',
        questions: [{ id: 'insats', kind: 'short-text', label: 'Insats' }],
      },
    ],
  });

  it('carries kept answers to their section, item included, and drops the rest with the old question', () => {
    const result = correctDraft(before, after, compareTemplates(before, after), [
      'a.kvar',
      'a.flyttad',
      'a.bort',
      'a.nytt-slag',
      'per-omrade[farsta].insats',
      'a.okand',
    ]);
    expect(result.carried).toEqual([
      { from: 'a.kvar', to: 'a.kvar' },
      { from: 'a.flyttad', to: 'b.flyttad' },
      { from: 'per-omrade[farsta].insats', to: 'per-omrade[farsta].insats' },
    ]);
    expect(result.dropped.map((d) => [d.path, d.reason, d.label, d.question?.kind])).toEqual([
      ['a.bort', 'removed', 'Bort', 'yes-no'],
      ['a.nytt-slag', 'kind-changed', 'Nytt slag', 'number'],
      ['a.okand', 'removed', 'okand', undefined],
    ]);
  });
});
