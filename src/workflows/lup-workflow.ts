import {
  allHandlersFinished,
  condition,
  continueAsNew,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { UpdateDefinition } from '@temporalio/common';
import type { Activities } from '../activities';
import { TransitionRefused } from '../domain/deliverable-state';
import {
  applyConsultation,
  applyDialogue,
  applyDialoguePart,
  applyHandOver,
  applyMeasureStatus,
  applyReceive,
  applyRegistration,
  applyRevision,
  applyStage,
  checkConsultation,
  checkDialogue,
  checkDialoguePart,
  checkHandOver,
  checkMeasureStatus,
  checkReceive,
  checkRegistration,
  checkRevision,
  checkStage,
  currentVersion,
  initialLupState,
  LupSnapshot,
  LupState,
  stageOf,
} from '../domain/lup-state';
import {
  handOverProgrammeUpdate,
  lupStageSubmittedSignal,
  lupViewQuery,
  receiveProgrammeUpdate,
  recordConsultationUpdate,
  recordDialoguePartUpdate,
  registerProgrammeUpdate,
  recordDialogueUpdate,
  reviseProgrammeUpdate,
  setMeasureStatusUpdate,
} from './lup-messages';
import { ACTIVITY_RETRY, createLock, tryCheck } from './workflow-support';
import { MUNICIPALITY_TIME_ZONE } from '../domain/glossary';
import { localDateOf } from '../domain/zoned-time';

const { recordEvent } = proxyActivities<Activities>({ startToCloseTimeout: '1 minute', retry: ACTIVITY_RETRY });

export interface LupWorkflowInput {
  municipality: string;
  boardId: string;
  /** Carried over by continue-as-new: the state and the last event's sequence number. */
  carried?: { state: LupState; seq: number };
  /** History length after which the run continues as new (tests set it low). */
  continueAsNewAfterEvents?: number;
}

/**
 * One district's local development programme across budget years (DESIGN.md, the guidelines):
 * started on first need, it holds the programme in force with its versions and measures, the
 * analyses, consultations, dialogues and follow-ups. The cycles' LUP phases reach it from the
 * deliverables; the district revises it, records dialogues and sets measures' status by update.
 * It never ends on its own: a long history continues as new with the state carried; a merger
 * hands its record to the successor, after which it refuses further changes.
 */
export async function lupWorkflow(input: LupWorkflowInput): Promise<LupState> {
  const { workflowId } = workflowInfo();
  let state = input.carried?.state ?? initialLupState(input.boardId);
  let seq = input.carried?.seq ?? 0;
  // Handlers that await the record run one at a time, in the order they came: each checks and
  // applies against the state the previous one left, so two revisions at once never lose one.
  const exclusive = createLock();

  const snapshot = (at: number): LupSnapshot => ({
    seq: at,
    municipality: input.municipality,
    boardId: state.boardId,
    stage: stageOf(state),
    ...(state.handedOverTo && { handedOverTo: state.handedOverTo }),
    ...(state.programme && { programme: state.programme }),
    replaced: state.replaced.map((p) => p.number),
    dialogues: state.dialogues.length,
    consultations: state.consultations.length,
    followUps: state.followUps,
    mainFocus: Object.fromEntries(
      state.analyses.flatMap((a) => (a.mainFocus ? [[String(a.budgetYear), a.mainFocus]] : [])),
    ),
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

  /**
   * An update of the record: validated on arrival (a refusal leaves no trace in the history),
   * then checked again in turn against the state the earlier handlers left, applied, recorded.
   */
  const handle = <I>(
    check: (s: LupState, raw: unknown) => I,
    apply: (s: LupState, input: I) => LupState,
    event: (input: I) => { kind: string; payload: Record<string, unknown>; by: string },
  ) => ({
    handler: (raw: unknown) =>
      exclusive(async () => {
        const accepted = tryCheck(() => check(state, raw));
        state = apply(state, accepted);
        const e = event(accepted);
        await record(e.kind, e.payload, e.by);
        return state;
      }),
    validator: (raw: unknown) => {
      tryCheck(() => check(state, raw));
    },
  });
  const on = (
    update: UpdateDefinition<LupState, [unknown]>,
    h: { handler: (raw: unknown) => Promise<LupState>; validator: (raw: unknown) => void },
  ) => setHandler(update, h.handler, { validator: h.validator });

  setHandler(lupViewQuery, () => ({
    workflowId,
    municipality: input.municipality,
    boardId: input.boardId,
    stage: stageOf(state),
    state,
  }));
  on(
    recordDialogueUpdate,
    handle(checkDialogue, applyDialogue, (dialogue) => ({
      kind: 'lup-dialogue-recorded',
      payload: { dialogue: { ...dialogue, boardId: state.boardId } },
      by: dialogue.by,
    })),
  );
  on(
    recordConsultationUpdate,
    handle(checkConsultation, applyConsultation, (consultation) => ({
      kind: 'lup-consultation-recorded',
      payload: { consultation: { ...consultation, boardId: state.boardId } },
      by: consultation.by,
    })),
  );
  on(
    recordDialoguePartUpdate,
    // When: the workflow's clock as the part is checked in turn, so parts keep their order.
    handle(
      (s, raw) => checkDialoguePart(s, raw, new Date(Date.now()).toISOString()),
      applyDialoguePart,
      (part) => {
        const dialogue = state.dialogues.find((d) => d.id === part.dialogueId)!;
        const parts = dialogue.parts ?? [];
        return {
          kind: 'lup-dialogue-part-recorded',
          payload: {
            dialogueId: part.dialogueId,
            dialogueBoardId: dialogue.boardId,
            position: parts.length - 1,
            part: parts.at(-1),
          },
          by: part.by,
        };
      },
    ),
  );
  on(
    reviseProgrammeUpdate,
    handle(checkRevision, applyRevision, (revision) => ({
      kind: 'lup-programme-revised',
      payload: { revision, version: currentVersion(state.programme!) },
      by: revision.by,
    })),
  );
  on(
    registerProgrammeUpdate,
    // Registered, not adopted through Årshjul: its own event kind, so the record says so.
    handle(
      (s, raw) => checkRegistration(s, raw, localDateOf(new Date(Date.now()), MUNICIPALITY_TIME_ZONE)),
      applyRegistration,
      (registration) => ({
        kind: 'lup-programme-registered',
        payload: { registration, programme: state.programme!.number, version: 1 },
        by: registration.by,
      }),
    ),
  );
  on(
    setMeasureStatusUpdate,
    handle(checkMeasureStatus, applyMeasureStatus, (change) => ({
      kind: 'lup-measure-status-set',
      payload: { change },
      by: change.by,
    })),
  );
  setHandler(
    handOverProgrammeUpdate,
    (raw) =>
      exclusive(async () => {
        const accepted = tryCheck(() => checkHandOver(state, raw));
        // Asked again for the same successor (a retried merger): the hand-over stands as it was.
        if (!accepted) return state;
        state = applyHandOver(state, accepted);
        await record('lup-handed-over', { to: accepted.to, on: accepted.on }, accepted.by);
        return state;
      }),
    { validator: (raw) => void tryCheck(() => checkHandOver(state, raw)) },
  );
  setHandler(
    receiveProgrammeUpdate,
    ({ predecessor, by }) =>
      exclusive(async () => {
        if (!tryCheck(() => checkReceive(state, predecessor))) return state;
        state = applyReceive(state, predecessor);
        await record('lup-received', { from: predecessor.boardId }, by);
        return state;
      }),
    { validator: ({ predecessor }) => void tryCheck(() => checkReceive(state, predecessor)) },
  );
  setHandler(lupStageSubmittedSignal, (raw) =>
    exclusive(async () => {
      let accepted;
      try {
        accepted = checkStage(state, raw);
      } catch (error) {
        // The deliverable checked the stage against the record before taking it; a refusal here
        // means the two disagreed (a dialogue not yet projected, say): kept in the record, not lost.
        if (!(error instanceof TransitionRefused)) throw error;
        const r = raw as { stage?: unknown; budgetYear?: unknown; by?: unknown } | null;
        await record(
          'lup-stage-refused',
          { stage: r?.stage, budgetYear: r?.budgetYear, field: error.field, problem: error.problem, code: error.code },
          typeof r?.by === 'string' ? r.by : 'system',
        );
        return;
      }
      state = applyStage(state, accepted);
      const kinds = {
        analysis: 'lup-analysis-recorded',
        programme: 'lup-programme-adopted',
        'follow-up': 'lup-follow-up-recorded',
      };
      await record(
        kinds[accepted.stage],
        {
          budgetYear: accepted.budgetYear,
          phaseId: accepted.phaseId,
          content: accepted.content,
          ...(accepted.decisionDate && { decisionDate: accepted.decisionDate }),
          ...(accepted.documentRef && { documentRef: accepted.documentRef }),
        },
        accepted.by,
      );
    }),
  );

  if (!input.carried) await record('lup-started', {}, 'system');
  const limit = input.continueAsNewAfterEvents ?? 10_000;
  await condition(() => workflowInfo().historyLength > limit || workflowInfo().continueAsNewSuggested);
  // Let the messages being handled finish, then carry the state into a fresh run.
  await condition(allHandlersFinished);
  return continueAsNew<typeof lupWorkflow>({ ...input, carried: { state, seq } });
}
