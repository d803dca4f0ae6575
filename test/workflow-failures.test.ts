import { describe, expect, it } from 'vitest';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { DeterminismViolationError } from '@temporalio/workflow';
import { FailureType } from '../core';
import { asWorkflowFailure } from '../workflows/failures';
import { workflowFailureErrorTypes } from '../workers/create-worker';

describe('unexpected errors at the workflow boundary', () => {
  it('become a non-retryable BatonWorkflowError that keeps the original error as its cause', () => {
    const bug = new TypeError("Cannot read properties of undefined (reading 'output')");
    const failure = asWorkflowFailure(bug, 'workflow spec run w-1') as ApplicationFailure;
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect(failure).toMatchObject({ type: FailureType.WorkflowError, nonRetryable: true, cause: bug });
    expect(failure.message).toBe("workflow spec run w-1 stopped on an unexpected TypeError in workflow code: Cannot read properties of undefined (reading 'output'). This is a bug in Baton, or a run input marked \"validated\" that Baton's client did not build; report it with the run id.");
  });

  it('leave Temporal failures, cancellations and determinism violations as they are', () => {
    const typed = ApplicationFailure.create({ type: FailureType.StepFailed, message: 'x', nonRetryable: true });
    const cancelled = new CancelledFailure('cancelled');
    const nondeterminism = new DeterminismViolationError('code does not match history');
    for (const err of [typed, cancelled, nondeterminism]) expect(asWorkflowFailure(err, 'run')).toBe(err);
  });

  it('fail runs on JavaScript error types in workers, but never on a non-determinism error', () => {
    const types = workflowFailureErrorTypes['*'];
    expect(types).toEqual(expect.arrayContaining(['TypeError', 'RangeError', 'ReferenceError', 'SyntaxError']));
    // 'Error' would match every error, non-determinism included (see WorkerOptions.workflowFailureErrorTypes).
    for (const never of ['Error', 'NondeterminismError', 'DeterminismViolationError', 'WorkflowError']) expect(types).not.toContain(never);
  });
});
