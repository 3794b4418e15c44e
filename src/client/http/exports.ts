import type { FastifyInstance } from 'fastify';
import type { Principal } from '../../domain/principal';
import { ExportFile, ExportOperations } from '../operations/exports';
import { requirePrincipal } from './auth';
import {
  answerOrRefuse,
  boardYearParams,
  deliverableParams,
  parseParams,
  phaseParams,
  sendFile,
  yearParams,
} from './file-responses';

/**
 * Downloads, for a bearer token or a signed-in page alike: a phase as XLSX or CSV (SLK and the
 * committee), one board's report as PDF (that board, SLK, the committee), the trace of larger
 * LUP measures as XLSX or PDF (the city's; a district's PDF for the district too).
 */
export function registerExportRoutes(app: FastifyInstance, exports: ExportOperations): void {
  const routes: Array<[string, (principal: Principal, params: unknown) => Promise<ExportFile>]> = [
    [
      '/api/cycles/:year/phases/:phaseId/export.xlsx',
      (principal, params) => {
        const p = parseParams(phaseParams, params);
        return exports.phaseWorkbook(principal, p.year, p.phaseId);
      },
    ],
    [
      '/api/cycles/:year/lup-trace.xlsx',
      (principal, params) => exports.lupTraceWorkbook(principal, parseParams(yearParams, params).year),
    ],
    [
      '/api/cycles/:year/lup-trace.pdf',
      (principal, params) => exports.lupTracePdf(principal, parseParams(yearParams, params).year),
    ],
    [
      '/api/cycles/:year/lup-trace/:boardId/export.pdf',
      (principal, params) => {
        const p = parseParams(boardYearParams, params);
        return exports.lupTracePdf(principal, p.year, p.boardId);
      },
    ],
    [
      '/api/cycles/:year/phases/:phaseId/export.csv',
      (principal, params) => {
        const p = parseParams(phaseParams, params);
        return exports.phaseCsv(principal, p.year, p.phaseId);
      },
    ],
    [
      '/api/cycles/:year/deliverables/:phaseId/:boardId/report.pdf',
      (principal, params) => {
        const p = parseParams(deliverableParams, params);
        return exports.reportPdf(principal, p.year, p.phaseId, p.boardId);
      },
    ],
  ];
  for (const [url, make] of routes) {
    app.get(url, async (request, reply) => {
      const principal = requirePrincipal(request, reply);
      if (!principal) return reply;
      return answerOrRefuse(reply, async () => sendFile(reply, await make(principal, request.params)));
    });
  }
}
