/** The schema of a run-wide budget; apart from ./run-budget so the workflow path stays zod-free. */
import { z } from 'zod';

/** A run's total budget; a parent passes each child run what remains of it. */
export const RunBudgetSchema = z
  .object({
    /** Input + output tokens of the whole run, child runs included. */
    maxTotalTokens: z.number().int().positive().optional(),
    /** Cost of the whole run in US dollars, child runs included (needs provider prices). */
    maxCostUsd: z.number().positive().optional(),
  })
  .strict();
