/** Waiting for a run to ask a person: polls its state until an approval is pending. */
import type { AgentRunState } from '../../core';
import { waitFor } from './wait-for';

/** Resolves to the first state with a pending approval (60 s at most: a loaded machine may start the worker late). */
export async function waitForPending(query: () => Promise<AgentRunState>): Promise<AgentRunState> {
  return waitFor(async () => {
    const state = await query();
    return state.pendingApprovals.length > 0 && state;
  }, 'a pending approval', 60_000, 50);
}
