import { authorize } from './authorize';
import type { Pool } from 'pg';
import type { AttachmentStore } from '../../db/attachments';
import { listLatestSubmissions, SubmissionRecord } from '../../db/submissions';
import { STAGE_SV } from '../../domain/deliverable-state';
import type { Principal } from '../../domain/principal';
import { answerTables, Table, toCsv } from '../exports/answer-table';
import { printableAnswers, templateTables } from '../exports/template-answers';
import { loadCycleTemplate } from '../../db/cycle-templates';
import type { StoredCycle } from '../../db/cycles';
import { buildTemplateContexts } from '../../db/template-context';
import type { Registry } from '../../domain/organisations';
import { lupTracePdf } from '../exports/lup-trace-pdf';
import { lupTraceTable } from '../exports/lup-trace-table';
import { phaseWorkbook } from '../exports/phase-workbook';
import { reportPdf } from '../exports/report-pdf';
import { CycleOperations, DeliverableSummary } from './cycle-operations';
import { notFound } from './operation-error';
import { visibleDeliverable } from './visible-deliverable';

export interface ExportFile {
  fileName: string;
  contentType: string;
  body: Buffer | string;
}

const LEADING = ['Nämnd', 'Status', 'Försenad', 'Sista dag', 'Inlämnad', 'Inlämnad av', 'Diarienummer'];

/** File names people can keep: letters, digits and dashes. */
const fileSafe = (text: string): string =>
  text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^A-Za-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .toLowerCase();

const dateOf = (at: Date): string => at.toISOString().slice(0, 10);

/**
 * Exports people read rather than the screen: a whole phase as a workbook or CSV (SLK and the
 * committee), one board's report as a PDF (the board itself, SLK, the committee). Everything is
 * read from PostgreSQL: the read model for status, the audit log for each latest submission.
 */
export function createExportOperations(deps: { ops: CycleOperations; pool: Pool; store: AttachmentStore }) {
  const { ops, pool, store } = deps;
  const cycleId = (year: number) => `${ops.municipality}/${year}`;

  /** The template the cycle keeps for a phase, if it names one (older cycles: none). */
  const templateOf = async (year: number, phaseId: string) => {
    const cycle = await ops.cycle(year);
    const phase = cycle.calendar.phases.find((p) => p.id === phaseId);
    const id = phase?.kind === 'deliverable' ? phase.template : undefined;
    const kept = id ? await loadCycleTemplate(pool, ops.municipality, year, id) : undefined;
    return kept && { cycle, template: kept.template };
  };

  /** Boards' generated items as their forms had them, for the exports' structure (one phase's boards). */
  const contextsOf = async (cycle: StoredCycle, ds: readonly DeliverableSummary[], registry: Registry | undefined) =>
    ds.length === 0
      ? []
      : buildTemplateContexts(
          pool,
          { municipality: ops.municipality, cycle, registry, phaseId: ds[0]!.phaseId, today: ops.today() },
          ds.map((d) => ({ boardId: d.answeringBoardId, plannedBoardId: d.boardId })),
        );

  const phaseTables = async (principal: Principal, year: number, phaseId: string) => {
    // A phase's workbook holds every board's answers; a board exports its own report only.
    authorize(principal, 'read-all');
    const deliverables = (await ops.deliverables(year)).filter((d) => d.phaseId === phaseId);
    if (deliverables.length === 0) throw notFound('phaseId');
    const submissions = new Map(
      (await listLatestSubmissions(pool, cycleId(year), phaseId)).map((s) => [s.workflowId, s]),
    );
    const leadingOf = (d: (typeof deliverables)[number]) => {
      const s = submissions.get(d.workflowId);
      return [
        d.boardName,
        STAGE_SV[d.stage],
        d.late ? 'ja' : 'nej',
        d.deadline,
        s ? dateOf(s.submittedAt) : null,
        s?.actor ?? null,
        s?.documentRef ?? null,
      ];
    };
    const kept = await templateOf(year, phaseId);
    const registry = await ops.registry().catch(() => undefined);
    // Every board's generated items in a few statements for the whole phase, not a few per board.
    const contexts = kept && (await contextsOf(kept.cycle, deliverables, registry));
    const tables = kept
      ? templateTables(
          kept.template,
          LEADING,
          deliverables.map((d, i) => ({
            leading: leadingOf(d),
            answers: submissions.get(d.workflowId)?.content ?? null,
            context: contexts![i]!,
          })),
        )
      : answerTables(
          LEADING,
          deliverables.map((d) => ({ leading: leadingOf(d), content: submissions.get(d.workflowId)?.content ?? null })),
        );
    return { tables, phaseName: deliverables[0]!.phaseName };
  };

  return {
    /** The trace of larger LUP measures as a workbook (the committee and SLK). */
    async lupTraceWorkbook(principal: Principal, year: number): Promise<ExportFile> {
      const trace = await ops.lupTrace.cityTrace(principal, year);
      return {
        fileName: `lup-sparning-${year}.xlsx`,
        contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
        body: await phaseWorkbook([lupTraceTable(trace)], {
          title: `Spårning av större LUP-åtgärder ${year}`,
          creator: 'Årshjul',
        }),
      };
    },

    /**
     * The trace as a PDF: the city's (the committee and SLK) or, with `boardId`, one district's
     * (the district too), with the day it was made.
     */
    async lupTracePdf(principal: Principal, year: number, boardId?: string): Promise<ExportFile> {
      const trace =
        boardId === undefined
          ? await ops.lupTrace.cityTrace(principal, year)
          : await ops.lupTrace.districtTrace(principal, year, boardId);
      const scope = boardId === undefined ? 'Hela staden' : (trace.districts[0]?.boardName ?? boardId);
      return {
        fileName: `lup-sparning-${year}${boardId === undefined ? '' : `-${boardId}`}.pdf`,
        contentType: 'application/pdf',
        body: await lupTracePdf(trace, { scope, printedAt: ops.today() }),
      };
    },

    async phaseWorkbook(principal: Principal, year: number, phaseId: string): Promise<ExportFile> {
      const { tables, phaseName } = await phaseTables(principal, year, phaseId);
      return {
        fileName: `${fileSafe(phaseName)}-${year}.xlsx`,
        contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
        body: await phaseWorkbook(tables, { title: `${phaseName} ${year}`, creator: 'Årshjul' }),
      };
    },

    async phaseCsv(principal: Principal, year: number, phaseId: string): Promise<ExportFile> {
      const { tables, phaseName } = await phaseTables(principal, year, phaseId);
      return {
        fileName: `${fileSafe(phaseName)}-${year}.csv`,
        contentType: 'text/csv; charset=utf-8',
        body: toCsv(tables[0] as Table),
      };
    },

    async reportPdf(principal: Principal, year: number, phaseId: string, boardId: string): Promise<ExportFile> {
      const summary = await visibleDeliverable(ops, principal, year, phaseId, boardId);
      const kept = await templateOf(year, phaseId);
      const [submission]: Array<SubmissionRecord | undefined> = await listLatestSubmissions(
        pool,
        cycleId(year),
        phaseId,
        boardId,
      );
      return {
        fileName: `${fileSafe(summary.phaseName)}-${fileSafe(summary.boardName)}-${year}.pdf`,
        contentType: 'application/pdf',
        body: await reportPdf({
          phaseName: summary.phaseName,
          boardName: summary.boardName,
          budgetYear: year,
          status: `${STAGE_SV[summary.stage]}${summary.late ? ' (försenad)' : ''}`,
          deadline: summary.deadline,
          ...(submission && {
            submitted: {
              at: dateOf(submission.submittedAt),
              by: submission.actor,
              documentRef: submission.documentRef,
              decisionDate: submission.decisionDate,
            },
          }),
          content: submission?.content ?? null,
          ...(kept && {
            sections: printableAnswers(
              kept.template,
              (await contextsOf(kept.cycle, [summary], await ops.registry().catch(() => undefined)))[0]!,
              submission?.content ?? {},
            ),
          }),
          attachments: (await store.list(summary.workflowId)).map((a) => ({ name: a.fileName, size: a.sizeBytes })),
          printedAt: ops.today(),
        }),
      };
    },
  };
}

export type ExportOperations = ReturnType<typeof createExportOperations>;
