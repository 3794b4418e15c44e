import { WorkflowUpdateFailedError } from '@temporalio/client';

/** An update was refused with this message (and, given, this refusal in its details). */
export async function expectRefused(attempt: Promise<unknown>, message: string, refusal?: object): Promise<void> {
  const error = await attempt.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(WorkflowUpdateFailedError);
  const cause = (error as WorkflowUpdateFailedError).cause as Error & { details?: unknown[] };
  expect(cause.message).toBe(message);
  if (refusal) expect(cause.details?.[0]).toMatchObject(refusal);
}
