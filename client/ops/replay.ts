/**
 * Replaying recorded runs against workflow code: what an operator runs before deploying a
 * change while runs are in flight. A run that replays cleanly will keep running on the new
 * code; one that does not names the event where the new code diverged.
 */
import type { Client } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import { bundleWorkflowCode, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { temporal } from '@temporalio/proto';
import { getWorkflowBundle } from '../../workers/workflow-bundle';

type History = temporal.api.history.v1.IHistory;

export interface ReplayOutcome {
  workflowId: string;
  runId: string;
  ok: boolean;
  /** The non-determinism (or other replay) error, when not ok. */
  error?: string;
  /** The history event the code diverged at, when the error names one. */
  eventId?: number;
}

const quiet = { trace: () => undefined, debug: () => undefined, info: () => undefined, log: () => undefined, warn: () => undefined, error: console.error };

/** The bundle to replay against: this checkout's workflows, or another workflows file. */
export async function replayBundle(workflowsPath?: string): Promise<WorkflowBundleWithSourceMap> {
  return workflowsPath ? bundleWorkflowCode({ workflowsPath, logger: quiet }) : getWorkflowBundle();
}

/** The child runs a history started, as (workflowId, runId) pairs. */
export function childRunsOf(history: History): Array<{ workflowId: string; runId: string }> {
  return (history.events ?? []).flatMap((event) => {
    const started = event.childWorkflowExecutionStartedEventAttributes?.workflowExecution;
    return started?.workflowId && started.runId ? [{ workflowId: started.workflowId, runId: started.runId }] : [];
  });
}

/** The event id a replay error names (the SDK core says "HistoryEvent(id: 5, ActivityTaskScheduled)"), if any. */
export function divergedAt(message: string): number | undefined {
  const match = /HistoryEvent\(id: (\d+)/.exec(message) ?? /event(?:[ _]?id)?[\s:#=]+(\d+)/i.exec(message);
  return match ? Number(match[1]) : undefined;
}

/** The core's own sentence ("[TMPRL1100] Nondeterminism error: …") instead of the wrapped struct dump. */
function coreMessage(error: string): string {
  return /message: "([^"]+)"/.exec(error)?.[1] ?? error;
}

/** Replays one history; never throws for a replay failure, only reports it. `dataConverter` decodes encrypted payloads. */
export async function replayHistory(bundle: WorkflowBundleWithSourceMap, workflowId: string, runId: string, history: History, dataConverter?: DataConverter): Promise<ReplayOutcome> {
  try {
    await Worker.runReplayHistory({ workflowBundle: bundle, replayName: `baton-replay-${workflowId}`, dataConverter }, history, workflowId);
    return { workflowId, runId, ok: true };
  } catch (err) {
    const error = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    return { workflowId, runId, ok: false, error: coreMessage(error), eventId: divergedAt(error) };
  }
}

/** Fetches a run's history (and, with `children`, its child runs' too) and replays each. */
export async function replayRun(client: Client, workflowId: string, options: { runId?: string; children?: boolean; workflowsPath?: string } = {}): Promise<ReplayOutcome[]> {
  const bundle = await replayBundle(options.workflowsPath);
  const outcomes: ReplayOutcome[] = [];
  const queue = [{ workflowId, runId: options.runId }];
  while (queue.length) {
    const next = queue.shift() as { workflowId: string; runId?: string };
    const handle = client.workflow.getHandle(next.workflowId, next.runId);
    const runId = next.runId ?? (await handle.describe()).runId;
    const history = await client.workflow.getHandle(next.workflowId, runId).fetchHistory();
    outcomes.push(await replayHistory(bundle, next.workflowId, runId, history, { payloadCodecs: client.options.loadedDataConverter.payloadCodecs }));
    if (options.children) queue.push(...childRunsOf(history));
  }
  return outcomes;
}
