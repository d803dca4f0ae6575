/** Typed workflow failures: always `ApplicationFailure` with a type from core's list. */
import { ApplicationFailure, ContinueAsNew, DeterminismViolationError, TemporalFailure, isCancellation } from '@temporalio/workflow';
import { FailureType } from '../core/failures';

/** Raises a non-retryable failure of a Baton type; a plain Error would retry the task forever. */
export function fail(type: FailureType, message: string, details?: unknown): never {
  throw ApplicationFailure.create({ type, message, nonRetryable: true, details: details === undefined ? [] : [details] });
}

/** The message of the deepest cause, for errors shown to models and people. */
export function rootMessage(err: unknown): string {
  let current: unknown = err;
  while (current instanceof Error && (current as Error & { cause?: unknown }).cause instanceof Error) {
    current = (current as Error & { cause?: unknown }).cause;
  }
  return current instanceof Error ? current.message : String(current);
}

/**
 * What a workflow rethrows at its boundary: Temporal failures, cancellations, continue-as-new
 * and determinism violations as they are; anything else (a TypeError from a bug, a malformed
 * input marked `validated`) as a non-retryable BatonWorkflowError, so the run fails at once
 * instead of retrying its workflow task forever.
 */
export function asWorkflowFailure(err: unknown, what: string): unknown {
  if (err instanceof TemporalFailure || err instanceof ContinueAsNew || err instanceof DeterminismViolationError || isCancellation(err)) return err;
  const kind = err instanceof Error ? err.name : typeof err;
  return ApplicationFailure.create({
    type: FailureType.WorkflowError,
    nonRetryable: true,
    message: `${what} stopped on an unexpected ${kind} in workflow code: ${rootMessage(err)}. This is a bug in Baton, or a run input marked "validated" that Baton's client did not build; report it with the run id.`,
    cause: err instanceof Error ? err : undefined,
  });
}
