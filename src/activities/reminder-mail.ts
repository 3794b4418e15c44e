import { formatSwedishDateTime } from '../domain/swedish-format';

export interface ReminderMailInput {
  boardName: string;
  phaseName: string;
  budgetYear: number;
  deadline: Date;
}

export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}

/** Collapses line breaks and control characters: names end up in the Subject header. */
export function oneLine(value: string): string {
  // eslint-disable-next-line no-control-regex
  return value.replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, ' ').trim();
}

export function escapeHtml(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** The reminder a board receives before a deadline, in Swedish. */
export function renderReminderMail(input: ReminderMailInput): RenderedMail {
  const board = oneLine(input.boardName);
  const phase = oneLine(input.phaseName);
  const deadline = formatSwedishDateTime(input.deadline);
  const subject = `Påminnelse: ${phase} (budgetår ${input.budgetYear}) ska lämnas senast ${deadline}`;
  const lines = [
    `Till ${board}`,
    '',
    `Detta är en påminnelse om att ${phase} för budgetår ${input.budgetYear} ska lämnas in senast ${deadline}.`,
    '',
    'Lämna in leveransen i Årshjul när nämnden har fattat beslut. Har ni redan lämnat in kan ni bortse från detta meddelande.',
    '',
    'Med vänlig hälsning',
    'Stadsledningskontoret, via Årshjul',
  ];
  const html = [
    '<!doctype html><html lang="sv"><body>',
    `<p>Till ${escapeHtml(board)}</p>`,
    `<p>Detta är en påminnelse om att <strong>${escapeHtml(phase)}</strong> för budgetår ${input.budgetYear} ska lämnas in senast <strong>${escapeHtml(deadline)}</strong>.</p>`,
    '<p>Lämna in leveransen i Årshjul när nämnden har fattat beslut. Har ni redan lämnat in kan ni bortse från detta meddelande.</p>',
    '<p>Med vänlig hälsning<br>Stadsledningskontoret, via Årshjul</p>',
    '</body></html>',
  ].join('\n');
  return { subject, text: lines.join('\n'), html };
}

export interface NotificationMailInput {
  kind: 'opening' | 'reminder' | 'escalation' | 'returned' | 'approved';
  level?: number;
  /** Free text from SLK (why a submission was returned); escaped, may span lines. */
  reason?: string;
  boardName: string;
  phaseName: string;
  budgetYear: number;
  deadline: Date;
}

/** Opening, reminder and escalation mails, in Swedish, plain text and HTML. */
export function renderNotificationMail(input: NotificationMailInput): RenderedMail {
  if (input.kind === 'reminder') return renderReminderMail(input);
  const board = oneLine(input.boardName);
  const phase = oneLine(input.phaseName);
  const deadline = formatSwedishDateTime(input.deadline);
  const texts: Record<Exclude<NotificationMailInput['kind'], 'reminder'>, { subject: string; paragraphs: string[] }> = {
    opening: {
      subject: `Öppnad: ${phase} (budgetår ${input.budgetYear}) — lämnas senast ${deadline}`,
      paragraphs: [
        `Till ${board}`,
        `${phase} för budgetår ${input.budgetYear} är nu öppen för inlämning. Sista dag är ${deadline}.`,
        'Lämna in leveransen i Årshjul när nämnden har fattat beslut.',
      ],
    },
    escalation: {
      subject: `Försenad leverans: ${phase} från ${board} (eskalering steg ${input.level ?? 1})`,
      paragraphs: [
        `${board} har inte lämnat in ${phase} för budgetår ${input.budgetYear}. Sista dag var ${deadline}.`,
        `Detta är eskalering steg ${input.level ?? 1}. Se till att leveransen lämnas in snarast, eller kontakta Stadsledningskontoret om anstånd.`,
      ],
    },
    returned: {
      subject: `Återremitterad: ${phase} från ${board} — komplettera senast ${deadline}`,
      paragraphs: [
        `Till ${board}`,
        `Stadsledningskontoret har granskat ${phase} för budgetår ${input.budgetYear} och begär en komplettering.`,
        `Skäl: ${input.reason ?? '—'}`,
        `Lämna in den kompletterade leveransen i Årshjul senast ${deadline}.`,
      ],
    },
    approved: {
      subject: `Godkänd: ${phase} från ${board}`,
      paragraphs: [
        `Till ${board}`,
        `Stadsledningskontoret har godkänt ${phase} för budgetår ${input.budgetYear}. Tack!`,
      ],
    },
  };
  const { subject, paragraphs } = texts[input.kind];
  const closing = ['Med vänlig hälsning', 'Stadsledningskontoret, via Årshjul'];
  return {
    subject,
    text: [...paragraphs.flatMap((p) => [p, '']), ...closing].join('\n'),
    html: [
      '<!doctype html><html lang="sv"><body>',
      // Line breaks in free text stay line breaks; everything else is escaped.
      ...paragraphs.map((p) => `<p>${escapeHtml(p).replace(/\r?\n/g, '<br>')}</p>`),
      `<p>${closing.map(escapeHtml).join('<br>')}</p>`,
      '</body></html>',
    ].join('\n'),
  };
}
