/**
 * What every start of one configured agent shares: its run input but for the user's input,
 * validated, with its agents compacted and its spec hash computed. Building it parses every
 * agent of the team with zod twice, hashes the specs and compacts them, about 0.2 ms of the
 * client's CPU per start (a third of a start's own); a client that starts the same agent again
 * reuses it and validates only the new input. The template is rebuilt when a part of the config
 * it was read from has changed since (an agent's entry, its tools' specs, its pool, the content
 * store's threshold), so a config changed in place is honoured as before.
 */
import { ConfigError, runInputFor, toIssues, type BatonConfig } from '../config/define-config';
import { AgentRunInputSchema, type Message, type ParsedAgentRunInput } from '../core';
import { compactRunAgents } from '../core/agent-defaults';
import { specHash } from '../core/hash';

/** A configured agent's run input without the user's input, as Baton's client starts it. */
export interface RunTemplate {
  /** The parsed run input with its agents compacted, `validated` and `specHash` set; `input` is a placeholder. */
  readonly args: ParsedAgentRunInput & { validated: true; specHash: string };
  /** The agents it was built from: the agent and its team. */
  readonly agents: readonly string[];
  /** The config's parts it was built from, as JSON: a change to any of them builds it again. */
  readonly source: string;
}

/** The parts of `config` the run input of `agents` is read from (runInputFor), as one JSON text. */
function sourceOf(config: BatonConfig, agents: readonly string[]): string {
  const entries = agents.map((name) => (Object.hasOwn(config.agents, name) ? config.agents[name] : null));
  const toolNames = new Set(entries.flatMap((entry) => entry?.tools ?? []));
  const pools = entries.map((entry) => (entry?.pool !== undefined && Object.hasOwn(config.pools, entry.pool) ? config.pools[entry.pool] : null));
  return JSON.stringify([
    entries,
    config.tools.filter((tool) => toolNames.has(tool.spec.name)).map((tool) => tool.spec),
    pools,
    Object.keys(config.mcpServers),
    config.temporal.taskQueue,
    config.contentStore.storeConversationOver ?? null,
  ]);
}

export class RunTemplates {
  private readonly byAgent = new Map<string, RunTemplate>();

  constructor(private readonly config: BatonConfig) {}

  /**
   * The validated run input of `agentName` with the user's `input`: its template with the input
   * checked alone or, when either does not pass, the whole run input validated as it stands,
   * which throws a ConfigError with the path of the bad field.
   */
  argsFor(agentName: string, input: string | Message[]): RunTemplate['args'] {
    const template = this.build(agentName);
    const runInput = template && parsedRunInput(input);
    if (template && runInput !== undefined) return { ...template.args, input: runInput };
    const parsed = AgentRunInputSchema.safeParse(runInputFor(this.config, agentName, input));
    if (!parsed.success) throw new ConfigError('run input', toIssues(parsed.error));
    return startArgs(parsed.data);
  }

  /**
   * The template of `agentName` (built again when its part of the config changed), or undefined
   * when the run input does not validate even with an empty input. Throws what runInputFor
   * throws for an unknown agent or tool.
   */
  build(agentName: string): RunTemplate | undefined {
    const known = this.byAgent.get(agentName);
    if (known && known.source === sourceOf(this.config, known.agents)) return known;
    const parsed = AgentRunInputSchema.safeParse(runInputFor(this.config, agentName, ''));
    if (!parsed.success) return undefined;
    const agents = [parsed.data.agent.name, ...parsed.data.team.map((a) => a.name)];
    const template: RunTemplate = {
      args: startArgs(parsed.data),
      agents,
      source: sourceOf(this.config, agents),
    };
    this.byAgent.set(agentName, template);
    return template;
  }
}

/**
 * A validated run input as Baton's client starts it: `validated`, with its spec hash, and its
 * agents without the fields at their defaults, as a spec run's travel (the run fills them in).
 */
export function startArgs(parsed: ParsedAgentRunInput): RunTemplate['args'] {
  const { agent, tools, team } = parsed;
  return { ...parsed, ...compactRunAgents(agent, team), validated: true, specHash: specHash({ agent, tools, team }) };
}

/** The user's input as a run input carries it, or undefined when the schema refuses it. */
function parsedRunInput(input: unknown): ParsedAgentRunInput['input'] | undefined {
  const parsed = AgentRunInputSchema.shape.input.safeParse(input);
  return parsed.success ? parsed.data : undefined;
}
