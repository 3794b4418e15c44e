import { join } from 'node:path';
import { loadRegistry, readDataFile, shippedRegistryPath } from '../../src/client/data-files';
import { parseReportTemplate } from '../../src/domain/report-template';
import { TemplateLookup, validateCalendar } from '../../src/domain/validate-calendar';

const registry = loadRegistry(shippedRegistryPath());
const broken = readDataFile(join(__dirname, '..', 'fixtures', 'broken-calendar.yaml'));

describe('validateCalendar', () => {
  it('reports structural problems with their paths', () => {
    const result = validateCalendar(broken, registry);
    expect(result.calendar).toBeUndefined();
    expect(result.errors).toEqual([
      { path: 'phases[3].deadline', message: 'must be a date YYYY-MM-DD' },
      { path: 'phases[3].deadlineTime', message: 'must be a time HH:MM' },
    ]);
  });

  it('reports every problem against the registry and the law once the structure holds', () => {
    const input = structuredClone(broken) as { phases: Record<string, unknown>[] };
    input.phases[3] = { ...input.phases[3], deadline: '2028-09-29', deadlineTime: '15:00' };
    const result = validateCalendar(input, registry);
    // Tertialrapport 1 is given a Saturday, 2028-05-20: it opens, and is checked, on Monday the 22nd.
    expect(result.errors).toEqual([
      { path: 'phases[1].opens.afterMilestone', message: 'unknown milestone kf-budgett' },
      {
        path: 'phases[2].deadline',
        message: '2028-05-17 is not after the opening date 2028-05-22 (moved from 2028-05-20, lördag)',
      },
      { path: 'phases[2].audience.boards[1]', message: 'board alvsjo does not exist on 2028-05-22' },
      { path: 'phases[2].audience.boards[2]', message: 'unknown board nosuchboard' },
      { path: 'phases[2].reminders[1]', message: 'out of order: list reminders from the earliest to the latest' },
    ]);
    expect(result.warnings).toEqual([
      { path: 'phases[2].opens.date', message: '2028-05-20 is lördag: the opening moves to 2028-05-22' },
      {
        path: 'phases[4].deadline',
        message: '2028-06-23 is midsommarafton: the deadline moves to 2028-06-26 (Lag 1930:173, 2 §)',
      },
    ]);
  });
});

describe('openings on days nobody works', () => {
  // KF's budget is planned for a Sunday here; the phases open on days off of every kind.
  const calendar = (phases: Record<string, unknown>[], options: Record<string, unknown> = {}) => ({
    municipality: 'stockholm',
    budgetYear: 2028,
    ...options,
    phases: [
      { id: 'kf-budget', kind: 'milestone', name: 'KF budget', owner: 'KF', date: '2027-11-21' },
      ...phases.map((p, i) => ({
        id: `fas-${i + 1}`,
        kind: 'deliverable',
        name: `Fas ${i + 1}`,
        audience: { boards: ['farsta'] },
        ...p,
      })),
    ],
  });
  const midsommardagen = { opens: { date: '2028-06-24' }, deadline: '2028-08-31' };
  const julafton = { opens: { date: '2027-12-24' }, deadline: '2028-01-31' };
  const afterKf = { opens: { afterMilestone: 'kf-budget' }, deadline: '2028-01-31' };
  const weekday = { opens: { date: '2028-04-03' }, deadline: '2028-05-19' };

  it('warns of each opening moved to the next business day, naming the day and why', () => {
    const result = validateCalendar(calendar([midsommardagen, julafton, afterKf, weekday]), registry);
    expect(result.errors).toEqual([]);
    expect(result.warnings).toEqual([
      { path: 'phases[1].opens.date', message: '2028-06-24 is midsommardagen: the opening moves to 2028-06-26' },
      { path: 'phases[2].opens.date', message: '2027-12-24 is julafton: the opening moves to 2027-12-27' },
      {
        path: 'phases[3].opens.afterMilestone',
        message: 'the planned date of kf-budget, 2027-11-21, is söndag: the opening moves to 2027-11-22',
      },
    ]);
  });

  it('keeps an opening on its day without a word when the phase or the calendar says stay', () => {
    const phaseSaysStay = validateCalendar(
      calendar([{ ...julafton, openingOnNonBusinessDay: 'stay' }, midsommardagen]),
      registry,
    );
    expect(phaseSaysStay.errors).toEqual([]);
    expect(phaseSaysStay.warnings.map((w) => w.path)).toEqual(['phases[2].opens.date']);

    // The calendar's default applies to every phase that does not say otherwise.
    const calendarSaysStay = validateCalendar(
      calendar([julafton, afterKf, { ...midsommardagen, openingOnNonBusinessDay: 'move' }], {
        openingOnNonBusinessDay: 'stay',
      }),
      registry,
    );
    expect(calendarSaysStay.errors).toEqual([]);
    expect(calendarSaysStay.warnings).toEqual([
      { path: 'phases[3].opens.date', message: '2028-06-24 is midsommardagen: the opening moves to 2028-06-26' },
    ]);
  });

  it('checks the deadline against the day the phase really opens', () => {
    // Given Saturday 1 April, the phase opens on Monday 3 April: a deadline that day leaves no time.
    const result = validateCalendar(calendar([{ opens: { date: '2028-04-01' }, deadline: '2028-04-03' }]), registry);
    expect(result.errors).toEqual([
      {
        path: 'phases[1].deadline',
        message: '2028-04-03 is not after the opening date 2028-04-03 (moved from 2028-04-01, lördag)',
      },
    ]);
    const stays = validateCalendar(
      calendar([{ opens: { date: '2028-04-01' }, deadline: '2028-04-03', openingOnNonBusinessDay: 'stay' }]),
      registry,
    );
    expect(stays.errors).toEqual([]);
  });

  it('refuses any other value of openingOnNonBusinessDay, naming the field', () => {
    const message = 'must be move (to the next business day) or stay (on the given day)';
    expect(validateCalendar(calendar([{ ...julafton, openingOnNonBusinessDay: 'next' }]), registry).errors).toEqual([
      { path: 'phases[1].openingOnNonBusinessDay', message },
    ]);
    expect(validateCalendar(calendar([julafton], { openingOnNonBusinessDay: true }), registry).errors).toEqual([
      { path: 'openingOnNonBusinessDay', message },
    ]);
  });
});

describe('report templates and goals named by a calendar', () => {
  const goalTemplate = parseReportTemplate({
    id: 'verksamhetsberattelse',
    version: 1,
    title: 'Verksamhetsberättelse',
    sections: [
      {
        id: 'kf-mal',
        title: 'Bidrag till kommunfullmäktiges mål',
        generate: 'goals',
        questions: [{ id: 'bidrag', kind: 'long-text', label: 'Nämndens bidrag', maxLength: 4000 }],
      },
    ],
  });
  // The lookup stands in for the template files: the client reads them, the domain only asks.
  const templates: TemplateLookup = (id) =>
    id === 'verksamhetsberattelse'
      ? goalTemplate
      : id === 'trasig'
        ? { errors: [{ path: 'sections[0].questions[0].kind', message: 'unknown question kind "matrix"' }] }
        : { errors: [{ path: '(file)', message: `templates/${id}.yaml: cannot read (ENOENT)` }] };
  const calendar = (template: string, goals?: { id: string; name: string }[]) => ({
    municipality: 'stockholm',
    budgetYear: 2028,
    ...(goals && { goals }),
    phases: [
      {
        id: 'verksamhetsberattelse',
        kind: 'deliverable',
        name: 'Verksamhetsberättelse 2028',
        audience: { boards: ['farsta'] },
        opens: { date: '2029-01-08' },
        deadline: '2029-02-16',
        template,
      },
    ],
  });
  const goals = [
    { id: 'sammanhallen', name: 'Ett Stockholm som håller samman' },
    { id: 'klimatsmart', name: 'Ett klimatsmart Stockholm' },
  ];

  it('accepts a template that exists and parses, with the goals it repeats over', () => {
    const result = validateCalendar(calendar('verksamhetsberattelse', goals), registry, templates);
    expect(result.errors).toEqual([]);
    expect(result.calendar?.goals).toEqual(goals);
  });

  it('names a missing template and each problem of a broken one at the phase', () => {
    expect(validateCalendar(calendar('saknas', goals), registry, templates).errors).toEqual([
      { path: 'phases[0].template', message: 'template saknas: templates/saknas.yaml: cannot read (ENOENT)' },
    ]);
    expect(validateCalendar(calendar('trasig', goals), registry, templates).errors).toEqual([
      {
        path: 'phases[0].template',
        message: 'template trasig: sections[0].questions[0].kind: unknown question kind "matrix"',
      },
    ]);
  });

  it('refuses a template with a section per goal in a calendar that lists no goals', () => {
    expect(validateCalendar(calendar('verksamhetsberattelse'), registry, templates).errors).toEqual([
      {
        path: 'phases[0].template',
        message: 'template verksamhetsberattelse has a section per goal (kf-mal), but the calendar lists no goals',
      },
    ]);
  });

  it('takes a sign-off (signOff) only on a phase with a template', () => {
    const withSignOff = calendar('verksamhetsberattelse', goals);
    withSignOff.phases[0] = { ...withSignOff.phases[0]!, signOff: true } as (typeof withSignOff.phases)[0];
    const accepted = validateCalendar(withSignOff, registry, templates);
    expect(accepted.errors).toEqual([]);
    expect(accepted.calendar?.phases[0]).toMatchObject({ signOff: true });
    const untemplated: Record<string, unknown> = { ...withSignOff.phases[0]! };
    delete untemplated.template;
    expect(validateCalendar({ ...withSignOff, phases: [untemplated] }, registry, templates).errors).toEqual([
      {
        path: 'phases[0].signOff',
        message: 'a phase that needs a sign-off needs a report template (the report is signed off after klarmarkera)',
      },
    ]);
    // Absent: no sign-off, and the phase keeps its shape (no default written in).
    expect(
      validateCalendar(calendar('verksamhetsberattelse', goals), registry, templates).calendar?.phases[0],
    ).not.toHaveProperty('signOff');
  });

  it('refuses a goal listed twice', () => {
    const twice = [...goals, { id: 'klimatsmart', name: 'Klimatsmart igen' }];
    expect(validateCalendar(calendar('verksamhetsberattelse', twice), registry, templates).errors).toEqual([
      { path: 'goals[2].id', message: 'duplicate goal id klimatsmart' },
    ]);
  });
});
