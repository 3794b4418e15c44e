import {
  checkAnswers,
  missingForReady,
  parseReportTemplate,
  ReportTemplate,
  TemplateContext,
  withResolvedOptions,
} from '../../src/domain/report-template';
import { join } from 'node:path';
import { loadTemplateFile, shippedTemplatesDir } from '../../src/client/templates';
import { ownersOn } from '../../src/db/template-context';
import { expandTemplate } from '../../src/client/operations/report-drafts';
import { registrySchema } from '../../src/domain/registry-schema';

/** A small template with one question of every kind, a table and a generated section. */
const input = {
  id: 'tertialrapport',
  version: 1,
  title: 'Tertialrapport',
  sections: [
    {
      id: 'ekonomi',
      title: 'Ekonomiskt utfall',
      questions: [
        { id: 'sammanfattning', kind: 'short-text', label: 'Sammanfattning', required: true },
        { id: 'analys', kind: 'long-text', label: 'Analys', maxLength: 20 },
        { id: 'prognos', kind: 'number', label: 'Prognos', unit: 'tkr', min: -1000, max: 1000, integer: true },
        { id: 'i-balans', kind: 'yes-no', label: 'Budget i balans?', required: true },
        {
          id: 'bedomning',
          kind: 'choice',
          label: 'Bedömning',
          options: [
            { id: 'god', label: 'God' },
            { id: 'svag', label: 'Svag' },
          ],
        },
        {
          id: 'omraden',
          kind: 'choices',
          label: 'Berörda områden',
          options: [
            { id: 'skola', label: 'Skola' },
            { id: 'omsorg', label: 'Omsorg' },
          ],
        },
        { id: 'beslutsdatum', kind: 'date', label: 'Beslutsdatum' },
        {
          id: 'utfall',
          kind: 'table',
          label: 'Utfall per verksamhetsområde',
          maxRows: 2,
          columns: [
            { id: 'omrade', label: 'Verksamhetsområde', kind: 'short-text', maxLength: 10, required: true },
            { id: 'budget', label: 'Budget', kind: 'number', unit: 'tkr' },
          ],
        },
        { id: 'bilagor', kind: 'file', label: 'Bilagor', accept: ['pdf', 'xlsx'], maxFiles: 1 },
      ],
    },
    {
      id: 'mal',
      title: 'Måluppfyllelse',
      generate: 'namndmal',
      questions: [
        {
          id: 'uppfyllelse',
          kind: 'choice',
          label: 'Uppfylls målet?',
          required: true,
          options: [
            { id: 'uppfyllt', label: 'Uppfyllt' },
            { id: 'delvis', label: 'Delvis uppfyllt' },
            { id: 'ej', label: 'Ej uppfyllt' },
          ],
        },
      ],
    },
  ],
};

const parsed = parseReportTemplate(input);
const template = parsed.template as ReportTemplate;
const context: TemplateContext = {
  namndmal: [
    { id: 'trygg-skola', name: 'Alla elever känner sig trygga' },
    { id: 'fler-jobb', name: 'Fler i arbete' },
  ],
};

const complete = {
  ekonomi: {
    sammanfattning: 'Budgeten håller.',
    analys: 'Kort analys.',
    prognos: 12,
    'i-balans': false,
    bedomning: 'god',
    omraden: ['skola'],
    beslutsdatum: '2027-05-19',
    utfall: [{ omrade: 'Skola', budget: 100 }],
    bilagor: [{ attachment: 'a1', name: 'utfall.xlsx' }],
  },
  mal: { 'trygg-skola': { uppfyllelse: 'delvis' }, 'fler-jobb': { uppfyllelse: 'ej' } },
};

describe('parseReportTemplate', () => {
  it('accepts a template with every question kind, with defaults filled in', () => {
    expect(parsed.errors).toEqual([]);
    const sammanfattning = template.sections[0]!.questions[0]!;
    expect(sammanfattning).toEqual({
      id: 'sammanfattning',
      kind: 'short-text',
      label: 'Sammanfattning',
      required: true,
      maxLength: 300,
    });
    expect(template.sections[0]!.questions[1]).toMatchObject({ required: false });
  });

  it('refuses an unknown question kind, naming the path and the kinds there are', () => {
    const bad = structuredClone(input) as { sections: { questions: Record<string, unknown>[] }[] };
    bad.sections[1]!.questions.push({ id: 'matris', kind: 'matrix', label: 'Matris' });
    expect(parseReportTemplate(bad).errors).toEqual([
      {
        path: 'sections[1].questions[1].kind',
        message:
          'unknown question kind "matrix": use one of short-text, long-text, number, yes-no, choice, choices, date, table, file',
      },
    ]);
  });

  it('refuses a duplicate question ID anywhere in the template, naming both paths', () => {
    const bad = structuredClone(input) as { sections: { questions: Record<string, unknown>[] }[] };
    bad.sections[1]!.questions.push({ id: 'analys', kind: 'yes-no', label: 'Igen' });
    expect(parseReportTemplate(bad).errors).toEqual([
      {
        path: 'sections[1].questions[1].id',
        message: 'duplicate question id "analys": also at sections[0].questions[1].id',
      },
    ]);
  });

  it('refuses a long text without maxLength, a bad range, few options and an unknown generator, with paths', () => {
    const bad = structuredClone(input) as {
      sections: ({ questions: Record<string, unknown>[] } & Record<string, unknown>)[];
    };
    const questions = bad.sections[0]!.questions;
    delete questions[1]!.maxLength;
    questions[2] = { ...questions[2], min: 10, max: 1 };
    questions[4] = { ...questions[4], options: [{ id: 'god', label: 'God' }] };
    bad.sections[1]!.generate = 'kommuner';
    const paths = parseReportTemplate(bad).errors.map((e) => e.path);
    expect(paths).toEqual([
      'sections[0].questions[1].maxLength',
      'sections[0].questions[4].options',
      'sections[1].generate',
    ]);
    // The range is checked once the structure holds.
    const onlyRange = structuredClone(input) as typeof bad;
    onlyRange.sections[0]!.questions[2] = { ...onlyRange.sections[0]!.questions[2], min: 10, max: 1 };
    expect(parseReportTemplate(onlyRange).errors).toEqual([
      { path: 'sections[0].questions[2].max', message: 'must not be less than min (10)' },
    ]);
  });

  it('refuses duplicate section, option and column IDs', () => {
    const bad = structuredClone(input) as { sections: Record<string, unknown>[] };
    bad.sections[1]!.id = 'ekonomi';
    const sections = bad.sections as { questions: { options?: unknown[]; columns?: unknown[] }[] }[];
    sections[0]!.questions[4]!.options!.push({ id: 'god', label: 'God igen' });
    sections[0]!.questions[7]!.columns!.push({ id: 'budget', label: 'Budget igen', kind: 'date' });
    expect(parseReportTemplate(bad).errors).toEqual([
      { path: 'sections[0].questions[4].options[2].id', message: 'duplicate option id "god"' },
      { path: 'sections[0].questions[7].columns[2].id', message: 'duplicate column id "budget"' },
      { path: 'sections[1].id', message: 'duplicate section id "ekonomi": also at sections[0].id' },
    ]);
  });
});

describe('checkAnswers', () => {
  const draft = { forReady: false };
  const ready = { forReady: true };
  const codes = (answers: unknown, options = draft) =>
    checkAnswers(template, context, answers, options).map((i) => `${i.field} ${i.code}`);

  it('finds nothing wrong in complete answers, draft or ready', () => {
    expect(checkAnswers(template, context, complete, draft)).toEqual([]);
    expect(checkAnswers(template, context, complete, ready)).toEqual([]);
  });

  it('takes an empty draft, but not as ready: each required question is named', () => {
    expect(checkAnswers(template, context, {}, draft)).toEqual([]);
    expect(codes({}, ready)).toEqual([
      'answers.ekonomi.sammanfattning required',
      'answers.ekonomi.i-balans required',
      'answers.mal[trygg-skola].uppfyllelse required',
      'answers.mal[fler-jobb].uppfyllelse required',
    ]);
  });

  it('checks types and limits in drafts, each with its stable code', () => {
    const answers = {
      ekonomi: {
        sammanfattning: 'x'.repeat(301),
        analys: 42,
        prognos: 'tolv',
        'i-balans': 'ja',
        bedomning: 'utmarkt',
        omraden: ['skola', 'trafik'],
        beslutsdatum: '2027-02-30',
        utfall: [{ omrade: 'Skola' }, { omrade: 'Omsorg' }, { omrade: 'Kultur' }],
        bilagor: [{ attachment: 'a1', name: 'utfall.exe' }],
        okand: 'x',
      },
    };
    expect(checkAnswers(template, context, answers, draft)).toEqual([
      {
        field: 'answers.ekonomi.sammanfattning',
        code: 'too-long',
        problem: 'is 301 characters: at most 300',
        params: { max: 300 },
      },
      { field: 'answers.ekonomi.analys', code: 'not-text', problem: 'must be text' },
      { field: 'answers.ekonomi.prognos', code: 'not-a-number', problem: 'must be a number' },
      { field: 'answers.ekonomi.i-balans', code: 'not-yes-no', problem: 'must be yes (true) or no (false)' },
      { field: 'answers.ekonomi.bedomning', code: 'not-an-option', problem: 'utmarkt is not one of god, svag' },
      { field: 'answers.ekonomi.omraden[1]', code: 'not-an-option', problem: 'trafik is not one of skola, omsorg' },
      { field: 'answers.ekonomi.beslutsdatum', code: 'bad-date', problem: 'must be a date YYYY-MM-DD' },
      { field: 'answers.ekonomi.utfall', code: 'too-many-rows', problem: 'has 3 rows: at most 2', params: { max: 2 } },
      {
        field: 'answers.ekonomi.bilagor[0]',
        code: 'bad-file-type',
        problem: 'utfall.exe is not one of the accepted types: pdf, xlsx',
      },
      { field: 'answers.ekonomi.okand', code: 'unknown-question', problem: 'the template has no such question' },
    ]);
  });

  it('checks numbers against their range and integer rule', () => {
    expect(codes({ ekonomi: { prognos: 1001 } })).toEqual(['answers.ekonomi.prognos out-of-range']);
    expect(codes({ ekonomi: { prognos: -1000.5 } })).toEqual(['answers.ekonomi.prognos not-an-integer']);
    expect(codes({ ekonomi: { prognos: Number.NaN } })).toEqual(['answers.ekonomi.prognos not-a-number']);
  });

  it('checks table cells by their column, and required cells only when ready', () => {
    const answers = {
      ekonomi: {
        utfall: [
          { omrade: 'Mycket lång text', budget: 'noll' },
          { budget: 5, x: 1 },
        ],
      },
    };
    expect(codes(answers)).toEqual([
      'answers.ekonomi.utfall[0].omrade too-long',
      'answers.ekonomi.utfall[0].budget not-a-number',
      'answers.ekonomi.utfall[1].x unknown-column',
    ]);
    expect(codes(answers, ready)).toContain('answers.ekonomi.utfall[1].omrade required');
    expect(codes({ ekonomi: { utfall: 'tabell' } })).toEqual(['answers.ekonomi.utfall not-a-table']);
  });

  it('counts files against maxFiles', () => {
    const two = [
      { attachment: 'a1', name: 'a.pdf' },
      { attachment: 'a2', name: 'b.pdf' },
    ];
    expect(codes({ ekonomi: { bilagor: two } })).toEqual(['answers.ekonomi.bilagor too-many-files']);
    expect(codes({ ekonomi: { bilagor: [{ name: 1 }] } })).toEqual(['answers.ekonomi.bilagor[0] not-a-file']);
  });

  it('repeats generated questions per item of the context and refuses items it does not know', () => {
    const answers = { mal: { 'trygg-skola': { uppfyllelse: 'kanske' }, 'okant-mal': { uppfyllelse: 'ej' } } };
    expect(codes(answers)).toEqual([
      'answers.mal[trygg-skola].uppfyllelse not-an-option',
      'answers.mal[okant-mal] unknown-item',
    ]);
    // Without nämndmål in the context the section has no items, so nothing is owed.
    expect(checkAnswers(template, {}, { ekonomi: complete.ekonomi }, ready)).toEqual([]);
  });

  it('refuses answers that are not objects and sections it does not know', () => {
    expect(codes('svar')).toEqual(['answers not-an-object']);
    expect(codes({ ekonomi: [], nytt: {} })).toEqual(['answers.ekonomi not-an-object', 'answers.nytt unknown-section']);
    expect(codes({ mal: { 'trygg-skola': 'uppfyllt' } })).toEqual(['answers.mal[trygg-skola] not-an-object']);
  });

  it('treats blank text, an empty list and null as not answered', () => {
    const blank = { ...complete, ekonomi: { ...complete.ekonomi, sammanfattning: '   ', 'i-balans': null } };
    expect(codes(blank, ready)).toEqual([
      'answers.ekonomi.sammanfattning required',
      'answers.ekonomi.i-balans required',
    ]);
    const noRows = structuredClone(template);
    noRows.sections[0]!.questions[7]!.required = true;
    const emptyTable = { ...complete, ekonomi: { ...complete.ekonomi, utfall: [] } };
    expect(checkAnswers(noRows, context, emptyTable, { forReady: true }).map((i) => i.code)).toEqual(['required']);
  });
});

describe('missingForReady', () => {
  it('lists what is still missing with the section, the item and the question label', () => {
    const partial = { ekonomi: { sammanfattning: 'Klar.' }, mal: { 'fler-jobb': { uppfyllelse: 'ej' } } };
    expect(missingForReady(template, context, partial)).toEqual([
      { field: 'answers.ekonomi.i-balans', section: 'Ekonomiskt utfall', question: 'Budget i balans?' },
      {
        field: 'answers.mal[trygg-skola].uppfyllelse',
        section: 'Måluppfyllelse',
        item: 'Alla elever känner sig trygga',
        question: 'Uppfylls målet?',
      },
    ]);
    expect(missingForReady(template, context, complete)).toEqual([]);
  });
});

describe('sections asked of some kinds of board, and one-of-several rules', () => {
  // The guidelines' rule for operational plans: a service or company board states, per priority
  // area, its nämndmål, its aktiviteter or why it has no part there; a district answers for LUP.
  const plan = parseReportTemplate({
    id: 'verksamhetsplan',
    version: 1,
    title: 'Verksamhetsplan',
    sections: [
      {
        id: 'omraden',
        title: 'Prioriterade områden',
        generate: 'priority-areas',
        boardKinds: ['facknamnd', 'bolagsstyrelse'],
        requireOneOf: ['mal', 'aktiviteter', 'ingen-del'],
        questions: [
          { id: 'mal', kind: 'long-text', label: 'Nämndmål', maxLength: 2000 },
          { id: 'aktiviteter', kind: 'long-text', label: 'Aktiviteter', maxLength: 2000 },
          { id: 'ingen-del', kind: 'long-text', label: 'Varför ingen del', maxLength: 2000 },
        ],
      },
      {
        id: 'lup',
        title: 'Lokalt utvecklingsprogram',
        boardKinds: ['stadsdelsnamnd'],
        questions: [
          { id: 'lup-lage', kind: 'long-text', label: 'Läget i LUP-arbetet', maxLength: 2000, required: true },
        ],
      },
    ],
  }).template!;
  const areas = [{ id: 'farsta', name: 'Farsta' }];

  it('asks a service board for one of the three per area when ready, never in a draft', () => {
    const context: TemplateContext = { boardKind: 'facknamnd', 'priority-areas': areas };
    expect(checkAnswers(plan, context, {}, { forReady: false })).toEqual([]);
    expect(checkAnswers(plan, context, {}, { forReady: true })).toEqual([
      {
        field: 'answers.omraden[farsta]',
        code: 'one-required',
        problem: 'answer at least one of mal, aktiviteter, ingen-del',
      },
    ]);
    expect(
      checkAnswers(
        plan,
        context,
        { omraden: { farsta: { 'ingen-del': 'Ingen verksamhet där.' } } },
        { forReady: true },
      ),
    ).toEqual([]);
    expect(missingForReady(plan, context, {})).toEqual([
      {
        field: 'answers.omraden[farsta]',
        section: 'Prioriterade områden',
        item: 'Farsta',
        question: 'Nämndmål, Aktiviteter eller Varför ingen del',
      },
    ]);
  });

  it('does not ask a district for the service boards’ section, and refuses answers to it', () => {
    const context: TemplateContext = { boardKind: 'stadsdelsnamnd', 'priority-areas': areas };
    expect(missingForReady(plan, context, {}).map((m) => m.field)).toEqual(['answers.lup.lup-lage']);
    expect(checkAnswers(plan, context, { omraden: {} }, { forReady: false })).toEqual([
      { field: 'answers.omraden', code: 'not-asked', problem: 'this section is not asked of a stadsdelsnamnd' },
    ]);
  });

  it('refuses a one-of rule naming a question the section does not have, and an unknown board kind', () => {
    const bad = {
      id: 'x',
      version: 1,
      title: 'X',
      sections: [
        {
          id: 's',
          title: 'S',
          requireOneOf: ['a', 'b'],
          questions: [{ id: 'a', kind: 'yes-no', label: 'A' }],
        },
      ],
    };
    expect(parseReportTemplate(bad).errors).toEqual([
      { path: 'sections[0].requireOneOf[1]', message: 'no question b in this section' },
    ]);
    const kinds = { ...bad, sections: [{ ...bad.sections[0], requireOneOf: undefined, boardKinds: ['kommun'] }] };
    expect(parseReportTemplate(kinds).errors.map((e) => e.path)).toEqual(['sections[0].boardKinds[0]']);
  });
});

describe('choices offered from the cycle’s data (optionsFrom)', () => {
  const template = (choice: Record<string, unknown>) =>
    parseReportTemplate({
      id: 'lup-analys',
      version: 1,
      title: 'Lokal analys',
      sections: [
        {
          id: 'fokus',
          title: 'Fokus',
          questions: [{ id: 'huvudfokus', label: 'Huvudfokus', required: true, ...choice }],
        },
      ],
    });
  const goals = [
    { id: 'klimatsmart', name: 'Ett klimatsmart Stockholm' },
    { id: 'sammanhallen', name: 'Ett Stockholm som håller samman' },
  ];

  it('takes the year’s goals as the options, and refuses what is not one of them', () => {
    const { template: t } = template({ kind: 'choice', optionsFrom: 'goals' });
    expect(checkAnswers(t!, { goals }, { fokus: { huvudfokus: 'klimatsmart' } }, { forReady: true })).toEqual([]);
    expect(checkAnswers(t!, { goals }, { fokus: { huvudfokus: 'tillvaxt' } }, { forReady: true })).toEqual([
      {
        field: 'answers.fokus.huvudfokus',
        code: 'not-an-option',
        problem: 'tillvaxt is not one of klimatsmart, sammanhallen',
      },
    ]);
    expect(withResolvedOptions(t!, { goals }).sections[0]!.questions[0]).toMatchObject({
      options: [
        { id: 'klimatsmart', label: 'Ett klimatsmart Stockholm' },
        { id: 'sammanhallen', label: 'Ett Stockholm som håller samman' },
      ],
    });
  });

  it('refuses a choice with both options and optionsFrom, or neither, naming the path', () => {
    const both = template({
      kind: 'choice',
      optionsFrom: 'goals',
      options: [
        { id: 'a', label: 'A' },
        { id: 'b', label: 'B' },
      ],
    });
    expect(both.errors).toEqual([
      { path: 'sections[0].questions[0].options', message: 'give either options or optionsFrom, not both or neither' },
    ]);
    expect(template({ kind: 'choice' }).errors).toEqual([
      { path: 'sections[0].questions[0].options', message: 'give either options or optionsFrom, not both or neither' },
    ]);
    expect(template({ kind: 'choice', optionsFrom: 'nämndmål' }).errors[0]).toMatchObject({
      path: 'sections[0].questions[0].optionsFrom',
    });
  });
});

describe('a LUP measure’s owner among the registry’s boards (optionsFrom: boards)', () => {
  const registry = registrySchema.parse({
    municipality: 'teststad',
    organisations: [
      { id: 'farsta', name: 'Farsta stadsdelsnämnd', kind: 'stadsdelsnamnd', validFrom: '2007-01-01' },
      { id: 'idrottsnamnden', name: 'Idrottsnämnden', kind: 'facknamnd', validFrom: '2007-01-01' },
      { id: 'bostader', name: 'AB Svenska Bostäder', kind: 'bolagsstyrelse', validFrom: '2007-01-01' },
      { id: 'skarpnack', name: 'Skarpnäcks stadsdelsnämnd', kind: 'stadsdelsnamnd', validFrom: '2007-01-01' },
      { id: 'gammal', name: 'Gamla nämnden', kind: 'facknamnd', validFrom: '2007-01-01', validTo: '2020-12-31' },
      { id: 'slk', name: 'Stadsledningskontoret', kind: 'slk', validFrom: '2007-01-01' },
    ],
  });
  const template = loadTemplateFile(join(shippedTemplatesDir(), 'lup-program.yaml')).template!;

  it('offers the district itself, then the service boards and companies in force, by name', () => {
    expect(ownersOn(registry, 'farsta', '2027-03-01')).toEqual([
      { id: 'farsta', name: 'Farsta stadsdelsnämnd' },
      { id: 'bostader', name: 'AB Svenska Bostäder' },
      { id: 'idrottsnamnden', name: 'Idrottsnämnden' },
    ]);
  });

  it('refuses an owner that is not one of them, naming the cell', () => {
    const context: TemplateContext = {
      boardKind: 'stadsdelsnamnd',
      boards: ownersOn(registry, 'farsta', '2027-03-01'),
    };
    const row = { id: 'gard', titel: 'Gård', mal: 'trygg', storre: 'ja', kostnad: 100 };
    const answers = (agare: string) => ({ atgarder: { atgarder: [{ ...row, agare }] } });
    const issues = (agare: string) =>
      checkAnswers(template, context, answers(agare), { forReady: false }).filter((i) => i.field.includes('agare'));
    expect(issues('idrottsnamnden')).toEqual([]);
    expect(issues('farsta')).toEqual([]);
    for (const wrong of ['skarpnack', 'gammal', 'Idrottsnämnden']) {
      expect(issues(wrong)).toEqual([
        expect.objectContaining({ field: 'answers.atgarder.atgarder[0].agare', code: 'not-an-option' }),
      ]);
    }
  });
});

describe('a service board’s follow-up of the LUP measures it owns (generate: owned-lup-measures)', () => {
  const template = loadTemplateFile(join(shippedTemplatesDir(), 'tertialrapport-1.yaml')).template!;
  const item = { id: 'farsta-fritidsgard', name: 'Farsta stadsdelsnämnd: Fritidsgård i Hökarängen' };
  const owned = (context: TemplateContext) =>
    expandTemplate(template, context).sections.find((s) => s.id === 'ansvariga-lup-atgarder');

  it('is asked of a service board or company per measure naming it, and absent where none does', () => {
    expect(owned({ boardKind: 'facknamnd', 'owned-lup-measures': [item] })?.items).toEqual([item]);
    expect(owned({ boardKind: 'bolagsstyrelse', 'owned-lup-measures': [item] })?.items).toEqual([item]);
    expect(owned({ boardKind: 'facknamnd', 'owned-lup-measures': [] })).toBeUndefined();
    expect(owned({ boardKind: 'facknamnd' })).toBeUndefined();
    expect(owned({ boardKind: 'stadsdelsnamnd', 'owned-lup-measures': [item] })).toBeUndefined();
  });

  it('requires the status and the comment per measure, and refuses a measure the board does not own', () => {
    const context: TemplateContext = { boardKind: 'facknamnd', 'owned-lup-measures': [item] };
    const section = (answers: object) =>
      checkAnswers(template, context, { 'ansvariga-lup-atgarder': answers }, { forReady: true }).filter((i) =>
        i.field.startsWith('answers.ansvariga-lup-atgarder'),
      );
    expect(section({}).map((i) => [i.field, i.code])).toEqual([
      ['answers.ansvariga-lup-atgarder[farsta-fritidsgard].agar-status', 'required'],
      ['answers.ansvariga-lup-atgarder[farsta-fritidsgard].agar-kommentar', 'required'],
    ]);
    expect(
      section({ 'farsta-fritidsgard': { 'agar-status': 'pagar', 'agar-kommentar': 'Lokalen är hittad' } }),
    ).toEqual([]);
    expect(
      section({
        'farsta-fritidsgard': { 'agar-status': 'pagar', 'agar-kommentar': 'Lokalen är hittad' },
        'skarpnack-torget': { 'agar-status': 'klar' },
      }).map((i) => [i.field, i.code]),
    ).toEqual([['answers.ansvariga-lup-atgarder[skarpnack-torget]', 'unknown-item']]);
  });
});
