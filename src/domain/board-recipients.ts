import type { RecipientRole } from './cycle-calendar';
import type { Duty } from './grants';
import type { MailLanguage } from './swedish-format';

/**
 * Mails by role at the board (issue 13): besides the registrator's formal mailbox (and the other
 * addresses of the registry), a notification about a board reaches the board's people by their
 * duty there, resolved when it is sent, each as they asked (language, weekly digest, which
 * boards' mails), and the stand-ins of those away. Pure: the worker loads the people and the
 * stand-ins in force, this decides who gets what.
 */

export type BoardNotificationKind = 'opening' | 'reminder' | 'escalation' | 'returned' | 'approved' | 'committee';

/**
 * Which duties hear of what. Handläggare draft: they hear of an opening, the reminders and a
 * return for completion. Controllers and the förvaltningschef answer for the report: everything,
 * escalations included.
 */
export const DUTIES_MAILED: Record<BoardNotificationKind, readonly Duty[]> = {
  opening: ['handlaggare', 'controller', 'forvaltningschef'],
  reminder: ['handlaggare', 'controller', 'forvaltningschef'],
  returned: ['handlaggare', 'controller', 'forvaltningschef'],
  approved: ['controller', 'forvaltningschef'],
  escalation: ['controller', 'forvaltningschef'],
  // The committee's comments and acts (issue 14) concern whoever works on the board's reports.
  committee: ['handlaggare', 'controller', 'forvaltningschef'],
};

/** The registry roles that are the board itself: a step to the group parent or the committee is not. */
const BOARD_ROLES: readonly RecipientRole[] = [
  'registrator',
  'forvaltningschef',
  'stadsdelsdirektor',
  'vd',
  'ordforande',
];

/** What a person asked for their mails (people.language, weekly_digest, muted_boards). */
export interface MailSettings {
  personId: string;
  /** No address (erased, or the provider gave none): nothing can be sent to the person. */
  email?: string;
  language: MailLanguage;
  weeklyDigest: boolean;
  mutedBoards: readonly string[];
}

/** A person holding duties at the board (their own grants, in force when the mail is sent). */
export interface BoardMember extends MailSettings {
  duties: readonly Duty[];
}

/** A stand-in whose period covers the day, for a person away. */
export interface StandInFor {
  absentPersonId: string;
  standIn: MailSettings;
}

export interface PersonRecipient {
  address: string;
  language: MailLanguage;
  weeklyDigest: boolean;
  personId: string;
  /** When the mail reaches the person as someone's stand-in: whose. */
  standingInFor?: string;
}

/**
 * The board's people who get a notification: those whose duty hears of its kind, unless they
 * turned the board's mails off; and for each of them away, their stand-in (in the stand-in's
 * language and digest choice: the absent person's board choice decides whether the board's
 * mails are wanted at all). Only for notifications to the board itself (`roles` names one of
 * its own roles). Each address once: the person's own copy before one as a stand-in.
 */
export function boardPeopleRecipients(input: {
  boardId: string;
  kind: BoardNotificationKind;
  roles: readonly string[];
  members: readonly BoardMember[];
  standIns: readonly StandInFor[];
}): PersonRecipient[] {
  if (!input.roles.some((r) => (BOARD_ROLES as readonly string[]).includes(r))) return [];
  const duties = DUTIES_MAILED[input.kind];
  const wanted = input.members.filter(
    (m) => m.duties.some((d) => duties.includes(d)) && !m.mutedBoards.includes(input.boardId),
  );
  const out: PersonRecipient[] = [];
  const seen = new Set<string>();
  const add = (person: MailSettings, standingInFor?: string) => {
    if (!person.email) return;
    const key = person.email.toLowerCase();
    if (seen.has(key)) return;
    seen.add(key);
    out.push({
      address: person.email,
      language: person.language,
      weeklyDigest: person.weeklyDigest,
      personId: person.personId,
      ...(standingInFor !== undefined && { standingInFor }),
    });
  };
  for (const member of wanted) add(member);
  const wantedIds = new Set(wanted.map((m) => m.personId));
  for (const link of input.standIns) {
    if (wantedIds.has(link.absentPersonId)) add(link.standIn, link.absentPersonId);
  }
  return out;
}
