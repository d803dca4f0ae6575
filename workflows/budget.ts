/**
 * Run-wide budgets in workflows: reading a child's usage from its budget failure, and failing a
 * run that went over its budget with the total. Runs in the workflow sandbox.
 */
import { ApplicationFailure } from '@temporalio/workflow';
import type { Usage } from '../core';
import { FailureType } from '../core/failures';
import { overBudget, type RunBudget } from '../core/run-budget';

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
    ? `${what} ${over} (total ${total}, ${usage.modelCalls} model calls)${stopped ?? ''}`
    : `${what} spent its run-wide budget of ${limits} (total ${total})${stopped ?? ''}`;
  return ApplicationFailure.create({ type: FailureType.BudgetExceeded, message, nonRetryable: true, details: [{ usage }] });
}
