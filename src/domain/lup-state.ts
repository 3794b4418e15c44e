import { z } from 'zod';
import { parseOrRefuse, TransitionRefused } from './deliverable-state';
import { localDateSchema } from './refusals';
import { lazySchema } from './lazy-schema';
import { mainFocusOfAnalysis, measuresOfProgramme, programmeProblems } from './guideline-answers';

/**
 * A district's local development programme (LUP) as the guidelines mean it: one programme per
 * district that lives across budget years. The board adopts it (version 1), revises it as it goes
 * (each revision a version: measures added, changed, ended, and why), follows it up in every
 * tertial report and annual report while it is in force, and replaces it by adopting a new one.
 * Around it: the analysis per budget year (against that year's KF goals, which are data), the
 * consultations with service boards and companies, the citizen dialogues. A merger hands the whole
 * record to the successor board.
 *
 * Pure transitions: check* parses and decides (a refusal names its field and changes nothing),
 * apply* returns the new state. The programme workflow holds the state.
 *
 * The schemas are built on first use, not at load (lazy-schema.ts): the programme workflow's
 * module graph, which every workflow a worker starts evaluates, includes this module.
 */

const text = (max: number) =>
  z
    .string()
    .trim()
    .min(1, { message: 'must not be empty' })
    .max(max, { message: `must be at most ${max} characters` });
const slug = lazySchema(() =>
  z.string().regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, { message: 'must be lower-case letters, digits and dashes' }),
);
const list = <T extends z.ZodTypeAny>(item: T, min: number, max: number) =>
  z
    .array(item)
    .min(min, { message: min === 1 ? 'must name at least one' : `must name at least ${min}` })
    .max(max, { message: `must name at most ${max}` });

/** The groups the guidelines ask a dialogue to reach, counted separately. */
export const PARTICIPANT_GROUPS = ['invanare', 'lokala-aktorer', 'fortroendevalda', 'medarbetare'] as const;
export type ParticipantGroup = (typeof PARTICIPANT_GROUPS)[number];
export const PARTICIPANT_GROUP_SV: Record<ParticipantGroup, string> = {
  invanare: 'Invånare',
  'lokala-aktorer': 'Lokala aktörer',
  fortroendevalda: 'Förtroendevalda',
  medarbetare: 'Medarbetare',
};

/** A measure's status over time; `avslutad` is what a revision's "end" sets, and it stays. */
export const MEASURE_STATUSES = ['planerad', 'pagar', 'genomford', 'forsenad', 'avslutad'] as const;
export type MeasureStatus = (typeof MEASURE_STATUSES)[number];
export const MEASURE_STATUS_SV: Record<MeasureStatus, string> = {
  planerad: 'Planerad',
  pagar: 'Pågår',
  genomford: 'Genomförd',
  forsenad: 'Försenad',
  avslutad: 'Avslutad',
};

/** A citizen dialogue (medborgardialog): need, question, forms, room for influence, who took part. */
export const citizenDialogueSchema = lazySchema(() =>
  z
    .object({
      id: slug(),
      need: text(2000),
      question: text(1000),
      forms: list(text(200), 1, 50),
      roomForInfluence: text(2000),
      participants: list(
        z
          .object({
            group: z.enum(PARTICIPANT_GROUPS, {
              message: 'must be invanare, lokala-aktorer, fortroendevalda or medarbetare',
            }),
            count: z
              .number()
              .int({ message: 'must be a whole number' })
              .min(0, { message: 'must be 0 or more' })
              .max(1_000_000),
          })
          .strict(),
        1,
        4,
      ),
      heldOn: localDateSchema(),
      outcome: text(4000).optional(),
      /** The feedback given to those who took part (återkoppling). */
      feedback: text(4000).optional(),
      by: text(200),
    })
    .strict(),
);
export type CitizenDialogue = z.infer<ReturnType<typeof citizenDialogueSchema>>;

/** A consultation with a service board or company (who, when, what they said). */
export const consultationSchema = lazySchema(() =>
  z
    .object({
      id: slug(),
      withBoardId: slug(),
      heldOn: localDateSchema(),
      said: text(4000),
      by: text(200),
    })
    .strict(),
);
export type Consultation = z.infer<ReturnType<typeof consultationSchema>>;

const indicatorSchema = lazySchema(() => z.object({ name: text(300), target: text(300) }).strict());

/** A measure as a revision states it; the status is set apart (setMeasureStatus). */
export const measureInputSchema = lazySchema(() =>
  z
    .object({
      id: slug(),
      title: text(500),
      /** The district itself, or a named service board or company of the registry. */
      ownerId: slug(),
      /** The KF goal it serves: an ID of the cycle's `goals` (data, not code). */
      goal: slug().optional(),
      indicators: list(indicatorSchema(), 0, 20).default([]),
      /** Estimated cost in kronor. */
      cost: z.number().int({ message: 'must be a whole number' }).min(0, { message: 'must be 0 or more' }).optional(),
      /** A larger measure needs the council's budget: it must reach the spring budgetunderlag. */
      larger: z.boolean().default(false),
      priorityArea: slug().optional(),
    })
    .strict(),
);
export type MeasureInput = z.infer<ReturnType<typeof measureInputSchema>>;

export interface StatusChange {
  status: MeasureStatus;
  on: string;
  by: string;
  note?: string;
}
export interface Measure extends MeasureInput {
  status: MeasureStatus;
  statusHistory: StatusChange[];
}

export interface ProgrammeVersion {
  version: number;
  on: string;
  by: string;
  /** Version 1: the board's decision reference; a revision: why. */
  reference?: string;
  reason: string;
  added: string[];
  changed: string[];
  ended: string[];
}

export interface Programme {
  /** The district's programmes are numbered: adopting a new one replaces the one in force. */
  number: number;
  boardId: string;
  adoptedOn: string;
  reference: string;
  /** The budget year whose programme phase adopted it (none when adopted outside a phase). */
  budgetYear?: number;
  /** The period the board set for it, when it set one. */
  period?: ProgrammePeriod;
  /**
   * Set when the board adopted it before Årshjul and it was registered afterwards (no phase, no
   * dialogue in Årshjul behind it): the day it was registered and by whom.
   */
  registered?: { on: string; by: string };
  versions: ProgrammeVersion[];
  measures: Measure[];
}

export interface Analysis {
  budgetYear: number;
  /** The KF goal the analysis names as the main focus. */
  mainFocus?: string;
  content: Record<string, unknown>;
  recordedOn: string;
  by: string;
}

export interface FollowUp {
  budgetYear: number;
  phaseId: string;
  programme: number;
  version: number;
  recordedOn: string;
  by: string;
}

export interface HandOver {
  from: string;
  to: string;
  on: string;
  by: string;
}

/** A service board's or company's part in a district's dialogue: what it contributed, by whom, when. */
export interface DialoguePart {
  boardId: string;
  contribution: string;
  by: string;
  /** The instant it was recorded (the workflow's clock). */
  recordedAt: string;
}

export interface LupState {
  /** The board whose programme this is (the successor after a merger). */
  boardId: string;
  programme?: Programme;
  /** Earlier programmes, replaced when the board adopted a new one. */
  replaced: (Programme & { replacedOn: string })[];
  analyses: Analysis[];
  /** Parts are absent on dialogues recorded before parts existed (state carried across runs). */
  dialogues: (CitizenDialogue & { boardId: string; parts?: DialoguePart[] })[];
  consultations: (Consultation & { boardId: string })[];
  followUps: FollowUp[];
  handOvers: HandOver[];
  /** Set when this board's programme went to a successor: nothing more is recorded here. */
  handedOverTo?: string;
}

export const initialLupState = (boardId: string): LupState => ({
  boardId,
  replaced: [],
  analyses: [],
  dialogues: [],
  consultations: [],
  followUps: [],
  handOvers: [],
});

const parse = parseOrRefuse;

const notHandedOver = (state: LupState): void => {
  if (state.handedOverTo) {
    throw new TransitionRefused('board', `the programme went to ${state.handedOverTo}`, 'handed-over', {
      to: state.handedOverTo,
    });
  }
};
const inForce = (state: LupState): Programme => {
  const programme = state.programme;
  if (!programme) throw new TransitionRefused('programme', 'the district has no programme in force', 'no-programme');
  return programme;
};
export const currentVersion = (programme: Programme): number => programme.versions.at(-1)!.version;

// --- Dialogues and consultations ----------------------------------------------------------------

export function checkDialogue(state: LupState, raw: unknown): CitizenDialogue {
  notHandedOver(state);
  const dialogue = parse(citizenDialogueSchema(), raw);
  if (state.dialogues.some((d) => d.id === dialogue.id)) {
    throw new TransitionRefused('id', `a dialogue ${dialogue.id} is already recorded`, 'already-recorded', {
      id: dialogue.id,
    });
  }
  return dialogue;
}
export const applyDialogue = (state: LupState, dialogue: CitizenDialogue): LupState => ({
  ...state,
  dialogues: [...state.dialogues, { ...dialogue, boardId: state.boardId }],
});

export function checkConsultation(state: LupState, raw: unknown): Consultation {
  notHandedOver(state);
  const consultation = parse(consultationSchema(), raw);
  if (consultation.withBoardId === state.boardId) {
    throw new TransitionRefused('withBoardId', 'must be another board than the district', 'invalid');
  }
  if (state.consultations.some((c) => c.id === consultation.id)) {
    throw new TransitionRefused('id', `a consultation ${consultation.id} is already recorded`, 'duplicate', {
      id: consultation.id,
    });
  }
  return consultation;
}
export const applyConsultation = (state: LupState, consultation: Consultation): LupState => ({
  ...state,
  consultations: [...state.consultations, { ...consultation, boardId: state.boardId }],
});

// --- A service board's part in a dialogue ---------------------------------------------------------

export const dialoguePartSchema = lazySchema(() =>
  z
    .object({
      dialogueId: slug(),
      /** The service board or company whose part it is. */
      serviceBoardId: slug(),
      contribution: text(4000),
      by: text(200),
    })
    .strict(),
);
export type DialoguePartInput = z.infer<ReturnType<typeof dialoguePartSchema>>;
export type CheckedDialoguePart = DialoguePartInput & { recordedAt: string };

/**
 * The boards that may record a part in the district's dialogues: those its record names — a
 * board it consulted, or the owner of a measure of its programme in force (ended or not). The
 * district itself records its dialogues, not parts in them.
 */
export function concernedBoards(state: LupState): Set<string> {
  const named = [
    ...state.consultations.map((c) => c.withBoardId),
    ...(state.programme?.measures.map((m) => m.ownerId) ?? []),
  ];
  return new Set(named.filter((id) => id !== state.boardId));
}

/** Refused for a dialogue the district has not recorded and for a board the record does not name. */
export function checkDialoguePart(state: LupState, raw: unknown, now: string): CheckedDialoguePart {
  notHandedOver(state);
  const input = parse(dialoguePartSchema(), raw);
  if (!state.dialogues.some((d) => d.id === input.dialogueId)) {
    throw new TransitionRefused('dialogueId', `the district has no dialogue ${input.dialogueId}`, 'unknown-dialogue', {
      id: input.dialogueId,
    });
  }
  if (!concernedBoards(state).has(input.serviceBoardId)) {
    throw new TransitionRefused(
      'serviceBoardId',
      `${input.serviceBoardId} was not consulted by the district and owns no measure of its programme`,
      'not-concerned',
      { id: input.serviceBoardId },
    );
  }
  return { ...input, recordedAt: now };
}

/** Parts are kept in the order they were recorded. */
export function applyDialoguePart(state: LupState, input: CheckedDialoguePart): LupState {
  const part: DialoguePart = {
    boardId: input.serviceBoardId,
    contribution: input.contribution,
    by: input.by,
    recordedAt: input.recordedAt,
  };
  return {
    ...state,
    dialogues: state.dialogues.map((d) =>
      d.id === input.dialogueId ? { ...d, parts: [...(d.parts ?? []), part] } : d,
    ),
  };
}

// --- The cycle's LUP phases, from the deliverables ----------------------------------------------

export const lupStageInputSchema = lazySchema(() =>
  z
    .object({
      stage: z.enum(['analysis', 'programme', 'follow-up'], { message: 'must be analysis, programme or follow-up' }),
      budgetYear: z.number().int(),
      phaseId: slug(),
      /** The stage's report answers, checked against its template before they reach the LUP. */
      content: z.record(z.string(), z.unknown()),
      /** The board's decision date, for the programme (antagandedatum). */
      decisionDate: localDateSchema().optional(),
      /** The board's decision reference (diarienummer), for the programme. */
      documentRef: text(200).optional(),
      on: localDateSchema(),
      by: text(200),
    })
    .strict(),
);
export type LupStageInput = z.infer<ReturnType<typeof lupStageInputSchema>>;

/** How far the district has come, as the record knows it when a submission is checked. */
export interface LupProgress {
  programmeInForce: boolean;
  dialogues: number;
}
export const progressOf = (state: LupState): LupProgress => ({
  programmeInForce: state.programme !== undefined,
  dialogues: state.dialogues.length,
});

export function checkStage(state: LupState, raw: unknown): LupStageInput {
  notHandedOver(state);
  return checkStageAfter(progressOf(state), raw);
}

/**
 * A LUP phase's submission against the district's progress: the analysis is possible any year;
 * adopting a programme needs its measures, a dialogue behind it and the decision date (it
 * replaces the one in force); a follow-up needs a programme in force to follow up.
 */
export function checkStageAfter(progress: LupProgress, raw: unknown): LupStageInput {
  const input = parse(lupStageInputSchema(), raw);
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
  if (input.stage === 'follow-up' && !progress.programmeInForce) {
    throw new TransitionRefused('programme', 'the district has no programme in force to follow up', 'no-programme');
  }
  return input;
}

export function applyStage(state: LupState, input: LupStageInput): LupState {
  switch (input.stage) {
    case 'analysis': {
      const mainFocus = mainFocusOfAnalysis(input.content);
      const analysis: Analysis = {
        budgetYear: input.budgetYear,
        ...(mainFocus && { mainFocus }),
        content: input.content,
        recordedOn: input.on,
        by: input.by,
      };
      // A resubmitted analysis (after a return) replaces the year's earlier one.
      return { ...state, analyses: [...state.analyses.filter((a) => a.budgetYear !== input.budgetYear), analysis] };
    }
    case 'programme':
      return adopt(state, {
        adoptedOn: input.decisionDate!,
        reference: input.documentRef ?? input.phaseId,
        budgetYear: input.budgetYear,
        measures: measuresOfProgramme(input.content).map((m) => ({
          id: m.id,
          title: m.title,
          // The table's owner, or the district where it names none (a version 1 programme).
          ownerId: m.ownerId ?? state.boardId,
          indicators: m.indicators ?? [],
          ...(m.cost !== undefined && { cost: m.cost }),
          larger: m.larger,
          ...(m.goal && { goal: m.goal }),
          ...(m.priorityArea && { priorityArea: m.priorityArea }),
        })),
        by: input.by,
      });
    case 'follow-up': {
      const programme = state.programme!;
      const followUp: FollowUp = {
        budgetYear: input.budgetYear,
        phaseId: input.phaseId,
        programme: programme.number,
        version: currentVersion(programme),
        recordedOn: input.on,
        by: input.by,
      };
      const others = state.followUps.filter((f) => !(f.budgetYear === input.budgetYear && f.phaseId === input.phaseId));
      return { ...state, followUps: [...others, followUp] };
    }
  }
}

/** Adopts a programme: version 1 of the next number; the one in force, if any, is replaced. */
function adopt(
  state: LupState,
  p: {
    adoptedOn: string;
    reference: string;
    budgetYear?: number;
    measures: MeasureInput[];
    by: string;
    reason?: string;
  },
): LupState {
  const number = Math.max(state.programme?.number ?? 0, ...state.replaced.map((r) => r.number)) + 1;
  const programme: Programme = {
    number,
    boardId: state.boardId,
    adoptedOn: p.adoptedOn,
    reference: p.reference,
    ...(p.budgetYear !== undefined && { budgetYear: p.budgetYear }),
    versions: [
      {
        version: 1,
        on: p.adoptedOn,
        by: p.by,
        reference: p.reference,
        reason: p.reason ?? 'Antaget av nämnden',
        added: p.measures.map((m) => m.id),
        changed: [],
        ended: [],
      },
    ],
    measures: p.measures.map((m) => ({
      ...m,
      status: 'planerad',
      statusHistory: [{ status: 'planerad', on: p.adoptedOn, by: p.by }],
    })),
  };
  return {
    ...state,
    programme,
    replaced: state.programme ? [...state.replaced, { ...state.programme, replacedOn: p.adoptedOn }] : state.replaced,
  };
}

// --- A programme adopted before Årshjul -----------------------------------------------------------

export const programmePeriodSchema = lazySchema(() =>
  z.object({ from: localDateSchema(), to: localDateSchema() }).strict(),
);
export type ProgrammePeriod = z.infer<ReturnType<typeof programmePeriodSchema>>;

/**
 * A programme the board adopted before the city started Årshjul, registered as in force so the
 * cycles' follow-up phases have something to follow up. Its dialogues preceded Årshjul: none is
 * asked for here. Its measures are shaped as a revision's are.
 */
export const registrationSchema = lazySchema(() =>
  z
    .object({
      /** The board's decision date (antagandedatum). */
      decisionDate: localDateSchema(),
      /** The board's decision reference (diarienummer). */
      reference: text(200),
      measures: list(measureInputSchema(), 1, 50),
      period: programmePeriodSchema().optional(),
      by: text(200),
    })
    .strict(),
);
export type Registration = z.infer<ReturnType<typeof registrationSchema>>;
/** A registration as checked: with the day it was registered (the workflow's today). */
export type CheckedRegistration = Registration & { registeredOn: string };

/**
 * Refused when the decision date is after today (a decision not yet taken is adopted through the
 * programme phase), when a programme is in force (change it by revision, replace it through the
 * phase), and when the district has handed its programme over.
 */
export function checkRegistration(state: LupState, raw: unknown, today: string): CheckedRegistration {
  notHandedOver(state);
  const registration = parse(registrationSchema(), raw);
  if (registration.decisionDate > today) {
    throw new TransitionRefused('decisionDate', `must not be after today (${today})`, 'in-future', { today });
  }
  if (registration.period && registration.period.to < registration.period.from) {
    throw new TransitionRefused('period.to', 'must not be before the start of the period', 'before-from', {
      from: registration.period.from,
    });
  }
  const seen = new Set<string>();
  registration.measures.forEach((m, i) => {
    if (seen.has(m.id)) {
      throw new TransitionRefused(`measures.${i}.id`, `measure ${m.id} is named twice`, 'duplicate', { id: m.id });
    }
    seen.add(m.id);
  });
  if (state.programme) {
    throw new TransitionRefused(
      'programme',
      `programme ${state.programme.number} is in force: change it by revision`,
      'programme-in-force',
      { number: state.programme.number },
    );
  }
  return { ...registration, registeredOn: today };
}

/** Version 1 as an adoption has it, marked as registered. */
export function applyRegistration(state: LupState, registration: CheckedRegistration): LupState {
  const adopted = adopt(state, {
    adoptedOn: registration.decisionDate,
    reference: registration.reference,
    measures: registration.measures,
    by: registration.by,
    reason: 'Antaget av nämnden före Årshjul, registrerat i efterhand',
  });
  return {
    ...adopted,
    programme: {
      ...adopted.programme!,
      ...(registration.period && { period: registration.period }),
      registered: { on: registration.registeredOn, by: registration.by },
    },
  };
}

// --- Revisions and measure status ----------------------------------------------------------------

export const revisionSchema = lazySchema(() =>
  z
    .object({
      /** The version the revision was made from: when another revision came first, this one is refused. */
      basedOnVersion: z.number().int().min(1).optional(),
      on: localDateSchema(),
      reason: text(2000),
      add: list(measureInputSchema(), 0, 50).default([]),
      change: list(measureInputSchema(), 0, 50).default([]),
      end: list(slug(), 0, 50).default([]),
      by: text(200),
    })
    .strict(),
);
export type Revision = z.infer<ReturnType<typeof revisionSchema>>;

export function checkRevision(state: LupState, raw: unknown): Revision {
  notHandedOver(state);
  const revision = parse(revisionSchema(), raw);
  const programme = inForce(state);
  const version = currentVersion(programme);
  if (revision.basedOnVersion !== undefined && revision.basedOnVersion !== version) {
    throw new TransitionRefused(
      'basedOnVersion',
      `the programme was revised meanwhile: version ${version} is in force`,
      'programme-revised-meanwhile',
      { version },
    );
  }
  if (revision.add.length + revision.change.length + revision.end.length === 0) {
    throw new TransitionRefused('add', 'a revision must add, change or end at least one measure', 'revision-empty');
  }
  const byId = new Map(programme.measures.map((m) => [m.id, m]));
  const seen = new Set<string>();
  const once = (field: string, id: string) => {
    if (seen.has(id)) throw new TransitionRefused(field, `measure ${id} is named twice`, 'duplicate', { id });
    seen.add(id);
  };
  revision.add.forEach((m, i) => {
    once(`add.${i}.id`, m.id);
    if (byId.has(m.id)) {
      throw new TransitionRefused(`add.${i}.id`, `a measure ${m.id} is already in the programme`, 'duplicate', {
        id: m.id,
      });
    }
  });
  const existing = (field: string, id: string) => {
    once(field, id);
    const measure = byId.get(id);
    if (!measure) throw new TransitionRefused(field, `the programme has no measure ${id}`, 'unknown-measure', { id });
    if (measure.status === 'avslutad') {
      throw new TransitionRefused(field, `measure ${id} has ended`, 'measure-ended', { id });
    }
  };
  revision.change.forEach((m, i) => existing(`change.${i}.id`, m.id));
  revision.end.forEach((id, i) => existing(`end.${i}`, id));
  return revision;
}

export function applyRevision(state: LupState, revision: Revision): LupState {
  const programme = state.programme!;
  const changes = new Map(revision.change.map((m) => [m.id, m]));
  const ends = new Set(revision.end);
  const ended = (m: Measure): Measure => ({
    ...m,
    status: 'avslutad',
    statusHistory: [
      ...m.statusHistory,
      { status: 'avslutad', on: revision.on, by: revision.by, note: revision.reason },
    ],
  });
  const measures = [
    ...programme.measures.map((m) => {
      const change = changes.get(m.id);
      const next: Measure = change ? { ...change, status: m.status, statusHistory: m.statusHistory } : m;
      return ends.has(m.id) ? ended(next) : next;
    }),
    ...revision.add.map((m): Measure => ({
      ...m,
      status: 'planerad',
      statusHistory: [{ status: 'planerad', on: revision.on, by: revision.by }],
    })),
  ];
  const version: ProgrammeVersion = {
    version: currentVersion(programme) + 1,
    on: revision.on,
    by: revision.by,
    reason: revision.reason,
    added: revision.add.map((m) => m.id),
    changed: revision.change.map((m) => m.id),
    ended: revision.end,
  };
  return { ...state, programme: { ...programme, measures, versions: [...programme.versions, version] } };
}

export const measureStatusSchema = lazySchema(() =>
  z
    .object({
      measureId: slug(),
      status: z.enum(MEASURE_STATUSES, { message: `must be one of ${MEASURE_STATUSES.join(', ')}` }),
      on: localDateSchema(),
      note: text(2000).optional(),
      by: text(200),
    })
    .strict(),
);
export type MeasureStatusInput = z.infer<ReturnType<typeof measureStatusSchema>>;

export function checkMeasureStatus(state: LupState, raw: unknown): MeasureStatusInput {
  notHandedOver(state);
  const input = parse(measureStatusSchema(), raw);
  const programme = inForce(state);
  const measure = programme.measures.find((m) => m.id === input.measureId);
  if (!measure) {
    throw new TransitionRefused('measureId', `the programme has no measure ${input.measureId}`, 'unknown-measure', {
      id: input.measureId,
    });
  }
  if (measure.status === 'avslutad') {
    throw new TransitionRefused('measureId', `measure ${measure.id} has ended`, 'measure-ended', { id: measure.id });
  }
  if (input.status === 'avslutad') {
    throw new TransitionRefused('status', 'a measure ends with a revision that says why', 'invalid');
  }
  if (input.status === measure.status) {
    throw new TransitionRefused('status', `the measure is already ${input.status}`, 'unchanged', {
      status: input.status,
    });
  }
  return input;
}

export function applyMeasureStatus(state: LupState, input: MeasureStatusInput): LupState {
  const programme = state.programme!;
  const change: StatusChange = {
    status: input.status,
    on: input.on,
    by: input.by,
    ...(input.note && { note: input.note }),
  };
  return {
    ...state,
    programme: {
      ...programme,
      measures: programme.measures.map((m) =>
        m.id === input.measureId ? { ...m, status: input.status, statusHistory: [...m.statusHistory, change] } : m,
      ),
    },
  };
}

// --- Mergers -------------------------------------------------------------------------------------

export const handOverSchema = lazySchema(() => z.object({ to: slug(), on: localDateSchema(), by: text(200) }).strict());
export type HandOverInput = z.infer<ReturnType<typeof handOverSchema>>;

/** The predecessor's side: its programme goes to the successor; asking twice for the same successor is one hand-over. */
export function checkHandOver(state: LupState, raw: unknown): HandOverInput | undefined {
  const input = parse(handOverSchema(), raw);
  if (state.handedOverTo === input.to) return undefined;
  notHandedOver(state);
  if (input.to === state.boardId) throw new TransitionRefused('to', 'must be another board', 'invalid');
  return input;
}
export const applyHandOver = (state: LupState, input: HandOverInput): LupState => ({
  ...state,
  handedOverTo: input.to,
  handOvers: [...state.handOvers, { from: state.boardId, to: input.to, on: input.on, by: input.by }],
});

/**
 * The successor's side: it takes the predecessor's record (dialogues, consultations, analyses,
 * follow-ups stay readable, marked with the board that made them). The predecessor's programme
 * becomes the successor's when the successor has none in force; otherwise it is kept as replaced,
 * so two merged districts never silently lose one of their programmes.
 */
export function checkReceive(state: LupState, predecessor: LupState): boolean {
  notHandedOver(state);
  if (predecessor.handedOverTo !== state.boardId) {
    throw new TransitionRefused(
      'from',
      `${predecessor.boardId} did not hand its programme to ${state.boardId}`,
      'invalid',
    );
  }
  // Received already (a retried hand-over): nothing to do.
  return !state.handOvers.some((h) => h.from === predecessor.boardId);
}

export function applyReceive(state: LupState, predecessor: LupState): LupState {
  const handOver = predecessor.handOvers.at(-1)!;
  const numberBase = Math.max(state.programme?.number ?? 0, ...state.replaced.map((r) => r.number));
  // Renumbered after the successor's own, so numbers stay unique within the successor's record.
  const renumber = <P extends Programme>(p: P, i: number): P => ({ ...p, number: numberBase + i + 1 });
  const theirs = [...predecessor.replaced, ...(predecessor.programme ? [predecessor.programme] : [])].map(renumber);
  const theirCurrent = predecessor.programme ? theirs.at(-1) : undefined;
  const keepTheirs = !state.programme && theirCurrent;
  const replaced = [
    ...state.replaced,
    ...(theirs.filter((p) => p !== theirCurrent || !keepTheirs) as (Programme & { replacedOn?: string })[]).map(
      (p) => ({ ...p, replacedOn: p.replacedOn ?? handOver.on }),
    ),
  ];
  return {
    ...state,
    ...(keepTheirs && { programme: theirCurrent }),
    replaced,
    analyses: [...state.analyses, ...predecessor.analyses],
    dialogues: [...state.dialogues, ...predecessor.dialogues],
    consultations: [...state.consultations, ...predecessor.consultations],
    followUps: [...state.followUps, ...predecessor.followUps],
    handOvers: [...state.handOvers, handOver],
  };
}

// --- How the programme stands, as the pages say it ---------------------------------------------

export type LupStage = 'utan-program' | 'i-kraft' | 'overlamnat';
export const LUP_STAGE_SV: Record<LupStage, string> = {
  'utan-program': 'Inget program antaget',
  'i-kraft': 'Programmet gäller — följs upp',
  overlamnat: 'Överlämnat till efterträdaren',
};
export const stageOf = (state: LupState): LupStage =>
  state.handedOverTo ? 'overlamnat' : state.programme ? 'i-kraft' : 'utan-program';

/** What the read model keeps of a programme (lup_programmes and its tables), sent with every event. */
/** Sent with every event of the programme workflow; the read model projects it. */
export interface LupSnapshot {
  /** The sequence number of the event it came with: the read model never goes back to an older one. */
  seq: number;
  municipality: string;
  boardId: string;
  stage: LupStage;
  handedOverTo?: string;
  programme?: Programme;
  replaced: number[];
  dialogues: number;
  consultations: number;
  followUps: FollowUp[];
  /** The main focus of the latest analysis, per budget year. */
  mainFocus: Record<string, string>;
}
