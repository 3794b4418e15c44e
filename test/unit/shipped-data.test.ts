import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { DATA_DIR, loadRegistry, readDataFile, shippedRegistryPath } from '../../src/client/data-files';
import { organisationsOn, responsibleOn, boardsServingArea } from '../../src/domain/organisations';
import { planCycle } from '../../src/domain/planner';
import { validateCalendar } from '../../src/domain/validate-calendar';

const registry = loadRegistry(shippedRegistryPath());
const calendars = readdirSync(join(DATA_DIR, 'stockholm')).filter((f) => /^calendar-\d{4}\.yaml$/.test(f));

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
    const result = validateCalendar(readDataFile(join(DATA_DIR, 'stockholm', file)), registry);
    expect(result.errors).toEqual([]);
    expect(result.warnings).toEqual([]);
    const plan = planCycle(result.calendar!, registry);
    const phases = new Set(plan.deliverables.map((d) => d.phaseId));
    expect([...phases].sort()).toEqual([
      'budgetunderlag',
      'tertialrapport-1',
      'tertialrapport-2',
      'verksamhetsberattelse',
      'verksamhetsplan',
    ]);
    expect(plan.actions.every((a) => a.instant.endsWith('+01:00') || a.instant.endsWith('+02:00'))).toBe(true);
  });
});
