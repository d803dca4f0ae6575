/**
 * A running run's live state, from the query its workflow type answers (`state` of an agent run,
 * `specState` of a workflow spec run, `sessionState` of a session), bounded by a deadline so a run
 * no worker polls for reads as "no answer" instead of hanging the caller.
 */
import type { Client } from '@temporalio/client';
import type { AgentRunState, PendingApproval, SpecRunState } from '../core';
import { sessionStateQuery, specStateQuery, stateQuery, type SessionState } from '../workflows';

/** What a run's state query returns, tagged with the kind of run its workflow type says it is. */
export type LiveState =
  | { kind: 'agent'; state: AgentRunState }
  | { kind: 'spec'; state: SpecRunState }
  | { kind: 'session'; state: SessionState };

/** How long a state query waits for a worker to answer before the run counts as not answering. */
export const liveStateDeadlineMs = 3000;

/** A run by workflow id, or one execution of it (a watch follows each run id of a chain). */
export type RunTarget = string | { workflowId: string; runId?: string };

/** The run's live state from its type's query; undefined when no worker answers within 3 s or the query fails. */
export async function liveState(client: Client, run: RunTarget, workflowType: string): Promise<LiveState | undefined> {
  const handle = typeof run === 'string' ? client.workflow.getHandle(run) : client.workflow.getHandle(run.workflowId, run.runId);
  const query = async (): Promise<LiveState> => {
    if (workflowType === 'specWorkflow') return { kind: 'spec', state: await handle.query(specStateQuery) };
    if (workflowType === 'sessionWorkflow') return { kind: 'session', state: await handle.query(sessionStateQuery) };
    return { kind: 'agent', state: await handle.query(stateQuery) };
  };
  return client.connection.withDeadline(Date.now() + liveStateDeadlineMs, query).catch(() => undefined);
}

/** The calls a run has waiting for a person, by its live state; a session waits in its turns' runs, not itself. */
export function pendingApprovalsOf(live: LiveState | undefined): PendingApproval[] {
  return !live || live.kind === 'session' ? [] : live.state.pendingApprovals;
}

/** The calls a running run has waiting for a person; empty when it has none or no worker answers. */
export async function livePendingApprovals(client: Client, run: RunTarget, workflowType: string): Promise<PendingApproval[]> {
  return pendingApprovalsOf(await liveState(client, run, workflowType));
}
