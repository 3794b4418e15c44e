import { z } from 'zod';
import { parseOrRefuse, TransitionRefused } from './deliverable-state';
import { localDateSchema } from './refusals';
import { LupMeasure, mainFocusOfAnalysis, measuresOfProgramme, programmeProblems } from './guideline-answers';

/**
 * A district's local development programme (LUP) through the year, as pure transitions: the
 * analysis of the year's KF goals, citizen dialogues, the programme the board adopts, its follow-up.
 * The LUP workflow holds the state; these functions decide, so a refused message changes nothing.
 */

export type LupStage = 'analys' | 'program' | 'uppfoljning' | 'klar';
export const LUP_STAGE_SV: Record<LupStage, string> = {
  analys: 'Lokal analys pågår',
  program: 'Analys klar — programmet tas fram',
  uppfoljning: 'Programmet antaget — följs upp',
  klar: 'Uppföljt',
};

const text = (max: number) =>
  z
    .string()
    .trim()
    .min(1, { message: 'must not be empty' })
    .max(max, { message: `must be at most ${max} characters` });
const nonEmptyList = (max: number) =>
  z.array(text(max)).min(1, { message: 'must name at least one' }).max(50, { message: 'must name at most 50' });

/** A citizen dialogue (medborgardialog): its question and the room for influence must be stated. */
export const citizenDialogueSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, { message: 'must be lower-case letters, digits and dashes' }),
    question: text(1000),
    forms: nonEmptyList(200),
    roomForInfluence: text(2000),
    invitedParties: nonEmptyList(300),
    heldOn: localDateSchema,
    by: text(200),
  })
  .strict();
export type CitizenDialogue = z.infer<typeof citizenDialogueSchema>;

export const lupStageInputSchema = z
  .object({
    stage: z.enum(['analysis', 'programme', 'follow-up'], { message: 'must be analysis, programme or follow-up' }),
    /** The stage's report answers, checked against its template before they reach the LUP. */
    content: z.record(z.string(), z.unknown()),
    /** The board's decision date, for the programme (antagandedatum). */
    decisionDate: localDateSchema.optional(),
    by: text(200),
  })
  .strict();
export type LupStageInput = z.infer<typeof lupStageInputSchema>;

export interface LupState {
  stage: LupStage;
  /** The KF goal (an ID of the cycle's `goals`) the analysis names as the main focus. */
  mainFocus?: string;
  dialogues: CitizenDialogue[];
  measures: LupMeasure[];
  adoptedOn?: string;
  followUps: number;
}

export const initialLupState = (): LupState => ({ stage: 'analys', dialogues: [], measures: [], followUps: 0 });

const parse = parseOrRefuse;

export function checkDialogue(state: LupState, raw: unknown): CitizenDialogue {
  const dialogue = parse(citizenDialogueSchema, raw);
  if (state.dialogues.some((d) => d.id === dialogue.id)) {
    throw new TransitionRefused('id', `a dialogue ${dialogue.id} is already recorded`, 'already-recorded', {
      id: dialogue.id,
    });
  }
  return dialogue;
}

export function applyDialogue(state: LupState, dialogue: CitizenDialogue): LupState {
  return { ...state, dialogues: [...state.dialogues, dialogue] };
}

/** Checks one stage in its order: analysis, then the programme (after a dialogue), then follow-up. */
export function checkStage(state: LupState, raw: unknown): LupStageInput {
  return checkStageAfter({ stage: state.stage, dialogues: state.dialogues.length }, raw);
}

/**
 * The same check from how far a LUP has come (its stage and how many dialogues it has held), for
 * callers that know that from the record rather than from the workflow's state.
 */
export function checkStageAfter(progress: { stage: LupStage; dialogues: number }, raw: unknown): LupStageInput {
  const input = parse(lupStageInputSchema, raw);
  const expected: Record<LupStageInput['stage'], LupStage[]> = {
    analysis: ['analys'],
    programme: ['program'],
    'follow-up': ['uppfoljning', 'klar'],
  };
  if (!expected[input.stage].includes(progress.stage)) {
    throw new TransitionRefused(
      'stage',
      `${input.stage} is not possible now: ${LUP_STAGE_SV[progress.stage]}`,
      'lup-stage-not-possible',
      { stage: input.stage, current: progress.stage },
    );
  }
  if (input.stage === 'programme') {
    const problem = programmeProblems(input.content)[0];
    if (problem) throw TransitionRefused.of(problem);
    if (progress.dialogues === 0) {
      throw new TransitionRefused(
        'dialogues',
        'record at least one citizen dialogue before the programme',
        'dialogue-required',
      );
    }
    if (!input.decisionDate) {
      throw new TransitionRefused('decisionDate', 'the date the board adopted it is required', 'required');
    }
  }
  return input;
}

export function applyStage(state: LupState, input: LupStageInput): LupState {
  switch (input.stage) {
    case 'analysis':
      return { ...state, stage: 'program', mainFocus: mainFocusOfAnalysis(input.content) };
    case 'programme':
      return {
        ...state,
        stage: 'uppfoljning',
        measures: measuresOfProgramme(input.content),
        adoptedOn: input.decisionDate,
      };
    case 'follow-up':
      return { ...state, stage: 'klar', followUps: state.followUps + 1 };
  }
}
