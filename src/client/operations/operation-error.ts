/**
 * A request the engine refuses, with what a caller must know: the HTTP status it maps to, the
 * field (a zod path, or `stage` for a transition that cannot apply now), the problem and, where
 * surfaces must tell cases apart (report answers), a stable code they translate.
 */
export class OperationError extends Error {
  override name = 'OperationError';
  constructor(
    readonly status: 400 | 403 | 404 | 409,
    readonly field: string,
    readonly problem: string,
    readonly code?: string,
  ) {
    super(`${field}: ${problem}`);
  }
}

export const notFound = (what: string): OperationError => new OperationError(404, what, 'not found');
