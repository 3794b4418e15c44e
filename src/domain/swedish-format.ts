import { MUNICIPALITY_TIME_ZONE } from './glossary';

/** The languages mails are written in; Swedish unless a recipient asked for English. */
export const mailLanguages = ['sv', 'en'] as const;
export type MailLanguage = (typeof mailLanguages)[number];

const dateTimeFormat = new Intl.DateTimeFormat('sv-SE', {
  timeZone: MUNICIPALITY_TIME_ZONE,
  weekday: 'long',
  day: 'numeric',
  month: 'long',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
});

/** "fredag 30 april 2027 kl. 15:00", in Stockholm local time whatever the server's zone. */
export function formatSwedishDateTime(instant: Date): string {
  const parts = Object.fromEntries(dateTimeFormat.formatToParts(instant).map((p) => [p.type, p.value]));
  return `${parts.weekday} ${parts.day} ${parts.month} ${parts.year} kl. ${parts.hour}:${parts.minute}`;
}

const englishDateTimeFormat = new Intl.DateTimeFormat('en-GB', {
  timeZone: MUNICIPALITY_TIME_ZONE,
  weekday: 'long',
  day: 'numeric',
  month: 'long',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
});

/** "Friday 30 April 2027, 15:00 Stockholm time": the same instant for English readers. */
export function formatEnglishDateTime(instant: Date): string {
  const parts = Object.fromEntries(englishDateTimeFormat.formatToParts(instant).map((p) => [p.type, p.value]));
  return `${parts.weekday} ${parts.day} ${parts.month} ${parts.year}, ${parts.hour}:${parts.minute} Stockholm time`;
}
