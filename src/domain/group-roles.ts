import { z } from 'zod';
import { Duty, duties, Grant } from './grants';

/**
 * Which Årshjul role a group at the city's identity provider gives (issue 13). The identity
 * provider (Entra ID, Keycloak, or the development provider) sends the person's group names in a
 * claim (`groups` by default); a mapping file, data like the registry, says what each group means:
 *
 * - `admin`: Stadsledningskontoret (SLK);
 * - `committee`: the committee (Kommunstyrelsens ytterstads- och demokratiutskott);
 * - `stadshus`: Stockholms Stadshus AB, the group parent of the company boards;
 * - `board:<organisation id>:<duty>`: one person's duty at one board, the duty being
 *   `handlaggare` (drafts), `controller` (drafts, marks ready) or `forvaltningschef` (signs off).
 *
 * Groups the file does not name give no role: a person's other groups at the city are none of
 * Årshjul's business.
 */

export const BOARD_DUTIES = duties;
export type BoardDuty = Duty;

/** The grant a group gives (src/domain/grants.ts): the roles people hold are grants. */
export type GroupRole = Grant;

/** Same shape as an organisation id in the registry. */
const BOARD_ID = '[a-z0-9]+(?:-[a-z0-9]+)*';
const GROUP_ROLE_PATTERN = new RegExp(`^(?:admin|committee|stadshus|board:${BOARD_ID}:(?:${BOARD_DUTIES.join('|')}))$`);

export const groupRoleSchema = z
  .string({ message: 'must be a role written as text' })
  .regex(GROUP_ROLE_PATTERN, {
    message: `must be admin, committee, stadshus or board:<organisation id>:<${BOARD_DUTIES.join('|')}>`,
  })
  .transform((text): GroupRole => {
    if (text === 'admin' || text === 'committee' || text === 'stadshus') return { kind: text };
    const [, boardId, duty] = text.split(':') as [string, string, BoardDuty];
    return { kind: 'board', boardId, duty };
  });

/**
 * A group name as identity providers spell them: Keycloak paths and directory names may have
 * spaces inside (`CN=Årshjul Farsta,OU=…`); no control characters, nothing blank at either end.
 */
const GROUP_NAME_MESSAGE =
  'must be a group name of 1–256 characters without control characters or spaces at either end';
const groupNameSchema = z.string().regex(/^(?!\s)[^\p{C}]{1,256}(?<!\s)$/u, { message: GROUP_NAME_MESSAGE });

export const groupRolesSchema = z
  .object({
    /** Group name at the identity provider → the Årshjul role it gives. */
    groups: z
      .record(groupNameSchema, groupRoleSchema, {
        // zod says only "Invalid key in record"; say what is wrong with the name.
        error: (issue) => (issue.code === 'invalid_key' ? GROUP_NAME_MESSAGE : undefined),
      })
      .refine((groups) => Object.keys(groups).length > 0, {
        message: 'must map at least one group',
      }),
  })
  .strict();

export type GroupRoles = z.output<typeof groupRolesSchema>;

export function formatGroupRole(role: GroupRole): string {
  return role.kind === 'board' ? `board:${role.boardId}:${role.duty}` : role.kind;
}

/** The roles a person's groups give, in the order of the groups, each once; unknown groups give none. */
export function rolesForGroups(mapping: GroupRoles, groups: readonly string[]): GroupRole[] {
  const seen = new Set<string>();
  const roles: GroupRole[] = [];
  for (const group of groups) {
    const role = Object.hasOwn(mapping.groups, group) ? mapping.groups[group] : undefined;
    if (!role || seen.has(formatGroupRole(role))) continue;
    seen.add(formatGroupRole(role));
    roles.push(role);
  }
  return roles;
}
