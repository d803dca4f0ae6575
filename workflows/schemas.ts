/**
 * Every zod schema workflows validate with, in one module that workflows load only when
 * they must validate (see `schemas()` in ./lazy-schemas). The reusable V8 context gives
 * each workflow execution its own module cache, so a module imported at the top of a
 * workflow file is evaluated again for every execution; zod and these schemas cost about
 * 14 ms of CPU per execution, which a fan-out of N children would pay N times. Inputs
 * built by Baton's client or by a parent workflow are validated already (`validated: true`)
 * and skip this module. Runs in the workflow sandbox.
 */
import { z } from 'zod';
import { AgentRunInputSchema, AgentSpecSchema, RunBudgetSchema, StepSchema, ToolPlanSchema, ToolSpecSchema, UsageSchema, WorkflowSpecSchema } from '../core';

export { AgentRunInputSchema, StepSchema, ToolPlanSchema };

export const SessionInputSchema = z
  .object({
    agent: AgentSpecSchema,
    team: z.array(AgentSpecSchema).default([]),
    tools: z.array(ToolSpecSchema).default([]),
    /** Carried across continue-as-new: the conversation so far, turns and usage. */
    conversationRef: z.string().optional(),
    turns: z.number().int().nonnegative().default(0),
    usage: UsageSchema.optional(),
    /** Turns per run before continuing as new (Updates are capped per history). */
    maxTurnsPerRun: z.number().int().positive().max(1000).default(100),
    /** Set by Baton's client and by the session itself after validating. */
    validated: z.literal(true).optional(),
  })
  .strict();

export const SpecRunInputSchema = z
  .object({
    spec: WorkflowSpecSchema,
    input: z.string(),
    /** Set on a generated workflow's run: the agents and tools its steps may use (see `generate.allow`). */
    allow: z.object({ agents: z.array(z.string()), tools: z.array(z.string()) }).strict().optional(),
    /** Run-wide limits from the caller (`baton run --max-tokens`), or what a parent run has left; the tighter of this and the spec's `budget` holds. */
    budget: RunBudgetSchema.optional(),
    validated: z.literal(true).optional(),
  })
  .strict();

export const ReplaceStepSchema = z.object({ path: z.string().regex(/^root(\.[\w-]+(\[\d+\])?)*$/, 'expected a path like root.steps[2]'), step: StepSchema }).strict();

export const ApprovalDecisionSchema = z
  .object({
    approvalId: z.string().min(1),
    approve: z.boolean(),
    reason: z.string().max(2000).optional(),
    /** Who decides (the CLI sends the OS user or `--as`), recorded and named to later deciders. */
    by: z.string().min(1).max(200).optional(),
  })
  .strict();
