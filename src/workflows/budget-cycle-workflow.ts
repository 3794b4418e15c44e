import {
  ApplicationFailure,
  condition,
  getExternalWorkflowHandle,
  ParentClosePolicy,
  proxyActivities,
  setHandler,
  sleep,
  startChild,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities, PhaseDeliverable } from '../activities';
import type { CycleCalendar, DeliverablePhase } from '../domain/cycle-calendar';
import { isLocalDate } from '../domain/local-date';
import type { Registry } from '../domain/organisations';
import {
  confirmMilestoneUpdate,
  ConfirmMilestoneInput,
  cycleStatusQuery,
  CycleStatus,
  moveDeadlineUpdate,
  MoveDeadlineInput,
  PhaseStatus,
} from './budget-cycle-messages';
import { setDeadlineSignal } from './deliverable-messages';
import type { DeliverableWorkflowInputV2 } from './deliverable-v2';
import { deliverableWorkflow } from './deliverable-workflow';

const { recordEvent, cycleSchedule, planPhase } = proxyActivities<Activities>({
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '5 minutes' },
});

export interface ImportedDeliverable {
  phaseId: string;
  boardId: string;
  stage: 'submitted' | 'approved';
  at: string;
  documentRef: string;
}

export interface BudgetCycleInput {
  calendar: CycleCalendar;
  registry: Registry;
  /** Starting late: milestones that already happened, with their dates. */
  confirmedMilestones?: Record<string, string>;
  /** Starting late: deliverables already handed in before Årshjul took over. */
  imported?: ImportedDeliverable[];
}

/** Workflow ID of a cycle: one per municipality and budget year, so a second start is refused. */
export function cycleWorkflowId(municipality: string, budgetYear: number): string {
  return `${municipality}/${budgetYear}`;
}

function refuse(field: string, problem: string): never {
  throw ApplicationFailure.nonRetryable(`${field}: ${problem}`, 'TransitionRefused', { field, problem });
}

/**
 * One budget year of one municipality, about 25 months: opens each deliverable phase on its
 * date (or when SLK confirms the milestone it waits for), starts one deliverableWorkflow per
 * board, forwards moved deadlines, and answers for the whole cycle's status.
 */
export async function budgetCycleWorkflow(input: BudgetCycleInput): Promise<CycleStatus> {
  const { workflowId } = workflowInfo();
  const { calendar, registry } = input;
  const confirmed = new Map<string, string>(Object.entries(input.confirmedMilestones ?? {}));
  const movedDeadlines = new Map<string, string>();
  const opened = new Map<string, { opensOn: string; deliverables: PhaseDeliverable[]; finished: number }>();
  let finished = 0;
  let started = 0;
  // Filled by an activity once the run starts; the status query may come before that.
  const known: { schedule?: { openings: Record<string, string>; milestones: Record<string, string> } } = {};
  const nowIso = (): string => new Date(Date.now()).toISOString();
  const record = (kind: string, payload: Record<string, unknown>, actor = 'system') =>
    recordEvent({ workflowId, kind, occurredAt: nowIso(), actor, payload });

  const deliverablePhases = calendar.phases.filter((p): p is DeliverablePhase => p.kind === 'deliverable');
  const status = (): CycleStatus => ({
    workflowId,
    municipality: calendar.municipality,
    budgetYear: calendar.budgetYear,
    openDeliverables: started - finished,
    finishedDeliverables: finished,
    phases: calendar.phases.map((phase): PhaseStatus => {
      if (phase.kind === 'milestone') {
        const on = confirmed.get(phase.id);
        return {
          id: phase.id,
          name: phase.name,
          kind: 'milestone',
          stage: on ? 'confirmed' : 'planned',
          plannedDate: phase.date,
          ...(on && { confirmedOn: on }),
        };
      }
      const open = opened.get(phase.id);
      const waitsFor = 'afterMilestone' in phase.opens ? phase.opens.afterMilestone : undefined;
      return {
        id: phase.id,
        name: phase.name,
        kind: 'deliverable',
        stage: open
          ? open.finished === open.deliverables.length
            ? 'closed'
            : 'open'
          : waitsFor && !confirmed.has(waitsFor)
            ? 'waiting-for-milestone'
            : 'waiting',
        plannedDate:
          'date' in phase.opens
            ? phase.opens.date
            : ((
                calendar.phases.find((p) => p.id === waitsFor && p.kind === 'milestone') as { date: string } | undefined
              )?.date ?? ''),
        ...(known.schedule?.openings[phase.id] && { opensAt: known.schedule.openings[phase.id] }),
        deadline: movedDeadlines.get(phase.id) ?? phase.deadline,
        ...(open && { boards: open.deliverables.map((d) => d.spec.board.id) }),
      };
    }),
  });
  setHandler(cycleStatusQuery, status);

  setHandler(
    confirmMilestoneUpdate,
    async (update: ConfirmMilestoneInput) => {
      confirmed.set(update.milestoneId, update.date);
      await record('milestone-confirmed', { milestoneId: update.milestoneId, date: update.date }, update.by);
      return status();
    },
    {
      validator: (update: ConfirmMilestoneInput) => {
        if (!calendar.phases.some((p) => p.kind === 'milestone' && p.id === update?.milestoneId)) {
          refuse('milestoneId', `unknown milestone ${String(update?.milestoneId)}`);
        }
        if (typeof update.date !== 'string' || !isLocalDate(update.date)) refuse('date', 'must be a date YYYY-MM-DD');
        if (!update.by) refuse('by', 'must name who confirms');
        if (confirmed.has(update.milestoneId)) {
          refuse('milestoneId', `${update.milestoneId} was already confirmed on ${confirmed.get(update.milestoneId)}`);
        }
      },
    },
  );

  setHandler(
    moveDeadlineUpdate,
    async (update: MoveDeadlineInput) => {
      const phase = deliverablePhases.find((p) => p.id === update.phaseId)!;
      if (!update.boards) movedDeadlines.set(phase.id, update.deadline);
      const open = opened.get(phase.id);
      await record(
        'deadline-moved',
        { phaseId: phase.id, deadline: update.deadline, boards: update.boards ?? 'all', reason: update.reason },
        update.by,
      );
      if (open) {
        // Each board's new written deadline (a staggered group keeps its offset), planned outside.
        const replanned = await planPhase({
          calendar: withDeadline(calendar, phase.id, update.deadline),
          registry,
          phaseId: phase.id,
          opensOn: open.opensOn,
        });
        for (const { spec } of replanned) {
          if (update.boards && !update.boards.includes(spec.board.id)) continue;
          if (!open.deliverables.some((d) => d.spec.board.id === spec.board.id)) continue;
          await getExternalWorkflowHandle(childId(phase.id, spec.board.id)).signal(setDeadlineSignal, {
            deadline: update.boards ? update.deadline : spec.deadline,
            by: update.by,
            reason: update.reason,
          });
        }
      }
      return status();
    },
    {
      validator: (update: MoveDeadlineInput) => {
        const phase = deliverablePhases.find((p) => p.id === update?.phaseId);
        if (!phase) refuse('phaseId', `unknown deliverable phase ${String(update?.phaseId)}`);
        if (typeof update.deadline !== 'string' || !isLocalDate(update.deadline))
          refuse('deadline', 'must be a date YYYY-MM-DD');
        if (update.deadline <= nowIso().slice(0, 10)) refuse('deadline', 'must be in the future');
        if (!update.by) refuse('by', 'must name who moves the deadline');
        if (!update.reason) refuse('reason', 'must say why');
        if (update.boards) {
          const open = opened.get(phase.id);
          if (!open) refuse('boards', 'a group’s deadline can be moved once the phase has opened');
          update.boards.forEach((id, i) => {
            if (!open.deliverables.some((d) => d.spec.board.id === id))
              refuse(`boards.${i}`, `${id} has no deliverable in ${phase.id}`);
          });
        }
      },
    },
  );

  const childId = (phaseId: string, boardId: string): string => `${workflowId}/${phaseId}/${boardId}`;
  const children: Promise<unknown>[] = [];

  known.schedule = await cycleSchedule({ calendar });
  const schedule = known.schedule;
  await record('cycle-started', { phases: calendar.phases.length, confirmedMilestones: Object.fromEntries(confirmed) });

  const openPhase = async (phase: DeliverablePhase): Promise<void> => {
    let opensOn: string;
    if ('afterMilestone' in phase.opens) {
      const milestoneId = phase.opens.afterMilestone;
      await condition(() => confirmed.has(milestoneId));
      opensOn = confirmed.get(milestoneId)!;
    } else {
      const wait = Date.parse(schedule.openings[phase.id]!) - Date.now();
      if (wait > 0) await sleep(wait);
      opensOn = phase.opens.date;
    }
    const moved = movedDeadlines.get(phase.id);
    const deliverables = await planPhase({
      calendar: moved ? withDeadline(calendar, phase.id, moved) : calendar,
      registry,
      phaseId: phase.id,
      opensOn,
    });
    const entry = { opensOn, deliverables, finished: 0 };
    opened.set(phase.id, entry);
    await record('phase-opened', { phaseId: phase.id, opensOn, boards: deliverables.length });
    for (const deliverable of deliverables) {
      const imported = input.imported?.find((i) => i.phaseId === phase.id && i.boardId === deliverable.spec.board.id);
      const childInput: DeliverableWorkflowInputV2 = {
        version: 2,
        municipality: calendar.municipality,
        budgetYear: calendar.budgetYear,
        ...deliverable,
        ...(imported && { imported: { stage: imported.stage, at: imported.at, documentRef: imported.documentRef } }),
      };
      const handle = await startChild(deliverableWorkflow, {
        workflowId: childId(phase.id, deliverable.spec.board.id),
        args: [childInput],
        // Children outlive a parent run that continues as new or is reset.
        parentClosePolicy: ParentClosePolicy.ABANDON,
      });
      started++;
      children.push(
        handle.result().finally(() => {
          finished++;
          entry.finished++;
        }),
      );
    }
  };

  await Promise.all(deliverablePhases.map(openPhase));
  await Promise.allSettled(children);
  await record('cycle-finished', { deliverables: started });
  return status();
}

function withDeadline(calendar: CycleCalendar, phaseId: string, deadline: string): CycleCalendar {
  return {
    ...calendar,
    phases: calendar.phases.map((p) => (p.id === phaseId && p.kind === 'deliverable' ? { ...p, deadline } : p)),
  };
}
