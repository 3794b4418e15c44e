import { ApplicationFailure, RetryPolicy } from '@temporalio/workflow';
import { TransitionRefused } from '../domain/deliverable-state';
import type { Refusal, RefusalCode, RefusalParams } from '../domain/refusals';

/**
 * Retries for every activity of ours: no attempt limit, so while the relay or the database is
 * down the work waits and is not lost; backoff capped at five minutes. A notification bounds its
 * retries by time instead (schedule-to-close: the instant after which it is moot).
 */
export const ACTIVITY_RETRY: RetryPolicy = {
  initialInterval: '2 seconds',
  backoffCoefficient: 2,
  maximumInterval: '5 minutes',
};

/**
 * Refuses an update: the client sees a failed update whose message names the field and whose
 * details carry the refusal (field, English problem, stable code, params) for the client to hand
 * on as it is. The type tells a message that cannot apply now (`TransitionRefused`, a conflict
 * with the state) from one that is wrong in itself (`InvalidInput`, e.g. content of the wrong
 * shape): the client's HTTP status follows it, the code says why.
 */
export function refuse(refusal: Refusal, type: RefusalType = 'TransitionRefused'): never {
  const { field, problem, code, params } = refusal;
  throw ApplicationFailure.nonRetryable(`${field}: ${problem}`, type, {
    field,
    problem,
    code,
    ...(params && { params }),
  });
}
export type RefusalType = 'TransitionRefused' | 'InvalidInput';

/** A refusal written where it happens: `refuseWith('deadline', 'must be in the future', 'not-in-future', { today })`. */
export function refuseWith(field: string, problem: string, code: RefusalCode, params?: RefusalParams): never {
  return refuse({ field, problem, code, ...(params && { params }) });
}

/** Runs a pure check in an update validator: a TransitionRefused becomes the client's refusal. */
export function tryCheck<T>(check: () => T): T {
  try {
    return check();
  } catch (error) {
    if (error instanceof TransitionRefused) refuse(error);
    throw error;
  }
}

/**
 * A lock for one workflow run: `exclusive(work)` runs after every earlier holder finished, in the
 * order the calls came (handlers that await activities would otherwise interleave). A failed
 * holder releases it too. Deterministic: only promise chaining, no timers.
 */
export function createLock(): <T>(work: () => Promise<T>) => Promise<T> {
  let tail: Promise<unknown> = Promise.resolve();
  return <T>(work: () => Promise<T>): Promise<T> => {
    const run = tail.then(work);
    tail = run.catch(() => undefined);
    return run;
  };
}
