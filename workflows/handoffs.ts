/** Hand-offs: an agent passes the conversation on with a `transfer_to_<agent>` tool call. Sandbox-safe. */
import type { AgentSpec, ToolDefinition } from '../core';
export { filterHistory } from '../core/conversation';

export const transferPrefix = 'transfer_to_';

/** The transfer tools an agent is offered, one per hand-off target. */
export function transferTools(agent: AgentSpec, team: ReadonlyMap<string, AgentSpec>): ToolDefinition[] {
  return agent.handoffs.map((target) => ({
    name: `${transferPrefix}${target}`,
    description: `Hand the conversation to the ${target} agent${team.get(target)?.description ? `: ${team.get(target)?.description}` : ''}.`,
    inputSchema: { type: 'object', properties: { reason: { type: 'string', description: 'Why this agent should take over' } } },
  }));
}

/** The agent a transfer tool call names, or undefined for ordinary tool calls. */
export function transferTarget(toolName: string): string | undefined {
  return toolName.startsWith(transferPrefix) ? toolName.slice(transferPrefix.length) : undefined;
}

export const askPrefix = 'ask_';

/** The tools a supervisor is offered, one per agent it may call. */
export function askTools(agent: AgentSpec, team: ReadonlyMap<string, AgentSpec>): ToolDefinition[] {
  return agent.agentTools.map((target) => ({
    name: `${askPrefix}${target}`,
    description: `Ask the ${target} agent to do a task and return its answer${team.get(target)?.description ? ` (${team.get(target)?.description})` : ''}.`,
    inputSchema: { type: 'object', properties: { request: { type: 'string', description: 'The task, with all the context the agent needs' } }, required: ['request'] },
  }));
}
