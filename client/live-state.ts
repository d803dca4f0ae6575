/**
 * A running run's live state, from the query its workflow type answers (`state` of an agent run,
 * `specState` of a workflow spec run, `sessionState` of a session), bounded by a deadline so a run
 * no worker polls for reads as "no answer" instead of hanging the caller.
 */
import type { Client } from '@temporalio/client';
import type { AgentRunState, PendingApproval, SpecRunState } from '../core';
import { sessionStateQuery, specStateQuery, stateQuery, type SessionState } from '../workflows';

/** What a run's state query returns, whichever kind of run it is. */
export type LiveState = AgentRunState | SpecRunState | SessionState;

/** How long a state query waits for a worker to answer before the run counts as not answering. */
export const liveStateDeadlineMs = 3000;

/** A run by workflow id, or one execution of it (a watch follows each run id of a chain). */
export type RunTarget = string | { workflowId: string; runId?: string };

/** The run's live state from its type's query; undefined when no worker answers within 3 s or the query fails. */
export async function liveState(client: Client, run: RunTarget, workflowType: string): Promise<LiveState | undefined> {
  const handle = typeof run === 'string' ? client.workflow.getHandle(run) : client.workflow.getHandle(run.workflowId, run.runId);
  const query = (): Promise<LiveState> =>
    workflowType === 'specWorkflow' ? handle.query(specStateQuery) : workflowType === 'sessionWorkflow' ? handle.query(sessionStateQuery) : handle.query(stateQuery);
  return client.connection.withDeadline(Date.now() + liveStateDeadlineMs, query).catch(() => undefined);
}

/** The calls a running run has waiting for a person; empty when it has none or no worker answers. */
export async function livePendingApprovals(client: Client, run: RunTarget, workflowType: string): Promise<PendingApproval[]> {
  const state = await liveState(client, run, workflowType);
  return state && 'pendingApprovals' in state ? state.pendingApprovals : [];
}
