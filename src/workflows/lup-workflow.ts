import { allHandlersFinished, condition, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { applyDialogue, applyStage, checkDialogue, checkStage, initialLupState, LupState } from '../domain/lup-state';
import { lupViewQuery, recordDialogueUpdate, recordLupStageUpdate } from './lup-messages';
import { ACTIVITY_RETRY, tryCheck } from './workflow-support';

const { recordEvent } = proxyActivities<Activities>({ startToCloseTimeout: '1 minute', retry: ACTIVITY_RETRY });

export interface LupWorkflowInput {
  municipality: string;
  budgetYear: number;
  boardId: string;
}

/** What the read model keeps of a LUP (lup_status), sent with every event. */
export interface LupSnapshot {
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
 * of the cycle, with their reminders and escalations; the operations layer records each stage
 * here once its deliverable is handed in. Ends when the follow-up is recorded.
 */
export async function lupWorkflow(input: LupWorkflowInput): Promise<LupState> {
  const { workflowId } = workflowInfo();
  let state = initialLupState();

  const snapshot = (): LupSnapshot => ({
    municipality: input.municipality,
    budgetYear: input.budgetYear,
    boardId: input.boardId,
    stage: state.stage,
    ...(state.mainFocus && { mainFocus: state.mainFocus }),
    dialogues: state.dialogues.length,
    measures: state.measures.length,
  });
  const record = (kind: string, payload: Record<string, unknown>, actor: string) =>
    recordEvent({
      workflowId,
      kind,
      occurredAt: new Date().toISOString(),
      actor,
      payload: { ...payload, lup: snapshot() },
    });

  setHandler(lupViewQuery, () => ({ workflowId, ...input, state }));
  setHandler(
    recordDialogueUpdate,
    async (raw) => {
      const dialogue = checkDialogue(state, raw);
      state = applyDialogue(state, dialogue);
      await record('lup-dialogue-recorded', { dialogue }, dialogue.by);
      return state;
    },
    { validator: (raw) => void tryCheck(() => checkDialogue(state, raw)) },
  );
  setHandler(
    recordLupStageUpdate,
    async (raw) => {
      const accepted = checkStage(state, raw);
      state = applyStage(state, accepted);
      await record(
        `lup-${accepted.stage}-recorded`,
        { content: accepted.content, decisionDate: accepted.decisionDate },
        accepted.by,
      );
      return state;
    },
    { validator: (raw) => void tryCheck(() => checkStage(state, raw)) },
  );

  await record('lup-started', {}, 'system');
  await condition(() => state.stage === 'klar');
  await condition(allHandlersFinished);
  return state;
}
