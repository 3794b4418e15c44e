import { ReportTemplate } from '../domain/report-template';
import { TemplateChanges } from '../domain/report-template-changes';
import { Queryable } from './database';

/**
 * The report templates a cycle keeps (table cycle_templates): the versions it started with and
 * the corrections published during it. The current version of a template is the highest.
 */

export interface CycleTemplateVersion {
  municipality: string;
  budgetYear: number;
  templateId: string;
  version: number;
  template: ReportTemplate;
  publishedBy: string;
  publishedAt: Date;
  /** Absent for a version the cycle started with. */
  supersedesVersion?: number;
  reason?: string;
  changes?: TemplateChanges;
}

interface Row {
  municipality: string;
  budget_year: number;
  template_id: string;
  version: number;
  template: ReportTemplate;
  published_by: string;
  published_at: Date;
  supersedes_version: number | null;
  reason: string | null;
  changes: TemplateChanges | null;
}

const toVersion = (r: Row): CycleTemplateVersion => ({
  municipality: r.municipality,
  budgetYear: r.budget_year,
  templateId: r.template_id,
  version: r.version,
  template: r.template,
  publishedBy: r.published_by,
  publishedAt: r.published_at,
  ...(r.supersedes_version !== null && { supersedesVersion: r.supersedes_version }),
  ...(r.reason !== null && { reason: r.reason }),
  ...(r.changes !== null && { changes: r.changes }),
});

/**
 * Stores the templates a cycle starts with, in one statement; call it in the transaction that
 * records the cycle. A template already stored for the cycle keeps its stored version.
 */
export async function storeStartingTemplates(
  db: Queryable,
  cycle: { municipality: string; budgetYear: number; startedBy: string },
  templates: readonly ReportTemplate[],
): Promise<void> {
  if (templates.length === 0) return;
  await db.query(
    `INSERT INTO cycle_templates (municipality, budget_year, template_id, version, template, published_by)
     SELECT $1, $2, t->>'id', (t->>'version')::integer, t, $3 FROM jsonb_array_elements($4::jsonb) AS t
     ON CONFLICT DO NOTHING`,
    [cycle.municipality, cycle.budgetYear, cycle.startedBy, JSON.stringify(templates)],
  );
}

/**
 * Stores a corrected version. The caller has checked it against the current version in the same
 * transaction (under lockCycle); the primary key still refuses a version published twice.
 */
export async function insertTemplateVersion(
  db: Queryable,
  version: {
    municipality: string;
    budgetYear: number;
    template: ReportTemplate;
    publishedBy: string;
    supersedesVersion: number;
    reason: string;
    changes: TemplateChanges;
  },
): Promise<void> {
  await db.query(
    `INSERT INTO cycle_templates
       (municipality, budget_year, template_id, version, template, published_by, supersedes_version, reason, changes)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
    [
      version.municipality,
      version.budgetYear,
      version.template.id,
      version.template.version,
      version.template,
      version.publishedBy,
      version.supersedesVersion,
      version.reason,
      version.changes,
    ],
  );
}

/**
 * The current (highest) version of a template for a cycle; undefined when the cycle has none
 * stored — a cycle started before templates were kept with it, or a template it does not name.
 * The caller decides what that means (a refusal, or the file as before).
 */
export async function loadCycleTemplate(
  db: Queryable,
  municipality: string,
  budgetYear: number,
  templateId: string,
): Promise<CycleTemplateVersion | undefined> {
  const result = await db.query<Row>(
    `SELECT * FROM cycle_templates WHERE municipality = $1 AND budget_year = $2 AND template_id = $3
     ORDER BY version DESC LIMIT 1`,
    [municipality, budgetYear, templateId],
  );
  return result.rows[0] && toVersion(result.rows[0]);
}

/**
 * loadCycleTemplate with the version of the cycles' templates it was read at (read_versions), in
 * one statement: what a process may keep in memory until that version moves.
 */
export async function loadVersionedCycleTemplate(
  db: Queryable,
  municipality: string,
  budgetYear: number,
  templateId: string,
): Promise<{ version: number; template: CycleTemplateVersion | undefined }> {
  const result = await db.query<Row & { read_version: string }>(
    `SELECT v.version AS read_version, t.* FROM read_versions v
       LEFT JOIN LATERAL (SELECT * FROM cycle_templates
                           WHERE municipality = $1 AND budget_year = $2 AND template_id = $3
                           ORDER BY version DESC LIMIT 1) t ON true
      WHERE v.subject = 'templates'`,
    [municipality, budgetYear, templateId],
  );
  const row = result.rows[0];
  return {
    version: Number(row?.read_version ?? Number.NaN),
    template: row && row.template_id !== null ? toVersion(row) : undefined,
  };
}

/** Every stored version of a cycle's templates (or of one), by template, oldest first. */
export async function listCycleTemplateVersions(
  db: Queryable,
  municipality: string,
  budgetYear: number,
  templateId?: string,
): Promise<CycleTemplateVersion[]> {
  const result = await db.query<Row>(
    `SELECT * FROM cycle_templates WHERE municipality = $1 AND budget_year = $2 AND ($3::text IS NULL OR template_id = $3)
     ORDER BY template_id, version`,
    [municipality, budgetYear, templateId ?? null],
  );
  return result.rows.map(toVersion);
}
