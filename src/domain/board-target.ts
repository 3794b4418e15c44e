import { findOrganisation, Registry } from './organisations';
import type { BoardTarget } from './permissions';

/**
 * A board as the permission functions see it, from the registry: whether it is a company whose
 * group parent is Stockholms Stadshus AB (a `koncernmoder`), or that group parent itself. Without a registry, or for a board
 * it does not know, only the id: nobody reads it through the group then.
 */
export function boardTarget(registry: Registry | undefined, boardId: string): BoardTarget {
  const board = registry && findOrganisation(registry, boardId);
  if (board?.kind === 'koncernmoder') return { boardId, isGroupParent: true };
  const parent = board?.parentId && registry ? findOrganisation(registry, board.parentId) : undefined;
  return parent?.kind === 'koncernmoder' ? { boardId, groupParentId: parent.id } : { boardId };
}

/** Every board of the registry as a target (for lists narrowed by `readableBoards`). */
export function boardTargets(registry: Registry | undefined): BoardTarget[] {
  return (registry?.organisations ?? []).map((org) => boardTarget(registry, org.id));
}
