/** Walks of a workflow spec's step tree (pure, no zod: used by workflows). */
import type { GenerateAllowance, Step } from './workflow-spec';

/** Every agent name a step tree refers to (for validation and for resolving specs from config). */
export function agentsOf(step: Step): string[] {
  switch (step.kind) {
    case 'agent': return [step.agent];
    case 'sequence': return step.steps.flatMap(agentsOf);
    case 'parallel': return [...step.branches.flatMap(agentsOf), ...(step.aggregate ? agentsOf(step.aggregate) : [])];
    case 'map': return [...(step.agent ? [step.agent] : []), ...(step.aggregate ? agentsOf(step.aggregate) : [])];
    case 'route': return [...(step.classifier ? [step.classifier] : []), ...Object.values(step.routes).flatMap(agentsOf), ...(step.default ? agentsOf(step.default) : [])];
    case 'loop': return [step.generator, step.evaluator];
    case 'approval': return [];
    case 'generate': return [step.planner];
    case 'tools': return [];
  }
}

/** Every tool a step tree's tool plans call (agents' tools come with the agents). */
export function planToolsOf(step: Step): string[] {
  switch (step.kind) {
    case 'tools': return step.plan.steps.map((s) => s.tool);
    case 'sequence': return step.steps.flatMap(planToolsOf);
    case 'parallel': return [...step.branches.flatMap(planToolsOf), ...(step.aggregate ? planToolsOf(step.aggregate) : [])];
    case 'map': return step.aggregate ? planToolsOf(step.aggregate) : [];
    case 'route': return [...Object.values(step.routes).flatMap(planToolsOf), ...(step.default ? planToolsOf(step.default) : [])];
    default: return [];
  }
}

/** What a run of generated steps may use; carried into the generated child run's input. */
export interface Allowance {
  agents: string[];
  tools: string[];
}

/**
 * The allowance of a generate step: its own `allow` with defaults (every agent of the spec,
 * no tools), and never more than `outer`, the allowance of the run it is in (when that run
 * was itself generated).
 */
export function allowanceFor(allow: GenerateAllowance | undefined, specAgents: readonly string[], outer?: Allowance): Allowance {
  const agents = allow?.agents ?? outer?.agents ?? specAgents;
  const tools = allow?.tools ?? [];
  if (!outer) return { agents: [...agents], tools: [...tools] };
  return { agents: agents.filter((a) => outer.agents.includes(a)), tools: tools.filter((t) => outer.tools.includes(t)) };
}

/** The agents a step names itself (not its children's), with the path of each field. */
function ownAgentRefs(step: Step, at: string): Array<{ name: string; at: string }> {
  switch (step.kind) {
    case 'agent': return [{ name: step.agent, at: `${at}.agent` }];
    case 'map': return step.agent ? [{ name: step.agent, at: `${at}.agent` }] : [];
    case 'route': return step.classifier ? [{ name: step.classifier, at: `${at}.classifier` }] : [];
    case 'loop': return [{ name: step.generator, at: `${at}.generator` }, { name: step.evaluator, at: `${at}.evaluator` }];
    case 'generate': return [{ name: step.planner, at: `${at}.planner` }];
    default: return [];
  }
}

/** A step's direct children, with their paths (`.steps[1]`, `.routes.billing`, `.aggregate`). */
function childrenOf(step: Step, at: string): Array<{ step: Step; at: string }> {
  const one = (child: Step | undefined, key: string) => (child ? [{ step: child, at: `${at}.${key}` }] : []);
  switch (step.kind) {
    case 'sequence': return step.steps.map((s, i) => ({ step: s, at: `${at}.steps[${i}]` }));
    case 'parallel': return [...step.branches.map((s, i) => ({ step: s, at: `${at}.branches[${i}]` })), ...one(step.aggregate, 'aggregate')];
    case 'map': return one(step.aggregate, 'aggregate');
    case 'route': return [...Object.entries(step.routes).map(([name, s]) => ({ step: s, at: `${at}.routes.${name}` })), ...one(step.default, 'default')];
    default: return [];
  }
}

/** Every step of a tree with its path, parents before children (iterative: no deep recursion). */
export function walkSteps(root: Step, rootAt = 'steps'): Array<{ step: Step; at: string }> {
  const all: Array<{ step: Step; at: string }> = [];
  const queue = [{ step: root, at: rootAt }];
  for (let next = queue.shift(); next; next = queue.shift()) {
    all.push(next);
    queue.push(...childrenOf(next.step, next.at));
  }
  return all;
}

const listed = (names: readonly string[]) => names.join(', ') || 'none';

/**
 * What generated steps use beyond `allowance`, each naming the field's path: agents and
 * tool-plan tools outside it, a tools step's own approval policy, a nested generate step
 * allowing more than its parent. Empty when the steps may run.
 */
export function allowanceProblems(root: Step, allowance: Allowance, rootAt = 'steps'): string[] {
  const problems: string[] = [];
  const agents = new Set(allowance.agents);
  const tools = new Set(allowance.tools);
  for (const { step, at } of walkSteps(root, rootAt)) {
    for (const ref of ownAgentRefs(step, at)) if (!agents.has(ref.name)) problems.push(`${ref.at}: agent "${ref.name}" is not allowed (allowed agents: ${listed(allowance.agents)})`);
    if (step.kind === 'tools') {
      step.plan.steps.forEach((s, i) => {
        if (!tools.has(s.tool)) problems.push(`${at}.plan.steps[${i}].tool: tool "${s.tool}" is not allowed (allowed tools: ${listed(allowance.tools)})`);
      });
      if (step.approval !== undefined) problems.push(`${at}.approval: a generated tools step may not set its approval policy`);
    }
    if (step.kind === 'generate') {
      step.allow?.agents?.forEach((name, i) => {
        if (!agents.has(name)) problems.push(`${at}.allow.agents[${i}]: agent "${name}" is beyond the allowance of the generate step that produced it`);
      });
      step.allow?.tools.forEach((name, i) => {
        if (!tools.has(name)) problems.push(`${at}.allow.tools[${i}]: tool "${name}" is beyond the allowance of the generate step that produced it`);
      });
    }
  }
  return problems;
}
