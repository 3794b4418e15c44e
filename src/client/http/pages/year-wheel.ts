import type { LocalDate } from '../../../domain/local-date';
import {
  angleOf,
  assignLanes,
  isWithin,
  monthTicks,
  polar,
  ringSegmentPath,
  wheelSpan,
  WheelSpan,
  windowAngles,
} from '../../../domain/year-wheel';
import { formatDate, formatMonthShort } from './format';
import { html, SafeHtml } from './html';
import { timelineList, TimelineItem } from './timeline';

/**
 * Årshjulet drawn as a wheel: the cycle's deliverable windows as ring segments from opening to
 * deadline (one lane per ring, so overlapping windows never hide each other), its milestones
 * as diamonds, its months round the rim and a needle for today. The geometry is
 * src/domain/year-wheel.ts; this file only writes markup. Colours are presentation attributes
 * (no style attribute: the pages' Content-Security-Policy allows no inline styles), the
 * stylesheet's classes map them to system colours in forced-colours (high contrast) mode, and
 * every state has a shape as well as a colour: solid, striped with "!", solid with a check
 * mark, dashed outline.
 */

export interface YearWheelInput {
  items: TimelineItem[];
  today: LocalDate;
  /** The accessible name, e.g. "Årshjulet för budgetår 2027". */
  title: string;
  /** A prefix for the element ids, unique on the page (a board's page may show two cycles). */
  id: string;
  /** The budget year, written in the centre. */
  year: number;
  /** Dates that widen the span beyond the items' (the whole cycle's, on a board's page). */
  spanDates?: LocalDate[];
  /** The id of the list that says the same in words (linked from the caption). */
  listId: string;
  /** The list's heading, when a page has more than one wheel. */
  listHeading?: string;
}

const SIZE = 680;
const C = SIZE / 2;
const YEAR_R = 318;
const BAND_OUT = 296;
const BAND_IN = 264;
const MONTH_R = (BAND_OUT + BAND_IN) / 2;
const MILESTONE_R = [251, 235];
const LANE_OUT = 220;
const FLOOR = 98;
const CENTRE_R = 90;
const LANE_GAP = 5;
/** A window of one day is still wide enough to see and to point at. */
const MIN_SWEEP = 1.6;

const f = (n: number) => n.toFixed(1);

const TONE_WORDS: Record<TimelineItem['tone'], string> = {
  open: 'hel blå båge = öppen',
  done: 'grön båge med bock = klar',
  late: 'röd randig båge med utropstecken = försenad',
  waiting: 'streckad kontur = ej öppnad',
};

const FILL: Record<TimelineItem['tone'], string> = {
  open: '#0b5cad',
  done: '#1d7a4a',
  late: '', // the striped pattern
  waiting: '#fff',
};
const STROKE: Record<TimelineItem['tone'], string> = {
  open: '#0a3a78',
  done: '#0b4d2c',
  late: '#861b12',
  waiting: '#5a6068',
};

/** Where a label goes beside a point on the rim: to the right on the right half, and so on. */
function anchorAt(angle: number): 'start' | 'middle' | 'end' {
  const a = ((angle % 360) + 360) % 360;
  if (a > 12 && a < 168) return 'start';
  if (a > 192 && a < 348) return 'end';
  return 'middle';
}

function windowTitle(item: TimelineItem): string {
  const opens = item.start ? `öppnar ${formatDate(item.start)}, ` : '';
  return `${item.name}: ${opens}sista dag ${formatDate(item.end)}. Läge: ${item.state}.`;
}

function milestoneTitle(item: TimelineItem): string {
  return `${item.name}${item.owner ? ` (${item.owner})` : ''}: ${formatDate(item.end)}. Läge: ${item.state}.`;
}

/** The span the wheel covers: the items' dates and the cycle's (see src/domain/year-wheel.ts). */
export function spanOfItems(items: readonly TimelineItem[], extra: readonly LocalDate[] = []): WheelSpan {
  return wheelSpan([...extra, ...items.flatMap((i) => (i.start ? [i.start, i.end] : [i.end]))]);
}

/** A small white badge at a window's deadline: a check mark (done) or an exclamation mark (late). */
function badge(x: number, y: number, r: number, tone: 'done' | 'late'): SafeHtml {
  const s = r / 8;
  const p = (dx: number, dy: number) => `${f(x + dx * s)},${f(y + dy * s)}`;
  const mark =
    tone === 'done'
      ? html`<polyline
          class="yw-badge-mark"
          points="${p(-4, 0)} ${p(-1.2, 3)} ${p(4, -3.4)}"
          fill="none"
          stroke="#0b4d2c"
          stroke-width="${f(2.2 * s)}"
        />`
      : html`<line
            class="yw-badge-mark"
            x1="${f(x)}"
            y1="${f(y - 4.5 * s)}"
            x2="${f(x)}"
            y2="${f(y + 1 * s)}"
            stroke="#861b12"
            stroke-width="${f(2.4 * s)}"
          /><circle class="yw-badge-dot" cx="${f(x)}" cy="${f(y + 3.8 * s)}" r="${f(1.4 * s)}" fill="#861b12" />`;
  return html`<circle
      class="yw-badge"
      cx="${f(x)}"
      cy="${f(y)}"
      r="${f(r)}"
      fill="#fff"
      stroke="#1b1b1b"
      stroke-width="1.2"
    />${mark}`;
}

/** The wheel as an SVG inside a figure, with its legend and a link to the list. */
export function yearWheel(input: YearWheelInput): SafeHtml {
  const { items, today, title, id, year, listId } = input;
  const span = spanOfItems(items, input.spanDates);
  const windows = items.filter((i) => i.kind === 'deliverable');
  const milestones = items.filter((i) => i.kind === 'milestone');

  // Lanes from the outside in; the lanes share what lies between the milestones and the centre.
  const arcs = windows.map((item) => {
    const a = windowAngles(span, item.start ?? item.end, item.end);
    return { item, start: a.start, end: Math.max(a.end, a.start + MIN_SWEEP) };
  });
  const lanes = assignLanes(arcs);
  const laneCount = Math.max(1, ...lanes.map((l) => l + 1));
  const laneWidth = Math.min(24, (LANE_OUT - FLOOR - (laneCount - 1) * LANE_GAP) / laneCount);
  const laneOuter = (lane: number) => LANE_OUT - lane * (laneWidth + LANE_GAP);

  const hatch = `${id}-rand`;
  const arcMarks = arcs.map(({ item, start, end }, i) => {
    const outer = laneOuter(lanes[i]!);
    const inner = outer - laneWidth;
    const tone = item.tone;
    const d0 = polar(C, C, inner - 2, end);
    const d1 = polar(C, C, outer + 2, end);
    const mid = polar(C, C, (inner + outer) / 2, end);
    return html`<g
      class="yw-window yw-${tone}"
      data-phase="${item.id}"
      data-lane="${lanes[i]!}"
      data-start-angle="${f(start)}"
      data-end-angle="${f(end)}"
    >
      <title>${windowTitle(item)}</title>
      <path
        class="yw-arc"
        d="${ringSegmentPath(C, C, inner, outer, start, end)}"
        fill="${tone === 'late' ? `url(#${hatch})` : FILL[tone]}"
        stroke="${STROKE[tone]}"
        stroke-width="1.5"
        ${tone === 'waiting' ? html`stroke-dasharray="5 3"` : ''}
      />
      <line
        class="yw-deadline"
        x1="${f(d0.x)}"
        y1="${f(d0.y)}"
        x2="${f(d1.x)}"
        y2="${f(d1.y)}"
        stroke="#1b1b1b"
        stroke-width="2"
      />
      ${tone === 'done' || tone === 'late' ? badge(mid.x, mid.y, Math.min(9, laneWidth / 2 + 1), tone) : ''}
    </g>`;
  });

  // Milestones on the date's middle; two that nearly meet go on two rings.
  const milestoneAngles = milestones.map((m) => Math.min(360, angleOf(span, m.end) + 180 / span.days));
  const rings = assignLanes(milestoneAngles.map((a) => ({ start: a - 4, end: a + 4 })));
  const milestoneMarks = milestones.map((item, i) => {
    const angle = milestoneAngles[i]!;
    const ring = Math.min(rings[i]!, MILESTONE_R.length - 1);
    const at = polar(C, C, MILESTONE_R[ring]!, angle);
    const r = 7;
    const done = item.tone === 'done';
    return html`<g
      class="yw-milestone ${done ? 'yw-confirmed' : 'yw-planned'}"
      data-phase="${item.id}"
      data-angle="${f(angle)}"
    >
      <title>${milestoneTitle(item)}</title>
      <polygon
        points="${f(at.x)},${f(at.y - r)} ${f(at.x + r)},${f(at.y)} ${f(at.x)},${f(at.y + r)} ${f(at.x - r)},${f(at.y)}"
        fill="${done ? '#00315f' : '#fff'}"
        stroke="#00315f"
        stroke-width="2"
      />
    </g>`;
  });

  // The rim: a band of months, their names inside, the year written at each new year.
  const ticks = monthTicks(span);
  const months = ticks.map((t, i) => {
    const end = ticks[i + 1]?.angle ?? 360;
    const label = polar(C, C, MONTH_R, t.middle);
    return html`<path
        class="yw-month ${i % 2 === 0 ? 'yw-month-even' : 'yw-month-odd'}"
        d="${ringSegmentPath(C, C, BAND_IN, BAND_OUT, t.angle, end)}"
        fill="${i % 2 === 0 ? '#e6eaf0' : '#fff'}"
        stroke="#8a9099"
        stroke-width="0.8"
      /><text
        class="yw-text"
        x="${f(label.x)}"
        y="${f(label.y)}"
        font-size="16"
        text-anchor="middle"
        dominant-baseline="central"
        fill="#1b1b1b"
        >${formatMonthShort(t.month)}</text
      >`;
  });
  const years = ticks
    .filter((t, i) => t.month === 1 || i === 0)
    .map((t) => {
      const from = polar(C, C, FLOOR, t.angle);
      const to = polar(C, C, BAND_OUT + 6, t.angle);
      const label = polar(C, C, YEAR_R, t.angle);
      return html`<line
          class="yw-year-line"
          x1="${f(from.x)}"
          y1="${f(from.y)}"
          x2="${f(to.x)}"
          y2="${f(to.y)}"
          stroke="#33373d"
          stroke-width="${t.angle === 0 ? 3 : 1.5}"
        /><text
          class="yw-text"
          x="${f(label.x)}"
          y="${f(label.y)}"
          font-size="17"
          font-weight="700"
          text-anchor="${anchorAt(t.angle)}"
          dominant-baseline="central"
          fill="#1b1b1b"
          >${t.year}</text
        >`;
    });

  const showsToday = isWithin(span, today);
  const todayAngle = angleOf(span, today) + 180 / span.days;
  let needle: SafeHtml | string = '';
  if (showsToday) {
    const base = polar(C, C, CENTRE_R, todayAngle);
    const tip = polar(C, C, BAND_OUT + 4, todayAngle);
    const left = polar(C, C, BAND_OUT - 14, todayAngle - 2.6);
    const right = polar(C, C, BAND_OUT - 14, todayAngle + 2.6);
    needle = html`<g class="yw-today" data-angle="${f(todayAngle)}">
      <title>I dag: ${formatDate(today)}</title>
      <line
        class="yw-needle"
        x1="${f(base.x)}"
        y1="${f(base.y)}"
        x2="${f(tip.x)}"
        y2="${f(tip.y)}"
        stroke="#b3261e"
        stroke-width="3.5"
      />
      <polygon
        class="yw-needle-tip"
        points="${f(tip.x)},${f(tip.y)} ${f(left.x)},${f(left.y)} ${f(right.x)},${f(right.y)}"
        fill="#b3261e"
      />
    </g>`;
  }

  const last = ticks[ticks.length - 1]!;
  const spanWords = `${formatMonthShort(ticks[0]!.month)} ${ticks[0]!.year} – ${formatMonthShort(last.month)} ${last.year}`;
  const todayWords = showsToday
    ? `Den röda nålen visar i dag, ${formatDate(today)}.`
    : `I dag, ${formatDate(today)}, ligger utanför cykeln, så hjulet har ingen nål.`;
  const centre = html`<circle class="yw-centre" cx="${C}" cy="${C}" r="${CENTRE_R}" fill="#fff" stroke="#8a9099" />
    <text class="yw-text" x="${C}" y="${C - 30}" font-size="15" text-anchor="middle" fill="#1b1b1b">Budgetår</text>
    <text class="yw-text" x="${C}" y="${C + 4}" font-size="30" font-weight="700" text-anchor="middle" fill="#1b1b1b">
      ${year}
    </text>
    <text class="yw-text" x="${C}" y="${C + 28}" font-size="14" text-anchor="middle" fill="#33373d">${spanWords}</text>
    ${
      showsToday
        ? html`<text class="yw-text" x="${C}" y="${C + 48}" font-size="14" text-anchor="middle" fill="#861b12">
            I dag ${formatDate(today).replace(/ \d{4}$/, '')}
          </text>`
        : ''
    }`;

  const svg = html`<svg
    class="year-wheel-svg"
    viewBox="0 0 ${SIZE} ${SIZE}"
    role="img"
    aria-labelledby="${id}-titel"
    aria-describedby="${id}-beskrivning"
    xmlns="http://www.w3.org/2000/svg"
    font-family="system-ui, sans-serif"
    data-span-from="${span.from}"
    data-span-to="${span.to}"
  >
    <title id="${id}-titel">${title}</title>
    <desc id="${id}-beskrivning">
      Ett varv är hela budgetcykeln, ${spanWords}, medurs med start högst upp. Leveransfaserna är bågar från öppning
      till sista dag, i egna ringar när de överlappar; milstolparna är romber. ${todayWords} Samma uppgifter finns i
      listan bredvid.
    </desc>
    <defs>
      <pattern id="${hatch}" width="8" height="8" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">
        <rect class="yw-hatch-ground" width="8" height="8" fill="#b3261e" />
        <rect class="yw-hatch-stripe" width="3" height="8" fill="#fff" />
      </pattern>
    </defs>
    ${months} ${years} ${arcMarks} ${milestoneMarks} ${centre} ${needle}
  </svg>`;

  const tones = (['open', 'done', 'late', 'waiting'] as const).filter((t) => windows.some((w) => w.tone === t));
  return html`<figure class="year-wheel" id="${id}">
    ${svg}
    <figcaption>
      ${tones.length ? html`Bågar: leveransfaser från öppning till sista dag (${tones.map((t) => TONE_WORDS[t]).join(', ')}). ` : ''}
      ${milestones.length ? 'Romber: milstolpar (fylld = bekräftad). ' : ''}${showsToday ? 'Röd nål: i dag. ' : ''}
      <a href="#${listId}">Samma uppgifter som lista</a>
    </figcaption>
  </figure>`;
}

/** The wheel with the list beside it (below it on a narrow screen): the list is its text alternative. */
export function yearWheelBesideList(input: YearWheelInput): SafeHtml {
  return html`<div class="wheel-and-list">
    ${yearWheel(input)}
    <div class="wheel-list">${timelineList(input.items, input.today, input.listId, input.listHeading)}</div>
  </div>`;
}
