import { authorize } from './authorize';
import type { Pool } from 'pg';
import { CycleTemplateVersion, listCycleTemplateVersions } from '../../db/cycle-templates';
import { buildTemplateContext } from '../../db/template-context';
import { boardKinds, deliversReports, Organisation, organisationsOn } from '../../domain/organisations';
import type { Principal } from '../../domain/principal';
import type { CycleOperations } from './cycle-operations';
import { notFound, OperationError } from './operation-error';
import { ExpandedTemplate, expandTemplate } from './report-drafts';

/** A board one may preview a template as. */
export type PreviewBoard = Pick<Organisation, 'id' | 'name' | 'kind'>;

/** A template the cycle keeps, as one board would be asked it, with its versions (issue 12). */
export interface TemplatePreview {
  /** The current version (the highest), as stored. */
  current: CycleTemplateVersion;
  /** Every version the cycle has of it, oldest first: who published each and why. */
  versions: CycleTemplateVersion[];
  /** The phases of the cycle that name it. */
  phases: Array<{ id: string; name: string }>;
  /** The boards of the registry on the day, to choose from. */
  boards: PreviewBoard[];
  board: PreviewBoard;
  /** The current version as `board` answers it (see expandTemplate). */
  template: ExpandedTemplate;
}

/**
 * SLK's and the committee's preview of a template the cycle keeps, as a board would see its form:
 * the generated sections expanded with the board's own items, read from PostgreSQL exactly as the
 * form reads them (buildTemplateContext), so what the preview shows is what the board is asked.
 * A board is refused (it sees its own form); an unknown year or template is 404; a board the
 * registry does not have on the day is 400. Without `boardId` the first district is shown.
 */
export async function loadTemplatePreview(
  deps: { ops: CycleOperations; pool: Pool },
  principal: Principal,
  year: number,
  templateId: string,
  boardId?: string,
): Promise<TemplatePreview> {
  const { ops, pool } = deps;
  // A preview shows every board's generated sections: for those who read across boards.
  authorize(principal, 'read-all');
  const at = await ops.snapshot();
  const cycle = at.cycles.find((c) => c.budgetYear === year);
  if (!cycle) throw notFound('budgetYear');
  const current = await ops.cycleTemplate(at, year, templateId);
  if (!current) throw notFound('template');
  const today = ops.today();
  const boards: PreviewBoard[] = (at.registry ? organisationsOn(at.registry, today) : [])
    .filter((o) => deliversReports(o))
    .sort((a, b) => boardKinds.indexOf(a.kind) - boardKinds.indexOf(b.kind) || a.name.localeCompare(b.name, 'sv'))
    .map(({ id, name, kind }) => ({ id, name, kind }));
  const board = boardId === undefined ? boards[0] : boards.find((b) => b.id === boardId);
  if (!board) {
    if (boardId === undefined) throw new OperationError(404, 'registry', 'no registry stored', 'no-registry');
    throw new OperationError(400, 'namnd', `no board ${boardId} in the registry`, 'not-in-registry', {
      id: boardId,
    });
  }
  const phases = cycle.calendar.phases
    .filter((p) => p.kind === 'deliverable' && p.template === templateId)
    .map((p) => ({ id: p.id, name: p.name }));
  const [context, versions] = await Promise.all([
    buildTemplateContext(pool, {
      municipality: ops.municipality,
      cycle,
      registry: at.registry,
      boardId: board.id,
      plannedBoardId: board.id,
      // The nämndmål come from the verksamhetsplan phase unless it is the one previewed.
      phaseId: phases[0]?.id ?? '',
      today,
    }),
    listCycleTemplateVersions(pool, ops.municipality, year, templateId),
  ]);
  return { current, versions, phases, boards, board, template: expandTemplate(current.template, context) };
}
