import { z } from 'zod';
import type { Grant, Scope } from './grants';

/**
 * Who may do what through the HTTP API (issue 5). A role is stored and written as a string:
 * - `admin`: the city management office (SLK), may do everything;
 * - `committee`: the committee, reads everything (escalations included) and writes nothing;
 * - `board:<organisation id>`: one board, sees and submits only its own deliverables.
 */
export type Role = { kind: 'admin' } | { kind: 'committee' } | { kind: 'board'; boardId: string };

/** An authenticated caller: its role and the token it came with. */
export interface Principal {
  role: Role;
  /** The token's public id (`tok_…`), never its secret. */
  tokenId: string;
  label: string;
}

/** Same shape as an organisation id in the registry. */
const BOARD_ID = '[a-z0-9]+(?:-[a-z0-9]+)*';
const ROLE_PATTERN = new RegExp(`^(?:admin|committee|board:${BOARD_ID})$`);

/** Parses `admin`, `committee` or `board:<organisation id>` into a {@link Role}. */
export const roleSchema = z
  .string()
  .regex(ROLE_PATTERN, { message: 'must be admin, committee or board:<organisation id>' })
  .transform((text): Role => {
    if (text === 'admin') return { kind: 'admin' };
    if (text === 'committee') return { kind: 'committee' };
    return { kind: 'board', boardId: text.slice('board:'.length) };
  });

export function formatRole(role: Role): string {
  switch (role.kind) {
    case 'admin':
    case 'committee':
      return role.kind;
    case 'board':
      return `board:${role.boardId}`;
  }
}

type HasRole = Pick<Principal, 'role'>;

export function isAdmin(principal: HasRole): boolean {
  return principal.role.kind === 'admin';
}

/** Whether the caller may see a board's deliverables: admin and committee all, a board its own. */
export function canSeeBoard(principal: HasRole, boardId: string): boolean {
  const role = principal.role;
  return role.kind === 'board' ? role.boardId === boardId : true;
}

/**
 * Whether the caller may write. Admin may write anything; the committee nothing; a board only
 * for its own deliverables, so a board is refused when no board is named.
 */
export function canWrite(principal: HasRole, boardId?: string): boolean {
  const role = principal.role;
  switch (role.kind) {
    case 'admin':
      return true;
    case 'committee':
      return false;
    case 'board':
      return boardId !== undefined && role.boardId === boardId;
  }
}

/**
 * What a role's token carries now (issue 13); the migration of api_tokens maps stored roles the
 * same way. A board's token keeps what it could do: draft, mark ready and hand in (a
 * controller's duty, scopes read and submit). SLK's keeps everything; the committee's reads.
 */
export function grantsOfRole(role: Role): { grants: Grant[]; scopes: Scope[] } {
  switch (role.kind) {
    case 'admin':
      return { grants: [{ kind: 'admin' }], scopes: ['read', 'submit', 'admin'] };
    case 'committee':
      return { grants: [{ kind: 'committee' }], scopes: ['read'] };
    case 'board':
      return { grants: [{ kind: 'board', boardId: role.boardId, duty: 'controller' }], scopes: ['read', 'submit'] };
  }
}
