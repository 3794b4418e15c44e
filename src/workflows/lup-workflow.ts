import { allHandlersFinished, condition, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { TransitionRefused } from '../domain/deliverable-state';
import { applyDialogue, applyStage, checkDialogue, checkStage, initialLupState, LupState } from '../domain/lup-state';
import { cancelLupSignal, lupStageSubmittedSignal, lupViewQuery, recordDialogueUpdate } from './lup-messages';
import { ACTIVITY_RETRY, refuseWith, tryCheck } from './workflow-support';

const { recordEvent } = proxyActivities<Activities>({ startToCloseTimeout: '1 minute', retry: ACTIVITY_RETRY });

export interface LupWorkflowInput {
  municipality: string;
  budgetYear: number;
  boardId: string;
}

/** What the read model keeps of a LUP (lup_status), sent with every event. */
export interface LupSnapshot {
  /** The sequence number of the event it came with: the read model never goes back to an older one. */
  seq: number;
  municipality: string;
  budgetYear: number;
  boardId: string;
  stage: LupState['stage'];
  mainFocus?: string;
  dialogues: number;
  measures: number;
}

/**
 * One district's local development programme in one cycle: it holds the citizen dialogues and
 * the LUP's stage. The deadlines of its stages (analysis, programme, follow-up) are deliverables
 * of the cycle, with their reminders and escalations; each stage's deliverable tells this
 * workflow when the board hands it in. Ends when the follow-up is recorded.
 */
export async function lupWorkflow(input: LupWorkflowInput): Promise<LupState> {
  const { workflowId } = workflowInfo();
  let state = initialLupState();
  /** The sequence number of the last event recorded: every event has its own, in order. */
  let seq = 0;
  /** The cycle was cancelled: the LUP ends where it stands. */
  let cancelled = false;

  const snapshot = (at: number): LupSnapshot => ({
    seq: at,
    municipality: input.municipality,
    budgetYear: input.budgetYear,
    boardId: input.boardId,
    stage: state.stage,
    ...(state.mainFocus && { mainFocus: state.mainFocus }),
    dialogues: state.dialogues.length,
    measures: state.measures.length,
  });
  const record = (kind: string, payload: Record<string, unknown>, actor: string) => {
    const at = ++seq;
    return recordEvent({
      workflowId,
      seq: at,
      kind,
      occurredAt: new Date(Date.now()).toISOString(),
      actor,
      payload: { ...payload, lup: snapshot(at) },
    });
  };

  setHandler(lupViewQuery, () => ({ workflowId, ...input, state }));
  setHandler(
    recordDialogueUpdate,
    async (raw) => {
      const dialogue = checkDialogue(state, raw);
      state = applyDialogue(state, dialogue);
      await record('lup-dialogue-recorded', { dialogue }, dialogue.by);
      return state;
    },
    {
      validator: (raw) => {
        if (cancelled) refuseWith('stage', 'the cycle was cancelled', 'cycle-cancelled');
        tryCheck(() => checkDialogue(state, raw));
      },
    },
  );
  setHandler(lupStageSubmittedSignal, async (raw) => {
    let accepted;
    try {
      accepted = checkStage(state, raw);
    } catch (error) {
      // The deliverable checked the stage against the record before taking it; a refusal here
      // means the two disagreed (a dialogue not yet projected, say): kept in the record, not lost.
      if (!(error instanceof TransitionRefused)) throw error;
      await record('lup-stage-refused', { stage: raw.stage, field: error.field, problem: error.problem }, raw.by);
      return;
    }
    state = applyStage(state, accepted);
    await record(
      `lup-${accepted.stage}-recorded`,
      { content: accepted.content, decisionDate: accepted.decisionDate },
      accepted.by,
    );
  });

  setHandler(cancelLupSignal, async (raw) => {
    if (cancelled || state.stage === 'klar') return;
    cancelled = true;
    await record('lup-cancelled', { reason: raw.reason }, raw.by);
  });

  await record('lup-started', {}, 'system');
  await condition(() => state.stage === 'klar' || cancelled);
  await condition(allHandlersFinished);
  return state;
}
