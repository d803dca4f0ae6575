/**
 * The `generate` step: a planner's answer is untrusted model output, so the steps it
 * generates run only within the step's allowance (`generate.allow`, capped by the run's
 * own allowance when the run was itself generated), as a child spec run that carries the
 * allowance. Runs in the workflow sandbox.
 */
import { executeChild, patched, workflowInfo } from '@temporalio/workflow';
import type { SpecRunResult, Step, StepOutput } from '../../core';
import { FailureType } from '../../core/failures';
import { agentsOf, allowanceFor, allowanceProblems } from '../../core/steps';
import { fail } from '../failures';
import { childBudget, countChild, countFailedChild } from '../budget';
import { parseInput } from '../validate-input';
import { schemas } from '../lazy-schemas';
import type { SpecRun } from './spec-run';

const plannerSchema = { type: 'object', properties: { steps: { type: 'object' } }, required: ['steps'] };

/** Asks the planner for steps, checks them against the allowance, and runs them as a child. */
export async function runGenerated(run: SpecRun, step: Extract<Step, { kind: 'generate' }>, input: string, path: string): Promise<StepOutput> {
  const plan = await run.runAgent(step.planner, input, `${path}.planner`, { outputSchema: plannerSchema });
  const steps = parseInput(schemas().StepSchema, (plan.structured as { steps: unknown }).steps, `generated workflow from ${step.planner}`);
  const allow = allowanceFor(step.allow, Object.keys(run.spec.agents), run.allow);
  const problems = allowanceProblems(steps, allow);
  // Patched: a run that generated such steps before the check existed replays as it ran.
  if (problems.length && patched('baton-generate-allowance')) {
    fail(FailureType.NotAllowed, `${path}: the workflow that planner "${step.planner}" generated uses what this generate step does not allow: ${problems.join('; ')}. A planner's answer is untrusted model output; to allow more, list the agents and tools in generate.allow.agents and generate.allow.tools at ${path} of the spec`);
  }
  const unknown = agentsOf(steps).filter((name) => !Object.hasOwn(run.spec.agents, name));
  if (unknown.length) fail(FailureType.InvalidInput, `the generated workflow uses agents the spec does not have: ${unknown.join(', ')}`);
  const state = run.begin(path, 'generate', { childWorkflowId: `${workflowInfo().workflowId}/${path}` });
  // By name: spec-workflow.ts imports this module's importer, so a value import would be circular.
  // The generated run gets what remains of a run-wide budget; its usage counts here in every case.
  const remaining = childBudget(run.state, run.budget);
  const result = await executeChild<(input: unknown) => Promise<SpecRunResult>>('specWorkflow', {
    args: [{ spec: { ...run.spec, name: `${run.spec.name}-generated`, steps }, input, allow, validated: true, ...(remaining ? { budget: remaining } : {}) }],
    workflowId: state.childWorkflowId,
  }).catch((err: unknown) => {
    countFailedChild(run.state, err, run.budget);
    throw err;
  });
  countChild(run.state, result, run.budget);
  run.end(state, result);
  return result;
}
