/**
 * Tool plans: a DAG of tool calls whose arguments may use earlier results through
 * `{{steps.<id>.result}}` or `{{steps.<id>.result.<field>}}`. A plan is checked before
 * anything runs: unique ids, references only to existing steps, and no cycles, with the
 * path of the bad step in every error. Sandbox-safe.
 */
import { z } from 'zod';

export const ToolPlanSchema = z
  .object({
    steps: z
      .array(z.object({ id: z.string().regex(/^[a-zA-Z][\w-]*$/, 'expected an id of letters, digits, "_" or "-"'), tool: z.string().min(1), args: z.record(z.string(), z.unknown()).default({}) }).strict())
      .min(1),
  })
  .strict();
export type ToolPlan = z.output<typeof ToolPlanSchema>;
