/** `defineConfig` and config validation: a bad config fails before anything starts. */
import type { z } from 'zod';
import { AgentSpecSchema, protoKeyPath, reservedNameMessage, type AgentSpec, type Message, type ToolSpec } from '../core';
import { mcpServerOf } from '../activities/tools/mcp-config';
import { BatonConfigSchema, type BatonConfig, type BatonConfigInput } from './schema';
import { issuePath, unreadableField } from './readable';
import { resolvePool } from './pools';

/** A config or workflow spec that failed validation; each issue names the path of the bad field. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(
    readonly source: string,
    readonly issues: Array<{ path: string; message: string }>,
    /** What was invalid: the config (the default) or a workflow spec. */
    readonly subject: 'config' | 'workflow spec' = 'config',
  ) {
    const head = subject === 'config' ? `invalid config (${source})` : `invalid workflow spec ${source}`;
    super(
      issues.length === 1
        ? `${head}: ${issues[0]?.path}: ${issues[0]?.message}`
        : `${head}:\n${issues.map((i) => `  - ${i.path}: ${i.message}`).join('\n')}`,
    );
  }
}

/** Turns zod issues into ConfigError entries with readable paths like `agents.writer.tools[0]`. */
export function toIssues(error: z.ZodError): Array<{ path: string; message: string }> {
  return error.issues.flatMap((issue) => readableIssues(issue, []));
}

function readableIssues(issue: z.core.$ZodIssue, under: readonly PropertyKey[]): Array<{ path: string; message: string }> {
  const path = [...under, ...issue.path];
  if (issue.code === 'invalid_union') {
    // "Invalid input" names no field: when only one of the union's kinds got past the value's type
    // (a conversation for `string | Message[]`), its issues are the ones meant, with their own paths.
    const meant = issue.errors.filter((branch) => !branch.every((i) => i.code === 'invalid_type' && i.path.length === 0));
    if (meant.length === 1) return (meant[0] as z.core.$ZodIssue[]).flatMap((i) => readableIssues(i, path));
  }
  // A bad record key (e.g. an agent name) carries the real reason in nested issues.
  const nested = issue.code === 'invalid_key' ? issue.issues.map((i) => i.message).join('; ') : '';
  return [{ path: issuePath(path), message: nested ? `invalid name: ${nested}` : issue.message }];
}

/** Gives a config file its types; validation happens when it is loaded. */
export function defineConfig(config: BatonConfigInput): BatonConfigInput {
  return config;
}

/**
 * Validates a config object; throws ConfigError with every bad field's path, also for
 * fields that cannot be read (throwing getters, Proxy traps): nothing else escapes.
 */
export function validateConfig(raw: unknown, source = 'config'): BatonConfig {
  const unreadable = unreadableField(raw);
  if (unreadable) throw new ConfigError(source, [unreadable]);
  const proto = protoKeyPath(raw);
  if (proto) throw new ConfigError(source, [{ path: proto, message: `invalid name: "__proto__" ${reservedNameMessage}` }]);
  const parsed = BatonConfigSchema.safeParse(raw);
  if (!parsed.success) throw new ConfigError(source, toIssues(parsed.error));
  return parsed.data;
}

/** The full spec of a configured agent, by name. */
export function agentSpec(config: BatonConfig, name: string): AgentSpec {
  const entry = Object.hasOwn(config.agents, name) ? config.agents[name] : undefined;
  if (!entry) {
    throw new ConfigError('run', [{ path: 'agent', message: `unknown agent "${name}"; configured agents: ${Object.keys(config.agents).join(', ')}` }]);
  }
  const { pool, ...spec } = entry;
  // A pool resolves to its task queue: the agent's model and tool calls go to that pool's workers.
  const taskQueue = pool === undefined ? spec.taskQueue : resolvePool(config, pool)?.taskQueue;
  return AgentSpecSchema.parse({ ...spec, name, ...(taskQueue !== undefined ? { taskQueue } : {}) });
}

/** Every agent reachable from `agent` through hand-offs (not including itself). */
export function teamFor(config: BatonConfig, agent: AgentSpec): AgentSpec[] {
  const seen = new Map<string, AgentSpec>([[agent.name, agent]]);
  const queue = [...agent.handoffs, ...agent.agentTools];
  while (queue.length) {
    const name = queue.shift() as string;
    if (seen.has(name)) continue;
    const spec = agentSpec(config, name);
    seen.set(name, spec);
    queue.push(...spec.handoffs, ...spec.agentTools);
  }
  seen.delete(agent.name);
  return [...seen.values()];
}

/** The run input of a configured agent: its spec, its hand-off team, and all their tools. */
export function runInputFor(config: BatonConfig, name: string, input: string | Message[]) {
  const agent = agentSpec(config, name);
  const team = teamFor(config, agent);
  const names = new Set([agent, ...team].flatMap((a) => a.tools));
  const storeOver = config.contentStore.storeConversationOver;
  return { agent, team, tools: toolSpecsFor(config, { ...agent, tools: [...names] }), input, ...(storeOver !== undefined ? { storeConversationOver: storeOver } : {}) };
}

/**
 * The specs of an agent's defined tools, as a run input carries them. MCP tools are left
 * out: the run lists them from its worker's MCP servers when it starts.
 */
export function toolSpecsFor(config: BatonConfig, agent: AgentSpec): ToolSpec[] {
  const servers = Object.keys(config.mcpServers);
  return agent.tools.filter((name) => !mcpServerOf(name, servers)).map((name) => {
    const tool = config.tools.find((t) => t.spec.name === name);
    if (!tool) throw new ConfigError('run', [{ path: `agents.${agent.name}.tools`, message: `unknown tool "${name}"` }]);
    return tool.spec;
  });
}

export type { BatonConfig, BatonConfigInput } from './schema';
