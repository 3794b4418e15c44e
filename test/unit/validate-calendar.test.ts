import { join } from 'node:path';
import { loadRegistry, readDataFile, shippedRegistryPath } from '../../src/client/data-files';
import { validateCalendar } from '../../src/domain/validate-calendar';

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
    expect(result.errors).toEqual([
      { path: 'phases[1].opens.afterMilestone', message: 'unknown milestone kf-budgett' },
      { path: 'phases[2].deadline', message: '2028-05-17 is not after the opening date 2028-05-20' },
      { path: 'phases[2].audience.boards[1]', message: 'board alvsjo does not exist on 2028-05-20' },
      { path: 'phases[2].audience.boards[2]', message: 'unknown board nosuchboard' },
      { path: 'phases[2].reminders[1]', message: 'out of order: list reminders from the earliest to the latest' },
    ]);
    expect(result.warnings).toEqual([
      {
        path: 'phases[4].deadline',
        message: '2028-06-23 is midsommarafton: the deadline moves to 2028-06-26 (Lag 1930:173, 2 §)',
      },
    ]);
  });
});
