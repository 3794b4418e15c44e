import { loadRegistry, shippedRegistryPath } from '../../src/client/data-files';
import { DeliverablePhase, cycleCalendarSchema } from '../../src/domain/cycle-calendar';
import { findOrganisation, Registry } from '../../src/domain/organisations';
import { laddersFor } from '../../src/domain/planner';
import { addressesFor, escalationAddresses } from '../../src/domain/recipients';
import { validateCalendar } from '../../src/domain/validate-calendar';

/**
 * Issue 14: a phase names who takes its ladder's last escalation step, the committee (as by
 * default) or SLK's controller; the calendar's validation names the field when it is wrong, and
 * the step's addresses are SLK's controller's at send time.
 */
const shipped = loadRegistry(shippedRegistryPath());
// SLK's controller, as the registry may name one (the shipped registry names none yet).
const registry: Registry = {
  ...shipped,
  organisations: shipped.organisations.map((o) =>
    o.kind === 'slk'
      ? { ...o, contacts: [...o.contacts, { role: 'controller', email: 'controller.slk@stockholm.example' }] }
      : o,
  ),
};
const ON = '2028-05-02';
const farsta = findOrganisation(registry, 'farsta')!;

const calendar = (phase: Record<string, unknown>) => ({
  municipality: 'stockholm',
  budgetYear: 2028,
  phases: [
    {
      id: 'tertialrapport-1',
      kind: 'deliverable',
      name: 'Tertialrapport 1',
      audience: { boards: ['farsta'] },
      opens: { date: '2028-04-03' },
      deadline: '2028-05-16',
      ...phase,
    },
  ],
});
const phaseOf = (extra: Record<string, unknown>) =>
  cycleCalendarSchema.parse(calendar(extra)).phases[0] as DeliverablePhase;

describe('the last escalation step per phase', () => {
  it('goes to the committee by default, as before', () => {
    const { escalations } = laddersFor(registry, phaseOf({}), farsta, ON);
    const last = escalations.at(-1)!;
    expect(last.to).toContain('utskott');
    expect(escalations.flatMap((r) => r.to)).not.toContain('slk-controller');
  });

  it('goes to SLK’s controller instead of the committee where the phase says so; earlier steps unchanged', () => {
    const byDefault = laddersFor(registry, phaseOf({}), farsta, ON).escalations;
    const { escalations } = laddersFor(registry, phaseOf({ lastEscalationTo: 'slk-controller' }), farsta, ON);
    expect(escalations.slice(0, -1)).toEqual(byDefault.slice(0, -1));
    expect(escalations.at(-1)).toEqual({ ...byDefault.at(-1), to: ['slk-controller'] });
    // Named explicitly as the committee: as by default.
    expect(laddersFor(registry, phaseOf({ lastEscalationTo: 'utskott' }), farsta, ON).escalations).toEqual(byDefault);
  });

  it('resolves to SLK’s controller’s address at send time', () => {
    const above = escalationAddresses(registry, farsta, ON);
    expect(addressesFor(['slk-controller'], farsta, above)).toEqual(['controller.slk@stockholm.example']);
    // Without a controller in the registry, nobody: the send is then recorded as failed, named.
    expect(addressesFor(['slk-controller'], farsta, escalationAddresses(shipped, farsta, ON))).toEqual([]);
  });

  it('is refused with the field’s path when the calendar names someone else', () => {
    const result = validateCalendar(calendar({ lastEscalationTo: 'kommunfullmaktige' }), registry);
    expect(result.calendar).toBeUndefined();
    expect(result.errors).toEqual([
      { path: 'phases[0].lastEscalationTo', message: expect.stringContaining('utskott') },
    ]);
  });
});
