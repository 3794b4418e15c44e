import { MUNICIPALITY_TIME_ZONE } from './glossary';

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
