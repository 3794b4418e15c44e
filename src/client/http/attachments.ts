import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { AttachmentOperations } from '../operations/attachments';
import { OperationError } from '../operations/operation-error';
import { ReportDraftOperations } from '../operations/report-drafts';
import { actorOf, requirePrincipal } from './auth';
import { isSameOrigin } from './pages/common';
import { answerOrRefuse, deliverableParams, parseParams, sendFile } from './file-responses';

const BASE = '/api/cycles/:year/deliverables/:phaseId/:boardId/attachments';
const uploadQuery = z
  .object({
    name: z.string({ message: 'must give the file name (?name=…)' }),
    /** The file question the file is for (`<section>.<question>`): its file types are checked before storing. */
    path: z.string().min(1).max(300).optional(),
  })
  .strict();

/**
 * Attachments of a board's report: upload the file's bytes as the body
 * (`Content-Type: application/octet-stream`, `?name=<file name>`), list them, download one.
 */
export function registerAttachmentRoutes(
  app: FastifyInstance,
  attachments: AttachmentOperations,
  deps: { drafts: ReportDraftOperations; publicUrl?: string },
): void {
  // Bodies up to twice the limit reach the check, so an oversized file gets the clear refusal.
  const bodyLimit = attachments.policy.maxBytes * 2;
  app.register(async (scope) => {
    scope.addContentTypeParser('application/octet-stream', { parseAs: 'buffer', bodyLimit }, (_request, body, done) =>
      done(null, body),
    );
    scope.post(BASE, { bodyLimit }, async (request, reply) => {
      const principal = requirePrincipal(request, reply);
      if (!principal) return reply;
      return answerOrRefuse(reply, async () => {
        // The form page's script uploads with the page's session cookie: a browser that names
        // another site as the origin is refused, as the pages' own forms are.
        if (!isSameOrigin(request, deps.publicUrl)) {
          throw new OperationError(403, 'origin', 'uploads come from this site only', 'cross-origin');
        }
        const p = parseParams(deliverableParams, request.params);
        const q = parseParams(uploadQuery, request.query);
        const question = q.path
          ? (await deps.drafts.fileAnswer(principal, p.year, p.phaseId, p.boardId, q.path)).question
          : undefined;
        if (!Buffer.isBuffer(request.body)) {
          throw new OperationError(
            400,
            'file',
            'send the file as the body, Content-Type: application/octet-stream',
            'not-a-file',
          );
        }
        const meta = await attachments.upload(
          principal,
          p.year,
          p.phaseId,
          p.boardId,
          q.name,
          request.body,
          actorOf(principal),
          question?.accept,
        );
        void reply.code(201);
        return meta;
      });
    });
  });
  app.get(BASE, async (request, reply) => {
    const principal = requirePrincipal(request, reply);
    if (!principal) return reply;
    return answerOrRefuse(reply, async () => {
      const p = parseParams(deliverableParams, request.params);
      return attachments.list(principal, p.year, p.phaseId, p.boardId);
    });
  });
  app.get(`${BASE}/:attachmentId`, async (request, reply) => {
    const principal = requirePrincipal(request, reply);
    if (!principal) return reply;
    return answerOrRefuse(reply, async () => {
      const { attachmentId, ...rest } = request.params as Record<string, string>;
      const p = parseParams(deliverableParams, rest);
      const file = await attachments.download(principal, p.year, p.phaseId, p.boardId, attachmentId ?? '');
      return sendFile(reply, { fileName: file.meta.fileName, contentType: file.meta.contentType, body: file.bytes });
    });
  });
}
