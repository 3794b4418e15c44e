import type { DigestItem } from '../db/digest-items';
import { escapeHtml, formatMailDateTime, MailLanguage, oneLine, RenderedMail } from './reminder-mail';

export interface DigestMailInput {
  language: MailLanguage;
  /** The Monday of the week, YYYY-MM-DD. */
  weekOf: string;
  overdue: DigestItem[];
  upcoming: DigestItem[];
  link?: string;
}

const WORDS = {
  sv: {
    subject: (n: number, late: number) =>
      `Veckosammanställning: ${n} ${n === 1 ? 'leverans' : 'leveranser'} att lämna${late > 0 ? `, ${late} försenade` : ''}`,
    intro: (week: string) => `Här är det som ska lämnas in i Årshjul, veckan från måndag ${week}.`,
    overdue: 'Försenade',
    upcoming: 'Kommande',
    due: 'senast',
    was: 'sista dag var',
    returned: 'återremitterad, komplettera',
    escalated: (level: number) => `eskalerad steg ${level}`,
    link: 'Öppna Årshjul',
    why: 'Du får denna sammanställning varje måndag i stället för enskilda påminnelser.',
    signature: ['Med vänlig hälsning', 'Stadsledningskontoret, via Årshjul'],
  },
  en: {
    subject: (n: number, late: number) =>
      `Weekly digest: ${n} ${n === 1 ? 'deliverable' : 'deliverables'} to submit${late > 0 ? `, ${late} overdue` : ''}`,
    intro: (week: string) => `This is what is due in Årshjul, for the week starting Monday ${week}.`,
    overdue: 'Overdue',
    upcoming: 'Upcoming',
    due: 'due by',
    was: 'deadline was',
    returned: 'returned for completion',
    escalated: (level: number) => `escalated, level ${level}`,
    link: 'Open Årshjul',
    why: 'You receive this digest every Monday instead of single reminders.',
    signature: ['Kind regards', 'City Executive Office, via Årshjul'],
  },
} as const;

function describe(item: DigestItem, language: MailLanguage, overdue: boolean): string {
  const w = WORDS[language];
  const notes = [
    ...(item.stage === 'returned' ? [w.returned] : []),
    ...(item.escalationLevel > 0 ? [w.escalated(item.escalationLevel)] : []),
  ];
  return (
    `${oneLine(item.boardName)}: ${oneLine(item.phaseName)} (${item.budgetYear}), ` +
    `${overdue ? w.was : w.due} ${formatMailDateTime(item.deadlineAt, language)}` +
    (notes.length > 0 ? ` — ${notes.join(', ')}` : '')
  );
}

/** The Monday digest: overdue items first, then the upcoming ones, each with its deadline. */
export function renderDigestMail(input: DigestMailInput): RenderedMail {
  const w = WORDS[input.language];
  const sections = [
    { title: w.overdue, lines: input.overdue.map((i) => describe(i, input.language, true)) },
    { title: w.upcoming, lines: input.upcoming.map((i) => describe(i, input.language, false)) },
  ].filter((s) => s.lines.length > 0);
  const text = [
    w.intro(input.weekOf),
    '',
    ...sections.flatMap((s) => [`${s.title}:`, ...s.lines.map((l) => `- ${l}`), '']),
    ...(input.link ? [`${w.link}: ${input.link}`, ''] : []),
    w.why,
    '',
    ...w.signature,
  ];
  const html = [
    `<!doctype html><html lang="${input.language}"><body>`,
    `<p>${escapeHtml(w.intro(input.weekOf))}</p>`,
    ...sections.flatMap((s) => [
      `<h2>${escapeHtml(s.title)}</h2>`,
      '<ul>',
      ...s.lines.map((l) => `<li>${escapeHtml(l)}</li>`),
      '</ul>',
    ]),
    ...(input.link ? [`<p><a href="${escapeHtml(input.link)}">${escapeHtml(w.link)}</a></p>`] : []),
    `<p>${escapeHtml(w.why)}</p>`,
    `<p>${w.signature.map(escapeHtml).join('<br>')}</p>`,
    '</body></html>',
  ];
  return {
    subject: w.subject(input.overdue.length + input.upcoming.length, input.overdue.length),
    text: text.join('\n'),
    html: html.join('\n'),
  };
}
