/**
 * The agent loop: model step → tool steps (in parallel when the model asks for several)
 * → repeat, until a final answer, the turn limit, a budget, or cancellation. Patterns
 * build on this function. Runs in the workflow sandbox.
 */
import { isCancellation } from '@temporalio/workflow';
import {
  FailureType,
  addUsage,
  toToolDefinition,
  type AgentRunResult,
  type AgentRunState,
  type Message,
  type ModelResponse,
  type ParsedAgentRunInput,
  type ToolCall,
  type ToolMessage,
  type ToolSpec,
} from '../core';
import { activities, modelCallOptions, toolCallOptions } from './activity-options';
import { fail, rootMessage } from './failures';

/** Identifies the run, so tool calls get idempotency keys stable across retries. */
export interface LoopContext {
  workflowId: string;
  runId: string;
  /** Called whenever the state changes (e.g. to refresh the Web UI's current details). */
  onStateChange?(state: AgentRunState): void;
}

function initialMessages(input: ParsedAgentRunInput['input']): Message[] {
  return typeof input === 'string' ? [{ role: 'user', content: input }] : [...input];
}

function resolveTools(run: ParsedAgentRunInput): Map<string, ToolSpec> {
  const byName = new Map(run.tools.map((tool) => [tool.name, tool]));
  const missing = run.agent.tools.filter((name) => !byName.has(name));
  if (missing.length) {
    fail(FailureType.InvalidInput, `agent "${run.agent.name}" names tools with no spec in the run input: ${missing.join(', ')}`);
  }
  return new Map(run.agent.tools.map((name) => [name, byName.get(name) as ToolSpec]));
}

function checkBudget(run: ParsedAgentRunInput, state: AgentRunState): void {
  const { maxTotalTokens, maxCostUsd } = run.agent.limits;
  const tokens = state.usage.inputTokens + state.usage.outputTokens;
  if (maxTotalTokens !== undefined && tokens > maxTotalTokens) {
    fail(FailureType.BudgetExceeded, `agent "${run.agent.name}" used ${tokens} tokens, over its budget of ${maxTotalTokens}`);
  }
  if (maxCostUsd !== undefined && state.usage.costUsd > maxCostUsd) {
    fail(FailureType.BudgetExceeded, `agent "${run.agent.name}" cost $${state.usage.costUsd.toFixed(4)}, over its budget of $${maxCostUsd}`);
  }
}

async function runToolCall(
  call: ToolCall,
  tools: Map<string, ToolSpec>,
  run: ParsedAgentRunInput,
  turn: number,
  ctx: LoopContext,
): Promise<ToolMessage> {
  const reply = (content: string, isError: boolean): ToolMessage => ({ role: 'tool', toolCallId: call.id, name: call.name, content, isError });
  const spec = tools.get(call.name);
  if (!spec) {
    return reply(`Unknown tool "${call.name}". Available tools: ${[...tools.keys()].join(', ') || 'none'}.`, true);
  }
  try {
    const result = await activities.runTool.executeWithOptions(
      { ...toolCallOptions(spec, run.agent), summary: `tool ${call.name} · ${run.agent.name} · turn ${turn}` },
      [{ tool: call.name, callId: call.id, arguments: call.arguments, agent: run.agent.name, idempotencyKey: `${ctx.workflowId}/${ctx.runId}/${call.id}` }],
    );
    return reply(result.content, result.isError);
  } catch (err) {
    if (isCancellation(err)) throw err;
    if (spec.onError === 'fail') fail(FailureType.ToolFailed, `tool "${call.name}" failed after its retries: ${rootMessage(err)}`);
    return reply(`Tool "${call.name}" failed: ${rootMessage(err)}`, true);
  }
}

/** Runs one agent to its final answer, updating `state` as it goes. */
export async function runAgentLoop(run: ParsedAgentRunInput, state: AgentRunState, ctx: LoopContext): Promise<AgentRunResult> {
  const { agent } = run;
  const tools = resolveTools(run);
  const toolDefinitions = [...tools.values()].map(toToolDefinition);
  const messages = initialMessages(run.input);
  let outputCorrections = 0;
  const changed = () => ctx.onStateChange?.(state);

  for (let turn = 1; turn <= agent.limits.maxTurns; turn++) {
    Object.assign(state, { turn, status: 'calling_model', lastStep: { kind: 'model', name: `${agent.provider}/${agent.model}`, turn } });
    changed();
    const response: ModelResponse = await activities.callModel.executeWithOptions(
      { ...modelCallOptions(agent), summary: `model ${agent.provider}/${agent.model} · ${agent.name} · turn ${turn}` },
      [{ agent: { ...agent, maxOutputTokens: agent.limits.maxOutputTokens }, messages, tools: toolDefinitions, turn }],
    );
    state.usage = addUsage(state.usage, response.usage);
    messages.push(response.message);
    checkBudget(run, state);

    const calls = response.message.toolCalls;
    if (calls.length > 0) {
      state.status = 'running_tools';
      changed();
      const results = await Promise.all(calls.map((call) => runToolCall(call, tools, run, turn, ctx)));
      state.usage = addUsage(state.usage, { toolCalls: calls.length });
      const last = results[results.length - 1] as ToolMessage;
      state.lastStep = { kind: 'tool', name: last.name, turn, isError: last.isError };
      messages.push(...results);
      continue;
    }

    if (response.outputError !== undefined) {
      if (outputCorrections++ >= 1) {
        fail(FailureType.ModelBehaviour, `agent "${agent.name}" gave a final answer that does not match its output schema twice: ${response.outputError}`);
      }
      messages.push({ role: 'user', content: `Your final answer does not match the required output schema: ${response.outputError}. Reply again with only JSON that matches the schema.` });
      continue;
    }

    return {
      agent: agent.name,
      output: response.message.content,
      structuredOutput: response.output,
      turns: turn,
      usage: state.usage,
      specHash: state.specHash,
      messages,
    };
  }
  return fail(FailureType.MaxTurnsExceeded, `agent "${agent.name}" reached its limit of ${agent.limits.maxTurns} turns without a final answer`);
}
