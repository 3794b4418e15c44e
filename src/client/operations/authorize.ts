import { boardTarget } from '../../domain/board-target';
import { formatGrant } from '../../domain/grants';
import { Action, BoardTarget, decide } from '../../domain/permissions';
import { actorId, Principal } from '../../domain/principal';
import type { ReadSnapshot } from './read-cache';
import { notFound, OperationError } from './operation-error';

/** A board as the permission functions need it, with what the registry (kept in memory) says. */
export async function targetOf(
  ops: { snapshot(): Promise<Pick<ReadSnapshot, 'registry'>> },
  boardId: string,
): Promise<BoardTarget> {
  return boardTarget((await ops.snapshot()).registry, boardId);
}

/**
 * Throws unless the caller may do `action` (on `target`). A caller who may not even see the
 * board gets a 404 for `hiddenAs`, exactly as for one that does not exist; the other refusals
 * are 403s with a stable code: `missing-duty` (works at the board, another duty is needed),
 * `missing-scope` (the token's scopes stop it), `forbidden`.
 */
export function authorize(principal: Principal, action: Action, target?: BoardTarget, hiddenAs = 'board'): void {
  const decision = decide(principal, action, target);
  if (decision.allowed) return;
  const who = `${actorId(principal)} (${principal.grants.map(formatGrant).join(', ') || 'no grants'})`;
  switch (decision.reason) {
    case 'hidden':
      throw notFound(hiddenAs);
    case 'missing-duty':
      throw new OperationError(
        403,
        'role',
        `${who} may not ${action}: another duty at the board is needed`,
        'missing-duty',
        { action },
      );
    case 'missing-scope':
      throw new OperationError(403, 'scope', `${who} may not ${action}: the token lacks the scope`, 'missing-scope', {
        action,
      });
    case 'forbidden':
      throw new OperationError(403, 'role', `${who} may not ${action}`, 'forbidden', { action });
  }
}
