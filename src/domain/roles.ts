import { z } from 'zod';
import type { Grant, Scope } from './grants';

/**
 * The roles of the first API tokens (issue 5), still accepted by `arshjul token create --role`
 * and the start of `npm start`: each names a bundle of grants and scopes (issue 13).
 * - `admin`: the city management office (SLK);
 * - `committee`: the committee, reads everything and writes nothing;
 * - `board:<organisation id>`: one board, reads and hands in its own deliverables.
 */
export type Role = { kind: 'admin' } | { kind: 'committee' } | { kind: 'board'; boardId: string };

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
  return role.kind === 'board' ? `board:${role.boardId}` : role.kind;
}

/**
 * What a role's token carries now; the migration of api_tokens maps stored roles the same way.
 * A board's token keeps what it could do: draft, mark ready and hand in (a controller's duty,
 * scopes read and submit). SLK's keeps everything; the committee's reads.
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
