import type { Refusal } from './refusals';

/**
 * Where the guidelines for local development work (DESIGN.md) find their data in a board's
 * answers: the LUP programme's measures, the analysis's main focus, a service board's part in
 * each priority area, the follow-up of measures and areas. The questions are the shipped
 * templates' (data/stockholm/templates); a template that names them differently simply yields
 * nothing here. Pure: the callers bring the answers (as assembled from drafts or submitted).
 */

/** One measure of a district's LUP programme, as its programme's table lists it. */
export interface LupMeasure {
  id: string;
  title: string;
  /** The KF goal it serves (an ID of the cycle's `goals`). */
  goal?: string;
  /** Larger measures need the council's budget: they must reach the spring budgetunderlag. */
  larger: boolean;
  priorityArea?: string;
  /** The board that owns it, when the table names one (else the district: the caller decides). */
  ownerId?: string;
  /** Estimated cost in whole kronor. */
  cost?: number;
  /** The table holds one indicator per measure with its target; revisions may add more. */
  indicators?: Array<{ name: string; target: string }>;
}

/** Follow-up statuses the shipped tertial reports and annual report offer, in Swedish. */
export const FOLLOW_UP_STATUS_SV: Record<string, string> = {
  'ej-paborjad': 'Ej påbörjad',
  pagar: 'Pågår',
  klar: 'Klar',
  forsenad: 'Försenad',
  installd: 'Inställd',
};

/** The LUP programme's table of measures: `atgarder.atgarder`, one row per measure. */
export const PROGRAMME_MEASURES = { section: 'atgarder', question: 'atgarder' } as const;
/**
 * A service board's or company's follow-up of the LUP measures it owns: the generated section
 * `ansvariga-lup-atgarder`, one item per measure, `<district>-<measure>` (both slugs, so the item
 * is one too, and unique as long as no district's ID followed by a dash begins another's).
 */
export const OWNED_MEASURES_SECTION = 'ansvariga-lup-atgarder';
export const ownedMeasureItemId = (districtId: string, measureId: string): string => `${districtId}-${measureId}`;

/** The LUP analysis's main focus: `fokus.huvudfokus`, a choice among the year's goals. */
export const ANALYSIS_MAIN_FOCUS = { section: 'fokus', question: 'huvudfokus' } as const;

type Answers = Record<string, unknown>;
const objectAt = (value: unknown): Answers =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Answers) : {};
const textAt = (value: unknown): string | undefined =>
  typeof value === 'string' && value.trim() ? value.trim() : undefined;
const rowsAt = (value: unknown): Answers[] => (Array.isArray(value) ? value.map(objectAt) : []);

/** A measure's ID as the board wrote it: lower-case letters, digits and dashes. */
export const MEASURE_ID = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

/** The measures of a submitted (or drafted) LUP programme, in the order the board wrote them. */
export function measuresOfProgramme(answers: unknown): LupMeasure[] {
  const rows = rowsAt(objectAt(objectAt(answers)[PROGRAMME_MEASURES.section])[PROGRAMME_MEASURES.question]);
  return rows.flatMap((row) => {
    const id = textAt(row.id);
    const title = textAt(row.titel);
    if (!id || !title) return [];
    const goal = textAt(row.mal);
    const area = textAt(row.omrade);
    // `agare` is a choice among the registry's boards (template version 2); version 1's free-text
    // `ansvarig` named no board and is not read.
    const ownerId = textAt(row.agare);
    const cost = costAt(row.kostnad);
    const indicator = textAt(row.indikator);
    const target = textAt(row.malvarde);
    return [
      {
        id,
        title,
        larger: row.storre === 'ja',
        ...(goal && { goal }),
        ...(area && { priorityArea: area }),
        ...(ownerId && { ownerId }),
        ...(cost !== undefined && { cost }),
        ...(indicator && target && { indicators: [{ name: indicator, target }] }),
      },
    ];
  });
}

const costAt = (value: unknown): number | undefined =>
  typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : undefined;

/**
 * The problems of a programme's measures that no template rule can say: each ID well formed and
 * used once, since the budgetunderlag and the follow-ups refer to measures by it; a larger
 * measure's cost given, since the trace follows it to the council's budget; an indicator and its
 * target given together. (An owner outside the registry is the template's choice check's.)
 */
export function programmeProblems(answers: unknown): Refusal[] {
  const at = `answers.${PROGRAMME_MEASURES.section}.${PROGRAMME_MEASURES.question}`;
  const rows = rowsAt(objectAt(objectAt(answers)[PROGRAMME_MEASURES.section])[PROGRAMME_MEASURES.question]);
  if (rows.length === 0) return [{ field: at, problem: 'must name at least one measure', code: 'required' }];
  const seen = new Set<string>();
  return rows.flatMap((row, r): Refusal[] => {
    const id = textAt(row.id) ?? '';
    if (!MEASURE_ID.test(id)) {
      return [
        { field: `${at}[${r}].id`, problem: 'must be lower-case letters, digits and dashes', code: 'not-a-slug' },
      ];
    }
    if (seen.has(id)) {
      return [{ field: `${at}[${r}].id`, problem: `${id} appears twice`, code: 'duplicate', params: { id } }];
    }
    seen.add(id);
    if (row.storre === 'ja' && (row.kostnad === undefined || row.kostnad === null)) {
      return [
        {
          field: `${at}[${r}].kostnad`,
          problem: 'a larger measure needs its cost (the trace follows it to the council’s budget)',
          code: 'required',
        },
      ];
    }
    if (!textAt(row.indikator) !== !textAt(row.malvarde)) {
      const missing = textAt(row.indikator) ? 'malvarde' : 'indikator';
      return [
        { field: `${at}[${r}].${missing}`, problem: 'an indicator and its target go together', code: 'required' },
      ];
    }
    return [];
  });
}

/** The goal an analysis names as its main focus, if any. */
export function mainFocusOfAnalysis(answers: unknown): string | undefined {
  return textAt(objectAt(objectAt(answers)[ANALYSIS_MAIN_FOCUS.section])[ANALYSIS_MAIN_FOCUS.question]);
}

/** The analysis's geographic focus areas: `fokus.fokusomraden`, one row per area and indicator. */
export const ANALYSIS_FOCUS_AREAS = { section: 'fokus', question: 'fokusomraden' } as const;
/** The analysis's indicators per KF goal: `analys[<goal>].indikatorer` (a section generated per goal). */
export const ANALYSIS_GOAL_INDICATORS = { section: 'analys', question: 'indikatorer' } as const;

/** An indicator the district will measure, with the baseline its development is measured against. */
export interface Indicator {
  name: string;
  /** Absent when the row gave none (a draft, or a template that does not require it). */
  baseline?: number;
  /** The year the baseline refers to. */
  year?: number;
  source?: string;
}

/** A part of the district where the district concentrates its work, and why. */
export interface FocusArea {
  name: string;
  needs?: string;
  indicators: Indicator[];
}

/** What an analysis says about the district's focus: the main goal, the areas, the indicators per goal. */
export interface AnalysisFocus {
  mainFocus?: string;
  areas: FocusArea[];
  /** Per KF goal (in the order the answers hold them), the indicators with their baselines. */
  indicatorsByGoal: { goal: string; indicators: Indicator[] }[];
}

const numberAt = (value: unknown): number | undefined =>
  typeof value === 'number' && Number.isFinite(value) ? value : undefined;

const indicatorOf = (row: Answers): Indicator | undefined => {
  const name = textAt(row.indikator);
  if (!name) return undefined;
  const baseline = numberAt(row.utgangsvarde);
  const year = numberAt(row.ar);
  const source = textAt(row.kalla);
  return {
    name,
    ...(baseline !== undefined && { baseline }),
    ...(year !== undefined && { year }),
    ...(source && { source }),
  };
};

/**
 * The focus an analysis states. The focus-area table has one row per area and indicator, so rows
 * naming the same area (case and surrounding space aside) are one area, in the order the board
 * first named it; its need is the first one given.
 */
export function focusOfAnalysis(answers: unknown): AnalysisFocus {
  const root = objectAt(answers);
  const rows = rowsAt(objectAt(root[ANALYSIS_FOCUS_AREAS.section])[ANALYSIS_FOCUS_AREAS.question]);
  const areas = new Map<string, FocusArea>();
  for (const row of rows) {
    const name = textAt(row.omrade);
    if (!name) continue;
    const key = name.toLocaleLowerCase('sv-SE').replace(/\s+/g, ' ');
    const area = areas.get(key) ?? { name, indicators: [] };
    const needs = textAt(row.behov);
    if (needs && !area.needs) area.needs = needs;
    const indicator = indicatorOf(row);
    if (indicator) area.indicators.push(indicator);
    areas.set(key, area);
  }
  const indicatorsByGoal = Object.entries(objectAt(root[ANALYSIS_GOAL_INDICATORS.section])).flatMap(([goal, raw]) => {
    const indicators = rowsAt(objectAt(raw)[ANALYSIS_GOAL_INDICATORS.question]).flatMap((r) => indicatorOf(r) ?? []);
    return indicators.length > 0 ? [{ goal, indicators }] : [];
  });
  const mainFocus = mainFocusOfAnalysis(answers);
  return { ...(mainFocus && { mainFocus }), areas: [...areas.values()], indicatorsByGoal };
}

/** A board's part in one priority area, as its verksamhetsplan states it. */
export interface AreaPart {
  areaId: string;
  nämndmål: string[];
  aktiviteter: string[];
  ingenDel?: string;
}

/** The parts in priority areas a verksamhetsplan states (`prioriterade-omraden[<area>]`). */
export function areaPartsOfPlan(answers: unknown): AreaPart[] {
  return Object.entries(objectAt(objectAt(answers)['prioriterade-omraden'])).map(([areaId, raw]) => {
    const part = objectAt(raw);
    const goals = textAt(part['omrade-namndmal']);
    const none = textAt(part['omrade-ingen-del']);
    return {
      areaId,
      nämndmål: goals
        ? goals
            .split(/\n+/)
            .map((g) => g.trim())
            .filter(Boolean)
        : [],
      aktiviteter: rowsAt(part['omrade-aktiviteter']).flatMap((row) => textAt(row.aktivitet) ?? []),
      ...(none && { ingenDel: none }),
    };
  });
}

/** One followed-up item: `measure:<id>` or `area:<id>`, its status and the board's comment. */
export interface FollowUpItem {
  ref: string;
  status: string;
  comment?: string;
}

/**
 * The follow-ups a tertial report or annual report gives, per priority area and LUP measure
 * (`measure:<id>`, the district's own) and per measure the board owns in a district's programme
 * (`owned-measure:<district>-<measure>`, see ownedMeasureItemId).
 */
export function followUpsOf(answers: unknown): FollowUpItem[] {
  // The tertial reports ask for a comment (`…-kommentar`), the annual report for the year's
  // result (`…-resultat`): either is what the board said about the item.
  const items = (section: string, prefix: string, question: string): FollowUpItem[] =>
    Object.entries(objectAt(objectAt(answers)[section])).flatMap(([id, raw]) => {
      const given = objectAt(raw);
      const status = textAt(given[`${question}-status`]);
      const comment = textAt(given[`${question}-kommentar`]) ?? textAt(given[`${question}-resultat`]);
      return status ? [{ ref: `${prefix}:${id}`, status, ...(comment && { comment }) }] : [];
    });
  return [
    ...items('lup-atgarder', 'measure', 'atgard'),
    ...items('prioriterade-omraden', 'area', 'omrade'),
    ...items(OWNED_MEASURES_SECTION, 'owned-measure', 'agar'),
  ];
}
