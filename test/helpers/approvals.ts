/** Waiting for a run to ask a person: polls its state until an approval is pending (10 s at most). */
import type { AgentRunState } from '../../core';

/** Resolves to the first state with a pending approval. */
export async function waitForPending(query: () => Promise<AgentRunState>): Promise<AgentRunState> {
  for (let i = 0; i < 200; i++) {
    const state = await query();
    if (state.pendingApprovals.length) return state;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('no pending approval appeared');
}
