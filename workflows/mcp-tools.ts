/**
 * MCP tools in a run: the agents name MCP servers (or `<server>__<tool>` tools), and the
 * run asks its worker for those servers' current tools once, when it starts. The answer
 * is an activity result in history, so replays see the same tools. Sandbox-safe.
 */
import { isCancellation, proxyLocalActivities } from '@temporalio/workflow';
import type { BatonActivities } from '../activities';
import type { AgentSpec, ParsedAgentRunInput, ToolSpec } from '../core';
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

/** MCP servers named by `<server>__<tool>` entries of `names` that `known` does not resolve yet. */
export function serversOf(names: Iterable<string>, known: ReadonlySet<string>): string[] {
  const servers = new Set<string>();
  for (const name of names) {
    const at = name.indexOf(separator);
    if (!known.has(name) && at > 0) servers.add(name.slice(0, at));
  }
  return [...servers].sort();
}

/** Servers the run's agents use that are not yet resolved into tool specs. */
export function serversToList(run: ParsedAgentRunInput): string[] {
  const agents = [run.agent, ...run.team];
  const servers = new Set([...agents.flatMap((a) => a.mcpServers), ...serversOf(agents.flatMap((a) => a.tools), new Set(run.tools.map((t) => t.name)))]);
  return [...servers].sort();
}

/**
 * The current tools of `servers`, listed by a worker of this run's queue (a local
 * activity) or, for a pinned agent, of `taskQueue`.
 */
export async function listMcpTools(servers: string[], taskQueue?: string): Promise<ToolSpec[]> {
  try {
    const summary = `list MCP tools · ${servers.join(', ')}`;
    const options = { startToCloseTimeout: '60s', retry: { maximumAttempts: 3, initialInterval: '1s' }, summary } as const;
    return taskQueue === undefined
      ? await local.listMcpTools.executeWithOptions(options, [{ servers }])
      : await activities.listMcpTools.executeWithOptions({ ...options, taskQueue }, [{ servers }]);
  } catch (err) {
    if (!isCancellation(err)) fail(FailureType.ToolNotRegistered, `cannot list the tools of MCP servers ${servers.join(', ')}: ${rootMessage(err)}`);
    throw err;
  }
}

/** The run input with the MCP tools of `servers` (from `serversToList`) listed: specs added, each agent's allowlist expanded. */
export async function withMcpTools(run: ParsedAgentRunInput, servers: string[]): Promise<ParsedAgentRunInput> {
  const specs = await listMcpTools(servers, run.agent.taskQueue);
  const known = new Set(run.tools.map((t) => t.name));
  const tools = [...run.tools, ...specs.filter((s) => !known.has(s.name))];
  const expand = (agent: AgentSpec): AgentSpec => {
    if (!agent.mcpServers.length) return agent;
    const fromServers = specs.filter((s) => agent.mcpServers.some((server) => s.source === `mcp:${server}`)).map((s) => s.name);
    return { ...agent, tools: [...new Set([...agent.tools, ...fromServers])], mcpServers: [] };
  };
  return { ...run, agent: expand(run.agent), team: run.team.map(expand), tools };
}
