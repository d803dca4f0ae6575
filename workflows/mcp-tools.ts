/**
 * MCP tools in a run: the agents name MCP servers (or `<server>__<tool>` tools), and the
 * run asks its worker for those servers' current tools once, when it starts. The answer
 * is an activity result in history, so replays see the same tools. Sandbox-safe.
 */
import { isCancellation, proxyLocalActivities } from '@temporalio/workflow';
import type { BatonActivities } from '../activities';
import type { AgentSpec, ParsedAgentRunInput } from '../core';
import { FailureType } from '../core/failures';
import { activities } from './activity-options';
import { fail, rootMessage } from './failures';

const separator = '__';

/**
 * Listing is a local activity: it runs on the worker that runs the workflow (which has
 * the same MCP servers) without a round trip through the task queue. An agent pinned to
 * another queue lists on that queue's workers instead.
 */
const local = proxyLocalActivities<BatonActivities>({ startToCloseTimeout: '60s', retry: { maximumAttempts: 3, initialInterval: '1s' } });

/** Servers the run's agents use that are not yet resolved into tool specs. */
export function serversToList(run: ParsedAgentRunInput): string[] {
  const known = new Set(run.tools.map((t) => t.name));
  const servers = new Set<string>();
  for (const agent of [run.agent, ...run.team]) {
    agent.mcpServers.forEach((s) => servers.add(s));
    for (const name of agent.tools) {
      const at = name.indexOf(separator);
      if (!known.has(name) && at > 0) servers.add(name.slice(0, at));
    }
  }
  return [...servers].sort();
}

/** The run input with the MCP tools of `servers` (from `serversToList`) listed: specs added, each agent's allowlist expanded. */
export async function withMcpTools(run: ParsedAgentRunInput, servers: string[]): Promise<ParsedAgentRunInput> {
  let specs;
  try {
    const summary = `list MCP tools · ${servers.join(', ')}`;
    specs = run.agent.taskQueue === undefined
      ? await local.listMcpTools.executeWithOptions({ startToCloseTimeout: '60s', retry: { maximumAttempts: 3, initialInterval: '1s' }, summary }, [{ servers }])
      : await activities.listMcpTools.executeWithOptions({ taskQueue: run.agent.taskQueue, startToCloseTimeout: '60s', retry: { maximumAttempts: 3, initialInterval: '1s' }, summary }, [{ servers }]);
  } catch (err) {
    if (!isCancellation(err)) fail(FailureType.ToolNotRegistered, `cannot list the tools of MCP servers ${servers.join(', ')}: ${rootMessage(err)}`);
    throw err;
  }
  const known = new Set(run.tools.map((t) => t.name));
  const tools = [...run.tools, ...specs.filter((s) => !known.has(s.name))];
  const expand = (agent: AgentSpec): AgentSpec => {
    if (!agent.mcpServers.length) return agent;
    const fromServers = specs.filter((s) => agent.mcpServers.some((server) => s.source === `mcp:${server}`)).map((s) => s.name);
    return { ...agent, tools: [...new Set([...agent.tools, ...fromServers])], mcpServers: [] };
  };
  return { ...run, agent: expand(run.agent), team: run.team.map(expand), tools };
}
