import type { z } from 'zod';
import { Refusal, RefusalCode, RefusalParams, refusalFromZodError } from '../../domain/refusals';

/**
 * A request the engine refuses, with what a caller must know: the HTTP status it maps to, the
 * field (a zod path, or `stage` for a transition that cannot apply now), the English problem, and
 * a stable code with its params, which surfaces translate (never the English text).
 */
export class OperationError extends Error {
  override name = 'OperationError';
  /** One of the closed set where the refusal is made here; see `received` for one from a worker. */
  readonly code: string;
  constructor(
    readonly status: 400 | 403 | 404 | 409,
    readonly field: string,
    readonly problem: string,
    code: RefusalCode,
    readonly params?: RefusalParams,
  ) {
    super(`${field}: ${problem}`);
    this.code = code;
  }

  /**
   * A refusal a workflow sent. A worker of another version may send a code this client does
   * not know (or, before codes, none): it is handed on as it is, and the pages say in Swedish
   * that they cannot explain it, with the English problem.
   */
  static received(
    status: OperationError['status'],
    refusal: { field: string; problem: string; code: string; params?: RefusalParams | undefined },
  ): OperationError {
    const error = new OperationError(status, refusal.field, refusal.problem, 'invalid', refusal.params);
    return Object.assign(error, { code: refusal.code });
  }

  static of(status: OperationError['status'], refusal: Refusal): OperationError {
    return new OperationError(status, refusal.field, refusal.problem, refusal.code, refusal.params);
  }
}

export const notFound = (what: string): OperationError => new OperationError(404, what, 'not found', 'not-found');

/** The caller's role may not do this: `may` says what (the English problem names the role). */
export const forbidden = (problem: string, action?: string): OperationError =>
  new OperationError(403, 'role', problem, 'forbidden', action ? { action } : undefined);

/** Parses what a caller sent; the first problem becomes a 400 naming its field, with its code. */
export function parseInput<T>(schema: z.ZodType<T>, input: unknown, whole = '(body)'): T {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  throw OperationError.of(400, refusalFromZodError(parsed.error, input, [], whole));
}
