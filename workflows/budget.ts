/**
 * Run-wide budgets and child usage in workflows: one way for every parent (spec steps,
 * generated workflows, agents a supervisor asks) to give a child what remains of its budget
 * and count the child's usage; and the failure of a run that went over its budget.
 * Runs in the workflow sandbox.
 */
import { ApplicationFailure, patched } from '@temporalio/workflow';
import type { Usage } from '../core';
import { FailureType } from '../core/failures';
import { addUsage } from '../core/usage';
import { overBudget, remainingBudget, type RunBudget } from '../core/run-budget';

/** The usage a failed child run reported in its failure's details, and whether it failed on its budget. */
export function usageOfFailure(err: unknown): { usage: Usage; budget: boolean } | undefined {
  for (let at: unknown = err; at instanceof Error; at = (at as Error & { cause?: unknown }).cause) {
    if (at instanceof ApplicationFailure) {
      const usage = (at.details?.[0] as { usage?: Usage } | undefined)?.usage;
      if (usage) return { usage, budget: at.type === FailureType.BudgetExceeded };
    }
  }
  return undefined;
}

/**
 * A run's own typed failure (max turns, a model misbehaving, a tool with `onError: fail`) with
 * the run's usage in its details, so a parent can count what a failed child used. Failures that
 * carry details already, and Temporal's own (an activity out of retries), pass unchanged.
 */
export function withUsage(err: unknown, usage: Usage): unknown {
  if (!(err instanceof ApplicationFailure) || err.details?.length) return err;
  const failure = ApplicationFailure.create({ type: err.type ?? undefined, message: err.message, nonRetryable: err.nonRetryable ?? undefined, details: [{ usage }], cause: err.cause });
  // The stack where the run failed, not this copy's, is what the Web UI should show.
  failure.stack = err.stack;
  return failure;
}

/** Where a parent keeps its usage: the run's state, which its `state` query and result report. */
export interface UsageTally {
  usage: Usage;
}

/*
 * Child runs, as every parent (spec steps, generated workflows, agents a supervisor asks) starts
 * them: `childBudget` is what the child gets of the parent's run-wide budget; `countChild` and
 * `countFailedChild` add its usage to the parent's, from its result, or from a failure that
 * carries it (on its budget, or a typed failure of its own). Synchronous on purpose: the caller
 * awaits the child itself, so a completion resumes the parent after as many promise steps as
 * before these helpers, and a replayed fan-out resumes its branches in the recorded order.
 * `count: false` only for runs recorded before child usage counted without a budget (see the
 * callers' patches).
 */

/** What remains of the parent's run-wide budget for a child it starts now; undefined without one. */
export function childBudget(tally: UsageTally, budget: RunBudget | undefined): RunBudget | undefined {
  return budget && remainingBudget(budget, tally.usage);
}

/** Adds a completed child's usage to its parent's. */
export function countChild(tally: UsageTally, result: { usage: Usage }, budget: RunBudget | undefined, count = true): void {
  if (count || budget) tally.usage = addUsage(tally.usage, result.usage);
}

/** Adds what a failed child used, when its failure carries it, to its parent's usage. */
export function countFailedChild(tally: UsageTally, err: unknown, budget: RunBudget | undefined, count = true): void {
  const failed = (count || budget) && usageOfFailure(err);
  // Patched: usage on other failures than the budget's is new; runs recorded before did not count it.
  if (failed && (failed.budget || patched('baton-failed-child-usage'))) tally.usage = addUsage(tally.usage, failed.usage);
}

/**
 * The failure of a run that spent its budget: BatonBudgetExceeded naming the total and the
 * limit, the run's usage in its details; undefined when the run is within its budget and no
 * step was refused for it.
 */
export function runBudgetFailure(what: string, budget: RunBudget | undefined, usage: Usage, refused: { path: string; steps: number } | undefined): ApplicationFailure | undefined {
  if (!budget) return undefined;
  const over = overBudget(budget, usage);
  if (!over && refused === undefined) return undefined;
  const stopped = refused && `; stopped before ${refused.path}${refused.steps > 1 ? ` (${refused.steps} steps not started)` : ''}`;
  const limits = [budget.maxTotalTokens !== undefined ? `${budget.maxTotalTokens} tokens` : '', budget.maxCostUsd !== undefined ? `$${budget.maxCostUsd}` : ''].filter(Boolean).join(' and ');
  const total = `${usage.inputTokens + usage.outputTokens} tokens, $${usage.costUsd.toFixed(4)}`;
  const message = over
    ? `${what} ${over.message} (total ${total}, ${usage.modelCalls} model calls)${stopped ?? ''}`
    : `${what} spent its run-wide budget of ${limits} (total ${total})${stopped ?? ''}`;
  return ApplicationFailure.create({ type: FailureType.BudgetExceeded, message, nonRetryable: true, details: [{ usage }] });
}
