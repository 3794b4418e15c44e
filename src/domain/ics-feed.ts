import { createEvents, DateTime, EventAttributes } from 'ics';
import { addDays, isLocalDate, LocalDate } from './local-date';

/**
 * A board's deadlines and the cycle's milestones as an iCalendar feed (RFC 5545) that Outlook,
 * Google and Apple calendars can subscribe to. Pure: the same input gives the same bytes.
 *
 * Timed events are written in UTC (…Z), so every client shows the right Stockholm wall time
 * without a VTIMEZONE; milestones are all-day DATE values, which have no zone at all.
 */

export const FEED_PRODUCT_ID = '-//Årshjul//Budgetcykel//SV';

export interface FeedEvent {
  /** Stable across renders, so that clients update an event instead of duplicating it. */
  uid: string;
  title: string;
  description?: string;
  /** ISO 8601 instant with an offset or Z, e.g. 2027-04-15T23:59:00+02:00. */
  start: string;
  /** Length of a timed event; without it the event is a point in time (a deadline). */
  durationMinutes?: number;
  /** Makes the event an all-day event on this date (milestones); `start` is then not used. */
  allDay?: LocalDate;
  url?: string;
  categories?: string[];
}

export interface CalendarFeedInput {
  name: string;
  description?: string;
  events: FeedEvent[];
  /**
   * The DTSTAMP of every event. The `ics` library stamps with the wall clock unless told
   * otherwise; the default here is the Unix epoch, so that a feed depends only on its input.
   */
  generatedAt?: Date;
}

// What `ics` accepts at run time, which its type declarations describe too narrowly: they leave
// out `timestamp` (DTSTAMP) and demand an end or a duration, where RFC 5545 and the library's
// own schema allow neither (an event without them is a point in time).
type IcsEvent = Omit<EventAttributes, 'end' | 'duration'> & { end?: DateTime; timestamp?: number };

export function renderCalendarFeed(input: CalendarFeedInput): string {
  const name = singleLine(input.name).trim();
  if (!name) throw new RangeError('calendar feed: the calendar needs a name');
  const timestamp = input.generatedAt?.getTime() ?? 0;
  if (!Number.isFinite(timestamp) || timestamp < 0) {
    throw new RangeError(`calendar feed: generatedAt is not a valid time after 1970: ${String(input.generatedAt)}`);
  }
  const uids = new Set<string>();
  const events = input.events.map((event): IcsEvent => {
    if (!/^[\x21-\x7e]+$/.test(event.uid)) {
      throw new RangeError(`calendar feed: UID must be printable ASCII without spaces: ${JSON.stringify(event.uid)}`);
    }
    if (uids.has(event.uid)) throw new RangeError(`calendar feed: duplicate UID ${event.uid}`);
    uids.add(event.uid);
    if (event.url !== undefined && !/^https?:\/\/[^\s]+$/.test(event.url)) {
      throw new RangeError(`calendar feed: ${event.uid}: url must be an http(s) URL without spaces: ${event.url}`);
    }
    const common = {
      uid: event.uid,
      title: singleLine(event.title),
      timestamp,
      ...(event.description === undefined ? {} : { description: multiLine(event.description) }),
      ...(event.url === undefined ? {} : { url: event.url }),
      ...(event.categories?.length ? { categories: event.categories.map((c) => escapeListItem(singleLine(c))) } : {}),
    };
    if (event.allDay !== undefined) {
      if (!isLocalDate(event.allDay)) {
        throw new RangeError(`calendar feed: ${event.uid}: allDay is not a date (YYYY-MM-DD): ${event.allDay}`);
      }
      // DTEND of a DATE event is exclusive: a one-day event ends the next day.
      return { ...common, start: dateArray(event.allDay), end: dateArray(addDays(event.allDay, 1)) };
    }
    const start = parseInstant(event.start, event.uid);
    const minutes = event.durationMinutes ?? 0;
    if (!Number.isInteger(minutes) || minutes < 0) {
      throw new RangeError(`calendar feed: ${event.uid}: durationMinutes must be a whole number ≥ 0: ${minutes}`);
    }
    // A number is formatted as UTC by `ics`. Without DTEND or DURATION an event lasts no time.
    return minutes === 0 ? { ...common, start } : { ...common, start, end: start + minutes * 60_000 };
  });

  const { error, value } = createEvents(events as EventAttributes[], {
    productId: FEED_PRODUCT_ID,
    method: 'PUBLISH',
    calName: name,
  });
  if (error || !value) {
    throw new Error(`calendar feed could not be rendered: ${describeIcsError(error)}`);
  }

  const lines = unfold(value);
  if (input.description !== undefined) {
    // `ics` has no calendar description: add it at the end of the calendar's own properties.
    const at = lines.findIndex((line) => line === 'BEGIN:VEVENT' || line === 'END:VCALENDAR');
    lines.splice(at, 0, `X-WR-CALDESC:${escapeText(multiLine(input.description))}`);
  }
  return lines.map(fold).join('\r\n') + '\r\n';
}

/** Control characters (RFC 5545 CONTROL) in any text that reaches the feed. */
// eslint-disable-next-line no-control-regex
const CONTROLS = /[\x00-\x08\x0a-\x1f\x7f]/g;

/** Titles, names and categories: line breaks and other control characters (tab too) become spaces. */
function singleLine(text: string): string {
  return text.replace(/\r\n/g, ' ').replace(CONTROLS, ' ').replace(/\t/g, ' ');
}

/** Descriptions keep their line breaks (written as \n by `ics`), nothing else. */
function multiLine(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((line) => line.replace(CONTROLS, ' '))
    .join('\n');
}

/** TEXT escaping (RFC 5545 3.3.11), for the one property `ics` does not write for us. */
function escapeText(text: string): string {
  return text.replace(/[\\;,]/g, (c) => `\\${c}`).replace(/\n/g, '\\n');
}

/** `ics` joins CATEGORIES with commas but does not escape them inside a category. */
function escapeListItem(text: string): string {
  return text.replace(/[\\;,]/g, (c) => `\\${c}`);
}

function parseInstant(iso: string, uid: string): number {
  const ms = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(iso) ? Date.parse(iso) : NaN;
  if (Number.isNaN(ms) || ms < 0) {
    throw new RangeError(`calendar feed: ${uid}: start must be an ISO instant with an offset: ${iso}`);
  }
  return ms;
}

function dateArray(date: LocalDate): [number, number, number] {
  const [year, month, day] = date.split('-').map(Number) as [number, number, number];
  return [year, month, day];
}

function describeIcsError(error: unknown): string {
  // `ics` returns a plain copy of its validation error (no prototype), with `errors` listing each problem.
  if (error && typeof error === 'object') {
    const { errors, message } = error as { errors?: unknown; message?: unknown };
    if (Array.isArray(errors) && errors.length) return errors.map(String).join('; ');
    if (typeof message === 'string' && message) return message;
  }
  return String(error ?? 'no output');
}

/**
 * `ics` folds at 75 characters, not octets, so Swedish and other non-ASCII text makes longer
 * lines than RFC 5545 allows. Undo its folding (CRLF + tab) and fold again by UTF-8 octets,
 * never inside a character.
 */
function unfold(text: string): string[] {
  return text
    .replace(/\r\n[ \t]/g, '')
    .split('\r\n')
    .filter((line) => line !== '');
}

function fold(line: string): string {
  const parts: string[] = [];
  let current = '';
  let octets = 0;
  let limit = 75;
  for (const char of line) {
    const size = utf8Length(char.codePointAt(0)!);
    if (octets + size > limit) {
      parts.push(current);
      current = '';
      octets = 0;
      limit = 74; // continuation lines start with a space
    }
    current += char;
    octets += size;
  }
  parts.push(current);
  return parts.join('\r\n ');
}

function utf8Length(codePoint: number): number {
  return codePoint < 0x80 ? 1 : codePoint < 0x800 ? 2 : codePoint < 0x10000 ? 3 : 4;
}
