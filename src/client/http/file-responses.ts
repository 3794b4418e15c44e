import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import { OperationError, parseInput } from '../operations/operation-error';

/** The API's error body: the status's name, the message, the field and the refusal's code and params. */
const ERROR_CODES: Record<number, string> = { 400: 'bad-request', 403: 'forbidden', 404: 'not-found', 409: 'conflict' };

/** Runs `work` and answers with what it returns; a refusal becomes the API's error body. */
export async function answerOrRefuse(reply: FastifyReply, work: () => Promise<unknown>): Promise<FastifyReply> {
  try {
    const result = await work();
    return result === reply ? reply : reply.send(result);
  } catch (error) {
    if (!(error instanceof OperationError) || !ERROR_CODES[error.status]) throw error;
    return reply.code(error.status).send({
      error: ERROR_CODES[error.status],
      message: `${error.field}: ${error.problem}`,
      field: error.field,
      code: error.code,
      ...(error.params && { params: error.params }),
    });
  }
}

/** A file as a download: its type, a name to save it under, never cached by a shared cache. */
export function sendFile(reply: FastifyReply, file: { fileName: string; contentType: string; body: Buffer | string }) {
  // The name in the header is ASCII with the original in RFC 5987 form, so å, ä and ö survive.
  const ascii = file.fileName.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  return reply
    .header('content-type', file.contentType)
    .header(
      'content-disposition',
      `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(file.fileName)}`,
    )
    .header('x-content-type-options', 'nosniff')
    .header('cache-control', 'private, no-store')
    .send(file.body);
}

/** Validates route parameters; the refusal names the parameter. */
export function parseParams<T>(schema: z.ZodType<T>, value: unknown): T {
  return parseInput(schema, value, '(params)');
}

const slug = z
  .string()
  .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, { message: 'must be lower-case letters, digits and dashes' });
const year = z.coerce.number().int().min(2000).max(2100);
export const yearParams = z.object({ year }).strict();
export const phaseParams = z.object({ year, phaseId: slug }).strict();
export const boardYearParams = z.object({ year, boardId: slug }).strict();
export const deliverableParams = z.object({ year, phaseId: slug, boardId: slug }).strict();
