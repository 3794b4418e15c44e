import type { RecipientRole } from './cycle-calendar';
import {
  ContactRole,
  contactRoles,
  headOfAdministrationRoles,
  Organisation,
  Registry,
  organisationsOn,
} from './organisations';
import { LocalDate } from './local-date';

/** Addresses of the organisations above a board that escalations reach. */
export interface EscalationAddresses {
  koncernmoder: string[];
  utskott: string[];
  /** SLK's controller (issue 14): the last step where a phase names `slk-controller`. */
  slkController?: string[];
}

/**
 * The group parent (for a company board) and the committee, as they stand on a date: their
 * registry mailboxes receive escalation steps addressed to `koncernmoder` and `utskott`.
 */
export function escalationAddresses(registry: Registry, board: Organisation, onDate: LocalDate): EscalationAddresses {
  const active = organisationsOn(registry, onDate);
  const mailboxes = (org: Organisation | undefined): string[] =>
    org ? org.contacts.filter((c) => c.role === 'registrator').map((c) => c.email) : [];
  return {
    koncernmoder: mailboxes(active.find((o) => o.id === board.parentId && o.kind === 'koncernmoder')),
    utskott: active.filter((o) => o.kind === 'utskott').flatMap((o) => mailboxes(o)),
    slkController: active
      .filter((o) => o.kind === 'slk')
      .flatMap((o) => o.contacts.filter((c) => c.role === 'controller').map((c) => c.email)),
  };
}

/**
 * The addresses behind a list of roles, each once, in the order the roles are listed. The head of
 * administration answers to either of its titles: a ladder written `forvaltningschef` (the
 * defaults, calendars of before the rename) reaches a district's stadsdelsdirektör.
 */
export function addressesFor(
  roles: readonly RecipientRole[],
  board: Pick<Organisation, 'contacts'>,
  above: EscalationAddresses,
): string[] {
  const out: string[] = [];
  for (const role of roles) {
    const found =
      role === 'koncernmoder' || role === 'utskott'
        ? above[role]
        : role === 'slk-controller'
          ? (above.slkController ?? [])
          : (contactRoles as readonly string[]).includes(role)
            ? board.contacts.filter((c) => rolesMeant(role as ContactRole).includes(c.role)).map((c) => c.email)
            : [];
    for (const address of found) if (!out.includes(address)) out.push(address);
  }
  return out;
}

function rolesMeant(role: ContactRole): readonly ContactRole[] {
  return headOfAdministrationRoles.includes(role) ? headOfAdministrationRoles : [role];
}
