/**
 * An agent spec without the fields left at their defaults, and back. A spec run starts with
 * its agents this way, and each of its children with its agent (about 500 of an agent's 900
 * bytes are defaults), so a start costs fewer bytes in the histories; the run fills them in
 * again before it runs.
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

/** A run's agent and its team compacted, as an agent run or a spec run's child starts with them. */
export function compactRunAgents(agent: AgentSpec, team: AgentSpec[]): { agent: AgentSpec; team: AgentSpec[] } {
  return { agent: compactAgentSpec(agent) as AgentSpec, team: team.map((a) => compactAgentSpec(a) as AgentSpec) };
}

/** Every agent of a spec's `agents` compacted, as Baton's client starts a spec run. */
export function compactAgentSpecs(agents: Record<string, AgentSpec>): Record<string, AgentSpec> {
  return Object.fromEntries(Object.entries(agents).map(([name, agent]) => [name, compactAgentSpec(agent) as AgentSpec]));
}

/** Every agent of a spec's `agents` with its defaults filled in (whole specs come back equal). */
export function withAgentSpecDefaults(agents: Record<string, CompactAgentSpec>): Record<string, AgentSpec> {
  return Object.fromEntries(Object.entries(agents).map(([name, agent]) => [name, withAgentDefaults(agent)]));
}
