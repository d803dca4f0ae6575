/** One tool call of the agent loop: approval if the policy asks, then the tool activity. Sandbox-safe. */
import { isCancellation } from '@temporalio/workflow';
import { FailureType, type AgentSpec, type ToolCall, type ToolMessage, type ToolSpec } from '../core';
import { activities, toolCallOptions } from './activity-options';
import { needsApproval, type ApprovalDesk } from './approvals';
import { fail, rootMessage } from './failures';

export interface ToolStepContext {
  agent: AgentSpec;
  /** The tools this agent may call, by name. */
  tools: ReadonlyMap<string, ToolSpec>;
  desk: ApprovalDesk;
  turn: number;
  /** Stored-conversation runs keep results over this size in the content store. */
  storeResultsOver?: number;
  workflowId: string;
  runId: string;
}

export function toolMessage(call: ToolCall, content: string, isError: boolean, contentRef?: string): ToolMessage {
  return { role: 'tool', toolCallId: call.id, name: call.name, content, isError, ...(contentRef ? { contentRef } : {}) };
}

/** Runs one tool call; every outcome the model can act on comes back as a tool message. */
export async function runToolCall(call: ToolCall, ctx: ToolStepContext): Promise<ToolMessage> {
  const { agent } = ctx;
  const spec = ctx.tools.get(call.name);
  if (!spec) return toolMessage(call, `Unknown tool "${call.name}". Available tools: ${[...ctx.tools.keys()].join(', ') || 'none'}.`, true);
  if (needsApproval(agent.approval, spec)) {
    const record = await ctx.desk.request({ agent: agent.name, tool: call.name, arguments: call.arguments, risk: spec.risk, turn: ctx.turn }, agent.approval);
    if (record.decision === 'rejected') {
      return toolMessage(call, `The call to ${call.name} was rejected by a reviewer${record.reason ? `: ${record.reason}` : ''}.`, true);
    }
  }
  try {
    const result = await activities.runTool.executeWithOptions(
      { ...toolCallOptions(spec, agent), summary: `tool ${call.name} · ${agent.name} · turn ${ctx.turn}` },
      [{ tool: call.name, callId: call.id, arguments: call.arguments, agent: agent.name, idempotencyKey: `${ctx.workflowId}/${ctx.runId}/${call.id}`, storeResultsOver: ctx.storeResultsOver }],
    );
    return toolMessage(call, result.content, result.isError, result.contentRef);
  } catch (err) {
    if (isCancellation(err)) throw err;
    if (spec.onError === 'fail') fail(FailureType.ToolFailed, `tool "${call.name}" failed after its retries: ${rootMessage(err)}`);
    return toolMessage(call, `Tool "${call.name}" failed: ${rootMessage(err)}`, true);
  }
}
