import { addDays, compareDates, daysBetween, LocalDate } from './local-date';

/**
 * The year wheel's geometry (årshjulet): dates to angles on a circle, deliverable windows to
 * lanes, and the SVG path of a ring segment. Pure numbers, no markup; the pages draw with it.
 *
 * One turn of the wheel is one budget cycle, not one calendar year. A Stockholm cycle runs from
 * the spring budgetunderlag of the year before the budget year to the annual report early in the
 * year after it: about 26 months. A twelve-month wheel would put April Y-1 (budgetunderlag) and
 * April Y (tertial report 1) on the same spoke and draw windows of different years over each
 * other; one turn for the whole cycle gives every date exactly one place and no window wraps
 * past the start. The turn begins at twelve o'clock on the first day of the month of the
 * cycle's first date and ends on the first day of the month after its last date, so whole months
 * fill the circle and the cycle's first and last dates sit a little apart either side of the
 * seam at the top: where the wheel starts and ends is visible.
 */

/** The dates the wheel covers: [from, to), both the first day of a month. */
export interface WheelSpan {
  from: LocalDate;
  /** Exclusive: the first day after the span (the first of a month). */
  to: LocalDate;
  days: number;
}

export const monthStart = (date: LocalDate): LocalDate => `${date.slice(0, 7)}-01`;
const nextMonthStart = (date: LocalDate): LocalDate => monthStart(addDays(monthStart(date), 32));

/** The span from the month of the earliest date to the end of the month of the latest. */
export function wheelSpan(dates: readonly LocalDate[]): WheelSpan {
  if (dates.length === 0) throw new RangeError('a year wheel needs at least one date');
  const sorted = [...dates].sort(compareDates);
  const from = monthStart(sorted[0]!);
  const to = nextMonthStart(sorted[sorted.length - 1]!);
  return { from, to, days: daysBetween(from, to) };
}

export function isWithin(span: WheelSpan, date: LocalDate): boolean {
  return compareDates(span.from, date) <= 0 && compareDates(date, span.to) < 0;
}

/**
 * Degrees clockwise from twelve o'clock at the start of the day: the span's first day is 0°,
 * the day after its last is 360°. Dates outside the span are clamped to its ends (a window is
 * cut at the seam, never wrapped round to the other side, where it would claim dates it has not).
 */
export function angleOf(span: WheelSpan, date: LocalDate): number {
  const share = daysBetween(span.from, date) / span.days;
  return 360 * Math.min(1, Math.max(0, share));
}

/** A window drawn over whole days: from the start of its first day to the end of its last. */
export function windowAngles(span: WheelSpan, start: LocalDate, end: LocalDate): { start: number; end: number } {
  const [first, last] = compareDates(start, end) <= 0 ? [start, end] : [end, start];
  return { start: angleOf(span, first), end: angleOf(span, addDays(last, 1)) };
}

export interface MonthTick {
  /** The first day of the month. */
  date: LocalDate;
  month: number;
  year: number;
  /** Where the month begins. */
  angle: number;
  /** The middle of the month, where its name goes. */
  middle: number;
}

/** Every month of the span, in order. */
export function monthTicks(span: WheelSpan): MonthTick[] {
  const ticks: MonthTick[] = [];
  for (let m = span.from; compareDates(m, span.to) < 0; m = nextMonthStart(m)) {
    const next = nextMonthStart(m);
    ticks.push({
      date: m,
      month: Number(m.slice(5, 7)),
      year: Number(m.slice(0, 4)),
      angle: angleOf(span, m),
      middle: (angleOf(span, m) + angleOf(span, next)) / 2,
    });
  }
  return ticks;
}

/**
 * Lanes (rings) for intervals, so that overlapping ones never hide each other: each interval
 * takes the first lane whose last interval ended before it begins (the classic greedy
 * partitioning by start, which uses as few lanes as the most intervals that overlap at one
 * point). Touching counts as overlapping: a window opening the day another closes shares that
 * day. Returns the lane of each interval, in the order given; the order is stable for ties.
 */
export function assignLanes(intervals: ReadonlyArray<{ start: number; end: number }>): number[] {
  const order = intervals.map((_, i) => i).sort((a, b) => intervals[a]!.start - intervals[b]!.start || a - b);
  const laneEnds: number[] = [];
  const lanes = new Array<number>(intervals.length);
  for (const i of order) {
    const { start, end } = intervals[i]!;
    let lane = laneEnds.findIndex((laneEnd) => laneEnd < start);
    if (lane === -1) lane = laneEnds.length;
    laneEnds[lane] = end;
    lanes[i] = lane;
  }
  return lanes;
}

export interface Point {
  x: number;
  y: number;
}

/** The point at `radius` from the centre, `angle` degrees clockwise from twelve o'clock. */
export function polar(cx: number, cy: number, radius: number, angle: number): Point {
  const rad = (angle * Math.PI) / 180;
  return { x: cx + radius * Math.sin(rad), y: cy - radius * Math.cos(rad) };
}

const f = (n: number) => (Math.abs(n) < 0.005 ? '0' : n.toFixed(2));

/**
 * The SVG path of a ring segment (an annular sector) from angle `a0` to `a1` clockwise between
 * two radii. A full turn is drawn as two halves, since an SVG arc whose ends meet draws nothing;
 * past half a turn the large-arc flag is set, or the arc would take the short way round.
 */
export function ringSegmentPath(cx: number, cy: number, inner: number, outer: number, a0: number, a1: number): string {
  const sweep = Math.min(360, Math.max(0, a1 - a0));
  if (sweep >= 359.999) {
    const mid = a0 + 180;
    return `${ringSegmentPath(cx, cy, inner, outer, a0, mid)} ${ringSegmentPath(cx, cy, inner, outer, mid, a0 + 360)}`;
  }
  const large = sweep > 180 ? 1 : 0;
  const o0 = polar(cx, cy, outer, a0);
  const o1 = polar(cx, cy, outer, a0 + sweep);
  const i1 = polar(cx, cy, inner, a0 + sweep);
  const i0 = polar(cx, cy, inner, a0);
  return [
    `M${f(o0.x)} ${f(o0.y)}`,
    `A${f(outer)} ${f(outer)} 0 ${large} 1 ${f(o1.x)} ${f(o1.y)}`,
    `L${f(i1.x)} ${f(i1.y)}`,
    `A${f(inner)} ${f(inner)} 0 ${large} 0 ${f(i0.x)} ${f(i0.y)}`,
    'Z',
  ].join(' ');
}
