import { ApplicationFailure, RetryPolicy } from '@temporalio/workflow';
import { TransitionRefused } from '../domain/deliverable-state';

/**
 * Retries for every activity of ours: no attempt limit, so while the relay or the database is
 * down the work waits and is not lost; backoff capped at five minutes.
 */
export const ACTIVITY_RETRY: RetryPolicy = {
  initialInterval: '2 seconds',
  backoffCoefficient: 2,
  maximumInterval: '5 minutes',
};

/** Refuses an update: the client sees a failed update whose message names the field. */
export function refuse(field: string, problem: string): never {
  throw ApplicationFailure.nonRetryable(`${field}: ${problem}`, 'TransitionRefused', { field, problem });
}

/** Runs a pure check in an update validator: a TransitionRefused becomes the client's refusal. */
export function tryCheck<T>(check: () => T): T {
  try {
    return check();
  } catch (error) {
    if (error instanceof TransitionRefused) refuse(error.field, error.problem);
    throw error;
  }
}
