/**
 * `specWorkflow`: runs a declarative workflow spec. Answers the `specState` query, keeps
 * the Web UI's details current, and accepts `replaceStep` Updates that swap a part of the
 * spec that has not started yet (validated first; the Update is recorded in history).
 * Runs in the workflow sandbox.
 */
import { allHandlersFinished, condition, defineQuery, defineUpdate, isCancellation, setCurrentDetails, setHandler, workflowInfo } from '@temporalio/workflow';
import type { z } from 'zod';
import type { ReplaceStepSchema, SpecRunInputSchema } from './schemas';
import { schemas } from './lazy-schemas';
import type { SpecRunResult, SpecRunState, Step, StepOutput, WorkflowSpec } from '../core';
import { agentsOf } from '../core/steps';
import { emptyUsage } from '../core/usage';
import { asWorkflowFailure, rootMessage } from './failures';
import { runStep } from './spec/run-step';
import { SpecRun } from './spec/spec-run';
import { describeIssues, trustedOrParsed } from './validate-input';
import { RunAttributes } from './search-attributes';
import { runFinished, runStarted } from './telemetry';
import { tighterBudget } from '../core/run-budget';
import { runBudgetFailure } from './budget';
import { withAgentSpecDefaults } from '../core/agent-defaults';

export type SpecRunInput = z.input<typeof SpecRunInputSchema>;
type ParsedSpecRunInput = z.output<typeof SpecRunInputSchema>;

export const specStateQuery = defineQuery<SpecRunState>('specState');

export type ReplaceStep = z.infer<typeof ReplaceStepSchema>;
/** Replaces a not-yet-started part of the running spec. */
export const replaceStepUpdate = defineUpdate<{ path: string }, [ReplaceStep]>('replaceStep');

/** Finds the parent object and key of `path` in a step tree (`root.steps[1].branches[0]`). */
function locate(root: { root: Step }, path: string): { parent: Record<string, unknown>; key: string | number } | undefined {
  const parts = path.split('.').flatMap((part) => {
    const m = /^([\w-]+)(?:\[(\d+)\])?$/.exec(part);
    return m ? (m[2] === undefined ? [m[1] as string] : [m[1] as string, Number(m[2])]) : [];
  });
  // Own properties only: a path through `constructor` or `__proto__` must not reach a built-in.
  const child = (at: unknown, key: string | number) => (at !== null && typeof at === 'object' && Object.hasOwn(at, key) ? (at as Record<string | number, unknown>)[key] : undefined);
  let parent: unknown = root;
  for (const key of parts.slice(0, -1)) parent = child(parent, key);
  const key = parts[parts.length - 1];
  if (parent === null || typeof parent !== 'object' || key === undefined || child(parent, key) === undefined) return undefined;
  return { parent: parent as Record<string, unknown>, key };
}

function describe(state: SpecRunState): string {
  const lines = state.steps.slice(-20).map((s) => `- \`${s.path}\` ${s.kind}${s.agent ? ` ${s.agent}` : ''}: ${s.status}${s.route ? ` → ${s.route}` : ''}${s.iterations?.length ? ` (${s.iterations.length} iterations)` : ''}`);
  const waiting = state.pendingApprovals.map((p) => `**waiting for approval ${p.id}**: ${p.tool}`);
  return [`**${state.pattern}** · ${state.status}`, ...waiting, ...lines].join('\n');
}

/** Runs a workflow spec on an input text. */
export function specWorkflow(input: SpecRunInput): Promise<SpecRunResult> {
  // One promise fewer than an async wrapper: the SDK records a stack trace for each.
  return runSpecWorkflow(input).catch((err: unknown) => {
    throw asWorkflowFailure(err, `workflow spec run ${workflowInfo().workflowId}`);
  });
}

async function runSpecWorkflow(input: SpecRunInput): Promise<SpecRunResult> {
  const given = trustedOrParsed<ParsedSpecRunInput>(input, () => schemas().SpecRunInputSchema, 'workflow spec run input');
  const { input: text, allow, budget } = given;
  // Baton's client sends the spec's agents without the fields at their defaults; they are filled in here.
  const spec = { ...given.spec, agents: withAgentSpecDefaults(given.spec.agents) };
  const state: SpecRunState = { status: 'running', pattern: spec.name, steps: [], usage: emptyUsage(), pendingApprovals: [], approvals: [], changes: [] };
  const refresh = () => setCurrentDetails(describe(state));
  const tree: { root: Step } = { root: spec.steps };
  const attributes = new RunAttributes();
  const run = new SpecRun(spec as WorkflowSpec, state, refresh, attributes, allow);
  run.budget = tighterBudget(spec.budget, budget);
  const overBudget = () => runBudgetFailure(`workflow run "${spec.name}"`, run.budget, state.usage, run.budgetStop);
  setHandler(specStateQuery, () => state);
  setHandler(
    replaceStepUpdate,
    ({ path, step }) => {
      const at = locate(tree, path) as NonNullable<ReturnType<typeof locate>>;
      at.parent[at.key] = step;
      state.changes.push({ path, kinds: step.kind });
      refresh();
      return { path };
    },
    {
      validator: (change) => {
        const parsed = schemas().ReplaceStepSchema.safeParse(change);
        if (!parsed.success) throw new Error(`invalid change: ${describeIssues(parsed.error)}`);
        if (!locate(tree, parsed.data.path)) throw new Error(`no step at ${parsed.data.path}`);
        if (run.hasStarted(parsed.data.path)) throw new Error(`${parsed.data.path} has already started; only steps that have not started can be replaced`);
        const unknown = agentsOf(parsed.data.step).filter((name) => !Object.hasOwn(spec.agents, name));
        if (unknown.length) throw new Error(`the new step uses agents the spec does not have: ${unknown.join(', ')}`);
      },
      description: 'Replace a part of the running spec that has not started yet',
    },
  );
  attributes.nameTopLevel(spec.name);
  refresh();
  // A generated spec (a child run) is named by a model: its name stays out of the labels.
  const pattern = workflowInfo().parent ? 'spec' : spec.name;
  runStarted(pattern);
  try {
    let result: StepOutput;
    try {
      // Reads tree.root lazily so a replaced root (before it starts) is honoured.
      result = await runStep(run, tree.root, text, 'root');
    } catch (err) {
      // A step that failed because the budget ran out fails the run with the budget's total.
      throw (!isCancellation(err) && overBudget()) || err;
    }
    const over = overBudget();
    if (over) throw over;
    state.status = 'completed';
    attributes.finished('completed');
    runFinished(pattern, 'completed');
    if (!allHandlersFinished()) await condition(allHandlersFinished);
    return { ...result, usage: state.usage, steps: state.steps };
  } catch (err) {
    state.status = isCancellation(err) ? 'cancelled' : 'failed';
    state.error = rootMessage(err);
    attributes.finished(state.status);
    runFinished(pattern, state.status);
    throw err;
  } finally {
    refresh();
  }
}
