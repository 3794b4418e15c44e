import type { Pool } from 'pg';
import type { AttachmentStore } from '../../db/attachments';
import { listLatestSubmissions, SubmissionRecord } from '../../db/submissions';
import { STAGE_SV } from '../../domain/deliverable-state';
import { Principal } from '../../domain/roles';
import { answerTables, Table, toCsv } from '../exports/answer-table';
import { phaseWorkbook } from '../exports/phase-workbook';
import { reportPdf } from '../exports/report-pdf';
import { CycleOperations } from './cycle-operations';
import { forbidden, notFound } from './operation-error';
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

  const phaseTables = async (principal: Principal, year: number, phaseId: string) => {
    if (principal.role.kind === 'board') throw forbidden('a board exports its own report only', 'export');
    const deliverables = (await ops.deliverables(year)).filter((d) => d.phaseId === phaseId);
    if (deliverables.length === 0) throw notFound('phaseId');
    const submissions = new Map(
      (await listLatestSubmissions(pool, cycleId(year), phaseId)).map((s) => [s.workflowId, s]),
    );
    const tables = answerTables(
      LEADING,
      deliverables.map((d) => {
        const s = submissions.get(d.workflowId);
        return {
          leading: [
            d.boardName,
            STAGE_SV[d.stage],
            d.late ? 'ja' : 'nej',
            d.deadline,
            s ? dateOf(s.submittedAt) : null,
            s?.actor ?? null,
            s?.documentRef ?? null,
          ],
          content: s?.content ?? null,
        };
      }),
    );
    return { tables, phaseName: deliverables[0]!.phaseName };
  };

  return {
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
          attachments: (await store.list(summary.workflowId)).map((a) => ({ name: a.fileName, size: a.sizeBytes })),
          printedAt: ops.today(),
        }),
      };
    },
  };
}

export type ExportOperations = ReturnType<typeof createExportOperations>;
