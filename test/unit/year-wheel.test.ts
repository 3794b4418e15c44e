import { yearWheel, yearWheelBesideList } from '../../src/client/http/pages/year-wheel';
import type { TimelineItem } from '../../src/client/http/pages/timeline';
import {
  angleOf,
  assignLanes,
  isWithin,
  monthTicks,
  polar,
  ringSegmentPath,
  wheelSpan,
  windowAngles,
} from '../../src/domain/year-wheel';

/** Budget year 2027 as the shipped calendar has it: budgetunderlag in 2026 to the annual report in 2028. */
const SPAN = wheelSpan(['2026-02-04', '2026-04-30', '2027-05-19', '2028-02-18', '2028-04-24']);

describe('the year wheel: dates to angles', () => {
  it('covers whole months from the first date to the last: one turn for the whole cycle', () => {
    expect(SPAN).toEqual({ from: '2026-02-01', to: '2028-05-01', days: 820 });
    const ticks = monthTicks(SPAN);
    expect(ticks).toHaveLength(27);
    expect(ticks[0]).toMatchObject({ date: '2026-02-01', month: 2, year: 2026, angle: 0 });
    expect(ticks[26]).toMatchObject({ date: '2028-04-01', month: 4, year: 2028 });
    // Each month's share of the turn follows its days: February 2026 (28) is narrower than March (31).
    expect(ticks[1]!.angle).toBeCloseTo((28 / 820) * 360, 6);
    expect(ticks[2]!.angle - ticks[1]!.angle).toBeCloseTo((31 / 820) * 360, 6);
    expect(ticks[0]!.middle).toBeCloseTo(ticks[1]!.angle / 2, 6);
  });

  it('puts the start at 0°, the middle at 180° and the day after the end at 360°', () => {
    expect(angleOf(SPAN, '2026-02-01')).toBe(0);
    expect(angleOf(SPAN, '2027-03-18')).toBeCloseTo(180, 6); // 410 days in
    expect(angleOf(SPAN, '2028-05-01')).toBe(360);
    expect(angleOf(SPAN, '2028-04-30')).toBeCloseTo(360 - 360 / 820, 6);
    // Clockwise from twelve o'clock: a quarter turn is at three o'clock, half at six.
    const quarter = polar(100, 100, 50, 90);
    expect(quarter.x).toBeCloseTo(150, 6);
    expect(quarter.y).toBeCloseTo(100, 6);
    const half = polar(100, 100, 50, 180);
    expect(half.x).toBeCloseTo(100, 6);
    expect(half.y).toBeCloseTo(150, 6);
  });

  it('cuts a window at the seam instead of wrapping it round to the other side', () => {
    // The last window ends on the span's last day: it reaches the seam, no further.
    const lastWindow = windowAngles(SPAN, '2028-01-07', '2028-04-30');
    expect(lastWindow.end).toBe(360);
    expect(lastWindow.start).toBeLessThan(lastWindow.end);
    // A window given a wider span than the wheel's (a span passed in) is clipped at 0° and 360°.
    const across = windowAngles(SPAN, '2025-12-01', '2028-06-30');
    expect(across).toEqual({ start: 0, end: 360 });
    expect(angleOf(SPAN, '2025-01-01')).toBe(0);
    expect(angleOf(SPAN, '2029-01-01')).toBe(360);
    // A window drawn the wrong way round (deadline before opening) is still drawn forwards.
    expect(windowAngles(SPAN, '2026-04-30', '2026-02-04')).toEqual(windowAngles(SPAN, '2026-02-04', '2026-04-30'));
  });

  it('draws a ring segment past half a turn the long way, and a whole turn as two halves', () => {
    const short = ringSegmentPath(0, 0, 10, 20, 0, 90);
    const long = ringSegmentPath(0, 0, 10, 20, 0, 270);
    // The outer arc's large-arc flag: 0 below half a turn, 1 above.
    expect(short).toMatch(/^M0 -20\.00 A20\.00 20\.00 0 0 1 20\.00 0 L10\.00 0 A10\.00 10\.00 0 0 0 0 -10\.00 Z$/);
    expect(long).toContain('A20.00 20.00 0 1 1 -20.00 0');
    const whole = ringSegmentPath(0, 0, 10, 20, 0, 360);
    expect(whole.match(/M/g)).toHaveLength(2);
    expect(whole).toContain('M0 20.00'); // the second half starts at six o'clock
  });

  it('gives overlapping windows their own lanes and reuses a lane once it is free', () => {
    const windows = [
      { start: 10, end: 50 }, // budgetunderlag
      { start: 30, end: 70 }, // overlaps the first
      { start: 40, end: 45 }, // overlaps both
      { start: 60, end: 90 }, // the first lane is free again
      { start: 90, end: 120 }, // touches the fourth: shares its last day, so not its lane
    ];
    const lanes = assignLanes(windows);
    expect(lanes).toEqual([0, 1, 2, 0, 1]);
    // Never two overlapping windows in one lane.
    for (let i = 0; i < windows.length; i++) {
      for (let j = i + 1; j < windows.length; j++) {
        const overlap = windows[i]!.start <= windows[j]!.end && windows[j]!.start <= windows[i]!.end;
        if (overlap) expect(lanes[i]).not.toBe(lanes[j]);
      }
    }
    expect(assignLanes([])).toEqual([]);
  });

  it('knows whether today is on the wheel', () => {
    expect(isWithin(SPAN, '2026-02-01')).toBe(true);
    expect(isWithin(SPAN, '2028-04-30')).toBe(true);
    expect(isWithin(SPAN, '2028-05-01')).toBe(false);
    expect(isWithin(SPAN, '2026-01-31')).toBe(false);
  });
});

const ITEMS: TimelineItem[] = [
  {
    id: 'anvisningar',
    name: 'Anvisningar',
    kind: 'milestone',
    end: '2026-02-04',
    state: 'bekräftad',
    tone: 'done',
    owner: 'SLK',
  },
  {
    id: 'budgetunderlag',
    name: 'Budgetunderlag',
    kind: 'deliverable',
    start: '2026-02-04',
    end: '2026-04-30',
    state: 'Inlämnad',
    tone: 'done',
  },
  {
    id: 'lup',
    name: 'LUP <analys> & "dialog"',
    kind: 'deliverable',
    start: '2026-03-02',
    end: '2026-06-30',
    state: 'Öppen, Försenad',
    tone: 'late',
  },
  {
    id: 'verksamhetsplan',
    name: 'Verksamhetsplan',
    kind: 'deliverable',
    start: '2026-12-14',
    end: '2027-01-29',
    state: 'Öppen',
    tone: 'open',
  },
  {
    id: 'verksamhetsberattelse',
    name: 'Verksamhetsberättelse',
    kind: 'deliverable',
    start: '2028-01-07',
    end: '2028-02-18',
    state: 'Ej öppnad',
    tone: 'waiting',
  },
  {
    id: 'kf-arsredovisning',
    name: 'KF årsredovisning',
    kind: 'milestone',
    end: '2028-04-24',
    state: 'planerad',
    tone: 'waiting',
    owner: 'KF',
  },
];

const draw = (today: string) =>
  yearWheel({ items: ITEMS, today, year: 2027, title: 'Årshjulet för budgetår 2027', id: 'hjul', listId: 'lista' })
    .value;

/** The attributes of the first element matching `selector` (tag and optional class), read off the markup. */
function attributesOf(svg: string, tag: string, className?: string): Record<string, string> {
  const pattern = new RegExp(`<${tag}\\b([^>]*${className ? `class="[^"]*\\b${className}\\b[^"]*"` : ''}[^>]*)>`);
  const match = pattern.exec(svg);
  if (!match) throw new Error(`no <${tag}${className ? `.${className}` : ''}>`);
  return Object.fromEntries([...match[1]!.matchAll(/([\w:-]+)="([^"]*)"/g)].map((m) => [m[1]!, m[2]!]));
}

describe('the year wheel as SVG', () => {
  it('is an image named by its title and described by its desc, and links to the list beside it', () => {
    const svg = draw('2026-11-30');
    const root = attributesOf(svg, 'svg');
    expect(root).toMatchObject({
      role: 'img',
      'aria-labelledby': 'hjul-titel',
      'aria-describedby': 'hjul-beskrivning',
      viewBox: '0 0 680 680',
    });
    // Scales with its container: a viewBox and no fixed size.
    expect(root.width).toBeUndefined();
    expect(root.height).toBeUndefined();
    expect(svg).toContain('<title id="hjul-titel">Årshjulet för budgetår 2027</title>');
    expect(svg).toMatch(
      /<desc id="hjul-beskrivning">[^<]*feb 2026 – apr 2028[^<]*Den röda nålen visar i dag, 30 november 2026\./,
    );
    expect(svg).toContain('<a href="#lista">Samma uppgifter som lista</a>');
    // No inline style and no script: the pages' Content-Security-Policy allows neither.
    expect(svg).not.toMatch(/style=|<style|<script|\bon\w+=/i);
    const both = yearWheelBesideList({
      items: ITEMS,
      today: '2026-11-30',
      year: 2027,
      title: 'T',
      id: 'hjul',
      listId: 'lista',
    }).value;
    expect(both).toContain('<h3 id="lista">Årshjulet som lista</h3>');
    expect(both).toContain('<ol aria-labelledby="lista">');
  });

  it('gives every window and milestone a tooltip, escaped, and each state a shape besides its colour', () => {
    const svg = draw('2026-11-30');
    const titles = [...svg.matchAll(/<g\s[^>]*data-phase="([^"]+)"[^>]*>\s*<title>([^<]*)<\/title>/g)].map((m) => [
      m[1],
      m[2],
    ]);
    expect(titles.map(([id]) => id).sort()).toEqual(ITEMS.map((i) => i.id).sort());
    expect(new Map(titles as Array<[string, string]>).get('lup')).toBe(
      'LUP &lt;analys&gt; &amp; &quot;dialog&quot;: öppnar 2 mars 2026, sista dag 30 juni 2026. Läge: Öppen, Försenad.',
    );
    expect(new Map(titles as Array<[string, string]>).get('kf-arsredovisning')).toBe(
      'KF årsredovisning (KF): 24 april 2028. Läge: planerad.',
    );
    // Late: striped (a pattern) with an exclamation mark; done: a check mark; waiting: dashed.
    const late = /<g\s[^>]*class="yw-window yw-late"[\s\S]*?<\/g>/.exec(svg)![0];
    expect(late).toContain('fill="url(#hjul-rand)"');
    expect(late).toContain('yw-badge-dot');
    const done = /<g\s[^>]*class="yw-window yw-done"[\s\S]*?<\/g>/.exec(svg)![0];
    expect(done).toContain('<polyline');
    const waiting = /<g\s[^>]*class="yw-window yw-waiting"[\s\S]*?<\/g>/.exec(svg)![0];
    expect(waiting).toContain('stroke-dasharray');
    const open = /<g\s[^>]*class="yw-window yw-open"[\s\S]*?<\/g>/.exec(svg)![0];
    expect(open).not.toMatch(/stroke-dasharray|yw-badge|url\(/);
    expect(svg).toContain('<pattern id="hjul-rand"');
    // Overlapping windows (budgetunderlag, LUP) in two lanes.
    expect(attributesOf(svg, 'g', 'yw-done')['data-lane']).toBe('0');
    expect(attributesOf(svg, 'g', 'yw-late')['data-lane']).toBe('1');
  });

  it('draws the needle at today, and none when today is outside the cycle', () => {
    const svg = draw('2026-11-30');
    const span = wheelSpan(['2026-02-04', '2028-04-24']);
    const needle = attributesOf(svg, 'g', 'yw-today');
    // The middle of the day: 302.5 days into 820.
    expect(Number(needle['data-angle'])).toBeCloseTo((302.5 / 820) * 360, 1);
    expect(Number(needle['data-angle'])).toBeCloseTo(angleOf(span, '2026-11-30') + 180 / 820, 1);
    const line = attributesOf(svg, 'line', 'yw-needle');
    const angle = (Math.atan2(Number(line.x2) - 340, 340 - Number(line.y2)) * 180) / Math.PI;
    expect((angle + 360) % 360).toBeCloseTo(Number(needle['data-angle']), 0);

    for (const outside of ['2026-01-31', '2028-05-01']) {
      const without = draw(outside);
      expect(without).not.toContain('yw-today');
      expect(without).toContain('ligger utanför cykeln, så hjulet har ingen nål');
      expect(without).not.toContain('Röd nål');
    }
  });
});
