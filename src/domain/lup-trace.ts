import { followUpsOf, ownedMeasureItemId } from './guideline-answers';

/**
 * The trace of a district's larger LUP measures through one budget year (guideline 2, DESIGN.md):
 * a measure that needs the council's budget must appear with its cost in the spring
 * budgetunderlag, get a KF budget decision (recorded by SLK), and be followed up in both tertial
 * reports and the annual report; a measure a service board or company owns is followed up by its
 * owner (guideline 2), so those steps read the owner's reports, not the district's. Pure: the
 * callers bring the measures, the submitted answers, the decisions and the steps' dates, as read
 * from PostgreSQL.
 *
 * Terminology: budgetunderlag → spring budget submission; KF-beslut → council budget decision;
 * tertialrapport → tertial report; verksamhetsberättelse → annual report.
 */

export const TRACE_STEPS = [
  'budgetunderlag',
  'kf-beslut',
  'tertialrapport-1',
  'tertialrapport-2',
  'verksamhetsberattelse',
] as const;
export type TraceStep = (typeof TRACE_STEPS)[number];
export const TRACE_STEP_SV: Record<TraceStep, string> = {
  budgetunderlag: 'Budgetunderlag',
  'kf-beslut': 'KF:s budgetbeslut',
  'tertialrapport-1': 'Tertialrapport 1',
  'tertialrapport-2': 'Tertialrapport 2',
  verksamhetsberattelse: 'Verksamhetsberättelse',
};
/** The steps whose report follows each measure up (`lup-atgarder[<measure>].atgard-status`). */
export const FOLLOW_UP_STEPS = ['tertialrapport-1', 'tertialrapport-2', 'verksamhetsberattelse'] as const;
export type FollowUpStep = (typeof FOLLOW_UP_STEPS)[number];

export const KF_OUTCOMES = ['finansierad', 'delvis-finansierad', 'ej-finansierad'] as const;
export type KfOutcome = (typeof KF_OUTCOMES)[number];
export const KF_OUTCOME_SV: Record<KfOutcome, string> = {
  finansierad: 'Finansierad',
  'delvis-finansierad': 'Delvis finansierad',
  'ej-finansierad': 'Ej finansierad',
};

export type StepState = 'klar' | 'saknas' | 'ej-aktuell-an';
export const STEP_STATE_SV: Record<StepState, string> = {
  klar: 'Klar',
  saknas: 'Saknas',
  'ej-aktuell-an': 'Inte aktuell än',
};

/** What is missing at a step; stable codes, the page says them in Swedish. */
export type TraceGap =
  | 'underlag-ej-inlamnat'
  | 'atgard-saknas-i-underlag'
  | 'kostnad-saknas'
  | 'finansiering-saknas'
  | 'agarens-underlag-ej-inlamnat'
  | 'beslut-saknas'
  | 'rapport-ej-inlamnad'
  | 'uppfoljning-saknas'
  | 'agarens-rapport-ej-inlamnad'
  | 'agarens-uppfoljning-saknas';
export const TRACE_GAP_SV: Record<TraceGap, string> = {
  'underlag-ej-inlamnat': 'Stadsdelsnämndens budgetunderlag är inte inlämnat',
  'atgard-saknas-i-underlag': 'Åtgärden finns inte med i budgetunderlaget',
  'kostnad-saknas': 'Kostnad saknas i budgetunderlaget',
  'finansiering-saknas': 'Finansieringssätt saknas i budgetunderlaget',
  'agarens-underlag-ej-inlamnat': 'Den ansvariga nämndens budgetunderlag är inte inlämnat',
  'beslut-saknas': 'Inget KF-beslut registrerat',
  'rapport-ej-inlamnad': 'Rapporten är inte inlämnad',
  'uppfoljning-saknas': 'Rapporten följer inte upp åtgärden',
  'agarens-rapport-ej-inlamnad': 'Den ansvariga nämndens rapport är inte inlämnad',
  'agarens-uppfoljning-saknas': 'Den ansvariga nämndens rapport följer inte upp åtgärden',
};

/** A larger measure of a district's programme in force. */
export interface TraceMeasure {
  /** The district whose programme it is. */
  boardId: string;
  measureId: string;
  title: string;
  /** The district itself or the named service board or company that carries it out. */
  ownerId: string;
  /** The programme's estimated cost in kronor. */
  cost?: number;
}

export interface KfDecision {
  boardId: string;
  measureId: string;
  outcome: KfOutcome;
  reference: string;
  /** Kronor granted, when SLK states it. */
  amount?: number;
}

export interface TraceInput {
  /** The local date (Europe/Stockholm) the trace is read on. */
  today: string;
  /** Each step's due date in the cycle (a deliverable's deadline, the KF budget milestone). */
  due: Partial<Record<TraceStep, string>>;
  measures: readonly TraceMeasure[];
  /** Submitted budgetunderlag answers by board (the district's and the owners'). */
  budgetunderlag: ReadonlyMap<string, unknown>;
  decisions: readonly KfDecision[];
  /** Submitted follow-up answers by step, then by board. */
  followUps: Partial<Record<FollowUpStep, ReadonlyMap<string, unknown>>>;
}

export interface TraceStepResult {
  step: TraceStep;
  state: StepState;
  due?: string;
  gaps: TraceGap[];
  /** What the step shows when it is there: the cost asked for, the decision, the follow-up's status. */
  cost?: number;
  decision?: Pick<KfDecision, 'outcome' | 'reference' | 'amount'>;
  followUpStatus?: string;
}

export interface MeasureTrace extends TraceMeasure {
  steps: TraceStepResult[];
}

type Answers = Record<string, unknown>;
const objectAt = (value: unknown): Answers =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Answers) : {};

/** The budgetunderlag's generated section per larger measure (data/stockholm/templates). */
export const BUDGET_SECTION = 'lup-atgarder';
const COST_QUESTION = 'atgard-kostnad';
const FINANCING_QUESTION = 'atgard-finansiering';

/**
 * A step is done when what it needs is there, whatever the date; missing once its due date has
 * passed without it (the due day itself still counts as in time); otherwise not yet due. A step
 * the cycle has no date for is not yet due: nothing can be asked of it.
 */
function stateOf(done: boolean, today: string, due: string | undefined): StepState {
  if (done) return 'klar';
  return due !== undefined && today > due ? 'saknas' : 'ej-aktuell-an';
}

export function traceMeasures(input: TraceInput): MeasureTrace[] {
  const { today, due } = input;
  return input.measures.map((m) => {
    const steps: TraceStepResult[] = [];

    // Budgetunderlag: the district's submission names the measure with its cost and financing.
    const submitted = input.budgetunderlag.get(m.boardId);
    const item = objectAt(objectAt(objectAt(submitted)[BUDGET_SECTION])[m.measureId]);
    const cost = item[COST_QUESTION];
    const budgetGaps: TraceGap[] = [];
    if (submitted === undefined) budgetGaps.push('underlag-ej-inlamnat');
    else if (Object.keys(item).length === 0) budgetGaps.push('atgard-saknas-i-underlag');
    else {
      if (typeof cost !== 'number') budgetGaps.push('kostnad-saknas');
      if (typeof item[FINANCING_QUESTION] !== 'string') budgetGaps.push('finansiering-saknas');
    }
    // A measure a service board carries out needs that board's budget too.
    if (m.ownerId !== m.boardId && !input.budgetunderlag.has(m.ownerId))
      budgetGaps.push('agarens-underlag-ej-inlamnat');
    steps.push({
      step: 'budgetunderlag',
      state: stateOf(budgetGaps.length === 0, today, due.budgetunderlag),
      ...(due.budgetunderlag && { due: due.budgetunderlag }),
      gaps: budgetGaps,
      ...(typeof cost === 'number' && { cost }),
    });

    const decision = input.decisions.find((d) => d.boardId === m.boardId && d.measureId === m.measureId);
    steps.push({
      step: 'kf-beslut',
      state: stateOf(decision !== undefined, today, due['kf-beslut']),
      ...(due['kf-beslut'] && { due: due['kf-beslut'] }),
      gaps: decision ? [] : ['beslut-saknas'],
      ...(decision && {
        decision: {
          outcome: decision.outcome,
          reference: decision.reference,
          ...(decision.amount !== undefined && { amount: decision.amount }),
        },
      }),
    });

    // The owner answers for its measure: the district's report for its own, the service board's
    // or company's (`ansvariga-lup-atgarder[<district>-<measure>]`) for one it owns.
    const owned = m.ownerId !== m.boardId;
    const ref = owned ? `owned-measure:${ownedMeasureItemId(m.boardId, m.measureId)}` : `measure:${m.measureId}`;
    for (const step of FOLLOW_UP_STEPS) {
      const report = input.followUps[step]?.get(m.ownerId);
      const followUp = report === undefined ? undefined : followUpsOf(report).find((f) => f.ref === ref);
      const gaps: TraceGap[] =
        report === undefined
          ? [owned ? 'agarens-rapport-ej-inlamnad' : 'rapport-ej-inlamnad']
          : followUp
            ? []
            : [owned ? 'agarens-uppfoljning-saknas' : 'uppfoljning-saknas'];
      steps.push({
        step,
        state: stateOf(gaps.length === 0, today, due[step]),
        ...(due[step] && { due: due[step] }),
        gaps,
        ...(followUp && { followUpStatus: followUp.status }),
      });
    }
    return { ...m, steps };
  });
}
