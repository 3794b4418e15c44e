import { FOLLOW_UP_STATUS_SV } from '../../domain/guideline-answers';
import {
  KF_OUTCOME_SV,
  STEP_STATE_SV,
  TRACE_GAP_SV,
  TRACE_STEP_SV,
  TRACE_STEPS,
  TraceGap,
  TraceStepResult,
} from '../../domain/lup-trace';
import type { LupTrace } from '../operations/lup-trace';
import type { Cell, Table } from './answer-table';

/** What a step shows besides its state, in words (the page's cell, flattened for a spreadsheet). */
function detailOf(step: TraceStepResult): Cell {
  if (step.cost !== undefined) return `${step.cost} tkr`;
  if (step.decision)
    return [
      KF_OUTCOME_SV[step.decision.outcome],
      step.decision.reference,
      ...(step.decision.amount !== undefined ? [`${step.decision.amount} kr`] : []),
    ].join(', ');
  if (step.followUpStatus) return FOLLOW_UP_STATUS_SV[step.followUpStatus] ?? step.followUpStatus;
  return null;
}

/**
 * The trace as one sheet, a row per larger measure: for each step its state, what it shows and
 * what is missing, so SLK can filter on "Saknas" across the city.
 */
export function lupTraceTable(trace: LupTrace): Table {
  const columns = [
    'Stadsdelsnämnd',
    'Åtgärd',
    'Ansvarig nämnd',
    'Beräknad kostnad (kr)',
    ...TRACE_STEPS.flatMap((s) => [TRACE_STEP_SV[s], `${TRACE_STEP_SV[s]}: uppgift`, `${TRACE_STEP_SV[s]}: saknas`]),
  ];
  const rows = trace.districts.flatMap((d) =>
    d.measures.map((m): Cell[] => [
      d.boardName,
      m.title,
      m.ownerName,
      m.cost ?? null,
      ...m.steps.flatMap((s): Cell[] => [
        STEP_STATE_SV[s.state],
        detailOf(s),
        s.state === 'klar' || s.gaps.length === 0
          ? null
          : s.gaps.map((g) => TRACE_GAP_SV[g as TraceGap] ?? g).join('; '),
      ]),
    ]),
  );
  return { name: `LUP-spårning ${trace.budgetYear}`, columns, rows };
}
