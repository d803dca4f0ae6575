/**
 * Run-wide budgets: limits on the tokens and cost of a whole run, its child runs included.
 * Runs in the sandbox, on every run's path: zod-free (the schema is in ./run-budget-schema).
 */
import type { z } from 'zod';
import type { Usage } from './messages';
import type { RunBudgetSchema } from './run-budget-schema';

/** A run's total budget; a parent passes each child run what remains of it. */
export type RunBudget = z.output<typeof RunBudgetSchema>;

const tokensOf = (usage: Usage) => usage.inputTokens + usage.outputTokens;
const lower = (a: number | undefined, b: number | undefined) => (a === undefined ? b : b === undefined ? a : Math.min(a, b));

/** The tighter of two budgets, limit by limit (either may be unset). */
export function tighterBudget(a: RunBudget | undefined, b: RunBudget | undefined): RunBudget | undefined {
  if (!a || !b) return a ?? b;
  const maxTotalTokens = lower(a.maxTotalTokens, b.maxTotalTokens);
  const maxCostUsd = lower(a.maxCostUsd, b.maxCostUsd);
  return { ...(maxTotalTokens !== undefined ? { maxTotalTokens } : {}), ...(maxCostUsd !== undefined ? { maxCostUsd } : {}) };
}

/** What is left of `budget` after `used`; a limit with nothing left is reported as spent instead. */
export function remainingBudget(budget: RunBudget, used: Usage): RunBudget {
  return {
    ...(budget.maxTotalTokens !== undefined ? { maxTotalTokens: Math.max(1, budget.maxTotalTokens - tokensOf(used)) } : {}),
    ...(budget.maxCostUsd !== undefined ? { maxCostUsd: Math.max(Number.MIN_VALUE, budget.maxCostUsd - used.costUsd) } : {}),
  };
}

/** True when nothing is left: no further child run may start. */
export function budgetSpent(budget: RunBudget, used: Usage): boolean {
  return (budget.maxTotalTokens !== undefined && tokensOf(used) >= budget.maxTotalTokens) || (budget.maxCostUsd !== undefined && used.costUsd >= budget.maxCostUsd);
}

/** Which limit of a run-wide budget a run passed, and how to say so (`used 470 tokens, over …`). */
export interface BudgetOverrun {
  limit: 'tokens' | 'cost';
  message: string;
}

/** Why `used` is over `budget`, naming the limit, the total and the budget; undefined while within it. */
export function overBudget(budget: RunBudget, used: Usage): BudgetOverrun | undefined {
  if (budget.maxTotalTokens !== undefined && tokensOf(used) > budget.maxTotalTokens) return { limit: 'tokens', message: `used ${tokensOf(used)} tokens, over its run-wide budget of ${budget.maxTotalTokens} tokens` };
  if (budget.maxCostUsd !== undefined && used.costUsd > budget.maxCostUsd) return { limit: 'cost', message: `cost $${used.costUsd.toFixed(4)}, over its run-wide budget of $${budget.maxCostUsd}` };
  return undefined;
}
