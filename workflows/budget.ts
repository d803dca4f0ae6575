/**
 * Run-wide budgets and child usage in workflows: one way for every parent (spec steps,
 * generated workflows, agents a supervisor asks) to start a child under what remains of its
 * budget and count the child's usage; and the failure of a run that went over its budget.
 * Runs in the workflow sandbox.
 */
import { ApplicationFailure } from '@temporalio/workflow';
import type { Usage } from '../core';
import { FailureType } from '../core/failures';
import { addUsage } from '../core/usage';
import { overBudget, remainingBudget, type RunBudget } from '../core/run-budget';

/** The usage a child run stopped by its budget reported in its failure's details, if `err` is one. */
export function usageOfBudgetFailure(err: unknown): Usage | undefined {
  for (let at: unknown = err; at instanceof Error; at = (at as Error & { cause?: unknown }).cause) {
    if (at instanceof ApplicationFailure && at.type === FailureType.BudgetExceeded) {
      const details = at.details?.[0] as { usage?: Usage } | undefined;
      return details?.usage;
    }
  }
  return undefined;
}

/** Where a parent keeps its usage: the run's state, which its `state` query and result report. */
export interface UsageTally {
  usage: Usage;
}

/**
 * Runs one child run for a parent: `start` gets what remains of the parent's run-wide budget
 * (undefined without one), and the child's usage is added to the parent's when it completes, or
 * when it fails on its budget (its failure carries its usage). `count: false` only for runs
 * recorded before child usage counted without a budget (see the callers' patches).
 */
export async function runCountedChild<R extends { usage: Usage }>(tally: UsageTally, budget: RunBudget | undefined, start: (remaining: RunBudget | undefined) => Promise<R>, count = true): Promise<R> {
  let result: R;
  try {
    result = await start(budget && remainingBudget(budget, tally.usage));
  } catch (err) {
    const used = (count || budget) && usageOfBudgetFailure(err);
    if (used) tally.usage = addUsage(tally.usage, used);
    throw err;
  }
  if (count || budget) tally.usage = addUsage(tally.usage, result.usage);
  return result;
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
