/** Walks of a workflow spec's step tree (pure, no zod: used by workflows). */
import type { Step } from './workflow-spec';

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
