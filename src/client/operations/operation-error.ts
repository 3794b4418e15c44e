/**
 * A request the engine refuses, with what a caller must know: the HTTP status it maps to, the
 * field (a zod path, or `stage` for a transition that cannot apply now) and the problem.
 */
export class OperationError extends Error {
  override name = 'OperationError';
  constructor(
    readonly status: 400 | 403 | 404 | 409,
    readonly field: string,
    readonly problem: string,
  ) {
    super(`${field}: ${problem}`);
  }
}

export const notFound = (what: string): OperationError => new OperationError(404, what, 'not found');
