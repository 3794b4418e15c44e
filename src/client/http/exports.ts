import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import { ExportFile, ExportOperations } from '../operations/exports';
import { OperationError } from '../operations/operation-error';
import type { Principal } from '../../domain/roles';
import { requirePrincipal } from './auth';

const slug = z
  .string()
  .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, { message: 'must be lower-case letters, digits and dashes' });
const year = z.coerce.number().int().min(2000).max(2100);
const phaseParams = z.object({ year, phaseId: slug }).strict();
const reportParams = z.object({ year, phaseId: slug, boardId: slug }).strict();

/** The same error body as the rest of the API: a stable code, the message and the field. */
const ERROR_CODES: Record<number, string> = { 400: 'bad-request', 403: 'forbidden', 404: 'not-found' };

async function answer(reply: FastifyReply, make: () => Promise<ExportFile>): Promise<FastifyReply> {
  try {
    const file = await make();
    return reply
      .header('content-type', file.contentType)
      .header('content-disposition', `attachment; filename="${file.fileName}"`)
      .header('cache-control', 'private, no-store')
      .send(file.body);
  } catch (error) {
    if (!(error instanceof OperationError) || !ERROR_CODES[error.status]) throw error;
    return reply
      .code(error.status)
      .send({ error: ERROR_CODES[error.status], message: `${error.field}: ${error.problem}`, field: error.field });
  }
}

function parse<T>(schema: z.ZodType<T>, value: unknown): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  throw new OperationError(400, issue.path.map(String).join('.') || '(params)', issue.message);
}

/**
 * Downloads, for a bearer token or a signed-in page alike: a phase as XLSX or CSV (SLK and the
 * committee), one board's report as PDF (that board, SLK, the committee).
 */
export function registerExportRoutes(app: FastifyInstance, exports: ExportOperations): void {
  const routes: Array<[string, (principal: Principal, params: unknown) => Promise<ExportFile>]> = [
    [
      '/api/cycles/:year/phases/:phaseId/export.xlsx',
      (principal, params) => {
        const p = parse(phaseParams, params);
        return exports.phaseWorkbook(principal, p.year, p.phaseId);
      },
    ],
    [
      '/api/cycles/:year/phases/:phaseId/export.csv',
      (principal, params) => {
        const p = parse(phaseParams, params);
        return exports.phaseCsv(principal, p.year, p.phaseId);
      },
    ],
    [
      '/api/cycles/:year/deliverables/:phaseId/:boardId/report.pdf',
      (principal, params) => {
        const p = parse(reportParams, params);
        return exports.reportPdf(principal, p.year, p.phaseId, p.boardId);
      },
    ],
  ];
  for (const [url, make] of routes) {
    app.get(url, async (request, reply) => {
      const principal = requirePrincipal(request, reply);
      if (!principal) return reply;
      return answer(reply, () => make(principal, request.params));
    });
  }
}
