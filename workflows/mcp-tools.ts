/**
 * MCP tools in a run: the agents name MCP servers (or `<server>__<tool>` tools), and the
 * run asks its worker for those servers' current tools once, when it starts. The answer
 * is an activity result in history, so replays see the same tools. Sandbox-safe.
 */
import { ActivityFailure } from '@temporalio/workflow';
import { FailureType, type AgentSpec, type ParsedAgentRunInput } from '../core';
import { activities } from './activity-options';
import { fail, rootMessage } from './failures';

const separator = '__';

/** Servers the run's agents use that are not yet resolved into tool specs. */
function serversToList(run: ParsedAgentRunInput): string[] {
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

/** The run input with its agents' MCP tools listed: specs added, each agent's allowlist expanded. */
export async function withMcpTools(run: ParsedAgentRunInput): Promise<ParsedAgentRunInput> {
  const servers = serversToList(run);
  if (!servers.length) return run;
  let specs;
  try {
    specs = await activities.listMcpTools.executeWithOptions(
      { taskQueue: run.agent.taskQueue, startToCloseTimeout: '60s', retry: { maximumAttempts: 3, initialInterval: '1s' }, summary: `list MCP tools · ${servers.join(', ')}` },
      [{ servers }],
    );
  } catch (err) {
    if (err instanceof ActivityFailure) fail(FailureType.ToolNotRegistered, `cannot list the tools of MCP servers ${servers.join(', ')}: ${rootMessage(err)}`);
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
