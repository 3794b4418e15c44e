import { addDays, compareDates, daysBetween } from '../../../domain/local-date';
import { formatDate, formatMonthShort } from './format';
import { html, SafeHtml } from './html';

/** One line of the year wheel: a deliverable phase (opening → deadline) or a milestone (a day). */
export interface TimelineItem {
  id: string;
  name: string;
  kind: 'deliverable' | 'milestone';
  /** Opening date of a deliverable phase, when known. */
  start?: string;
  /** Deadline of a deliverable phase, or a milestone's date. */
  end: string;
  /** The phase's state in words ("öppen", "bekräftad 2 dec 2026" …). */
  state: string;
  /** For the colour: open, finished (closed or confirmed), waiting, or late (a board's, still owed). */
  tone: 'open' | 'done' | 'waiting' | 'late';
  owner?: string;
}

const WIDTH = 960;
const LABEL_WIDTH = 240;
const RIGHT = 16;
const AXIS = 40;
const ROW = 30;

const FILL = { open: '#0b5cad', done: '#1d7a4a', waiting: '#8a9099', late: '#b3261e' } as const;

const monthStart = (date: string) => `${date.slice(0, 7)}-01`;
const nextMonth = (date: string) => monthStart(addDays(monthStart(date), 32));

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/**
 * The year wheel as a Gantt line in SVG (scales with the page, scrolls inside its container on a
 * phone), followed by the same content as a list: the text alternative.
 */
export function timeline(items: TimelineItem[], today: string, title: string): SafeHtml {
  return html`${timelineChart(items, today, title)} ${timelineList(items, today)}`;
}

/** The Gantt line alone (its list is `timelineList`). */
export function timelineChart(items: TimelineItem[], today: string, title: string): SafeHtml {
  const dates = [today, ...items.flatMap((i) => (i.start ? [i.start, i.end] : [i.end]))].sort(compareDates);
  const from = monthStart(dates[0]!);
  const to = nextMonth(dates[dates.length - 1]!);
  const span = Math.max(1, daysBetween(from, to));
  const x = (date: string) => LABEL_WIDTH + (daysBetween(from, date) / span) * (WIDTH - LABEL_WIDTH - RIGHT);
  const height = AXIS + items.length * ROW + 12;
  const f = (n: number) => n.toFixed(1);

  const months: string[] = [];
  for (let m = from; compareDates(m, to) < 0; m = nextMonth(m)) months.push(m);
  const every = Math.max(1, Math.ceil(months.length / 12));
  const ticks = months.map((m, i) => {
    const month = Number(m.slice(5, 7));
    const label =
      i % every === 0 ? `${formatMonthShort(month)}${month === 1 || i === 0 ? ` ${m.slice(0, 4)}` : ''}` : '';
    return html`<line x1="${f(x(m))}" y1="${AXIS - 6}" x2="${f(x(m))}" y2="${height - 8}" stroke="#d9dde3" />
      ${label ? html`<text x="${f(x(m) + 3)}" y="${AXIS - 12}" font-size="12" fill="#33373d">${label}</text>` : ''}`;
  });

  const rows = items.map((item, i) => {
    const y = AXIS + i * ROW;
    const mid = y + ROW / 2;
    const fill = FILL[item.tone];
    const shape =
      item.kind === 'milestone'
        ? html`<polygon
            points="${f(x(item.end))},${f(mid - 8)} ${f(x(item.end) + 8)},${f(mid)} ${f(x(item.end))},${f(mid + 8)} ${f(x(item.end) - 8)},${f(mid)}"
            fill="${item.tone === 'done' ? '#00315f' : '#fff'}"
            stroke="#00315f"
            stroke-width="2"
          />`
        : html`<rect
              x="${f(x(item.start ?? item.end))}"
              y="${f(mid - 7)}"
              width="${f(Math.max(3, x(item.end) - x(item.start ?? item.end)))}"
              height="14"
              rx="3"
              fill="${fill}"
            />
            <line
              x1="${f(x(item.end))}"
              y1="${f(mid - 11)}"
              x2="${f(x(item.end))}"
              y2="${f(mid + 11)}"
              stroke="#1b1b1b"
              stroke-width="2"
            />`;
    return html`<g>
      ${i % 2 === 0 ? html`<rect x="0" y="${y}" width="${WIDTH}" height="${ROW}" fill="#f4f6f9" />` : ''}
      <text x="8" y="${f(mid + 4)}" font-size="13" fill="#1b1b1b"
        >${truncate(item.name, 32)}<title>${item.name}</title></text
      >
      ${shape}
    </g>`;
  });

  const todayX = f(x(today));
  const svg = html`<svg
    viewBox="0 0 ${WIDTH} ${height}"
    role="img"
    aria-labelledby="arshjul-titel arshjul-beskrivning"
    xmlns="http://www.w3.org/2000/svg"
    font-family="system-ui, sans-serif"
  >
    <title id="arshjul-titel">${title}</title>
    <desc id="arshjul-beskrivning">
      Tidslinje med faser som staplar från öppning till sista dag och milstolpar som romber. Linjen markerad I dag visar
      ${formatDate(today)}. Samma uppgifter finns i listan under bilden.
    </desc>
    ${rows} ${ticks}
    <line
      x1="${todayX}"
      y1="${AXIS - 8}"
      x2="${todayX}"
      y2="${height - 4}"
      stroke="#b3261e"
      stroke-width="2"
      stroke-dasharray="5 3"
    />
    <text x="${todayX}" y="${AXIS - 26}" font-size="12" font-weight="700" fill="#861b12" text-anchor="middle">
      I dag
    </text>
  </svg>`;

  // The wrapper is a focusable region, as the tables' wrappers are: on a narrow screen the wheel
  // scrolls sideways, and a keyboard user must be able to reach it to scroll (WCAG 2.1.1).
  return html`<figure class="timeline">
    <div class="timeline-wrap" role="region" aria-labelledby="arshjul-titel" tabindex="0">${svg}</div>
    <figcaption class="muted">
      Staplar: leveransfaser (blå = öppen, grön = klar, grå = ej öppnad). Romber: milstolpar (fylld = bekräftad).
      Streckad röd linje: i dag.
    </figcaption>
  </figure>`;
}

/**
 * The phases and milestones as a list, in the calendar's order: the text alternative of the
 * Gantt line and of the year wheel. `headingId` names the list (unique on a page with several).
 */
export function timelineList(
  items: TimelineItem[],
  today: string,
  headingId = 'arshjul-lista',
  heading = 'Årshjulet som lista',
): SafeHtml {
  const list = items.map((item) =>
    item.kind === 'milestone'
      ? html`<li>
          <strong>${item.name}</strong> — milstolpe${item.owner ? ` (${item.owner})` : ''}: ${formatDate(item.end)}.
          Läge: ${item.state}.
        </li>`
      : html`<li>
          <strong>${item.name}</strong> — leverans: ${item.start ? `öppnar ${formatDate(item.start)}, ` : ''}sista dag
          ${formatDate(item.end)}. Läge: ${item.state}.
        </li>`,
  );
  return html`<h3 id="${headingId}">${heading}</h3>
    <p>I dag är det ${formatDate(today)}.</p>
    <ol aria-labelledby="${headingId}">
      ${list}
    </ol>`;
}
