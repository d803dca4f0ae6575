/**
 * `runToolPlan`: runs a checked tool plan as activities, each step as soon as the steps
 * it refers to are done (independent branches in parallel). A failed step fails its
 * dependants, which are reported with the step that failed. Runs in the workflow sandbox.
 */
import { isCancellation } from '@temporalio/workflow';
import type { AgentSpec, ToolPlan, ToolSpec } from '../../core';
import { FailureType } from '../../core/failures';
import { checkToolPlan, planRefs, resolvePlanArgs } from '../../core/tool-plan-run';
import { activities, toolCallOptions } from '../activity-options';
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
  const outcomes: Record<string, PlanStepOutcome> = {};
  const running = new Map<string, Promise<void>>();
  const start = (id: string): Promise<void> => {
    const existing = running.get(id);
    if (existing) return existing;
    const step = plan.steps.find((s) => s.id === id) as ToolPlan['steps'][number];
    const promise = (async () => {
      const deps = [...new Set(planRefs(step.args).map((r) => r.id))];
      await Promise.all(deps.map(start));
      const failed = deps.find((d) => !outcomes[d]?.ok);
      if (failed) {
        outcomes[id] = { ok: false, error: `not run: depends on step "${failed}", which failed` };
        return;
      }
      const spec = ctx.tools.get(step.tool) as ToolSpec;
      try {
        const result = await activities.runTool.executeWithOptions(
          { ...toolCallOptions(spec, ctx.agent), summary: `tool ${step.tool} · plan ${ctx.label} · step ${id}` },
          [{ tool: step.tool, callId: id, arguments: resolvePlanArgs(step.args, results), agent: ctx.agent.name, idempotencyKey: `${ctx.workflowId}/${ctx.runId}/${ctx.label}/${id}` }],
        );
        if (result.isError) outcomes[id] = { ok: false, error: result.content };
        else {
          results.set(id, parseResult(result.content));
          outcomes[id] = { ok: true, result: results.get(id), ...(result.cached ? { cached: true } : {}) };
        }
      } catch (err) {
        if (isCancellation(err)) throw err;
        outcomes[id] = { ok: false, error: rootMessage(err) };
      }
    })();
    running.set(id, promise);
    return promise;
  };
  await Promise.all(plan.steps.map((s) => start(s.id)));
  return Object.fromEntries(plan.steps.map((s) => [s.id, outcomes[s.id] as PlanStepOutcome]));
}
