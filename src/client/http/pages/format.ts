import { type DeliverableStage, STAGE_SV } from '../../../domain/deliverable-state';
import { isRefusalCode, type RefusalCode, type RefusalParams } from '../../../domain/refusals';
import { isLocalDate, isoWeekday } from '../../../domain/local-date';
import type { OrganisationKind } from '../../../domain/organisations';
import { duties, Duty } from '../../../domain/grants';
import { homeBoard } from '../../../domain/permissions';
import type { Principal } from '../../../domain/principal';
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
  kommunstyrelse: 'Kommunstyrelsen',
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
  const what = grantLabel(principal, boardName);
  // A signed-in person by name and duty; a key by what it may do (its label is no person's).
  return principal.kind === 'person' && principal.name ? `${principal.name}, ${what}` : what;
}

const DUTIES_SV: Record<Duty, string> = {
  handlaggare: 'handläggare',
  controller: 'controller',
  forvaltningschef: 'förvaltningschef',
};

function grantLabel(principal: Principal, boardName?: string): string {
  // The widest grant names what the caller may do.
  const kinds = new Set(principal.grants.map((g) => g.kind));
  if (kinds.has('admin')) return 'Stadsledningskontoret (SLK)';
  if (kinds.has('committee')) return 'Ytterstads- och demokratiutskottet';
  if (kinds.has('stadshus')) return 'Stockholms Stadshus AB';
  const board = homeBoard(principal);
  if (board) {
    const name = boardName ?? board;
    if (principal.kind !== 'person') return name;
    const held = new Set(principal.grants.flatMap((g) => (g.kind === 'board' && g.boardId === board ? [g.duty] : [])));
    const duty = [...duties].reverse().find((d) => held.has(d));
    return duty ? `${DUTIES_SV[duty]}, ${name}` : name;
  }
  return principal.grants.length ? 'Flera nämnder' : 'Ingen behörighet';
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
  content: 'Innehållet',
  file: 'Filen',
  name: 'Filnamnet',
  id: 'Id',
  version: 'Versionen',
  template: 'Mallen',
  language: 'Språk i utskicken',
  weeklyDigest: 'Veckosammanställning',
  mailBoards: 'Nämnder du får utskick om',
  standIns: 'Ersättare',
  subject: 'Vad kommentaren gäller',
  boardId: 'Nämnd',
  path: 'Fråga',
  areaId: 'Prioriterat område',
  decidedOn: 'Beslutsdatum',
  reference: 'Diarienummer',
  decision: 'Beslut',
  area: 'Prioriterat område',
  measure: 'Åtgärd',
  outcome: 'KF:s beslut',
  amount: 'Beviljat belopp i kronor',
  contribution: 'Nämndens medverkan i dialogen',
};

const STAND_IN_PARTS: Record<string, string> = { email: 'e-postadress', from: 'första dag', to: 'sista dag' };

/** The Swedish name of a field an OperationError names (a zod path such as `boards.0`). */
export function fieldLabel(field: string): string {
  const standIn = /^standIns\.(\d+)\.(email|from|to)$/.exec(field);
  if (standIn) return `Ersättare ${Number(standIn[1]) + 1}, ${STAND_IN_PARTS[standIn[2]!]}`;
  return FIELD_LABELS[field] ?? FIELD_LABELS[field.split('.')[0] ?? ''] ?? field;
}

/** The deliverable's actions (the `action` of `not-possible-in-stage`) as the pages name them. */
const ACTIONS_SV: Record<string, string> = {
  submit: 'Inlämning',
  approve: 'Godkännande',
  return: 'Återremiss',
  extend: 'Anstånd',
  exempt: 'Undantag',
};

type Say = (p: RefusalParams) => string;
const text = (p: RefusalParams, key: string): string => String(p[key] ?? '');
const date = (p: RefusalParams, key: string): string => formatDate(text(p, key));
const stage = (p: RefusalParams): string => STAGE_SV[p.stage as DeliverableStage] ?? text(p, 'stage');

/**
 * Every refusal code in Swedish, with its params filled in. Most read after the field's label
 * ("Beslutsdatum" + "måste vara ett datum …"); those in STANDS_ALONE are whole sentences that
 * name what they are about themselves. A Record over the closed set: a code without a sentence
 * does not compile.
 */
/** The permission functions' actions as a Swedish verb phrase (after "för att"). */
const PERMISSION_ACTIONS_SV: Record<string, string> = {
  'read-board': 'läsa nämndens uppgifter',
  'read-all': 'läsa alla nämnders uppgifter',
  draft: 'skriva utkast',
  'mark-ready': 'klarmarkera rapporten',
  'sign-off': 'intyga rapporten',
  'submit-document': 'lämna in',
  'record-dialogue': 'registrera medborgardialoger',
  review: 'granska',
  admin: 'administrera budgetcykeln',
  'committee-act': 'agera som utskottet',
};

const REFUSALS_SV: Record<RefusalCode, Say> = {
  required: () => 'måste fyllas i',
  'one-required': () => 'behöver svar på minst en av frågorna',
  'too-long': (p) => (p.max !== undefined ? `får vara högst ${text(p, 'max')} tecken` : 'är för lång'),
  'not-text': () => 'ska vara text',
  'not-a-number': () => 'ska vara ett tal, till exempel 1200 eller 12,5',
  'not-an-integer': () => 'ska vara ett heltal',
  'out-of-range': (p) =>
    p.min !== undefined
      ? `måste vara minst ${text(p, 'min')}`
      : p.max !== undefined
        ? `får vara högst ${text(p, 'max')}`
        : 'är utanför det tillåtna intervallet',
  'not-yes-no': () => 'ska vara ja eller nej',
  'not-an-option': (p) =>
    p.options !== undefined ? `måste vara ett av ${text(p, 'options')}` : 'måste vara ett av alternativen',
  'not-a-list': () => 'ska vara en lista',
  'bad-date': () => 'måste vara ett datum skrivet ÅÅÅÅ-MM-DD, till exempel 2027-04-30',
  'not-a-table': () => 'ska vara en tabell',
  'too-many-rows': () => 'har för många rader',
  'unknown-column': () => 'har ingen sådan kolumn',
  'not-a-file': () => 'ska vara en bifogad fil',
  'bad-file-type': () => 'har en filtyp som inte tas emot här',
  'too-many-files': () => 'har för många filer',
  'not-an-object': () => 'har fel form',
  'not-asked': () => 'ställs inte till er nämnd',
  'unknown-section': () => 'finns inte i mallen',
  'unknown-item': () => 'finns inte i avsnittet',
  'unknown-question': () => 'finns inte i mallen',
  'unknown-field': () => 'är inte ett fält i formuläret',
  'wrong-type': () => 'har fel slags värde',
  'not-a-slug': () => 'får bara innehålla små bokstäver a–z, siffror och bindestreck',
  'bad-format': () => 'är inte skrivet på rätt sätt',
  'too-short': (p) => `måste vara minst ${text(p, 'min')} tecken`,
  'too-few': (p) => `måste innehålla minst ${text(p, 'min')}`,
  'too-many': (p) => `får innehålla högst ${text(p, 'max')}`,
  duplicate: () => 'förekommer mer än en gång',
  invalid: () => 'saknas eller är ogiltigt',
  'bad-path': () => 'finns inte i mallen',
  'bad-name': () => 'måste vara ett filnamn på högst 200 tecken, utan / och \\',
  empty: () => 'är tom',
  'too-large': (p) => `är ${text(p, 'size')}: högst ${text(p, 'max')} tas emot`,
  'type-unknown': (p) => `är inte av en filtyp som tas emot (${text(p, 'allowed')})`,
  'type-not-allowed': (p) => `är ${text(p, 'type')}: bara ${text(p, 'allowed')} tas emot`,
  'name-mismatch': (p) => `slutar inte på ${text(p, 'extensions')}, som en fil av typen ${text(p, 'type')} ska`,
  'no-file': () => 'saknar fil: välj en fil att bifoga',
  'unknown-file': () => 'finns inte längre i svaret',
  'cross-origin': () => 'Filen kom inte från den här webbplatsen',
  'not-in-future': (p) =>
    p.today !== undefined ? `måste vara efter i dag (${date(p, 'today')})` : 'måste vara ett datum efter i dag',
  'before-current-deadline': (p) => `måste vara efter nuvarande sista dag (${date(p, 'date')})`,
  'in-the-past': () => 'har redan passerat',
  'in-future': (p) =>
    p.today !== undefined ? `får inte vara senare än i dag (${date(p, 'today')})` : 'får inte vara senare än i dag',
  'not-possible-in-stage': (p) => `${ACTIONS_SV[text(p, 'action')] ?? 'Det'} går inte nu: leveransen är ${stage(p)}`,
  'not-editable': (p) => `Svaren kan inte ändras nu: leveransen är ${stage(p)}`,
  'no-review-step': () => 'Fasen har ingen granskning',
  'already-confirmed': (p) => `är redan bekräftad (${date(p, 'date')})`,
  'cycle-cancelled': () => 'Budgetcykeln är avbruten',
  'already-cancelled': (p) => `Budgetcykeln är redan avbruten av ${text(p, 'by')}: ${text(p, 'reason')}`,
  'cycle-ended': () => 'Budgetcykeln har redan avslutats',
  'phase-not-open': () => 'kan flyttas för en grupp först när fasen har öppnat',
  'no-deliverable': (p) => `${text(p, 'board')} har ingen leverans i ${text(p, 'phase')}`,
  'already-recorded': (p) => `En medborgardialog med id ${text(p, 'id')} finns redan`,
  'dialogue-required': () => 'Minst en medborgardialog måste vara registrerad innan programmet lämnas in',
  'no-programme': () => 'Stadsdelsnämnden har inget lokalt utvecklingsprogram som gäller',
  'programme-revised-meanwhile': (p) =>
    `Programmet har reviderats under tiden (version ${text(p, 'version')} gäller nu): ladda om sidan och gör om revideringen`,
  'revision-empty': () => 'En revidering måste lägga till, ändra eller avsluta minst en åtgärd',
  'programme-in-force': () =>
    'Stadsdelsnämnden har redan ett program som gäller: ändra det med en revidering i stället för att registrera ett nytt',
  'unknown-measure': (p) => `Programmet har ingen åtgärd ${text(p, 'id')}`,
  'measure-ended': (p) => `Åtgärden ${text(p, 'id')} är avslutad`,
  'unknown-dialogue': (p) => `Stadsdelsnämnden har ingen medborgardialog med id ${text(p, 'id')}`,
  'not-concerned': (p) =>
    `${text(p, 'id')} har varken haft samråd med stadsdelsnämnden eller ansvar för någon åtgärd i dess program`,
  unchanged: () => 'har redan det värdet',
  'handed-over': (p) => `Programmet har lämnats över till ${text(p, 'to')}`,
  'edited-by-someone-else': (p) =>
    p.what === 'settings'
      ? 'Inställningarna har ändrats någon annanstans efter att du öppnade sidan: ladda om sidan, gör om ändringen och spara igen'
      : 'Någon annan har sparat svaret efter att du öppnade sidan',
  'not-ready': (p) =>
    p.missing !== undefined
      ? `Rapporten kan inte klarmarkeras: ${text(p, 'missing')} obligatoriska svar saknas`
      : 'Rapporten kan inte klarmarkeras: obligatoriska svar saknas',
  'awaiting-sign-off': () => 'Rapporten är klarmarkerad och väntar på påskrift: svaren kan inte ändras nu',
  'not-awaiting-sign-off': () =>
    'Rapporten väntar inte på påskrift (den kan redan vara påskriven, avböjd eller tillbakadragen)',
  'sign-off-required': () =>
    'Rapporten lämnas in när den skrivits under: klarmarkera den på rapportens sida, så skriver förvaltningschefen under',
  'not-under-review': (p) => `Kommentarer lämnas medan rapporten granskas: den är ${stage(p)}`,
  'template-corrected': () => 'Mallen har rättats medan du skrev: ladda om sidan och för in svaret igen',
  'published-meanwhile': (p) => `Version ${text(p, 'version')} av mallen publicerades under tiden; ingenting sparades`,
  'version-not-higher': (p) => `måste vara högre än den gällande versionen ${text(p, 'current')}`,
  'template-not-in-cycle': (p) => `Budgetåret använder ingen mall ${text(p, 'id')}`,
  'template-not-kept': (p) => `Budgetåret har ingen lagrad version av mallen ${text(p, 'id')}`,
  'already-started': () => 'Budgetcykeln är redan startad',
  'not-flagged': () => 'Området är inte uppmärksammat av utskottet just nu',
  'content-too-large': (p) => `är för stort: högst ${text(p, 'max')} tecken som JSON tas emot`,
  'no-content-taken': () => 'Fasen tar inte emot något innehåll: ange bara dokumentreferensen',
  'unknown-phase': () => 'finns inte i cykeln',
  'unknown-milestone': () => 'finns inte i cykeln',
  'not-found': () => 'finns inte',
  forbidden: () => 'Din behörighet räcker inte till det här',
  'missing-duty': (p) =>
    `Din roll vid nämnden räcker inte för att ${PERMISSION_ACTIONS_SV[text(p, 'action')] ?? 'göra det här'}`,
  'missing-scope': (p) =>
    `Nyckeln får inte användas för att ${PERMISSION_ACTIONS_SV[text(p, 'action')] ?? 'göra det här'}`,
  'no-registry': () => 'Inget organisationsregister är lagrat',
  'not-in-registry': () => 'finns inte i organisationsregistret',
  'registry-differs': () => 'Registret skiljer sig från det som är lagrat',
  'other-municipality': () => 'Uppgifterna gäller en annan kommun',
  'person-only': () => 'Inställningarna gäller personer som loggat in: en nyckel har inga egna inställningar',
  'own-stand-in': () => 'kan inte vara du själv',
  'unknown-person': () => 'tillhör ingen som har loggat in i Årshjul: ersättaren måste ha loggat in minst en gång',
  'before-from': (p) => `måste vara samma dag som första dagen (${date(p, 'from')}) eller senare`,
  'period-too-long': (p) =>
    `får vara högst ${text(p, 'max')} dagar efter första dagen, alltså senast ${date(p, 'last')}`,
  'overlapping-period': (p) => `överlappar perioden ${date(p, 'from')}–${date(p, 'to')}`,
  'not-held': () => 'är inte en nämnd där du har en roll',
};

/**
 * The same refusals as whole sentences beside a question of a report's form, where the question's
 * label is already above them ("Svaret behövs.", "Skriv ett heltal."): the codes of the answers'
 * checks, the save's and a file's. A code not here reads as refusalInSwedish says it.
 */
const BESIDE_A_QUESTION_SV: Partial<Record<RefusalCode, Say>> = {
  required: () => 'Svaret behövs.',
  'one-required': () => 'Besvara minst en av frågorna.',
  'too-long': (p) => (withMaxOnly(p) ? `Texten är för lång: högst ${text(p, 'max')} tecken.` : 'Texten är för lång.'),
  'not-text': () => 'Svaret ska vara text.',
  'not-a-number': () => 'Skriv ett tal, till exempel 1200 eller 12,5.',
  'not-an-integer': () => 'Skriv ett heltal.',
  'out-of-range': () => 'Talet är utanför det tillåtna intervallet.',
  'not-yes-no': () => 'Välj ja eller nej.',
  'not-an-option': () => 'Välj ett av alternativen.',
  'not-a-list': () => 'Svaret ska vara en lista.',
  'bad-date': () => 'Skriv datumet som ÅÅÅÅ-MM-DD, till exempel 2027-04-22.',
  'not-a-table': () => 'Svaret ska vara en tabell.',
  'too-many-rows': (p) =>
    withMaxOnly(p) ? `Tabellen har för många rader: högst ${text(p, 'max')}.` : 'Tabellen har för många rader.',
  'unknown-column': () => 'Tabellen har ingen sådan kolumn.',
  'not-a-file': () => 'Svaret ska vara en bifogad fil.',
  'bad-file-type': () => 'Filtypen tas inte emot här.',
  'too-many-files': (p) => (withMaxOnly(p) ? `För många filer: högst ${text(p, 'max')}.` : 'För många filer.'),
  'not-an-object': () => 'Svaret har fel form.',
  'not-asked': () => 'Frågan ställs inte till er nämnd.',
  'unknown-section': () => 'Mallen har inget sådant avsnitt.',
  'unknown-item': () => 'Det finns ingen sådan rad i avsnittet.',
  'unknown-question': () => 'Mallen har ingen sådan fråga.',
  'bad-path': () => 'Frågan finns inte i mallen.',
  'edited-by-someone-else': () => 'Någon annan har sparat svaret efter att du öppnade sidan.',
  'too-large': () => 'Filen är för stor.',
  'type-unknown': () => 'Filen är inte av en typ som tas emot; typen avgörs av filens innehåll, inte av namnet.',
  'type-not-allowed': () => 'Filtypen tas inte emot.',
  'name-mismatch': () =>
    'Filens namn stämmer inte med innehållet: en PDF ska sluta på .pdf, ett Word-dokument på .docx och så vidare.',
  empty: () => 'Filen är tom.',
  'bad-name': () => 'Filens namn går inte att använda (högst 200 tecken, utan / och \\).',
  'no-file': () => 'Välj en fil att bifoga.',
  'unknown-file': () => 'Filen finns inte längre i svaret.',
  'not-editable': () => 'Rapporten är inlämnad eller stängd; svaren kan inte ändras nu.',
  'cross-origin': () => 'Filen kom inte från den här webbplatsen.',
  'template-corrected': () => 'Mallen har rättats medan du skrev. Ladda om sidan och för in svaret igen.',
};

/** A refusal that names an upper bound only (not a range): the sentence can say the bound. */
function withMaxOnly(p: RefusalParams): boolean {
  return p.max !== undefined && p.min === undefined;
}

/**
 * A refusal as a sentence beside a form's question (see BESIDE_A_QUESTION_SV); any other code as
 * the pages say it elsewhere, as a sentence of its own.
 */
export function refusalBesideQuestion(refusal: RefusalToTranslate): string {
  const say = isRefusalCode(refusal.code) ? BESIDE_A_QUESTION_SV[refusal.code] : undefined;
  if (say) return say(refusal.params ?? {});
  const { text } = refusalInSwedish(refusal);
  return `${text.charAt(0).toUpperCase()}${text.slice(1)}.`;
}

/**
 * The sentences beside a question by code, without params: what the report form's script shows
 * for a refusal it meets without a page load (it cannot call refusalBesideQuestion).
 */
export function sentencesBesideQuestion(): Record<string, string> {
  return Object.fromEntries(Object.entries(BESIDE_A_QUESTION_SV).map(([code, say]) => [code, say({})]));
}

/** Codes whose sentence names its subject: no field label in front. */
const STANDS_ALONE = new Set<RefusalCode>([
  'not-possible-in-stage',
  'not-editable',
  'no-review-step',
  'cycle-cancelled',
  'already-cancelled',
  'cycle-ended',
  'no-deliverable',
  'already-recorded',
  'dialogue-required',
  'no-programme',
  'programme-revised-meanwhile',
  'revision-empty',
  'programme-in-force',
  'unknown-measure',
  'measure-ended',
  'unknown-dialogue',
  'not-concerned',
  'handed-over',
  'edited-by-someone-else',
  'not-ready',
  'not-under-review',
  'awaiting-sign-off',
  'not-awaiting-sign-off',
  'sign-off-required',
  'template-corrected',
  'cross-origin',
  'published-meanwhile',
  'template-not-in-cycle',
  'template-not-kept',
  'already-started',
  'not-flagged',
  'no-content-taken',
  'forbidden',
  'missing-duty',
  'missing-scope',
  'no-registry',
  'registry-differs',
  'other-municipality',
  'person-only',
]);

/** What the pages need of a refusal: its code and params, and the English problem for the fallback. */
export interface RefusalToTranslate {
  code: string;
  params?: RefusalParams | undefined;
  problem: string;
}

/**
 * A refusal in Swedish: the code's sentence with its params. A code the pages do not know (a
 * worker of another version) is said so in Swedish with the engine's English text: never
 * silently, never a guess.
 */
export function refusalInSwedish(refusal: RefusalToTranslate): { text: string; alone: boolean } {
  if (!isRefusalCode(refusal.code)) {
    return { text: `Begäran avvisades av ett skäl som inte kan visas på svenska (${refusal.problem})`, alone: true };
  }
  return { text: REFUSALS_SV[refusal.code](refusal.params ?? {}), alone: STANDS_ALONE.has(refusal.code) };
}

/**
 * A refusal as one Swedish sentence: "Beslutsdatum måste vara ett datum …". `at` names where in
 * the field (a path inside the submission's content) when the field itself is a form's box.
 */
export function describeProblem(field: string, refusal: RefusalToTranslate, at?: string): string {
  return describeProblemAs(fieldLabel(field), field, refusal, at);
}

/** describeProblem with the field named by `label`: the label a form shows for it. */
export function describeProblemAs(label: string, field: string, refusal: RefusalToTranslate, at?: string): string {
  const { text, alone } = refusalInSwedish(refusal);
  if (alone || field === 'stage' || field.startsWith('(')) return text.charAt(0).toUpperCase() + text.slice(1);
  return `${label}${at ? ` (${at})` : ''} ${text}`;
}
