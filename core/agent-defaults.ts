/**
 * An agent spec without the fields left at their defaults, and back. A spec run's child
 * starts with its agent this way (about 500 of its 900 bytes are defaults), so each child's
 * start costs fewer bytes in both histories; the child fills them in again before it runs.
 * Pure, no zod: a test keeps these defaults equal to AgentSpecSchema's. Runs in the sandbox.
 */
import type { AgentSpec } from './agent-spec';

/** Fresh copies of AgentSpecSchema's defaults (fresh: a run may hold them, shared modules are frozen). */
function agentSpecDefaults() {
  return {
    description: '',
    instructions: '',
    tools: [] as string[],
    mcpServers: [] as string[],
    toolSearch: false,
    limits: { maxTurns: 10, maxToolCallsPerTurn: 64 },
    modelCall: { startToCloseTimeout: '120s', heartbeatTimeout: '10s', maximumAttempts: 5, initialInterval: '1s', maximumInterval: '60s' },
    handoffs: [] as string[],
    agentTools: [] as string[],
    handoffHistory: 'full' as const,
    approval: { tools: [] as string[], minRisk: 'high' as const, onTimeout: 'reject' as const },
  };
}

/** The fields an agent spec may leave out, with their defaults filled in by `withAgentDefaults`. */
export type CompactAgentSpec = Omit<AgentSpec, keyof ReturnType<typeof agentSpecDefaults>> & Partial<AgentSpec>;

/** `agent` without the top-level fields equal to their defaults (a field that differs at all stays whole). */
export function compactAgentSpec(agent: AgentSpec): CompactAgentSpec {
  const defaults: Record<string, unknown> = agentSpecDefaults();
  const compact: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(agent)) {
    if (Object.hasOwn(defaults, key) && JSON.stringify(value) === JSON.stringify(defaults[key])) continue;
    compact[key] = value;
  }
  return compact as CompactAgentSpec;
}

/** `agent` with every field it left out at its default; a whole spec comes back equal to itself. */
export function withAgentDefaults(agent: CompactAgentSpec): AgentSpec {
  return { ...agentSpecDefaults(), ...agent } as AgentSpec;
}
