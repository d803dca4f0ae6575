/**
 * Loads a declarative workflow spec (YAML or JSON) and completes it from the config:
 * every configured agent not defined inline is added (planned `map` items and generated
 * workflows may name any of them), with the tools they use. Agents named in the steps
 * must exist. Everything is validated before a run starts.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { mcpServerOf } from '../activities/tools/mcp-config';
import { WorkflowSpecSchema, agentsOf, checkToolPlan, planToolsOf, protoKeyPath, reservedNameMessage, type AgentSpec, type Step, type ToolPlan, type WorkflowSpec } from '../core';
import { ConfigError, agentSpec, toIssues, type BatonConfig } from './define-config';

/** Validates a spec object and fills in agents and tools from the config. */
export function resolveWorkflowSpec(raw: unknown, config: BatonConfig, source = 'workflow spec'): WorkflowSpec {
  const proto = protoKeyPath(raw);
  if (proto) throw new ConfigError(source, [{ path: proto, message: `invalid name: "__proto__" ${reservedNameMessage}` }]);
  const parsed = WorkflowSpecSchema.safeParse(raw);
  if (!parsed.success) throw new ConfigError(source, toIssues(parsed.error));
  const spec = parsed.data;
  const agents = new Map<string, AgentSpec>(Object.entries(spec.agents));
  const issues: Array<{ path: string; message: string }> = [];
  for (const name of Object.keys(config.agents)) if (!agents.has(name)) agents.set(name, agentSpec(config, name));
  for (const name of new Set(agentsOf(spec.steps))) {
    if (!agents.has(name)) issues.push({ path: 'steps', message: `unknown agent "${name}"; configured agents: ${Object.keys(config.agents).join(', ')}` });
  }
  if (issues.length) throw new ConfigError(source, issues);
  const toolNames = new Set([...[...agents.values()].flatMap((a) => a.tools), ...planToolsOf(spec.steps)]);
  const tools = [...spec.tools];
  // MCP tools are listed when a run or step starts; here it is enough that their server is configured.
  const mcpTools: string[] = [];
  for (const name of toolNames) {
    if (tools.some((t) => t.name === name)) continue;
    if (mcpServerOf(name, Object.keys(config.mcpServers))) {
      mcpTools.push(name);
      continue;
    }
    const tool = config.tools.find((t) => t.spec.name === name);
    if (!tool) throw new ConfigError(source, [{ path: 'tools', message: `unknown tool "${name}"` }]);
    tools.push(tool.spec);
  }
  const known = new Set([...tools.map((t) => t.name), ...mcpTools]);
  const planProblems = toolPlansOf(spec.steps, 'steps').flatMap(({ plan, at }) => checkToolPlan(plan, known).map((p) => `${at}.plan.${p}`));
  if (planProblems.length) throw new ConfigError(source, planProblems.map((p) => ({ path: p.slice(0, p.indexOf(':')), message: p.slice(p.indexOf(':') + 2) })));
  return { ...spec, agents: Object.fromEntries(agents), tools };
}

/** Every tool plan in a step tree, with its path (`steps.steps[1]`). */
function toolPlansOf(step: Step, at: string): Array<{ plan: ToolPlan; at: string }> {
  switch (step.kind) {
    case 'tools': return [{ plan: step.plan, at }];
    case 'sequence': return step.steps.flatMap((s, i) => toolPlansOf(s, `${at}.steps[${i}]`));
    case 'parallel': return [...step.branches.flatMap((s, i) => toolPlansOf(s, `${at}.branches[${i}]`)), ...(step.aggregate ? toolPlansOf(step.aggregate, `${at}.aggregate`) : [])];
    case 'route': return [...Object.entries(step.routes).flatMap(([name, s]) => toolPlansOf(s, `${at}.routes.${name}`)), ...(step.default ? toolPlansOf(step.default, `${at}.default`) : [])];
    default: return [];
  }
}

/** Reads a .yaml/.yml/.json spec file; errors name the file and the bad field's path. */
export function loadWorkflowSpec(file: string, config: BatonConfig): WorkflowSpec {
  let raw: unknown;
  try {
    const text = readFileSync(file, 'utf8');
    raw = file.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
  } catch (err) {
    throw new ConfigError(path.basename(file), [{ path: '(file)', message: err instanceof Error ? err.message : String(err) }]);
  }
  return resolveWorkflowSpec(raw, config, path.relative(process.cwd(), file) || file);
}
