import { formatEnglishDateTime, formatSwedishDateTime, MailLanguage } from '../domain/swedish-format';

export { mailLanguages, type MailLanguage } from '../domain/swedish-format';

export type NotificationKind = 'opening' | 'reminder' | 'deadline-day' | 'escalation' | 'returned' | 'approved';

export interface ReminderMailInput {
  boardName: string;
  phaseName: string;
  budgetYear: number;
  deadline: Date;
  language?: MailLanguage;
  /** Where the board hands in the deliverable (its page in Årshjul). */
  link?: string;
}

export interface NotificationMailInput extends ReminderMailInput {
  kind: NotificationKind;
  level?: number;
  /** Free text from SLK (why a submission was returned); escaped, may span lines. */
  reason?: string;
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

/**
 * A paragraph of a mail: plain strings are escaped for HTML; `strong` parts are emphasised in
 * HTML and plain in text. Line breaks in free text stay line breaks.
 */
type Part = string | { strong: string };
type Paragraph = Part[];

export function formatMailDateTime(instant: Date, language: MailLanguage): string {
  return language === 'en' ? formatEnglishDateTime(instant) : formatSwedishDateTime(instant);
}

interface TemplateValues {
  board: string;
  phase: string;
  year: number;
  deadline: string;
  level: number;
  reason: string;
}

interface Template {
  subject: (v: TemplateValues) => string;
  paragraphs: (v: TemplateValues) => Paragraph[];
}

const SWEDISH: Record<NotificationKind, Template> = {
  opening: {
    subject: (v) => `Öppnad: ${v.phase} (budgetår ${v.year}) — lämnas senast ${v.deadline}`,
    paragraphs: (v) => [
      [`Till ${v.board}`],
      [
        { strong: v.phase },
        ` för budgetår ${v.year} är nu öppen för inlämning. Sista dag är `,
        { strong: v.deadline },
        '.',
      ],
      ['Lämna in leveransen i Årshjul när nämnden har fattat beslut.'],
    ],
  },
  reminder: {
    subject: (v) => `Påminnelse: ${v.phase} (budgetår ${v.year}) ska lämnas senast ${v.deadline}`,
    paragraphs: (v) => [
      [`Till ${v.board}`],
      [
        'Detta är en påminnelse om att ',
        { strong: v.phase },
        ` för budgetår ${v.year} ska lämnas in senast `,
        { strong: v.deadline },
        '.',
      ],
      [
        'Lämna in leveransen i Årshjul när nämnden har fattat beslut. Har ni redan lämnat in kan ni bortse från detta meddelande.',
      ],
    ],
  },
  'deadline-day': {
    subject: (v) => `Sista dag i dag: ${v.phase} (budgetår ${v.year}) ska lämnas senast ${v.deadline}`,
    paragraphs: (v) => [
      [`Till ${v.board}`],
      [
        'I dag är sista dag att lämna in ',
        { strong: v.phase },
        ` för budgetår ${v.year}: senast `,
        { strong: v.deadline },
        '.',
      ],
      [
        'Leveranser som inte har kommit in i tid eskaleras till förvaltningschef (i en stadsdelsnämnd stadsdelsdirektör) och ordförande. Behöver ni anstånd, kontakta Stadsledningskontoret i dag.',
      ],
    ],
  },
  escalation: {
    subject: (v) => `Försenad leverans: ${v.phase} från ${v.board} (eskalering steg ${v.level})`,
    paragraphs: (v) => [
      [`${v.board} har inte lämnat in `, { strong: v.phase }, ` för budgetår ${v.year}. Sista dag var ${v.deadline}.`],
      [
        `Detta är eskalering steg ${v.level}. Se till att leveransen lämnas in snarast, eller kontakta Stadsledningskontoret om anstånd.`,
      ],
    ],
  },
  returned: {
    subject: (v) => `Återremitterad: ${v.phase} från ${v.board} — komplettera senast ${v.deadline}`,
    paragraphs: (v) => [
      [`Till ${v.board}`],
      [`Stadsledningskontoret har granskat ${v.phase} för budgetår ${v.year} och begär en komplettering.`],
      [`Skäl: ${v.reason}`],
      ['Lämna in den kompletterade leveransen i Årshjul senast ', { strong: v.deadline }, '.'],
    ],
  },
  approved: {
    subject: (v) => `Godkänd: ${v.phase} från ${v.board}`,
    paragraphs: (v) => [
      [`Till ${v.board}`],
      [`Stadsledningskontoret har godkänt ${v.phase} för budgetår ${v.year}. Tack!`],
    ],
  },
};

const ENGLISH: Record<NotificationKind, Template> = {
  opening: {
    subject: (v) => `Open: ${v.phase} (budget year ${v.year}) — due by ${v.deadline}`,
    paragraphs: (v) => [
      [`To ${v.board}`],
      [
        { strong: v.phase },
        ` for budget year ${v.year} is now open for submission. The deadline is `,
        { strong: v.deadline },
        '.',
      ],
      ['Submit it in Årshjul once the board has taken its decision.'],
    ],
  },
  reminder: {
    subject: (v) => `Reminder: ${v.phase} (budget year ${v.year}) is due by ${v.deadline}`,
    paragraphs: (v) => [
      [`To ${v.board}`],
      [
        'This is a reminder that ',
        { strong: v.phase },
        ` for budget year ${v.year} is due by `,
        { strong: v.deadline },
        '.',
      ],
      [
        'Submit it in Årshjul once the board has taken its decision. If you have already submitted it, please ignore this message.',
      ],
    ],
  },
  'deadline-day': {
    subject: (v) => `Due today: ${v.phase} (budget year ${v.year}) is due by ${v.deadline}`,
    paragraphs: (v) => [
      [`To ${v.board}`],
      [
        'Today is the last day to submit ',
        { strong: v.phase },
        ` for budget year ${v.year}: by `,
        { strong: v.deadline },
        '.',
      ],
      [
        'Late submissions are escalated to the head of administration and the chair. If you need an extension, contact the City Executive Office today.',
      ],
    ],
  },
  escalation: {
    subject: (v) => `Overdue: ${v.phase} from ${v.board} (escalation level ${v.level})`,
    paragraphs: (v) => [
      [
        `${v.board} has not submitted `,
        { strong: v.phase },
        ` for budget year ${v.year}. The deadline was ${v.deadline}.`,
      ],
      [
        `This is escalation level ${v.level}. Please make sure it is submitted without delay, or contact the City Executive Office about an extension.`,
      ],
    ],
  },
  returned: {
    subject: (v) => `Returned for completion: ${v.phase} from ${v.board} — resubmit by ${v.deadline}`,
    paragraphs: (v) => [
      [`To ${v.board}`],
      [`The City Executive Office has reviewed ${v.phase} for budget year ${v.year} and asks for it to be completed.`],
      [`Reason: ${v.reason}`],
      ['Submit the completed version in Årshjul by ', { strong: v.deadline }, '.'],
    ],
  },
  approved: {
    subject: (v) => `Approved: ${v.phase} from ${v.board}`,
    paragraphs: (v) => [
      [`To ${v.board}`],
      [`The City Executive Office has approved ${v.phase} for budget year ${v.year}. Thank you!`],
    ],
  },
};

const CLOSING: Record<MailLanguage, { link: string; signature: string[] }> = {
  sv: { link: 'Öppna i Årshjul', signature: ['Med vänlig hälsning', 'Stadsledningskontoret, via Årshjul'] },
  en: { link: 'Open in Årshjul', signature: ['Kind regards', 'City Executive Office, via Årshjul'] },
};

/** Renders paragraphs as plain text and as HTML; every value is escaped once, here. */
export function renderParagraphs(
  subject: string,
  paragraphs: Paragraph[],
  language: MailLanguage,
  link?: string,
): RenderedMail {
  const closing = CLOSING[language];
  const all = link ? [...paragraphs, [`${closing.link}: ${link}`]] : paragraphs;
  const text = all.map((p) => p.map((part) => (typeof part === 'string' ? part : part.strong)).join(''));
  const html = all.map((p) =>
    p
      .map((part) =>
        typeof part === 'string'
          ? escapeHtml(part).replace(/\r?\n/g, '<br>')
          : `<strong>${escapeHtml(oneLine(part.strong))}</strong>`,
      )
      .join(''),
  );
  return {
    subject: oneLine(subject),
    text: [...text.flatMap((p) => [p, '']), ...closing.signature].join('\n'),
    html: [
      `<!doctype html><html lang="${language}"><body>`,
      ...html.map((p) => `<p>${p}</p>`),
      `<p>${closing.signature.map(escapeHtml).join('<br>')}</p>`,
      '</body></html>',
    ].join('\n'),
  };
}

/** Every notification a board or its superiors receive, in Swedish or English. */
export function renderNotificationMail(input: NotificationMailInput): RenderedMail {
  const language = input.language ?? 'sv';
  const values: TemplateValues = {
    board: oneLine(input.boardName),
    phase: oneLine(input.phaseName),
    year: input.budgetYear,
    deadline: formatMailDateTime(input.deadline, language),
    level: input.level ?? 1,
    reason: input.reason ?? '—',
  };
  const template = (language === 'en' ? ENGLISH : SWEDISH)[input.kind];
  return renderParagraphs(template.subject(values), template.paragraphs(values), language, input.link);
}

/** The reminder a board receives before a deadline. */
export function renderReminderMail(input: ReminderMailInput): RenderedMail {
  return renderNotificationMail({ ...input, kind: 'reminder' });
}
