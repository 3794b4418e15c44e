import { randomUUID } from 'node:crypto';
import { notificationKey } from '../../src/activities';
import { stableMessageId } from '../../src/activities/send-once';
import { appendAuditEvent } from '../../src/db/audit-log';
import { withTransaction } from '../../src/db/database';
import type { DeliverableSnapshot } from '../../src/db/read-model';
import { replaceRegistry } from '../../src/db/registry';
import { ReminderNotification, scheduleReminders } from '../../src/db/scheduled-reminders';
import { applyAction, deliverableSnapshot, initialState } from '../../src/domain/deliverable-state';
import type { Registry } from '../../src/domain/organisations';
import type { PlannedAction } from '../../src/domain/planner';
import { addressesFor } from '../../src/domain/recipients';
import type { DeliverableWorkflowInput } from '../../src/workflows/deliverable-workflow';
import type { PhaseDeliverable } from '../../src/activities';
import type { BenchDatabase } from './context';
import { burstInputs, phaseDeliverables, syntheticCalendar, syntheticRegistry } from './fixtures';

/**
 * A burst seeded in PostgreSQL instead of started as workflows (issue 16's national burst):
 * starting 12,000 deliverable workflows takes about ten minutes on the shared two-core machine,
 * far over the benchmark's budget, and is what the start-rate benchmark measures anyway. What the
 * burst measures starts later: the dispatcher's timer, its activity, the send log and SMTP. So
 * each deliverable's first event ('deliverable-started', stage open, its reminder scheduled for
 * its municipality's dispatcher) is written with the database functions the deliverable
 * workflow's `recordEvent` activity calls (appendAuditEvent, which projects the read-model row,
 * and scheduleReminders), and the real dispatcher workflows then wake at the instant and drain
 * through the real dispatchDueReminders activity into the loopback SMTP sink.
 */

/** One municipality of a seeded burst: its registry, its deliverables, its dispatcher. */
export interface SeededMunicipality {
  municipality: string;
  registry: Registry;
  inputs: DeliverableWorkflowInput[];
  /** As the cycle's workflow ID (`<municipality>/<year>`): the cycle runs its own dispatcher. */
  dispatcherId: string;
}

/** Deliverables per municipality: `total` spread as evenly as possible over `municipalities`. */
export function spread(total: number, municipalities: number): number[] {
  const base = Math.floor(total / municipalities);
  const extra = total - base * municipalities;
  return Array.from({ length: municipalities }, (_, i) => base + (i < extra ? 1 : 0));
}

/** The shape of a seeded burst. */
export interface BurstShape {
  /** Boards per municipality; one dispatcher per municipality. */
  boards: number[];
  /** Deliverable phases per municipality (every board has one deliverable in each). */
  phases: number;
  /** Municipality names: `<prefix>-001`, …; unique per run where runs share a server (dispatcher IDs). */
  prefix?: string;
}

/** A municipality's registry and deliverables, planned once; the due instant is set per run. */
export interface PlannedMunicipality {
  municipality: string;
  registry: Registry;
  deliverables: PhaseDeliverable[];
}

/** Plans each municipality of the shape (the burst benchmark's fixtures, per municipality). */
export async function planBurst(shape: BurstShape): Promise<PlannedMunicipality[]> {
  const out: PlannedMunicipality[] = [];
  for (const [i, count] of shape.boards.entries()) {
    const municipality = `${shape.prefix ?? 'kommun'}-${String(i + 1).padStart(3, '0')}`;
    const registry = syntheticRegistry(count, municipality);
    const calendar = syntheticCalendar(shape.phases, Date.now(), { municipality });
    out.push({ municipality, registry, deliverables: await phaseDeliverables(calendar, registry) });
  }
  return out;
}

/** The planned municipalities with every deliverable's one reminder due at `dueAt`. */
export function dueAtInstant(planned: PlannedMunicipality[], dueAt: number, budgetYear: number): SeededMunicipality[] {
  return planned.map((m) => ({
    municipality: m.municipality,
    registry: m.registry,
    inputs: burstInputs(m.deliverables, dueAt, budgetYear, m.municipality),
    dispatcherId: `${m.municipality}/${budgetYear}`,
  }));
}

export const workflowIdOf = (input: DeliverableWorkflowInput): string =>
  `${input.municipality}/${input.budgetYear}/${input.plan.phaseId}/${input.plan.boardId}`;

/** How long after its instant an action is stale at start (deliverable-workflow.ts: STALE_AFTER_MS and the opening's). */
const STALE_AFTER_MS = 60 * 60 * 1000;
const OPENING_STALE_AFTER_MS = 24 * 60 * 60 * 1000;
/** How long the last step stays valid (deliverable-workflow.ts: LAST_STEP_VALID_MS). */
const LAST_STEP_VALID_MS = 7 * 24 * 60 * 60 * 1000;

/**
 * The first event a deliverable workflow records when it starts at `now` with a dispatcher, as
 * deliverable-workflow.ts builds it: the plan adopted (past actions stale; an opening more than
 * a day back applied without mail), the snapshot for the read model, and the plan's reminders
 * as the dispatcher sends them (`remindersForDispatch`).
 */
export function startedEvent(input: DeliverableWorkflowInput, dispatcherId: string, now: number) {
  const { plan } = input;
  const board = input.spec.board;
  let state = initialState();
  const pending: PlannedAction[] = [];
  let stale = 0;
  for (const action of plan.actions) {
    const grace = action.kind === 'opening' ? OPENING_STALE_AFTER_MS : STALE_AFTER_MS;
    if (Date.parse(action.instant) < now - grace) {
      if (action.kind === 'deadline' || action.kind === 'opening')
        state = applyAction(state, action.kind, action.level).state;
      stale++;
    } else pending.push(action);
  }
  if (pending[0]?.kind === 'opening' && Date.parse(pending[0].instant) <= now) {
    state = applyAction(state, 'opening', undefined).state;
  }
  const expiryOf = (instant: string): string => {
    const at = Date.parse(instant);
    const later = plan.actions.map((a) => Date.parse(a.instant)).filter((t) => t > at);
    return new Date(later.length > 0 ? Math.min(...later) : at + LAST_STEP_VALID_MS).toISOString();
  };
  const reminders: ReminderNotification[] = pending
    .filter((a) => a.kind === 'reminder')
    .map((a) => ({
      actionId: a.id,
      plannedAt: a.instant,
      ...(a.level !== undefined && { level: a.level }),
      expiresAt: expiryOf(a.instant),
      municipality: input.municipality,
      budgetYear: input.budgetYear,
      phaseId: plan.phaseId,
      phaseName: input.spec.phase.name,
      board: { id: board.id, name: board.name, ...(board.names && { names: board.names }) },
      deadlineAt: plan.deadlineAt,
      to: addressesFor(a.recipients, board, input.above),
      roles: a.recipients,
    }));
  const snapshot: DeliverableSnapshot = deliverableSnapshot(1, input, plan, board, state);
  const payload = {
    deadline: plan.deadline.date,
    deadlineAt: plan.deadlineAt,
    pending: pending.length,
    skippedStale: stale,
    imported: null,
    remindersDispatchedBy: dispatcherId,
    snapshot,
  };
  return { payload, reminders };
}

/**
 * Writes deliverables' 'deliverable-started' events with their reminders, as their
 * `recordEvent` activity does (the same functions, a synthetic run ID per workflow), several
 * deliverables of one dispatcher to a transaction: one transaction each took 11 ms a deliverable
 * on the loaded machine, over two minutes for 12,000. Returns the earliest instant the
 * dispatcher must be woken for, when a plan asked for it.
 */
export async function seedDeliverables(
  db: BenchDatabase,
  inputs: DeliverableWorkflowInput[],
  dispatcherId: string,
  now: number,
): Promise<string | undefined> {
  return withTransaction(db.pool, async (tx) => {
    let earliest: string | undefined;
    for (const input of inputs) {
      const workflowId = workflowIdOf(input);
      const runId = randomUUID();
      const { payload, reminders } = startedEvent(input, dispatcherId, now);
      await appendAuditEvent(tx, {
        occurredAt: new Date(now),
        workflowId,
        runId,
        seq: 1,
        kind: 'deliverable-started',
        actor: 'system',
        eventKey: `${workflowId}@${runId}#1`,
        payload,
      });
      const { wake } = await scheduleReminders(tx, { workflowId, runId, seq: 1, dispatcherId, reminders });
      if (wake && (!earliest || Date.parse(wake) < Date.parse(earliest))) earliest = wake;
    }
    return earliest;
  });
}

/** Stores a municipality's registry, as the cycle does before it plans its phases. */
export async function seedRegistry(db: BenchDatabase, m: SeededMunicipality): Promise<void> {
  await withTransaction(db.pool, (tx) => replaceRegistry(tx, m.registry));
}

/** The Message-ID each seeded reminder's mail must carry (send-once.ts: stable per idempotency key). */
export function expectedMessageIds(municipalities: SeededMunicipality[], now: number): Set<string> {
  const ids = new Set<string>();
  for (const m of municipalities) {
    for (const input of m.inputs) {
      for (const r of startedEvent(input, m.dispatcherId, now).reminders) {
        ids.add(stableMessageId(notificationKey(workflowIdOf(input), r.actionId, r.plannedAt)));
      }
    }
  }
  return ids;
}
