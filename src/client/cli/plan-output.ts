import { CyclePlan, PlannedAction } from '../../domain/planner';
import { Problem } from '../../domain/validate-calendar';

/**
 * The dry run's JSON document. Other tools read it: keep it stable, and change `format` when a
 * field changes meaning. Documented in the README ("Plan output").
 */
export interface PlanDocument {
  format: 'arshjul-plan/1';
  municipality: string;
  budgetYear: number;
  timeZone: string;
  warnings: Problem[];
  actions: Array<{
    instant: string;
    localDate: string;
    phase: string;
    board: string | null;
    kind: PlannedAction['kind'];
    level: number | null;
    recipients: string[];
    afterMilestone: string | null;
  }>;
}

export function planDocument(plan: CyclePlan, warnings: Problem[]): PlanDocument {
  return {
    format: 'arshjul-plan/1',
    municipality: plan.municipality,
    budgetYear: plan.budgetYear,
    timeZone: plan.timeZone,
    warnings,
    actions: plan.actions.map((a) => ({
      instant: a.instant,
      localDate: a.localDate,
      phase: a.phaseId,
      board: a.boardId ?? null,
      kind: a.kind,
      level: a.level ?? null,
      recipients: a.recipients,
      afterMilestone: a.afterMilestone ?? null,
    })),
  };
}

const KIND_SV: Record<PlannedAction['kind'], string> = {
  milestone: 'milstolpe',
  opening: 'öppnar',
  reminder: 'påminnelse',
  deadline: 'sista dag',
  escalation: 'eskalering',
};

/** A fixed-width table for people, one action per line. */
export function planTable(plan: CyclePlan): string {
  const rows = plan.actions.map((a) => [
    a.instant,
    a.phaseId,
    a.boardId ?? '—',
    `${KIND_SV[a.kind]}${a.level ? ` ${a.level}` : ''}`,
    a.recipients.join(', ') || '—',
  ]);
  const header = ['tidpunkt', 'fas', 'nämnd', 'åtgärd', 'mottagare'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}
