/**
 * `tool_search`: for agents with many tools. The agent starts with this one tool; each
 * search adds the matching tools to its set for the rest of the run. Answered in the
 * workflow itself (a pure function of the specs), so it costs no activity. Sandbox-safe.
 */
import type { AgentSpec, ToolCall, ToolDefinition, ToolMessage, ToolSpec } from '../core';
import { searchTools } from '../core/tool-search';
import { toolMessage } from './tool-steps';

export const toolSearchName = 'tool_search';

export const toolSearchDefinition: ToolDefinition = {
  name: toolSearchName,
  description: 'Finds tools by what they do and makes them available to you. Describe the capability you need.',
  inputSchema: { type: 'object', properties: { query: { type: 'string', description: 'What you need a tool for' } }, required: ['query'] },
};

/** The tools an agent is offered now: all of its tools, or with toolSearch only those found so far. */
export function offeredTools(agent: AgentSpec, found: ReadonlySet<string>): string[] {
  return agent.toolSearch ? agent.tools.filter((name) => found.has(name)) : agent.tools;
}

/** Answers one tool_search call and records what it found in `found`. */
export function answerToolSearch(call: ToolCall, agent: AgentSpec, specs: ReadonlyMap<string, ToolSpec>, found: Set<string>): ToolMessage {
  const query = (call.arguments as { query?: unknown } | null)?.query;
  if (typeof query !== 'string' || !query.trim()) return toolMessage(call, 'Invalid arguments for tool_search: query: expected a non-empty string', true);
  const catalogue = agent.tools.map((name) => specs.get(name)).filter((t): t is ToolSpec => t !== undefined);
  const matches = searchTools(catalogue, query);
  for (const tool of matches) found.add(tool.name);
  if (!matches.length) return toolMessage(call, `No tool matches "${query}". Try other words.`, false);
  return toolMessage(call, JSON.stringify({ added: matches.map((t) => ({ name: t.name, description: t.description })) }), false);
}
