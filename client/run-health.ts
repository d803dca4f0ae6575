/**
 * Why a Running run is not moving: its workflow task keeps failing (a bug in workflow code, or
 * code that no longer matches the run's history after a deploy). Temporal then retries the task
 * forever and the run looks Running; `status`, `list` and `inspect` say so instead.
 *
 * The cheapest reliable source: DescribeWorkflowExecution's pending workflow task attempt (above
 * 1 only while the task keeps failing; retries are not written to history), then the newest
 * WorkflowTaskFailed event, read from the end of the history with one small reverse page.
 */
import type { Client, WorkflowExecutionDescription } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';

/** A workflow task that has failed and is being retried. */
export interface StuckTask {
  /** The attempt the server is on (2 or more). */
  attempt: number;
  /** The error of the newest failed workflow task, when history has it. */
  error?: string;
}

function failureMessage(failure: temporal.api.failure.v1.IFailure | null | undefined): string | undefined {
  let f = failure;
  while (f?.cause) f = f.cause;
  return f?.message ?? failure?.message ?? undefined;
}

/** The error of the newest failed (or timed-out) workflow task in `events` (oldest first), if any. */
export function lastWorkflowTaskError(events: temporal.api.history.v1.IHistoryEvent[]): string | undefined {
  for (let i = events.length - 1; i >= 0; i--) {
    const failed = events[i]?.workflowTaskFailedEventAttributes;
    if (failed) return failureMessage(failed.failure) ?? String(failed.cause ?? 'failed');
    if (events[i]?.workflowTaskTimedOutEventAttributes) return 'timed out: no worker completed it in time (a worker that died or was stuck mid-task)';
  }
  return undefined;
}

/** The retry attempt of a failing workflow task, from a description; undefined when the task is not failing. */
export function failingTaskAttempt(description: WorkflowExecutionDescription): number | undefined {
  if (description.status.name !== 'RUNNING') return undefined;
  const attempt = description.raw.pendingWorkflowTask?.attempt ?? 0;
  return attempt > 1 ? attempt : undefined;
}

/** Whether the run's workflow task keeps failing, and with what error; undefined for a healthy run. */
export async function stuckTask(client: Client, description: WorkflowExecutionDescription): Promise<StuckTask | undefined> {
  const attempt = failingTaskAttempt(description);
  if (attempt === undefined) return undefined;
  try {
    const page = await client.workflowService.getWorkflowExecutionHistoryReverse({
      namespace: client.options.namespace,
      execution: { workflowId: description.workflowId, runId: description.runId },
      maximumPageSize: 20,
    });
    // Reverse order: the newest event first.
    const error = lastWorkflowTaskError([...(page.history?.events ?? [])].reverse());
    return error === undefined ? { attempt } : { attempt, error };
  } catch {
    return { attempt };
  }
}

/** One line for people: `workflow task failing: <error> (attempt N)`. */
export function describeStuckTask(task: StuckTask): string {
  return `workflow task failing: ${task.error ?? 'unknown error'} (attempt ${task.attempt})`;
}

/** What a person can do about a failing workflow task. */
export const stuckTaskAdvice = 'the run makes no progress until its workflow code is fixed and the workers restarted (see the worker log), or it is cancelled or terminated';
