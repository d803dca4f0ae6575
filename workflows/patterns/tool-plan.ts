/**
 * `runToolPlan`: runs a checked tool plan as activities, each step as soon as the steps
 * it refers to are done (independent branches in parallel). Every step goes through the
 * same approval check as an agent's tool call. A failed or rejected step fails its
 * dependants, which are reported with the step that failed. Runs in the workflow sandbox.
 */
import { isCancellation, patched } from '@temporalio/workflow';
import type { AgentSpec, ApprovalPolicy, ToolPlan, ToolSpec } from '../../core';
import { FailureType } from '../../core/failures';
import { checkToolPlan, planRefs, resolvePlanArgs } from '../../core/tool-plan-run';
import { runToolActivity } from '../activity-options';
import { needsApproval, standardApprovalPolicy, type ApprovalDesk } from '../approvals';
import { fail, rootMessage } from '../failures';
import { parseInput } from '../validate-input';
import { schemas } from '../lazy-schemas';

export type PlanStepOutcome = { ok: true; result: unknown; cached?: boolean } | { ok: false; error: string };

export interface ToolPlanContext {
  tools: ReadonlyMap<string, ToolSpec>;
  /** Who runs the plan (for summaries and keys), and the task queue of its tool activities. */
  agent: Pick<AgentSpec, 'name' | 'taskQueue'>;
  workflowId: string;
  runId: string;
  /** Prefix for idempotency keys and summaries, e.g. the spec step's path. */
  label: string;
  /** The run's approval desk: steps the policy names wait there for a person. */
  desk: ApprovalDesk;
  /** Which steps wait for a person (default {@link standardApprovalPolicy}: risk high and up). */
  approval?: ApprovalPolicy;
}

const parseResult = (content: string): unknown => {
  try {
    return JSON.parse(content);
  } catch {
    return content;
  }
};

/** Validates then runs a plan; the outcome of every step, by id. */
export async function runToolPlan(input: unknown, ctx: ToolPlanContext): Promise<Record<string, PlanStepOutcome>> {
  const plan: ToolPlan = parseInput(schemas().ToolPlanSchema, input, 'tool plan');
  const problems = checkToolPlan(plan, new Set(ctx.tools.keys()));
  if (problems.length) fail(FailureType.InvalidInput, `invalid tool plan: ${problems.join('; ')}`);
  const results = new Map<string, unknown>();
  // A Map: step ids are data (model output in generated plans), never plain-object keys.
  const outcomes = new Map<string, PlanStepOutcome>();
  const running = new Map<string, Promise<void>>();
  const start = (id: string): Promise<void> => {
    const existing = running.get(id);
    if (existing) return existing;
    const step = plan.steps.find((s) => s.id === id) as ToolPlan['steps'][number];
    const promise = (async () => {
      const deps = [...new Set(planRefs(step.args).map((r) => r.id))];
      await Promise.all(deps.map(start));
      const failed = deps.find((d) => !outcomes.get(d)?.ok);
      if (failed) {
        outcomes.set(id, { ok: false, error: `not run: depends on step "${failed}", which failed` });
        return;
      }
      const spec = ctx.tools.get(step.tool) as ToolSpec;
      const args = resolvePlanArgs(step.args, results);
      const policy = ctx.approval ?? standardApprovalPolicy;
      // Patched: runs started before plans asked for approval replay as they ran.
      if (needsApproval(policy, spec) && patched('baton-tool-plan-approval')) {
        const record = await ctx.desk.request({ agent: ctx.agent.name, tool: step.tool, arguments: args, risk: spec.risk, turn: 0 }, policy);
        if (record.decision === 'rejected') {
          outcomes.set(id, { ok: false, error: `the call to ${step.tool} was rejected by a reviewer${record.reason ? `: ${record.reason}` : ''}` });
          return;
        }
      }
      try {
        const result = await runToolActivity(spec, ctx.agent, `tool ${step.tool} · plan ${ctx.label} · step ${id}`, {
          tool: step.tool, callId: id, arguments: args, agent: ctx.agent.name, idempotencyKey: `${ctx.workflowId}/${ctx.runId}/${ctx.label}/${id}`,
        });
        if (result.isError) outcomes.set(id, { ok: false, error: result.content });
        else {
          results.set(id, parseResult(result.content));
          outcomes.set(id, { ok: true, result: results.get(id), ...(result.cached ? { cached: true } : {}) });
        }
      } catch (err) {
        if (isCancellation(err)) throw err;
        outcomes.set(id, { ok: false, error: rootMessage(err) });
      }
    })();
    running.set(id, promise);
    return promise;
  };
  await Promise.all(plan.steps.map((s) => start(s.id)));
  return Object.fromEntries(plan.steps.map((s) => [s.id, outcomes.get(s.id) as PlanStepOutcome]));
}
