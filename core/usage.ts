/** Token, cost and call counts: pure functions, safe for the sandbox without zod. */
import type { Usage } from './messages';

/** A zero usage record, the identity for `addUsage`. */
export function emptyUsage(): Usage {
  return { inputTokens: 0, outputTokens: 0, costUsd: 0, latencyMs: 0, modelCalls: 0, toolCalls: 0 };
}

/** Sums two usage records; used per agent, per run and across child runs. */
export function addUsage(a: Usage, b: Partial<Usage>): Usage {
  return {
    inputTokens: a.inputTokens + (b.inputTokens ?? 0),
    outputTokens: a.outputTokens + (b.outputTokens ?? 0),
    costUsd: a.costUsd + (b.costUsd ?? 0),
    latencyMs: a.latencyMs + (b.latencyMs ?? 0),
    modelCalls: a.modelCalls + (b.modelCalls ?? 0),
    toolCalls: a.toolCalls + (b.toolCalls ?? 0),
  };
}
