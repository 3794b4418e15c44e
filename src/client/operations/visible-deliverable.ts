import type { Principal } from '../../domain/principal';
import { authorize, targetOf } from './authorize';
import type { CycleOperations, DeliverableSummary } from './cycle-operations';

/**
 * A deliverable the caller may see. Another board's is answered exactly like one that does not
 * exist (a 404 for `deliverable`), so a board cannot learn what others have.
 */
export async function visibleDeliverable(
  ops: Pick<CycleOperations, 'deliverable' | 'snapshot'>,
  principal: Principal,
  year: number,
  phaseId: string,
  boardId: string,
): Promise<DeliverableSummary> {
  const summary = await ops.deliverable(year, phaseId, boardId);
  authorize(principal, 'read-board', await targetOf(ops, summary.answeringBoardId), 'deliverable');
  return summary;
}
