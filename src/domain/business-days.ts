import Holidays from 'date-holidays';
import { addDays, isoWeekday, LocalDate, yearOf } from './local-date';

/**
 * The Swedish business-day calendar. Holidays come from the maintained `date-holidays` library
 * (country SE), types `public` and `bank` only: `bank` holds midsommarafton, julafton and
 * nyårsafton; the default types would also count observances such as Mors dag.
 */

export interface DayOff {
  date: LocalDate;
  name: string;
}

const holidaysByYear = new Map<number, Map<LocalDate, string>>();
const swedishHolidays = new Holidays('SE', { types: ['public', 'bank'] });

function holidaysOf(year: number): Map<LocalDate, string> {
  let days = holidaysByYear.get(year);
  if (!days) {
    days = new Map();
    for (const holiday of swedishHolidays.getHolidays(year)) {
      // `date` is the local date followed by the local time ("2027-06-25 00:00:00").
      days.set(holiday.date.slice(0, 10), holiday.name);
    }
    holidaysByYear.set(year, days);
  }
  return days;
}

/** The holiday's Swedish name, or undefined on an ordinary day. */
export function holidayName(date: LocalDate): string | undefined {
  return holidaysOf(yearOf(date)).get(date);
}

export function isWeekend(date: LocalDate): boolean {
  return isoWeekday(date) >= 6;
}

export function isBusinessDay(date: LocalDate): boolean {
  return !isWeekend(date) && holidayName(date) === undefined;
}

/** Why a date is not a business day, in Swedish ("lördag", "midsommarafton"), or undefined. */
export function dayOffReason(date: LocalDate): string | undefined {
  const holiday = holidayName(date);
  if (holiday) return holiday;
  const weekday = isoWeekday(date);
  if (weekday === 6) return 'lördag';
  if (weekday === 7) return 'söndag';
  return undefined;
}

export function nextBusinessDayOnOrAfter(date: LocalDate): LocalDate {
  let day = date;
  while (!isBusinessDay(day)) day = addDays(day, 1);
  return day;
}

export function previousBusinessDayOnOrBefore(date: LocalDate): LocalDate {
  let day = date;
  while (!isBusinessDay(day)) day = addDays(day, -1);
  return day;
}

/** Moves `count` business days forward (count > 0) or back (count < 0) from a date. */
export function addBusinessDays(date: LocalDate, count: number): LocalDate {
  const step = count >= 0 ? 1 : -1;
  let day = date;
  for (let remaining = Math.abs(count); remaining > 0;) {
    day = addDays(day, step);
    if (isBusinessDay(day)) remaining--;
  }
  return day;
}

export interface LegalDeadline {
  /** The date the deadline actually falls on. */
  date: LocalDate;
  /** Present when the law moved it: the date as written and why it could not stand. */
  shiftedFrom?: { date: LocalDate; reason: string };
}

/**
 * Lag (1930:173) om beräkning av lagstadgad tid, 2 §: a deadline that falls on a Saturday,
 * Sunday, public holiday, midsommarafton, julafton or nyårsafton moves to the next weekday that
 * is none of these.
 */
export function legalDeadline(date: LocalDate): LegalDeadline {
  const moved = nextBusinessDayOnOrAfter(date);
  if (moved === date) return { date };
  return { date: moved, shiftedFrom: { date, reason: dayOffReason(date) ?? 'helgdag' } };
}
