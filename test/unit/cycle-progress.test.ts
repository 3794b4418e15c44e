import { cycleStatusFromRecord } from '../../src/client/operations/cycle-progress';
import type { CycleProgressEvent } from '../../src/db/cycle-record';
import { cycleCalendarSchema } from '../../src/domain/cycle-calendar';

/** The cycle's status as the pages derive it from the record (issue 12), without servers. */
const calendar = cycleCalendarSchema.parse({
  municipality: 'teststad',
  budgetYear: 2090,
  phases: [
    {
      id: 'tertial',
      kind: 'deliverable',
      name: 'Tertialrapport',
      opens: { date: '2089-05-02' },
      deadline: '2089-05-20',
    },
    {
      id: 'underlag',
      kind: 'deliverable',
      name: 'Budgetunderlag',
      opens: { date: '2089-03-01' },
      deadline: '2089-04-28',
      reviewRequired: true,
    },
    { id: 'kf', kind: 'milestone', name: 'KF beslutar budget', owner: 'KF', date: '2089-11-20' },
    {
      id: 'plan',
      kind: 'deliverable',
      name: 'Verksamhetsplan',
      opens: { afterMilestone: 'kf' },
      deadline: '2090-01-15',
    },
  ],
});

const at = (minute: number) => new Date(Date.UTC(2089, 2, 1, 10, minute));
const event = (minute: number, kind: CycleProgressEvent['kind'], payload: Record<string, unknown>, actor = 'system') =>
  ({ kind, actor, occurred_at: at(minute), payload }) satisfies CycleProgressEvent;
const stageOf = (status: ReturnType<typeof cycleStatusFromRecord>, id: string) =>
  status.phases.find((p) => p.id === id)!;

describe('the cycle status from the record', () => {
  it('opens, closes, moves and confirms as the cycle workflow does', () => {
    const status = cycleStatusFromRecord(
      'teststad/2090',
      calendar,
      [
        event(0, 'cycle-started', { phases: 4, confirmedMilestones: {} }),
        event(1, 'phase-opened', { phaseId: 'tertial', boards: 2 }),
        event(2, 'phase-opened', { phaseId: 'underlag', boards: 2 }),
        event(3, 'deadline-moved', { phaseId: 'underlag', deadline: '2089-05-05', boards: 'all' }, 'slk'),
        // A group's move is the boards' deadline, not the phase's.
        event(4, 'deadline-moved', { phaseId: 'tertial', deadline: '2089-06-01', boards: ['farsta'] }, 'slk'),
      ],
      [
        // Without a review step a submission finishes; with one it waits for SLK.
        { phase_id: 'tertial', stage: 'submitted', count: 2 },
        { phase_id: 'underlag', stage: 'submitted', count: 1 },
        { phase_id: 'underlag', stage: 'approved', count: 1 },
      ],
    );
    expect(stageOf(status, 'tertial')).toMatchObject({ stage: 'closed', deadline: '2089-05-20' });
    expect(stageOf(status, 'underlag')).toMatchObject({ stage: 'open', deadline: '2089-05-05' });
    expect(stageOf(status, 'kf')).toMatchObject({ stage: 'planned', plannedDate: '2089-11-20' });
    expect(stageOf(status, 'plan')).toMatchObject({ stage: 'waiting-for-milestone', plannedDate: '2089-11-20' });
    expect(status).toMatchObject({ openDeliverables: 1, finishedDeliverables: 3 });
    expect(status.cancelled).toBeUndefined();
  });

  it('takes milestones confirmed at a late start and later, and only the latest start of the workflow ID', () => {
    const status = cycleStatusFromRecord(
      'teststad/2090',
      calendar,
      [
        event(0, 'cycle-started', { confirmedMilestones: {} }),
        event(1, 'deadline-moved', { phaseId: 'plan', deadline: '2090-02-01', boards: 'all' }, 'slk'),
        event(2, 'cycle-cancelled', { reason: 'fel kalender', deliverables: 0 }, 'slk'),
        // Started again: what the cancelled run did no longer counts.
        event(3, 'cycle-started', { confirmedMilestones: { kf: '2089-11-21' } }),
      ],
      [],
    );
    expect(stageOf(status, 'kf')).toMatchObject({ stage: 'confirmed', confirmedOn: '2089-11-21' });
    expect(stageOf(status, 'plan')).toMatchObject({ stage: 'waiting', deadline: '2090-01-15' });
    expect(status.cancelled).toBeUndefined();
  });

  it('reports a cancellation with who, why and how many deliverables it stopped', () => {
    const status = cycleStatusFromRecord(
      'teststad/2090',
      calendar,
      [
        event(0, 'cycle-started', { confirmedMilestones: {} }),
        event(5, 'milestone-confirmed', { milestoneId: 'kf', date: '2089-11-22' }, 'slk'),
        event(6, 'cycle-cancelled', { reason: 'fel kalender', deliverables: 4 }, 'slk'),
      ],
      [],
    );
    expect(stageOf(status, 'kf').confirmedOn).toBe('2089-11-22');
    expect(status.cancelled).toEqual({
      by: 'slk',
      reason: 'fel kalender',
      at: at(6).toISOString(),
      stoppedDeliverables: 4,
    });
  });
});
