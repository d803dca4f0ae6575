/**
 * The `tools` step: a tool plan run with the spec's tool specs (and the MCP tools it names,
 * listed when it starts). Every plan step goes through the approval check: the operator's
 * `approval` on the step, else the standard policy (risk high and up waits for a person).
 * In a generated run, the plan may call only the allowed tools. Runs in the workflow sandbox.
 */
import { workflowInfo } from '@temporalio/workflow';
import type { Step, StepOutput } from '../../core';
import { FailureType } from '../../core/failures';
import { allowanceProblems } from '../../core/steps';
import { fail } from '../failures';
import { runToolPlan } from '../patterns/tool-plan';
import { listMcpTools, serversOf } from '../mcp-tools';
import type { SpecRun } from './spec-run';

/** Runs a tool plan step; with `onFailure: 'fail'` any failed or rejected plan step fails it. */
export async function runTools(run: SpecRun, step: Extract<Step, { kind: 'tools' }>, path: string): Promise<StepOutput> {
  // Checked when the planner answered; checked again here, where the tools would run.
  const problems = run.allow ? allowanceProblems(step, run.allow, path) : [];
  if (problems.length) fail(FailureType.NotAllowed, `${path}: this generated tools step uses what its generate step does not allow: ${problems.join('; ')}`);
  const state = run.begin(path, 'tools');
  const info = workflowInfo();
  const tools = new Map(run.spec.tools.map((t) => [t.name, t]));
  // `<server>__<tool>` steps: list those MCP servers' tools now, as an agent run does when it starts.
  const servers = serversOf(step.plan.steps.map((s) => s.tool), new Set(tools.keys()));
  if (servers.length) for (const spec of await listMcpTools(servers)) tools.set(spec.name, spec);
  const outcomes = await runToolPlan(step.plan, { tools, agent: { name: run.spec.name }, workflowId: info.workflowId, runId: info.runId, label: path, desk: run.desk, approval: step.approval });
  const failed = Object.entries(outcomes).filter(([, o]) => !o.ok).map(([id, o]) => `${id}: ${(o as { error: string }).error}`);
  const result = { output: JSON.stringify(outcomes), structured: outcomes };
  if (failed.length && step.onFailure === 'fail') {
    run.end(state, new Error(`tool plan steps failed: ${failed.join('; ')}`));
    fail(FailureType.StepFailed, `${path}: tool plan steps failed: ${failed.join('; ')}`);
  }
  run.end(state, result);
  return result;
}
