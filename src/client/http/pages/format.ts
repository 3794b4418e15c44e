import type { DeliverableStage } from '../../../domain/deliverable-state';
import { isLocalDate, isoWeekday } from '../../../domain/local-date';
import type { OrganisationKind } from '../../../domain/organisations';
import type { Principal } from '../../../domain/roles';
import { formatSwedishDateTime } from '../../../domain/swedish-format';
import type { DeliverableSummary } from '../../operations/cycle-operations';

/** Swedish words for what the pages show: dates, stages, kinds, and the engine's refusals. */

const MONTHS = [
  'januari',
  'februari',
  'mars',
  'april',
  'maj',
  'juni',
  'juli',
  'augusti',
  'september',
  'oktober',
  'november',
  'december',
];
const WEEKDAYS = ['måndag', 'tisdag', 'onsdag', 'torsdag', 'fredag', 'lördag', 'söndag'];

/**
 * A pure formatter with its answers remembered: a page writes the same few hundred dates and
 * instants on every request, and the instants go through Intl, which costs tens of µs a call.
 * Bounded: forgets everything past `limit` entries (they come back on the next request).
 */
function remembered(format: (text: string) => string, limit = 5000): (text: string) => string {
  const known = new Map<string, string>();
  return (text) => {
    let out = known.get(text);
    if (out === undefined) {
      if (known.size >= limit) known.clear();
      out = format(text);
      known.set(text, out);
    }
    return out;
  };
}

/** "14 december 2026" for a date YYYY-MM-DD (as written; no time zone involved). */
export const formatDate = remembered((date: string): string => {
  if (!isLocalDate(date)) return date;
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return `${d} ${MONTHS[m - 1]} ${y}`;
});

/** "måndag 14 december 2026". */
export function formatDateWithWeekday(date: string): string {
  if (!isLocalDate(date)) return date;
  return `${WEEKDAYS[isoWeekday(date) - 1]} ${formatDate(date)}`;
}

/** "14 dec" — for the timeline's axis. */
export function formatMonthShort(month: number): string {
  return MONTHS[month - 1]!.slice(0, 3);
}

/** An instant in Stockholm time: "måndag 14 december 2026 kl. 08:00". */
export const formatInstant = remembered((iso: string): string => formatSwedishDateTime(new Date(iso)));

/** A share in whole percent, written the Swedish way: "83 %" (a no-break space before the sign). */
export function formatShare(part: number, whole: number): string {
  return `${Math.round((100 * part) / whole)}\u00a0%`;
}

export const STAGE_LABELS: Record<DeliverableStage, string> = {
  planned: 'Ej öppnad',
  open: 'Öppen',
  submitted: 'Inlämnad',
  returned: 'Återremitterad',
  approved: 'Godkänd',
  exempt: 'Undantagen',
  cancelled: 'Avbruten',
};

export const KIND_LABELS: Record<OrganisationKind, string> = {
  stadsdelsnamnd: 'Stadsdelsnämnd',
  facknamnd: 'Facknämnd',
  bolagsstyrelse: 'Bolagsstyrelse',
  utskott: 'Utskott',
  koncernmoder: 'Koncernmoder',
  slk: 'Stadsledningskontoret',
};

/** Whether the board still owes the deliverable (open or returned). */
export function awaitsBoard(d: Pick<DeliverableSummary, 'stage'>): boolean {
  return d.stage === 'open' || d.stage === 'returned';
}

/** Late and still owed: what the committee calls "försenad". */
export function isOverdue(d: Pick<DeliverableSummary, 'stage' | 'late'>): boolean {
  return d.late && awaitsBoard(d);
}

/** Escalated and still owed. */
export function isEscalated(d: Pick<DeliverableSummary, 'stage' | 'escalationLevel'>): boolean {
  return d.escalationLevel > 0 && awaitsBoard(d);
}

/**
 * A deliverable's status in words (never colour alone) and the CSS class that colours it: the
 * stage, then "Försenad" and "Eskalerad steg N" while the board still owes it.
 */
export function statusOf(d: Pick<DeliverableSummary, 'stage' | 'late' | 'escalationLevel'>): {
  words: string[];
  className: string;
} {
  const words = [STAGE_LABELS[d.stage]];
  if (isOverdue(d)) words.push('Försenad');
  if (isEscalated(d)) words.push(`Eskalerad steg ${d.escalationLevel}`);
  if (d.late && (d.stage === 'submitted' || d.stage === 'approved')) words.push('efter sista dag');
  const className = isEscalated(d) ? 'st-escalated' : isOverdue(d) ? 'st-late' : `st-${d.stage}`;
  return { words, className };
}

const MAIL_KINDS: Record<string, string> = {
  opening: 'Öppnad',
  reminder: 'Påminnelse',
  'deadline-day': 'Påminnelse på sista dagen',
  'weekly-digest': 'Veckosammanfattning',
};

export function mailKindLabel(kind: string): string {
  const escalation = /^escalation-(\d+)$/.exec(kind);
  if (escalation) return `Eskalering steg ${escalation[1]}`;
  return MAIL_KINDS[kind] ?? kind;
}

export const MAIL_STATUS: Record<string, string> = {
  pending: 'Väntar',
  sending: 'Skickas',
  sent: 'Skickat',
  failed: 'Misslyckades',
  expired: 'För sent — skickades inte',
};

/** Who the caller is, in words for the page header. */
export function principalLabel(principal: Principal, boardName?: string): string {
  switch (principal.role.kind) {
    case 'admin':
      return 'Stadsledningskontoret (SLK)';
    case 'committee':
      return 'Ytterstads- och demokratiutskottet';
    case 'board':
      return boardName ?? principal.role.boardId;
  }
}

const FIELD_LABELS: Record<string, string> = {
  documentRef: 'Dokumentreferens/diarienummer',
  decisionDate: 'Beslutsdatum',
  comment: 'Kommentar',
  deadline: 'Ny sista dag',
  reason: 'Skäl',
  phaseId: 'Fas',
  milestoneId: 'Milstolpe',
  date: 'Datum',
  boards: 'Nämnder',
  stage: 'Leveransens läge',
  deliverable: 'Leveransen',
  budgetYear: 'Budgetåret',
  board: 'Nämnd',
  role: 'Behörighet',
};

/** The Swedish name of a field an OperationError names (a zod path such as `boards.0`). */
export function fieldLabel(field: string): string {
  return FIELD_LABELS[field] ?? FIELD_LABELS[field.split('.')[0] ?? ''] ?? field;
}

const ACTIONS_SV: Record<string, string> = {
  submit: 'Inlämning',
  approve: 'Godkännande',
  'return for completion': 'Återremiss',
  'an extension': 'Anstånd',
  'an exemption': 'Undantag',
};

const dateIn = (text: string) => text.replace(/\d{4}-\d{2}-\d{2}/g, (d) => formatDate(d));

/** A refusal as one Swedish sentence: "Beslutsdatum måste vara ett datum …". */
export function describeProblem(field: string, problem: string): string {
  const text = problemInSwedish(problem);
  if (field === 'stage' || field.startsWith('(')) return text.charAt(0).toUpperCase() + text.slice(1);
  return `${fieldLabel(field)} ${text}`;
}

/** The engine's refusal (English, for the API) in Swedish, for the pages. Unknown ones stay as they are. */
export function problemInSwedish(problem: string): string {
  const rules: Array<[RegExp, (m: RegExpExecArray) => string]> = [
    [/^must not be empty$/, () => 'måste fyllas i'],
    [/^must be a date YYYY-MM-DD$/, () => 'måste vara ett datum skrivet ÅÅÅÅ-MM-DD, till exempel 2027-04-30'],
    [/^must be at most (\d+) characters$/, (m) => `får vara högst ${m[1]} tecken`],
    [/^unknown field$/, () => 'är inte ett fält i formuläret'],
    [/^not found$/, () => 'finns inte'],
    [/^must be in the future$/, () => 'måste vara ett datum efter i dag'],
    [/^must say why$/, () => 'måste fyllas i'],
    [/^must be after today \((.+)\)$/, (m) => `måste vara efter i dag (${dateIn(m[1]!)})`],
    [/^must be after the current deadline \((.+)\)$/, (m) => `måste vara efter nuvarande sista dag (${dateIn(m[1]!)})`],
    [/^this phase has no review step$/, () => 'fasen har ingen granskning'],
    [
      /^(.+) is not possible while the deliverable is \w+ \((.+)\)$/,
      (m) => `${ACTIONS_SV[m[1]!] ?? 'Det'} går inte nu: leveransen är ${m[2]}`,
    ],
    [/^(\S+) was already confirmed on (\S+)$/, (m) => `är redan bekräftad (${dateIn(m[2]!)})`],
    [/^unknown milestone /, () => 'finns inte i cykeln'],
    [/^unknown deliverable phase /, () => 'finns inte i cykeln'],
    [
      /^a group’s deadline can be moved once the phase has opened$/,
      () => 'kan flyttas för en grupp först när fasen har öppnat',
    ],
    [/^(\S+) has no deliverable in (\S+)$/, (m) => `${m[1]} har ingen leverans i ${m[2]}`],
    [/^Invalid input/, () => 'saknas eller är ogiltigt'],
  ];
  for (const [pattern, say] of rules) {
    const match = pattern.exec(problem);
    if (match) return say(match);
  }
  return problem;
}
