import type { Pool } from 'pg';
import { appendAuditEvent } from '../../db/audit-log';
import { insertTemplateVersion, loadCycleTemplate } from '../../db/cycle-templates';
import { loadCycle, lockCycle, StoredCycle } from '../../db/cycles';
import { Queryable, withTransaction } from '../../db/database';
import { ReportTemplate } from '../../domain/report-template';
import { compareTemplates, TemplateChanges } from '../../domain/report-template-changes';
import { cycleWorkflowId } from '../../workflows/budget-cycle-workflow';
import { templateIdsOf } from '../templates';
import { notFound, OperationError } from './operation-error';

/**
 * SLK publishes a corrected version of a template during a cycle (issue 12): the cycle keeps the
 * versions it started with, and a new one replaces the current only when it is the same template
 * with a higher version. What changed, question by question, is stored with it and recorded in
 * the audit log, for the drafts to carry the boards' answers over.
 */

export interface TemplatePublication {
  workflowId: string;
  /** The version the new one supersedes. */
  current: number;
  changes: TemplateChanges;
}

/** What publishing `template` would change; refused (nothing stored) as publishTemplateVersion would. */
export async function previewTemplateVersion(
  db: Queryable,
  municipality: string,
  budgetYear: number,
  template: ReportTemplate,
): Promise<TemplatePublication> {
  return publicationOf(db, await loadCycle(db, municipality, budgetYear), template);
}

/**
 * Stores the new version with its change summary and records `template-published`, in one
 * transaction with the cycle row locked: two publications at once cannot both pass the version
 * check. `expectedCurrent` (from the preview the user confirmed) refuses a publication when
 * someone else published in between, so nobody confirms one summary and gets another.
 */
export async function publishTemplateVersion(
  pool: Pool,
  input: {
    municipality: string;
    budgetYear: number;
    template: ReportTemplate;
    reason: string;
    expectedCurrent?: number;
  },
  by: string,
): Promise<TemplatePublication> {
  return withTransaction(pool, async (tx) => {
    const cycle = await lockCycle(tx, input.municipality, input.budgetYear);
    const publication = await publicationOf(tx, cycle, input.template);
    if (input.expectedCurrent !== undefined && publication.current !== input.expectedCurrent) {
      throw new OperationError(
        409,
        'version',
        `version ${publication.current} publicerades under tiden (published meanwhile); ingenting lagrades`,
        'published-meanwhile',
        { version: publication.current },
      );
    }
    await insertTemplateVersion(tx, {
      municipality: input.municipality,
      budgetYear: input.budgetYear,
      template: input.template,
      publishedBy: by,
      supersedesVersion: publication.current,
      reason: input.reason,
      changes: publication.changes,
    });
    await appendAuditEvent(tx, {
      occurredAt: new Date(),
      workflowId: publication.workflowId,
      kind: 'template-published',
      actor: by,
      eventKey: `${publication.workflowId}/template-published/${input.template.id}/${input.template.version}`,
      payload: {
        templateId: input.template.id,
        version: input.template.version,
        supersedesVersion: publication.current,
        reason: input.reason,
        changes: publication.changes,
      },
    });
    return publication;
  });
}

async function publicationOf(
  db: Queryable,
  cycle: StoredCycle | undefined,
  template: ReportTemplate,
): Promise<TemplatePublication> {
  if (!cycle) throw notFound('budgetYear');
  const used = templateIdsOf(cycle.calendar);
  if (!used.includes(template.id)) {
    throw new OperationError(
      409,
      'id',
      `budgetår ${cycle.budgetYear} använder ingen mall ${template.id} (unknown template); mallar i cykeln: ${used.join(', ') || 'inga'}`,
      'template-not-in-cycle',
      { id: template.id },
    );
  }
  const stored = await loadCycleTemplate(db, cycle.municipality, cycle.budgetYear, template.id);
  if (!stored) {
    // Started before cycles kept their templates: there is no version to correct or compare with.
    throw new OperationError(
      409,
      'id',
      `budgetår ${cycle.budgetYear} har ingen lagrad version av mallen ${template.id} (startades innan cykler behöll sina mallar)`,
      'template-not-kept',
      { id: template.id },
    );
  }
  if (template.version <= stored.version) {
    throw new OperationError(
      409,
      'version',
      `måste vara högre än den gällande versionen ${stored.version} (got ${template.version})`,
      'version-not-higher',
      { current: stored.version },
    );
  }
  return {
    workflowId: cycleWorkflowId(cycle.municipality, cycle.budgetYear),
    current: stored.version,
    changes: compareTemplates(stored.template, template),
  };
}
