/**
 * The running state of one declarative workflow: step progress, named outputs, usage,
 * approvals, and how agent steps become child runs. Runs in the workflow sandbox.
 */
import { executeChild, isCancellation, ParentClosePolicy, workflowInfo } from '@temporalio/workflow';
import { validatedRunInput } from '../../core/run-input';
import { compactRunAgents } from '../../core/agent-defaults';
import type { AgentRunResult, AgentSpec, SpecRunState, StepOutput, StepState, WorkflowSpec } from '../../core';
import { FailureType } from '../../core/failures';
import { budgetSpent, type RunBudget } from '../../core/run-budget';
import { childBudget, countChild, countFailedChild } from '../budget';
import { specHash } from '../../core/hash';
import type { Allowance } from '../../core/steps';
import { agentWorkflow } from '../agent-workflow';
import { ApprovalDesk } from '../approvals';
import type { RunAttributes } from '../search-attributes';
import { fail, rootMessage } from '../failures';

const preview = (text: string) => (text.length > 200 ? `${text.slice(0, 199)}…` : text);

export class SpecRun {
  /** Outputs of steps that have an `as` name, for templates and `map`. */
  readonly named = new Map<string, StepOutput>();
  readonly desk: ApprovalDesk;
  /** The run-wide budget, when the spec or the caller set one: children get what remains. */
  budget?: RunBudget;
  /** The first step not started because the budget was spent, and how many were not. */
  budgetStop?: { path: string; steps: number };
  /**
   * Fan-outs running more than one branch at once right now. At 0 a step is the only work in the
   * run, so it may resume its caller after fewer promise steps (`FanOutOptions.alone`): with nothing
   * concurrent, that cannot reorder the commands recorded histories hold.
   */
  concurrentFanOuts = 0;

  constructor(
    readonly spec: WorkflowSpec,
    readonly state: SpecRunState,
    private readonly onChange: () => void,
    attributes: RunAttributes,
    /** Set when this run's steps were generated: the only agents and tools they may use. */
    readonly allow?: Allowance,
  ) {
    this.desk = new ApprovalDesk(state, onChange, 'running', attributes);
  }

  /** Records that a step started; returns its live state object. */
  begin(path: string, kind: StepState['kind'], extra: Partial<StepState> = {}): StepState {
    const step: StepState = { path, kind, status: 'running', ...extra };
    this.state.steps.push(step);
    this.onChange();
    return step;
  }

  end(step: StepState, result: StepOutput | Error): void {
    if (result instanceof Error) Object.assign(step, { status: isCancellation(result) ? 'cancelled' : 'failed', error: rootMessage(result) });
    else Object.assign(step, { status: 'completed', output: preview(result.output) });
    this.onChange();
  }

  /** True when the step at `path` (or one inside it) has started: it can no longer be replaced. */
  hasStarted(path: string): boolean {
    return this.state.steps.some((s) => s.path === path || s.path.startsWith(`${path}.`));
  }

  agent(name: string): AgentSpec {
    // Names come from model output too (map items): own entries only, never a built-in like `constructor`.
    return (Object.hasOwn(this.spec.agents, name) ? this.spec.agents[name] : undefined) ?? fail(FailureType.InvalidInput, `the workflow spec has no agent "${name}" (agents: ${Object.keys(this.spec.agents).join(', ')})`);
  }

  /**
   * Fails unless this run may start agent `name` at `path`: it must be the spec's own, and in
   * a generated run also in the allowance. Names from model output (map items) come here.
   */
  checkAgent(name: string, path: string): void {
    if (this.allow && !this.allow.agents.includes(name)) fail(FailureType.NotAllowed, `${path}: agent "${name}" is not allowed (allowed agents: ${this.allow.agents.join(', ') || 'none'}); this run's steps were generated, and its generate step's allow.agents lists what they may use`);
    this.agent(name);
  }

  /** Fills {{input}} and {{steps.<as>.output}} in a step's input template. */
  render(template: string | undefined, input: string): string {
    if (template === undefined) return input;
    return template.replace(/\{\{\s*([\w.-]+)\s*\}\}/g, (_, ref: string) => {
      if (ref === 'input') return input;
      const match = /^steps\.([\w-]+)\.output$/.exec(ref);
      const named = match ? this.named.get(match[1] as string) : undefined;
      return named ? named.output : fail(FailureType.InvalidInput, `template refers to {{${ref}}}, which no earlier step produced`);
    });
  }

  /**
   * Runs one agent as a child workflow (its own history, cancelled with this run). Not an async
   * function: the child's outcome is taken in one `then`, which resumes the caller after the same
   * promise steps as an `await` with a promise fewer (the SDK records a stack trace for each); a
   * failure before the child starts rejects, as an async function's throw would.
   */
  runAgent(name: string, input: string, path: string, overrides: Partial<AgentSpec> = {}): Promise<StepOutput> {
    let started: ReturnType<SpecRun['startAgent']>;
    try {
      started = this.startAgent(name, input, path, overrides);
    } catch (err) {
      return Promise.reject(err);
    }
    const { step, budget, child } = started;
    return child.then(
      (result) => {
        countChild(this.state, result, budget);
        const output = { output: result.output, structured: result.structuredOutput };
        this.end(step, output);
        return output;
      },
      (err: unknown) => {
        countFailedChild(this.state, err, budget);
        this.end(step, err as Error);
        throw err;
      },
    );
  }

  /** Checks and records an agent step and starts its child run; throws what stops it from starting. */
  private startAgent(name: string, input: string, path: string, overrides: Partial<AgentSpec>) {
    this.checkAgent(name, path);
    const budget = this.budget;
    if (budget && budgetSpent(budget, this.state.usage)) {
      this.budgetStop = { path: this.budgetStop?.path ?? path, steps: (this.budgetStop?.steps ?? 0) + 1 };
      fail(FailureType.BudgetExceeded, `${path} was not started: the run has spent its run-wide budget`);
    }
    const parts = Object.keys(overrides).length ? this.childParts(name, overrides) : this.plainParts.get(name) ?? this.remember(name);
    const info = workflowInfo();
    const step = this.begin(path, 'agent', { agent: name, childWorkflowId: `${info.workflowId}/${path}` });
    try {
      // The child hands back its answer and usage, not its transcript (that stays in its own history).
      const remaining = childBudget(this.state, budget);
      const child: Promise<AgentRunResult> = executeChild(agentWorkflow, {
        args: [validatedRunInput({ ...parts.sent, tools: parts.tools, specHash: parts.specHash, input, omitMessages: true, ...(remaining ? { budget: remaining } : {}) })],
        workflowId: step.childWorkflowId,
        parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,
        staticSummary: `agent ${name} · step ${path} of ${this.spec.name}`,
      });
      return { step, budget, child };
    } catch (err) {
      countFailedChild(this.state, err, budget);
      this.end(step, err as Error);
      throw err;
    }
  }

  /**
   * What a child run of agent `name` gets besides its input, with the spec hash it would compute;
   * `sent` is how its agents travel: without the fields at their defaults (the child fills them in).
   */
  private childParts(name: string, overrides: Partial<AgentSpec> = {}) {
    const agent = { ...this.agent(name), ...overrides };
    const team = this.teamOf(agent);
    const toolNames = new Set([agent, ...team].flatMap((a) => a.tools));
    const tools = this.spec.tools.filter((t) => toolNames.has(t.name));
    const sent = compactRunAgents(agent, team);
    return { agent, team, tools, specHash: specHash({ agent, tools, team }), sent };
  }

  /** Parts per agent without overrides: a fan-out of 200 of one agent builds them once. */
  private readonly plainParts = new Map<string, ReturnType<SpecRun['childParts']>>();

  private remember(name: string): ReturnType<SpecRun['childParts']> {
    const parts = this.childParts(name);
    this.plainParts.set(name, parts);
    return parts;
  }

  private teamOf(agent: AgentSpec): AgentSpec[] {
    const seen = new Map([[agent.name, agent]]);
    const queue = [...agent.handoffs, ...agent.agentTools];
    while (queue.length) {
      const name = queue.shift() as string;
      if (seen.has(name)) continue;
      const spec = this.agent(name);
      seen.set(name, spec);
      queue.push(...spec.handoffs, ...spec.agentTools);
    }
    seen.delete(agent.name);
    return [...seen.values()];
  }
}
