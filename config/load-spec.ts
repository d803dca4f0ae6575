/**
 * Loads a declarative workflow spec (YAML or JSON) and completes it from the config:
 * every configured agent not defined inline is added (planned `map` items and generated
 * workflows may name any of them), with the tools they use. Agents named in the steps
 * must exist. Everything is validated before a run starts.
 */
import { readFileSync, statSync } from 'node:fs';
import { isProxy } from 'node:util/types';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { mcpServerOf } from '../activities/tools/mcp-config';
import { WorkflowSpecSchema, checkToolPlan, planToolsOf, protoKeyPath, walkSteps, reservedNameMessage, type AgentSpec, type Step, type ToolPlan, type WorkflowSpec } from '../core';
import { specLimits, stepTreeLimitIssue } from '../core/spec-limits';
import { defaultMaxInputBytes } from '../client/baton-client';
import { ConfigError, agentSpec, toIssues, type BatonConfig } from './define-config';
import { issuePath, unreadableField } from './readable';

/** Validates a spec object and fills in agents and tools from the config; every error is a ConfigError with a path. */
export function resolveWorkflowSpec(raw: unknown, config: BatonConfig, source = '(inline)'): WorkflowSpec {
  const invalid = (issues: Array<{ path: string; message: string }>) => new ConfigError(source, issues, 'workflow spec');
  const proto = protoKeyPath(raw);
  if (proto) throw invalid([{ path: proto, message: `invalid name: "__proto__" ${reservedNameMessage}` }]);
  // A huge or deep step tree is refused before anything walks the whole spec.
  const steps = typeof raw === 'object' && raw !== null && !isProxy(raw) ? Object.getOwnPropertyDescriptor(raw, 'steps')?.value : undefined;
  const overLimit = steps === undefined ? undefined : stepTreeLimitIssue(steps, ['steps']);
  if (overLimit) throw invalid([{ path: issuePath(overLimit.path), message: overLimit.message }]);
  const unreadable = unreadableField(raw);
  if (unreadable) throw invalid([unreadable]);
  const parsed = WorkflowSpecSchema.safeParse(raw);
  if (!parsed.success) throw invalid(toIssues(parsed.error));
  const spec = parsed.data;
  const agents = new Map<string, AgentSpec>(Object.entries(spec.agents));
  for (const name of Object.keys(config.agents)) if (!agents.has(name)) agents.set(name, agentSpec(config, name));
  const unknownAgents = agentRefsOf(spec.steps, 'steps').filter((ref) => !agents.has(ref.name));
  if (unknownAgents.length) {
    throw invalid(unknownAgents.map((ref) => ({ path: ref.at, message: `unknown agent "${ref.name}"; configured agents: ${Object.keys(config.agents).join(', ')}${Object.keys(spec.agents).length ? `; spec agents: ${Object.keys(spec.agents).join(', ')}` : ''}` })));
  }
  // What generate steps allow their planners' output to use: agents of the spec, tools that resolve.
  const generates = walkSteps(spec.steps).flatMap(({ step, at }) => (step.kind === 'generate' && step.allow ? [{ allow: step.allow, at: `${at}.allow` }] : []));
  const unknownAllowed = generates.flatMap(({ allow, at }) => (allow.agents ?? []).flatMap((name, i) => (agents.has(name) ? [] : [{ path: `${at}.agents[${i}]`, message: `unknown agent "${name}"; a generate step may allow only agents of the spec or the config` }])));
  if (unknownAllowed.length) throw invalid(unknownAllowed);
  const toolNames = new Set([...[...agents.values()].flatMap((a) => a.tools), ...planToolsOf(spec.steps), ...generates.flatMap(({ allow }) => allow.tools)]);
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
    if (tool) {
      tools.push(tool.spec);
      continue;
    }
    const user = Object.entries(spec.agents).find(([, a]) => a.tools.includes(name));
    // A plan step's unknown tool is reported below, at the plan step.
    if (user) throw invalid([{ path: `agents.${user[0]}.tools[${user[1].tools.indexOf(name)}]`, message: `unknown tool "${name}"` }]);
  }
  const known = new Set([...tools.map((t) => t.name), ...mcpTools]);
  const unknownTools = generates.flatMap(({ allow, at }) => allow.tools.flatMap((name, i) => (known.has(name) ? [] : [{ path: `${at}.tools[${i}]`, message: `unknown tool "${name}"; allow a configured tool, or an MCP tool as <server>__<tool> of a configured server` }])));
  if (unknownTools.length) throw invalid(unknownTools);
  const planProblems = toolPlansOf(spec.steps, 'steps').flatMap(({ plan, at }) => checkToolPlan(plan, known).map((p) => `${at}.plan.${p}`));
  if (planProblems.length) throw invalid(planProblems.map((p) => ({ path: p.slice(0, p.indexOf(':')), message: p.slice(p.indexOf(':') + 2) })));
  const resolved = { ...spec, agents: Object.fromEntries(agents), tools };
  const bytes = Buffer.byteLength(JSON.stringify(resolved));
  const limit = maxInputBytes(config);
  if (bytes > limit) {
    throw invalid([{ path: '(root)', message: `the resolved spec (steps, agents and tools) is ${mib(bytes)}, over the ${mib(limit)} a run's input may be (temporal.maxInputBytes); use fewer steps or shorter inline agents` }]);
  }
  return resolved;
}

/** The most a run's input may weigh: the config's `temporal.maxInputBytes`, else the client's default. */
const maxInputBytes = (config: BatonConfig) => config.temporal.maxInputBytes ?? defaultMaxInputBytes;
const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

/** Every agent a step tree names, with the path of the field that names it (`steps.steps[1].agent`). */
function agentRefsOf(step: Step, at: string): Array<{ name: string; at: string }> {
  switch (step.kind) {
    case 'agent': return [{ name: step.agent, at: `${at}.agent` }];
    case 'sequence': return step.steps.flatMap((s, i) => agentRefsOf(s, `${at}.steps[${i}]`));
    case 'parallel': return [...step.branches.flatMap((s, i) => agentRefsOf(s, `${at}.branches[${i}]`)), ...(step.aggregate ? agentRefsOf(step.aggregate, `${at}.aggregate`) : [])];
    case 'map': return [...(step.agent ? [{ name: step.agent, at: `${at}.agent` }] : []), ...(step.aggregate ? agentRefsOf(step.aggregate, `${at}.aggregate`) : [])];
    case 'route': return [...(step.classifier ? [{ name: step.classifier, at: `${at}.classifier` }] : []), ...Object.entries(step.routes).flatMap(([name, s]) => agentRefsOf(s, `${at}.routes.${name}`)), ...(step.default ? agentRefsOf(step.default, `${at}.default`) : [])];
    case 'loop': return [{ name: step.generator, at: `${at}.generator` }, { name: step.evaluator, at: `${at}.evaluator` }];
    case 'generate': return [{ name: step.planner, at: `${at}.planner` }];
    default: return [];
  }
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
  const source = path.relative(process.cwd(), file) || file;
  const invalidFile = (message: string) => new ConfigError(source, [{ path: '(file)', message }], 'workflow spec');
  let raw: unknown;
  try {
    // Checked before parsing: a 3 MB YAML file takes seconds to parse, and could not start anyway.
    const bytes = statSync(file).size;
    if (bytes > maxInputBytes(config)) throw invalidFile(`the file is ${mib(bytes)}; a spec file may be at most ${mib(maxInputBytes(config))}, the size of a run's input (temporal.maxInputBytes)`);
    const text = readFileSync(file, 'utf8');
    raw = file.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    const message = err instanceof Error ? err.message : String(err);
    if (err instanceof RangeError || /Maximum call stack/.test(message)) throw invalidFile(`nests too deeply to read; steps may nest at most ${specLimits.maxStepDepth} levels`);
    throw invalidFile(message.replace(/\s*\n[\s\S]*/, ''));
  }
  return resolveWorkflowSpec(raw, config, source);
}
