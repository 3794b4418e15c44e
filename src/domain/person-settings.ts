import { z } from 'zod';
import { BOARD_ID_PATTERN } from './grants';
import { addDays, compareDates, daysBetween, LocalDate } from './local-date';
import { localDateSchema, Refusal } from './refusals';
import { mailLanguages } from './swedish-format';

/**
 * A person's own settings (issue 13, self-service): the language of their mails, a weekly digest
 * instead of single reminders, which of their boards' mails they get, and their stand-ins
 * (ersättare) for periods. Pure: what the page and the API accept, and the checks that need no
 * database. Periods are whole days in Europe/Stockholm, both ends included.
 */

/** A stand-in period may last a year at most (a leave longer than that is a new appointment). */
export const MAX_STAND_IN_DAYS = 366;
export const MAX_STAND_INS = 10;

export const standInInputSchema = z
  .object({
    /** The stand-in by e-mail: people know each other's addresses, not our ids. */
    email: z.email({ message: 'must be an e-mail address' }).max(320),
    from: localDateSchema(),
    to: localDateSchema(),
  })
  .strict();
export type StandInInput = z.infer<typeof standInInputSchema>;

export const personSettingsInputSchema = z
  .object({
    /** The settings' version the caller read: a change based on an older one is refused (409). */
    version: z.number().int().min(0),
    language: z.enum(mailLanguages, { message: 'must be sv or en' }),
    weeklyDigest: z.boolean(),
    /** The boards (among those the person holds grants at) whose mails the person gets. */
    mailBoards: z.array(z.string().regex(BOARD_ID_PATTERN, { message: 'must be an organisation id' })).max(200),
    standIns: z.array(standInInputSchema).max(MAX_STAND_INS),
  })
  .strict();
export type PersonSettingsInput = z.infer<typeof personSettingsInputSchema>;

/**
 * The checks of the stand-in periods that need no database: each ends on or after it starts,
 * lasts at most MAX_STAND_IN_DAYS, has not ended before `today`, and none overlaps another.
 * The field names the period's date at fault (`standIns.1.from`).
 */
export function checkStandInPeriods(standIns: readonly StandInInput[], today: LocalDate): Refusal[] {
  const refusals: Refusal[] = [];
  standIns.forEach((s, i) => {
    if (compareDates(s.to, s.from) < 0) {
      refusals.push({
        field: `standIns.${i}.to`,
        problem: 'must be on or after the first day',
        code: 'before-from',
        params: { from: s.from },
      });
    } else if (daysBetween(s.from, s.to) + 1 > MAX_STAND_IN_DAYS) {
      refusals.push({
        field: `standIns.${i}.to`,
        problem: `a period lasts at most ${MAX_STAND_IN_DAYS} days`,
        code: 'period-too-long',
        params: { max: MAX_STAND_IN_DAYS, last: addDays(s.from, MAX_STAND_IN_DAYS - 1) },
      });
    } else if (compareDates(s.to, today) < 0) {
      refusals.push({ field: `standIns.${i}.to`, problem: 'has passed already', code: 'in-the-past' });
    }
  });
  if (refusals.length > 0) return refusals;
  const order = standIns.map((s, i) => ({ ...s, i })).sort((a, b) => compareDates(a.from, b.from) || a.i - b.i);
  for (let k = 1; k < order.length; k++) {
    const earlier = order[k - 1]!;
    const later = order[k]!;
    if (compareDates(later.from, earlier.to) <= 0) {
      refusals.push({
        field: `standIns.${later.i}.from`,
        problem: `overlaps the period ${earlier.from}–${earlier.to}`,
        code: 'overlapping-period',
        params: { from: earlier.from, to: earlier.to },
      });
    }
  }
  return refusals;
}

/** Whether a period (both ends included) covers a day. */
export const periodCovers = (period: { from: LocalDate; to: LocalDate }, day: LocalDate): boolean =>
  compareDates(period.from, day) <= 0 && compareDates(day, period.to) <= 0;
