import type { LocalDate } from '../domain/local-date';
import { MUNICIPALITY_TIME_ZONE } from '../domain/glossary';
import { localDateOf } from '../domain/zoned-time';

/**
 * Stockholm's calendar day of an instant, remembered for the instants seen last. Working it out
 * takes an Intl formatting (tens of microseconds), a good part of what a notification costs the
 * worker beside its SMTP exchange, and the mails of a burst share a few instants: the moment
 * their reminders were planned for, their phases' deadlines. Forgets everything past `limit`.
 */
export function stockholmDays(limit = 1_000): (instant: Date) => LocalDate {
  const known = new Map<number, LocalDate>();
  return (instant) => {
    const ms = instant.getTime();
    let day = known.get(ms);
    if (day === undefined) {
      day = localDateOf(instant, MUNICIPALITY_TIME_ZONE);
      if (known.size >= limit) known.clear();
      known.set(ms, day);
    }
    return day;
  };
}
