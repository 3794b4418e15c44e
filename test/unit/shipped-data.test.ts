import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { DATA_DIR, loadRegistry, readDataFile, shippedRegistryPath } from '../../src/client/data-files';
import { loadTemplateFile, templateLookup, shippedTemplatesDir } from '../../src/client/templates';
import { CycleCalendar } from '../../src/domain/cycle-calendar';
import { missingForReady } from '../../src/domain/report-template';
import { organisationsOn, responsibleOn, boardsServingArea, nameOn } from '../../src/domain/organisations';
import { planCycle } from '../../src/domain/planner';
import { liveCalendars } from '../../src/domain/late-start';
import { validateCalendar } from '../../src/domain/validate-calendar';

const registry = loadRegistry(shippedRegistryPath());
const calendars = readdirSync(join(DATA_DIR, 'stockholm')).filter((f) => /^calendar-\d{4}\.yaml$/.test(f));
const templateFiles = readdirSync(shippedTemplatesDir()).filter((f) => f.endsWith('.yaml'));

describe('the shipped Stockholm registry', () => {
  const count = (date: string, kind: string) => organisationsOn(registry, date).filter((o) => o.kind === kind).length;

  it('has 14 district councils in 2015, 13 after 1 July 2020 and 11 after 1 July 2023', () => {
    expect(count('2015-06-01', 'stadsdelsnamnd')).toBe(14);
    expect(count('2020-07-01', 'stadsdelsnamnd')).toBe(13);
    expect(count('2023-06-30', 'stadsdelsnamnd')).toBe(13);
    expect(count('2023-07-01', 'stadsdelsnamnd')).toBe(11);
  });

  it('hands merged boards to their successors', () => {
    expect(responsibleOn(registry, 'alvsjo', '2021-01-01')?.id).toBe('hagersten-alvsjo');
    expect(responsibleOn(registry, 'spanga-tensta', '2023-07-01')?.id).toBe('jarva');
    expect(responsibleOn(registry, 'ostermalm', '2023-06-30')?.id).toBe('ostermalm');
  });

  it('maps the 2015 priority districts to whichever board serves them', () => {
    expect(boardsServingArea(registry, 'rinkeby-kista', '2022-01-01').map((b) => b.id)).toEqual(['rinkeby-kista']);
    expect(boardsServingArea(registry, 'rinkeby-kista', '2024-01-01').map((b) => b.id)).toEqual(['jarva']);
    for (const area of registry.priorityAreas)
      expect(boardsServingArea(registry, area.id, '2026-11-28')).toHaveLength(1);
  });

  it("has Kommunstyrelsen and Stockholms Stadshus AB report, and the city's other companies", () => {
    const calendar = validateCalendar(readDataFile(join(DATA_DIR, 'stockholm', 'calendar-2027.yaml')), registry)
      .calendar as CycleCalendar;
    const phasesOf = (boardId: string) =>
      planCycle(calendar, registry)
        .deliverables.filter((d) => d.boardId === boardId)
        .map((d) => d.phaseId)
        .sort();
    const ordinary = [
      'budgetunderlag',
      'tertialrapport-1',
      'tertialrapport-2',
      'verksamhetsberattelse',
      'verksamhetsplan',
    ];
    expect(phasesOf('kommunstyrelsen')).toEqual(ordinary);
    expect(phasesOf('stockholms-stadshus')).toEqual(ordinary);
    for (const id of ['sga-fastigheter', 'st-erik-forsakring', 'visit-stockholm']) {
      expect(registry.organisations.find((o) => o.id === id)).toMatchObject({
        kind: 'bolagsstyrelse',
        parentId: 'stockholms-stadshus',
      });
      expect(phasesOf(id)).toEqual(ordinary);
    }
    // Stadshus reports for its group after its companies.
    const t1 = planCycle(calendar, registry).deliverables.filter((d) => d.phaseId === 'tertialrapport-1');
    const due = (id: string) => t1.find((d) => d.boardId === id)!.deadline.date;
    expect([due('farsta'), due('sisab'), due('stockholms-stadshus')]).toEqual([
      '2027-05-19',
      '2027-05-24',
      '2027-05-26',
    ]);
  });

  it('names a renamed company as it was named on the day', () => {
    const vatten = registry.organisations.find((o) => o.id === 'stockholm-vatten-och-avfall')!;
    expect(nameOn(vatten, '2016-06-01')).toBe('Stockholm Vatten AB');
    expect(nameOn(vatten, '2026-11-30')).toBe('Stockholm Vatten och Avfall AB');
  });

  it('marks the three housing companies with a greater responsibility in local development', () => {
    expect(registry.organisations.filter((o) => o.greaterLocalResponsibility).map((o) => o.id)).toEqual([
      'svenska-bostader',
      'familjebostader',
      'stockholmshem',
    ]);
  });

  it("names every district's head stadsdelsdirektör, and no other board's", () => {
    const heads = registry.organisations.flatMap((o) =>
      o.contacts
        .filter((c) => c.role === 'stadsdelsdirektor' || c.role === 'forvaltningschef')
        .map((c) => `${o.kind} ${c.role}`),
    );
    expect(new Set(heads)).toEqual(
      new Set(['stadsdelsnamnd stadsdelsdirektor', 'facknamnd forvaltningschef', 'kommunstyrelse forvaltningschef']),
    );
  });

  it('mails nobody real: every address is on the reserved domain stockholm.example', () => {
    const addresses = registry.organisations.flatMap((o) => o.contacts.map((c) => c.email));
    expect(addresses.length).toBeGreaterThan(100);
    expect(addresses.filter((a) => !a.endsWith('@stockholm.example'))).toEqual([]);
  });
});

describe('the shipped calendars', () => {
  it('cover budget years 2026, 2027 and 2028', () => {
    expect(calendars).toEqual(['calendar-2026.yaml', 'calendar-2027.yaml', 'calendar-2028.yaml']);
  });

  it.each(calendars)('%s validates without errors or warnings and plans every board', (file) => {
    const result = validateCalendar(
      readDataFile(join(DATA_DIR, 'stockholm', file)),
      registry,
      templateLookup(shippedTemplatesDir()),
    );
    expect(result.errors).toEqual([]);
    expect(result.warnings).toEqual([]);
    const plan = planCycle(result.calendar!, registry);
    const phases = new Set(plan.deliverables.map((d) => d.phaseId));
    expect([...phases].sort()).toEqual([
      'budgetunderlag',
      'lup-analys',
      'lup-program',
      'lup-uppfoljning',
      'tertialrapport-1',
      'tertialrapport-2',
      'verksamhetsberattelse',
      'verksamhetsplan',
    ]);
    expect(plan.actions.every((a) => a.instant.endsWith('+01:00') || a.instant.endsWith('+02:00'))).toBe(true);
  });

  it.each(calendars)(
    '%s carries the LUP stages for the districts alone, the programme before the budgetunderlag',
    (file) => {
      const calendar = validateCalendar(readDataFile(join(DATA_DIR, 'stockholm', file)), registry)
        .calendar as CycleCalendar;
      const deliverable = (id: string) => {
        const p = calendar.phases.find((q) => q.id === id);
        if (p?.kind !== 'deliverable') throw new Error(`${file}: no deliverable ${id}`);
        return p;
      };
      const lup = calendar.phases.flatMap((p) => (p.kind === 'deliverable' && p.lupStage ? [p] : []));
      expect(lup.map((p) => `${p.id} ${p.lupStage} ${p.template}`)).toEqual([
        'lup-analys analysis lup-analys',
        'lup-program programme lup-program',
        'lup-uppfoljning follow-up lup-uppfoljning',
      ]);
      const plan = planCycle(calendar, registry);
      for (const phase of lup) {
        expect(phase.audience).toEqual({ kinds: ['stadsdelsnamnd'] });
        const boards = plan.deliverables.filter((d) => d.phaseId === phase.id).map((d) => d.boardId);
        expect(boards.length).toBeGreaterThanOrEqual(11);
        expect(boards.filter((b) => registry.organisations.find((o) => o.id === b)?.kind !== 'stadsdelsnamnd')).toEqual(
          [],
        );
      }
      // The analysis before the programme, the programme adopted before the budgetunderlag is due
      // (its larger measures reach it), the follow-up with the annual report.
      const opened = (id: string) => {
        const opens = deliverable(id).opens;
        return 'date' in opens ? opens.date : '';
      };
      expect(deliverable('lup-analys').deadline < opened('lup-program')).toBe(true);
      expect(deliverable('lup-program').deadline < deliverable('budgetunderlag').deadline).toBe(true);
      expect(deliverable('lup-uppfoljning').deadline).toBe(deliverable('verksamhetsberattelse').deadline);
    },
  );

  it('leave LUP work under way on 2026-11-30 in a cycle live that day (what a fresh npm start shows)', () => {
    const parsed = calendars.map(
      (file) => validateCalendar(readDataFile(join(DATA_DIR, 'stockholm', file)), registry).calendar as CycleCalendar,
    );
    const today = '2026-11-30';
    const open = liveCalendars(parsed, today).flatMap((c) =>
      c.phases.flatMap((p) =>
        p.kind === 'deliverable' && p.lupStage && 'date' in p.opens && p.opens.date <= today && today <= p.deadline
          ? [`${c.budgetYear} ${p.id}`]
          : [],
      ),
    );
    expect(open).toEqual(['2028 lup-analys']);
  });

  it.each(calendars)('%s gives Valnämnden and Revisorskollegiet only the phases that apply to them', (file) => {
    const calendar = validateCalendar(readDataFile(join(DATA_DIR, 'stockholm', file)), registry)
      .calendar as CycleCalendar;
    const phasesOf = (boardId: string) =>
      planCycle(calendar, registry)
        .deliverables.filter((d) => d.boardId === boardId)
        .map((d) => d.phaseId)
        .sort();
    expect(phasesOf('valnamnden')).toEqual(['budgetunderlag', 'verksamhetsberattelse', 'verksamhetsplan']);
    expect(phasesOf('revisorskollegiet')).toEqual(['verksamhetsberattelse', 'verksamhetsplan']);
    expect(phasesOf('farsta')).toHaveLength(8);
    expect(phasesOf('kommunstyrelsen')).toHaveLength(5);
  });

  it.each(calendars)('%s asks a sign-off for the annual report (verksamhetsberättelse) only', (file) => {
    const calendar = validateCalendar(readDataFile(join(DATA_DIR, 'stockholm', file)), registry)
      .calendar as CycleCalendar;
    const signedOff = calendar.phases.filter((p) => p.kind === 'deliverable' && p.signOff).map((p) => p.id);
    expect(signedOff).toEqual(['verksamhetsberattelse']);
  });
});

describe('the shipped report templates', () => {
  const parsedCalendars = calendars.map(
    (file) => validateCalendar(readDataFile(join(DATA_DIR, 'stockholm', file)), registry).calendar as CycleCalendar,
  );

  it.each(templateFiles)('%s parses, its id matching its file name', (file) => {
    expect(loadTemplateFile(join(shippedTemplatesDir(), file)).errors).toEqual([]);
  });

  it('are named by every deliverable phase of every shipped calendar', () => {
    const named = parsedCalendars.flatMap((calendar) =>
      calendar.phases.flatMap((p) =>
        p.kind === 'deliverable' ? [`${calendar.budgetYear} ${p.id} ${p.template}`] : [],
      ),
    );
    expect(named.filter((n) => n.endsWith(' undefined'))).toEqual([]);
    const used = new Set(
      parsedCalendars.flatMap((c) => c.phases.map((p) => (p.kind === 'deliverable' ? p.template : ''))),
    );
    expect(templateFiles.filter((f) => !used.has(f.replace(/\.yaml$/, '')))).toEqual([]);
  });

  it('carry the LUP stages: the analysis per goal with a main focus among the goals, the measures, their follow-up', () => {
    expect(generated('lup-analys')).toEqual(['goals']);
    const focus = sections('lup-analys')
      .flatMap((s) => s.questions)
      .find((q) => q.id === 'huvudfokus');
    expect(focus).toMatchObject({ kind: 'choice', optionsFrom: 'goals', required: true });
    // Version 2: the geographic focus areas as a table, an indicator with its baseline per row.
    expect(shipped('lup-analys').version).toBe(2);
    const areas = sections('lup-analys')
      .flatMap((s) => s.questions)
      .find((q) => q.id === 'fokusomraden');
    expect(areas?.kind === 'table' && areas.columns.map((c) => [c.id, c.required])).toEqual([
      ['omrade', true],
      ['behov', false],
      ['indikator', true],
      ['utgangsvarde', true],
      ['ar', false],
    ]);
    const measures = sections('lup-program')
      .flatMap((s) => s.questions)
      .find((q) => q.id === 'atgarder');
    expect(measures?.kind === 'table' && measures.columns.map((c) => c.id)).toEqual(
      expect.arrayContaining(['id', 'titel', 'mal', 'storre', 'agare', 'kostnad', 'indikator', 'malvarde']),
    );
    // The owner is one of the registry's boards (read at adoption), the cost in whole kronor.
    const column = (id: string) => (measures?.kind === 'table' ? measures.columns.find((c) => c.id === id) : undefined);
    expect(column('agare')).toMatchObject({ kind: 'choice', optionsFrom: 'boards' });
    expect(column('kostnad')).toMatchObject({ kind: 'number', integer: true, min: 0, unit: 'kr' });
    expect(generated('lup-uppfoljning')).toEqual(['lup-measures']);
  });

  it('let every shipped calendar list the four sustainability goals of 2015', () => {
    for (const calendar of parsedCalendars) {
      expect(calendar.goals?.map((g) => g.name)).toEqual([
        'Ett Stockholm som håller samman',
        'Ett klimatsmart Stockholm',
        'Ett ekonomiskt hållbart Stockholm',
        'Ett demokratiskt hållbart Stockholm',
      ]);
    }
  });

  const shipped = (id: string) => loadTemplateFile(join(shippedTemplatesDir(), `${id}.yaml`)).template!;
  const sections = (id: string) => shipped(id).sections;

  // What the guidelines demand of the reports, as generated sections.
  const generated = (id: string) => sections(id).flatMap((s) => (s.generate ? [s.generate] : []));
  it('ask for what the guidelines demand: LUP measures in the spring, priority areas in the plan, follow-up of both', () => {
    expect(generated('budgetunderlag')).toContain('larger-lup-measures');
    expect(generated('verksamhetsplan')).toEqual(['goals', 'priority-areas']);
    for (const report of ['tertialrapport-1', 'tertialrapport-2', 'verksamhetsberattelse']) {
      expect(generated(report)).toEqual(expect.arrayContaining(['namndmal', 'priority-areas', 'lup-measures']));
    }
    expect(generated('verksamhetsberattelse')).toContain('goals');
  });

  it('ask service and company boards, per priority area, for nämndmål, aktiviteter or why they have no part', () => {
    const areas = sections('verksamhetsplan').find((s) => s.generate === 'priority-areas')!;
    expect(areas.boardKinds).toEqual(['facknamnd', 'bolagsstyrelse']);
    expect(areas.requireOneOf).toHaveLength(3);
  });

  it('tell Farsta, with nothing answered, everything its tertialrapport 1 still lacks', () => {
    const context = {
      boardKind: 'stadsdelsnamnd' as const,
      namndmal: [{ id: 'trygghet', name: 'Fler känner sig trygga i Farsta' }],
      'priority-areas': [{ id: 'farsta', name: 'Farsta' }],
      'lup-measures': [{ id: 'fritidsgard', name: 'Ny fritidsgård i Hökarängen' }],
    };
    expect(missingForReady(shipped('tertialrapport-1'), context, {}).map((m) => m.field)).toEqual([
      'answers.sammanfattning.sammanfattning',
      'answers.ekonomi.utfall-per-verksamhetsomrade',
      'answers.ekonomi.prognosavvikelse',
      'answers.ekonomi.ekonomisk-analys',
      'answers.maluppfyllelse[trygghet].bedomning',
      'answers.prioriterade-omraden[farsta].omrade-status',
      'answers.lup-atgarder[fritidsgard].atgard-status',
      'answers.risker.risker',
      'answers.risker.avvikelser-internkontroll',
      'answers.bilagor.beslutsdatum',
    ]);
  });

  it('ask districts about their LUP measures, and service boards and companies about the measures they own', () => {
    for (const file of templateFiles) {
      for (const section of sections(file.replace(/\.yaml$/, '')).filter((s) => s.generate?.endsWith('lup-measures'))) {
        const kinds = section.generate === 'owned-lup-measures' ? 'facknamnd,bolagsstyrelse' : 'stadsdelsnamnd';
        expect(`${file} ${section.id} ${section.boardKinds}`).toBe(`${file} ${section.id} ${kinds}`);
      }
    }
    // The owner follows up its measure in every report that follows up the districts'.
    for (const id of ['tertialrapport-1', 'tertialrapport-2', 'verksamhetsberattelse']) {
      expect([id, generated(id).filter((g) => g.endsWith('lup-measures'))]).toEqual([
        id,
        ['lup-measures', 'owned-lup-measures'],
      ]);
      const owned = sections(id).find((s) => s.generate === 'owned-lup-measures')!;
      expect(owned.questions.map((q) => [q.id.replace(/-(kommentar|resultat)$/, '-not'), q.kind, q.required])).toEqual([
        ['agar-status', 'choice', true],
        ['agar-not', 'long-text', true],
      ]);
    }
  });
});
