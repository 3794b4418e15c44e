import { loadRegistry, readDataFile, shippedCalendarPath, shippedRegistryPath } from '../../src/client/data-files';
import { cycleCalendarSchema } from '../../src/domain/cycle-calendar';
import { calendarSpan, lateStartFor, liveCalendars } from '../../src/domain/late-start';

const registry = loadRegistry(shippedRegistryPath());
const calendar = (year: number) => cycleCalendarSchema.parse(readDataFile(shippedCalendarPath(year)));
const all = [2026, 2027, 2028].map(calendar);

describe('starting a cycle late', () => {
  it('finds the cycles under way on a date: the year being prepared and the one followed up', () => {
    expect(calendarSpan(calendar(2027))).toEqual({ first: '2026-02-04', last: '2028-04-24' });
    expect(liveCalendars(all, '2026-11-28').map((c) => c.budgetYear)).toEqual([2026, 2027]);
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
    expect([...phases]).toEqual(['budgetunderlag']);
    expect(late.imported).toHaveLength(41);
    expect(late.imported.find((i) => i.boardId === 'farsta')).toEqual({
      phaseId: 'budgetunderlag',
      boardId: 'farsta',
      stage: 'approved',
      at: '2026-04-30T23:59:00+02:00',
      documentRef: 'Inlämnad före Årshjul',
    });
  });
});
