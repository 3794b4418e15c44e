import {
  addBusinessDays,
  holidayName,
  isBusinessDay,
  legalDeadline,
  previousBusinessDayOnOrBefore,
} from '../../src/domain/business-days';
import { formatWithOffset, localDateOf, zonedInstant } from '../../src/domain/zoned-time';

const TZ = 'Europe/Stockholm';

describe('Swedish business days', () => {
  it('counts public holidays and the three eves, not observances such as Mors dag', () => {
    expect(holidayName('2027-06-25')).toBe('midsommarafton');
    expect(holidayName('2027-12-24')).toBe('julafton');
    expect(holidayName('2027-12-31')).toBe('nyårsafton');
    expect(holidayName('2027-05-06')).toBe('Kristi himmelsfärdsdag');
    expect(holidayName('2027-05-30')).toBeUndefined(); // Mors dag (a Sunday, but an observance)
    expect(isBusinessDay('2027-11-05')).toBe(true); // alla helgons afton is a working day
    expect(isBusinessDay('2027-11-06')).toBe(false);
  });

  it('moves deadlines by Lag 1930:173 and says why', () => {
    expect(legalDeadline('2027-06-25')).toEqual({
      date: '2027-06-28',
      shiftedFrom: { date: '2027-06-25', reason: 'midsommarafton' },
    });
    expect(legalDeadline('2027-12-24').date).toBe('2027-12-27'); // julafton, juldagen, annandag, a weekend
    expect(legalDeadline('2026-05-01')).toEqual({
      date: '2026-05-04',
      shiftedFrom: { date: '2026-05-01', reason: 'första maj' },
    });
    expect(legalDeadline('2027-05-29').shiftedFrom?.reason).toBe('lördag');
    expect(legalDeadline('2027-04-30')).toEqual({ date: '2027-04-30' });
  });

  it('adds business days across weekends and holidays', () => {
    expect(addBusinessDays('2027-06-24', 1)).toBe('2027-06-28');
    expect(addBusinessDays('2027-03-25', 1)).toBe('2027-03-30'); // långfredag, påsk, annandag påsk
    expect(addBusinessDays('2027-04-30', 5)).toBe('2027-05-10'); // första maj a Saturday, Kristi himmelsfärd
    expect(addBusinessDays('2027-04-30', -1)).toBe('2027-04-29');
    expect(previousBusinessDayOnOrBefore('2027-01-06')).toBe('2027-01-05');
  });
});

describe('Stockholm wall-clock time', () => {
  it('puts 08:00 at the right instant on both sides of the daylight-saving changes', () => {
    expect(zonedInstant('2027-03-26', '08:00', TZ).toISOString()).toBe('2027-03-26T07:00:00.000Z');
    expect(zonedInstant('2027-03-29', '08:00', TZ).toISOString()).toBe('2027-03-29T06:00:00.000Z');
    expect(zonedInstant('2027-10-29', '08:00', TZ).toISOString()).toBe('2027-10-29T06:00:00.000Z');
    expect(zonedInstant('2027-11-01', '08:00', TZ).toISOString()).toBe('2027-11-01T07:00:00.000Z');
  });

  it('moves a time in the spring gap forward, as clocks do', () => {
    expect(formatWithOffset(zonedInstant('2027-03-28', '02:30', TZ), TZ)).toBe('2027-03-28T03:30:00+02:00');
  });

  it('formats with the day’s offset and reads back the local date', () => {
    const instant = zonedInstant('2027-01-15', '23:59', TZ);
    expect(formatWithOffset(instant, TZ)).toBe('2027-01-15T23:59:00+01:00');
    expect(localDateOf(instant, TZ)).toBe('2027-01-15');
  });
});
