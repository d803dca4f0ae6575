/** Typed workflow failures: always `ApplicationFailure` with a type from core's list. */
import { ApplicationFailure } from '@temporalio/workflow';
import type { FailureType } from '../core';

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
