import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { AwaitingSignOff } from '../../db/report-sign-offs';
import { canonicalJson } from '../../domain/canonical-json';
import type { StoredCycle } from '../../db/cycles';
import type { Action, BoardTarget } from '../../domain/permissions';
import type { Principal } from '../../domain/principal';
import { authorize } from './authorize';
import { OperationError } from './operation-error';

/**
 * The sign-off (påskrift) of a report before it reaches SLK (issue 13), for the phases whose
 * calendar entry says `signOff: true`: klarmarkera records the report as awaiting the sign-off,
 * the förvaltningschef (or the company's VD) signs it off, which hands it in, or declines it with
 * a reason, and whoever marked it ready may withdraw the mark. The operations themselves live
 * with the report's drafts (report-drafts.ts); here are who may, the inputs and the refusals.
 */

/** The steps of a sign-off, each a permission of its own. */
export type SignOffStep = 'mark-ready' | 'sign-off' | 'decline' | 'withdraw';

/**
 * Throws unless the caller may take a step of a report's sign-off for the board that answers it:
 * marking ready and withdrawing the mark are the controller's (and the förvaltningschef's),
 * signing off and declining the förvaltningschef's (or the company's VD's) alone; a handläggare
 * none of them (see src/domain/permissions.ts).
 */
export function authorizeSignOffStep(principal: Principal, step: SignOffStep, target: BoardTarget): void {
  const action: Action = step === 'sign-off' || step === 'decline' ? 'sign-off' : 'mark-ready';
  authorize(principal, action, target, 'deliverable');
}

/** Whether the phase asks for a sign-off before its reports reach SLK (the calendar's `signOff`). */
export function phaseNeedsSignOff(cycle: StoredCycle, phaseId: string): boolean {
  const phase = cycle.calendar.phases.find((p) => p.id === phaseId);
  return phase?.kind === 'deliverable' && phase.signOff === true;
}

const reasonText = z
  .string()
  .trim()
  .min(1, { message: 'must not be empty' })
  .max(4000, { message: 'must be at most 4000 characters' });

/** A sign-off takes nothing but the caller: it hands in what was marked ready, as it was. */
export const signOffSchema = z.object({}).strict();
/** A decline says why, for the one who marked the report ready. */
export const declineSignOffSchema = z.object({ reason: reasonText }).strict();
/** Withdrawing the ready mark may say why. */
export const withdrawReadySchema = z.object({ reason: reasonText.optional() }).strict();

/** SHA-256 of the answers' canonical JSON: what was marked ready is what is signed off. */
export function answersDigest(answers: unknown): string {
  return createHash('sha256').update(canonicalJson(answers)).digest('hex');
}

/** Saving, attaching or marking ready again while the report awaits its sign-off. */
export function awaitingSignOffRefusal(wait: AwaitingSignOff): OperationError {
  return new OperationError(
    409,
    'stage',
    `the report was marked ready by ${wait.markedReadyBy} at ${wait.markedReadyAt.toISOString()} and awaits its sign-off: decline it or withdraw the ready mark to change it`,
    'awaiting-sign-off',
  );
}

/** Signing off, declining or withdrawing a report that does not await its sign-off (any more). */
export function notAwaitingSignOffRefusal(detail = 'the report does not await a sign-off'): OperationError {
  return new OperationError(409, 'stage', detail, 'not-awaiting-sign-off');
}

/** PostgreSQL's lock_not_available: a second sign-off waited past the lock timeout for the first. */
export function isLockTimeout(error: unknown): boolean {
  return (error as { code?: unknown } | undefined)?.code === '55P03';
}
