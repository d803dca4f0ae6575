/** One tool call of the agent loop: approval if the policy asks, then the tool activity. Sandbox-safe. */
import { executeChild, isCancellation, ParentClosePolicy, patched } from '@temporalio/workflow';
import type { AgentRunResult, AgentRunState, AgentSpec, ToolCall, ToolMessage, ToolResult, ToolSpec } from '../core';
import { FailureType } from '../core/failures';
import { addUsage } from '../core/usage';
import { askPrefix } from './handoffs';
import { runToolActivity } from './activity-options';
import { needsApproval, type ApprovalDesk } from './approvals';
import { fail, rootMessage } from './failures';
import { validatedRunInput } from '../core/run-input';
import type { RunBudget } from '../core/run-budget';
import { childBudget, countChild, countFailedChild } from './budget';
import { toolCallDone } from './telemetry';

export interface ToolStepContext {
  agent: AgentSpec;
  /** The tools this agent may call, by name. */
  tools: ReadonlyMap<string, ToolSpec>;
  /** Every agent of the run, and every tool spec, for agents called as tools. */
  team: ReadonlyMap<string, AgentSpec>;
  allTools: ToolSpec[];
  desk: ApprovalDesk;
  /** The run's state, where tool calls that ran, cache hits and refused calls are recorded. */
  state: Pick<AgentRunState, 'cacheHits' | 'refusedCalls' | 'usage'>;
  turn: number;
  /** The run-wide budget: an asked agent gets what remains, and its usage counts toward it. */
  budget?: RunBudget;
  /** Stored-conversation runs keep results over this size in the content store. */
  storeResultsOver?: number;
  workflowId: string;
  runId: string;
}

export function toolMessage(call: ToolCall, content: string, isError: boolean, contentRef?: string): ToolMessage {
  return { role: 'tool', toolCallId: call.id, name: call.name, content, isError, ...(contentRef ? { contentRef } : {}) };
}

/** A supervisor's `ask_<agent>` call: the other agent runs as a child workflow; its answer is the result. */
async function askAgent(call: ToolCall, target: string, ctx: ToolStepContext): Promise<ToolMessage> {
  const spec = ctx.team.get(target);
  const request = (call.arguments as { request?: unknown } | null)?.request;
  if (!spec || !ctx.agent.agentTools.includes(target)) return toolMessage(call, `Cannot ask "${target}": ${ctx.agent.name} may ask only ${ctx.agent.agentTools.join(', ') || 'no agent'}.`, true);
  if (typeof request !== 'string' || !request.trim()) return toolMessage(call, 'Invalid arguments: request: expected a non-empty string', true);
  const team = [...ctx.team.values()].filter((a) => a.name !== target);
  // An asked agent's usage is part of this run's (patched: runs without a run-wide budget counted it only since).
  const count = ctx.budget !== undefined || patched('baton-asked-usage-counts');
  try {
    const remaining = childBudget(ctx.state, ctx.budget);
    // By name: agent-workflow.ts imports this module, so a value import would be circular.
    const result = await executeChild<(input: unknown) => Promise<AgentRunResult>>('agentWorkflow', {
      args: [validatedRunInput({ agent: spec, team, tools: ctx.allTools, input: request, omitMessages: true, ...(remaining ? { budget: remaining } : {}) })],
      workflowId: `${ctx.workflowId}/ask-${call.id}`,
      parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,
      staticSummary: `agent ${target} · asked by ${ctx.agent.name} · turn ${ctx.turn}`,
    });
    countChild(ctx.state, result, ctx.budget, count);
    return toolMessage(call, result.output, false);
  } catch (err) {
    if (isCancellation(err)) throw err;
    countFailedChild(ctx.state, err, ctx.budget, count);
    return toolMessage(call, `${target} failed: ${rootMessage(err)}`, true);
  }
}

/**
 * A tool call begun: its answer already (an unknown tool, an agent asked, a call that waited for
 * approval) or the activity running it, with how its outcome becomes the tool message. The agent
 * loop awaits the activity itself, so a turn makes no promise of its own around the call (the SDK
 * records a stack trace for every promise a run makes).
 */
export type BegunToolCall =
  | { answer: ToolMessage | Promise<ToolMessage> }
  | { activity: Promise<ToolResult>; settle(result: ToolResult): ToolMessage; failed(err: unknown): ToolMessage };

/** Starts one tool call; every outcome the model can act on comes back as a tool message. */
export function beginToolCall(call: ToolCall, ctx: ToolStepContext): BegunToolCall {
  const { agent } = ctx;
  if (call.name.startsWith(askPrefix) && !ctx.tools.has(call.name)) return { answer: askAgent(call, call.name.slice(askPrefix.length), ctx) };
  const spec = ctx.tools.get(call.name);
  if (!spec) {
    ctx.state.refusedCalls.push({ agent: agent.name, tool: call.name, turn: ctx.turn });
    toolCallDone(agent.name, 'unknown', 'refused');
    return { answer: toolMessage(call, `Unknown tool "${call.name}". Available tools: ${[...ctx.tools.keys()].join(', ') || 'none'}.`, true) };
  }
  if (needsApproval(agent.approval, spec)) return { answer: runApprovedCall(call, spec, ctx) };
  return runActivity(call, spec, ctx);
}

/** Waits for the reviewer's decision, then runs the call if it was approved. */
async function runApprovedCall(call: ToolCall, spec: ToolSpec, ctx: ToolStepContext): Promise<ToolMessage> {
  const { agent } = ctx;
  const record = await ctx.desk.request({ agent: agent.name, tool: call.name, arguments: call.arguments, risk: spec.risk, turn: ctx.turn }, agent.approval);
  if (record.decision === 'rejected') {
    toolCallDone(agent.name, call.name, 'refused');
    return toolMessage(call, `The call to ${call.name} was rejected by a reviewer${record.reason ? `: ${record.reason}` : ''}.`, true);
  }
  return finish(runActivity(call, spec, ctx));
}

/** Schedules the tool activity; `settle` and `failed` turn its outcome into the tool message. */
function runActivity(call: ToolCall, spec: ToolSpec, ctx: ToolStepContext): BegunToolCall {
  const { agent } = ctx;
  // Counted once the tool really runs: calls outside the allowlist and rejected calls are not.
  ctx.state.usage = addUsage(ctx.state.usage, { toolCalls: 1 });
  const activity = runToolActivity(spec, agent, `tool ${call.name} · ${agent.name} · turn ${ctx.turn}`, {
    tool: call.name, callId: call.id, arguments: call.arguments, agent: agent.name, idempotencyKey: `${ctx.workflowId}/${ctx.runId}/${call.id}`, storeResultsOver: ctx.storeResultsOver,
  });
  return {
    activity,
    settle(result) {
      if (result.cached) ctx.state.cacheHits++;
      if (result.errorKind === 'refused') ctx.state.refusedCalls.push({ agent: agent.name, tool: call.name, turn: ctx.turn });
      toolCallDone(agent.name, call.name, result.cached ? 'cached' : result.errorKind === 'refused' ? 'refused' : result.isError ? 'error' : 'ok');
      return toolMessage(call, result.content, result.isError, result.contentRef);
    },
    failed(err) {
      if (isCancellation(err)) throw err;
      toolCallDone(agent.name, call.name, 'failed');
      if (spec.onError === 'fail') fail(FailureType.ToolFailed, `tool "${call.name}" failed after its retries: ${rootMessage(err)}`);
      return toolMessage(call, `Tool "${call.name}" failed: ${rootMessage(err)}`, true);
    },
  };
}

/** The tool message of a begun call, once it has one. */
export async function finish(begun: BegunToolCall): Promise<ToolMessage> {
  if ('answer' in begun) return begun.answer;
  let result: ToolResult;
  try {
    result = await begun.activity;
  } catch (err) {
    return begun.failed(err);
  }
  return begun.settle(result);
}
