import { loadRegistry, readDataFile, shippedCalendarPath, shippedRegistryPath } from '../../src/client/data-files';
import { cycleCalendarSchema } from '../../src/domain/cycle-calendar';
import { calendarSpan, lateStartFor, liveCalendars } from '../../src/domain/late-start';

const registry = loadRegistry(shippedRegistryPath());
const calendar = (year: number) => cycleCalendarSchema.parse(readDataFile(shippedCalendarPath(year)));
const all = [2026, 2027, 2028].map(calendar);

describe('starting a cycle late', () => {
  it('finds the cycles under way on a date: the year being prepared and the one followed up', () => {
    // From the districts' LUP analysis in the autumn two years ahead to KF's annual report.
    expect(calendarSpan(calendar(2027))).toEqual({ first: '2025-10-01', last: '2028-04-24' });
    expect(liveCalendars(all, '2026-11-28').map((c) => c.budgetYear)).toEqual([2026, 2027, 2028]);
    expect(liveCalendars(all, '2026-09-30').map((c) => c.budgetYear)).toEqual([2026, 2027]);
    expect(liveCalendars(all, '2027-03-01').map((c) => c.budgetYear)).toEqual([2026, 2027, 2028]);
    expect(liveCalendars(all, '2024-01-01')).toEqual([]);
  });

  it('confirms past milestones and imports past deliverables as approved, nothing else', () => {
    const late = lateStartFor(calendar(2027), registry, '2026-11-28');
    expect(late.confirmedMilestones).toEqual({
      anvisningar: '2026-02-04',
      budgetforslag: '2026-11-11',
      'ks-budget': '2026-11-25',
    });
    const phases = new Set(late.imported.map((i) => i.phaseId));
    expect([...phases]).toEqual(['lup-analys', 'lup-program', 'budgetunderlag']);
    // Every board but Revisorskollegiet delivered the budgetunderlag; the 11 districts their LUP stages.
    const boards = registry.organisations.filter(
      (o) =>
        ['stadsdelsnamnd', 'facknamnd', 'kommunstyrelse', 'bolagsstyrelse', 'koncernmoder'].includes(o.kind) &&
        !o.validTo,
    );
    expect(late.imported.filter((i) => i.phaseId === 'budgetunderlag')).toHaveLength(boards.length - 1);
    expect(late.imported.filter((i) => i.phaseId.startsWith('lup-'))).toHaveLength(22);
    expect(late.imported.find((i) => i.boardId === 'farsta' && i.phaseId === 'budgetunderlag')).toEqual({
      phaseId: 'budgetunderlag',
      boardId: 'farsta',
      stage: 'approved',
      at: '2026-04-30T23:59:00+02:00',
      documentRef: 'Inlämnad före Årshjul',
    });
  });
});
