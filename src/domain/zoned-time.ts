import { LocalDate } from './local-date';

/**
 * Wall-clock times in a named zone (Europe/Stockholm) and the instants they denote, right across
 * daylight-saving changes. Uses the ICU time-zone data built into Node.js, no extra library.
 */

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-GB', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

function wallClockOf(instant: number, timeZone: string): WallClock {
  const parts = Object.fromEntries(
    formatterFor(timeZone)
      .formatToParts(new Date(instant))
      .map((p) => [p.type, p.value]),
  );
  return {
    year: Number(parts.year),
    month: Number(parts.month),
    day: Number(parts.day),
    hour: Number(parts.hour),
    minute: Number(parts.minute),
    second: Number(parts.second),
  };
}

/** The zone's offset from UTC at an instant, in minutes (Stockholm: +60 in winter, +120 in summer). */
export function offsetMinutes(instant: number, timeZone: string): number {
  const wall = wallClockOf(instant, timeZone);
  const asUtc = Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute, wall.second);
  return Math.round((asUtc - Math.floor(instant / 1000) * 1000) / 60_000);
}

/**
 * The instant at which the zone's clocks show `time` on `date`. A time that does not exist
 * (skipped by the spring change) moves forward by the gap, as clocks do.
 */
export function zonedInstant(date: LocalDate, time: string, timeZone: string): Date {
  const [hour, minute] = time.split(':').map(Number) as [number, number];
  const [year, month, day] = date.split('-').map(Number) as [number, number, number];
  const wallAsUtc = Date.UTC(year, month - 1, day, hour, minute);
  let instant = wallAsUtc - offsetMinutes(wallAsUtc, timeZone) * 60_000;
  const corrected = wallAsUtc - offsetMinutes(instant, timeZone) * 60_000;
  if (corrected !== instant) {
    // Near a change the first guess used the wrong side's offset; the second is right unless
    // the wall time falls in the spring gap, where neither maps back to it.
    instant =
      offsetMinutes(corrected, timeZone) === offsetMinutes(instant, timeZone)
        ? corrected
        : Math.max(instant, corrected);
  }
  return new Date(instant);
}

/** The zone's calendar date at an instant. */
export function localDateOf(instant: Date, timeZone: string): LocalDate {
  const wall = wallClockOf(instant.getTime(), timeZone);
  return `${wall.year}-${pad(wall.month)}-${pad(wall.day)}`;
}

/** The zone's wall-clock time at an instant, 'HH:MM'. */
export function localTimeOf(instant: Date, timeZone: string): string {
  const wall = wallClockOf(instant.getTime(), timeZone);
  return `${pad(wall.hour)}:${pad(wall.minute)}`;
}

/** ISO 8601 with the zone's offset, e.g. 2027-04-30T23:59:00+02:00 (what the plan prints). */
export function formatWithOffset(instant: Date, timeZone: string): string {
  const wall = wallClockOf(instant.getTime(), timeZone);
  const offset = offsetMinutes(instant.getTime(), timeZone);
  const sign = offset >= 0 ? '+' : '-';
  const abs = Math.abs(offset);
  return (
    `${wall.year}-${pad(wall.month)}-${pad(wall.day)}T${pad(wall.hour)}:${pad(wall.minute)}:${pad(wall.second)}` +
    `${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`
  );
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}
