/**
 * The declarative workflow spec: patterns composed as data (YAML or JSON), validated with
 * zod so errors name the bad path. Built-in pattern workflows are specs too, and a planner
 * agent can emit one at run time. Runs in the sandbox.
 */
import { z } from 'zod';
import { AgentSpecSchema, ApprovalPolicySchema, agentNamePattern, notReserved, type ApprovalPolicy } from './agent-spec';
import { DurationSchema } from './durations';
import { ToolSpecSchema } from './tool-spec';
import { ToolPlanSchema, type ToolPlan } from './tool-plan';
import { stepTreeLimitIssue } from './spec-limits';
import { RunBudgetSchema } from './run-budget-schema';

const AgentName = notReserved(z.string().regex(agentNamePattern, 'expected an agent name'));
/** A step's input: a template where {{input}} is the incoming text, {{steps.<as>.output}} an earlier step's. */
const Template = z.string().min(1);
const FailurePolicy = z.enum(['fail-fast', 'continue']).default('fail-fast');
/** Branches or items run at once (default 50); capped below the server's 2,000 pending child runs. */
const Concurrency = z.number().int().positive().max(1000, 'at most 1000: the Temporal server allows 2,000 pending child runs per run').optional();

export type Step =
  | { kind: 'agent'; agent: string; input?: string; as?: string }
  | { kind: 'sequence'; steps: Step[]; as?: string }
  | { kind: 'parallel'; branches: Step[]; concurrency?: number; onFailure: 'fail-fast' | 'continue'; aggregate?: Step; as?: string }
  | { kind: 'map'; over: string; agent?: string; concurrency?: number; maxItems?: number; onFailure: 'fail-fast' | 'continue'; aggregate?: Step; as?: string }
  | { kind: 'route'; classifier?: string; field?: string; routes: Record<string, Step>; default?: Step; onUnknown: 'default' | 'fail'; as?: string }
  | { kind: 'loop'; generator: string; evaluator: string; maxIterations: number; as?: string }
  | { kind: 'approval'; message: string; timeout?: string | number; onTimeout: 'reject' | 'approve'; as?: string }
  | { kind: 'generate'; planner: string; allow?: GenerateAllowance; as?: string }
  | { kind: 'tools'; plan: ToolPlan; onFailure: 'fail' | 'continue'; approval?: ApprovalPolicy; as?: string };

/**
 * What a generated workflow may use: the operator's allowance for a planner's untrusted
 * output. `agents` unset means every agent of the spec; `tools` (tool-plan steps) none.
 */
export interface GenerateAllowance {
  agents?: string[];
  tools: string[];
}

const GenerateAllowanceSchema = z
  .object({
    /** Agents the generated steps may name (default: every agent of the spec). */
    agents: z.array(AgentName).optional(),
    /** Tools its tool-plan steps may call, `<server>__<tool>` for MCP tools (default: none). */
    tools: z.array(z.string().min(1)).default([]),
  })
  .strict();

const as = z.string().regex(/^[a-zA-Z][\w-]*$/, 'expected a name of letters, digits, "_" or "-"').optional();

const StepTreeSchema: z.ZodType<Step> = z.lazy(() =>
  z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('agent'), agent: AgentName, input: Template.optional(), as }).strict(),
    z.object({ kind: z.literal('sequence'), steps: z.array(StepTreeSchema).min(1), as }).strict(),
    z.object({ kind: z.literal('parallel'), branches: z.array(StepTreeSchema).min(1), concurrency: Concurrency, onFailure: FailurePolicy, aggregate: StepTreeSchema.optional(), as }).strict(),
    z.object({
      kind: z.literal('map'),
      /** Where the items are: `steps.<as>.structured.<field>` (a list of strings or of { agent?, input }). */
      over: z.string().regex(/^steps\.[\w-]+\.structured(\.[\w-]+)*$/, 'expected steps.<as>.structured.<field>'),
      /** The agent for every item; otherwise each item names its own. */
      agent: AgentName.optional(),
      concurrency: Concurrency,
      /** Items a map runs at most (default 2,000, at most 10,000: each item adds about 4 events to the parent's history); a longer list fails the step with BatonLimitExceeded. */
      maxItems: z.number().int().positive().max(10_000).optional(),
      onFailure: FailurePolicy,
      aggregate: StepTreeSchema.optional(),
      as,
    }).strict(),
    z.object({
      kind: z.literal('route'),
      /** An agent that picks a route; its answer must be {"route": "<name>"}. */
      classifier: AgentName.optional(),
      /** Or a rule: the value at this dot path of the incoming input (parsed as JSON) names the route. */
      field: z.string().min(1).optional(),
      routes: z.record(notReserved(z.string().min(1)), StepTreeSchema),
      default: StepTreeSchema.optional(),
      onUnknown: z.enum(['default', 'fail']).default('fail'),
      as,
    }).strict().refine((r) => Boolean(r.classifier) !== Boolean(r.field), { message: 'a route needs exactly one of classifier or field' }),
    z.object({ kind: z.literal('loop'), generator: AgentName, evaluator: AgentName, maxIterations: z.number().int().positive().max(50).default(3), as }).strict(),
    z.object({ kind: z.literal('approval'), message: z.string().min(1), timeout: DurationSchema.optional(), onTimeout: z.enum(['reject', 'approve']).default('reject'), as }).strict(),
    z.object({ kind: z.literal('generate'), planner: AgentName, allow: GenerateAllowanceSchema.optional(), as }).strict(),
    z.object({
      kind: z.literal('tools'),
      plan: ToolPlanSchema,
      onFailure: z.enum(['fail', 'continue']).default('fail'),
      /** Which plan steps wait for a person (default: risk high and up); only an operator's spec may set it. */
      approval: ApprovalPolicySchema.optional(),
      as,
    }).strict(),
  ]),
) as z.ZodType<Step>;

/** A step tree; one deeper or bigger than `specLimits` is refused before zod recurses into it. */
export const StepSchema: z.ZodType<Step> = z
  .unknown()
  .superRefine((raw, ctx) => {
    const issue = stepTreeLimitIssue(raw);
    if (issue) ctx.addIssue({ code: 'custom', ...issue });
  })
  .pipe(StepTreeSchema) as z.ZodType<Step>;

/** A whole workflow: its steps, and the specs of every agent and tool they use. */
export const WorkflowSpecSchema = z
  .object({
    name: z.string().regex(/^[a-zA-Z][\w-]{0,63}$/, 'expected a name of letters, digits, "_" or "-"'),
    description: z.string().default(''),
    steps: StepSchema,
    /** Agents defined in the spec itself, keyed by name (the key is the name). */
    agents: z
      .record(AgentName, AgentSpecSchema.extend({ name: AgentName.optional() }))
      .default({})
      .transform((agents) => Object.fromEntries(Object.entries(agents).map(([name, agent]) => [name, { ...agent, name }]))),
    tools: z.array(ToolSpecSchema).default([]),
    /** Run-wide limits on tokens and cost, across every child run; each child gets what remains. */
    budget: RunBudgetSchema.optional(),
  })
  .strict();
export type WorkflowSpec = z.output<typeof WorkflowSpecSchema>;
