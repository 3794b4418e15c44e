import { canSeeBoard, Principal } from '../../domain/roles';
import type { CycleOperations, DeliverableSummary } from './cycle-operations';
import { notFound } from './operation-error';

/**
 * A deliverable the caller may see. Another board's is answered exactly like one that does not
 * exist (a 404 for `deliverable`), so a board cannot learn what others have.
 */
export async function visibleDeliverable(
  ops: Pick<CycleOperations, 'deliverable'>,
  principal: Principal,
  year: number,
  phaseId: string,
  boardId: string,
): Promise<DeliverableSummary> {
  const summary = await ops.deliverable(year, phaseId, boardId);
  if (!canSeeBoard(principal, summary.answeringBoardId)) throw notFound('deliverable');
  return summary;
}
