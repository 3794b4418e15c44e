import type { Pool } from 'pg';
import { appendAuditEvent } from '../../db/audit-log';
import { insertTemplateVersion, loadCycleTemplate } from '../../db/cycle-templates';
import { loadCycle, lockCycle, StoredCycle } from '../../db/cycles';
import { Queryable, withTransaction } from '../../db/database';
import { ReportTemplate } from '../../domain/report-template';
import { compareTemplates, correctDraft, TemplateChanges } from '../../domain/report-template-changes';
import { SavedAnswer } from '../../db/report-drafts';
import {
  deleteAnswers,
  DroppedAnswer,
  insertTemplateCorrection,
  lockAnswersOfPhases,
  moveAnswer,
} from '../../db/template-corrections';
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
  /** What the publication did to the boards' drafts (absent in a preview). */
  drafts?: { reports: number; carried: number; dropped: number };
}

/** A long value stays out of the audit log (the correction's row holds it); its size is recorded instead. */
const AUDIT_VALUE_LIMIT = 200;

/** What publishing `template` would change; refused (nothing stored) as publishTemplateVersion would. */
export async function previewTemplateVersion(
  db: Queryable,
  municipality: string,
  budgetYear: number,
  template: ReportTemplate,
): Promise<TemplatePublication> {
  const publication = await publicationOf(db, await loadCycle(db, municipality, budgetYear), template);
  return { workflowId: publication.workflowId, current: publication.current, changes: publication.changes };
}

/**
 * Stores the new version with its change summary and records `template-published`, in one
 * transaction with the cycle row locked: two publications at once cannot both pass the version
 * check. `expectedCurrent` (from the preview the user confirmed) refuses a publication when
 * someone else published in between, so nobody confirms one summary and gets another.
 *
 * In the same transaction every board's draft of the phases that use the template moves onto the
 * new version (correctDraft): kept answers carry over, the others leave the draft and are kept
 * with a `report_template_corrections` row and a `template-corrected` event per report, so a
 * publication and what it did to the drafts are recorded together or not at all.
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
    const { previous, ...publication } = await publicationOf(tx, cycle, input.template);
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
    const drafts = await correctDrafts(tx, {
      cycle: cycle!,
      previous,
      template: input.template,
      changes: publication.changes,
      by,
    });
    return { ...publication, drafts };
  });
}

/** Moves every draft of the template's phases onto the new version; see publishTemplateVersion. */
async function correctDrafts(
  tx: Queryable,
  input: {
    cycle: StoredCycle;
    previous: ReportTemplate;
    template: ReportTemplate;
    changes: TemplateChanges;
    by: string;
  },
): Promise<{ reports: number; carried: number; dropped: number }> {
  const { cycle, previous, template, changes, by } = input;
  const cycleId = cycleWorkflowId(cycle.municipality, cycle.budgetYear);
  const phases = cycle.calendar.phases.filter((p) => p.kind === 'deliverable' && p.template === template.id);
  const answers = await lockAnswersOfPhases(
    tx,
    phases.map((p) => `${cycleId}/${p.id}`),
  );
  const byReport = new Map<string, SavedAnswer[]>();
  for (const answer of answers) byReport.set(answer.workflowId, [...(byReport.get(answer.workflowId) ?? []), answer]);
  const totals = { reports: 0, carried: 0, dropped: 0 };
  const occurredAt = new Date();
  for (const [workflowId, saved] of byReport) {
    const plan = correctDraft(
      previous,
      template,
      changes,
      saved.map((a) => a.path),
    );
    const values = new Map(saved.map((a) => [a.path, a]));
    const dropped: DroppedAnswer[] = plan.dropped.map((d) => {
      const answer = values.get(d.path)!;
      return {
        ...d,
        value: answer.value,
        version: answer.version,
        savedBy: answer.savedBy,
        savedAt: answer.savedAt.toISOString(),
      };
    });
    // Dropped first: a kept question that moved may move onto a path only a dropped answer held.
    if (dropped.length)
      await deleteAnswers(
        tx,
        workflowId,
        dropped.map((d) => d.path),
      );
    for (const { from, to } of plan.carried) if (from !== to) await moveAnswer(tx, workflowId, from, to);
    await insertTemplateCorrection(tx, {
      workflowId,
      templateId: template.id,
      fromVersion: previous.version,
      toVersion: template.version,
      carried: plan.carried,
      dropped,
      correctedBy: by,
    });
    await appendAuditEvent(tx, {
      occurredAt,
      workflowId,
      kind: 'template-corrected',
      actor: by,
      eventKey: `${workflowId}/template-corrected/${template.id}/${template.version}`,
      payload: {
        templateId: template.id,
        fromVersion: previous.version,
        toVersion: template.version,
        carried: plan.carried,
        dropped: dropped.map((d) => {
          const text = JSON.stringify(d.value);
          return {
            path: d.path,
            questionId: d.questionId,
            reason: d.reason,
            label: d.label,
            savedBy: d.savedBy,
            ...(text.length <= AUDIT_VALUE_LIMIT ? { value: d.value } : { valueLength: text.length }),
          };
        }),
      },
    });
    totals.reports += 1;
    totals.carried += plan.carried.length;
    totals.dropped += dropped.length;
  }
  return totals;
}

async function publicationOf(
  db: Queryable,
  cycle: StoredCycle | undefined,
  template: ReportTemplate,
): Promise<TemplatePublication & { previous: ReportTemplate }> {
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
    previous: stored.template,
  };
}
