/**
 * The agent loop: model step → tool steps (in parallel when the model asks for several)
 * → repeat, until a final answer, the turn limit, a budget, or cancellation. A
 * `transfer_to_<agent>` call hands the conversation to another agent of the team, which
 * carries on in the same loop. Patterns build on this function. Runs in the sandbox.
 */
import { patched } from '@temporalio/workflow';
import type { AgentRunResult, AgentRunState, AgentSpec, Message, ModelResponse, ParsedAgentRunInput, ToolCall, ToolMessage, ToolSpec } from '../core';
import { FailureType } from '../core/failures';
import { addUsage } from '../core/usage';
import { overBudget, type RunBudget } from '../core/run-budget';
import { activities, modelCallOptions } from './activity-options';
import type { ApprovalDesk } from './approvals';
import { fail } from './failures';
import { transferTarget } from './handoffs';
import { Conversation } from './conversation';
import { defaultStoreConversationOver } from '../core/run-input';
import { serversToList, withMcpTools } from './mcp-tools';
import { answerToolSearch, offeredTools, toolSearchName } from './tool-search-step';
import { keepSpecRef, modelCallInput, resendInFull, type ModelSpecRefs } from './model-call-input';
import { beginToolCall, finish, toolMessage } from './tool-steps';
import { budgetStopped, handedOff } from './telemetry';

/** Identifies the run, so tool calls get idempotency keys stable across retries. */
export interface LoopContext {
  workflowId: string;
  runId: string;
  desk: ApprovalDesk;
  /** Called whenever the state changes (e.g. to refresh the Web UI's current details). */
  onStateChange?(state: AgentRunState): void;
  /** Model-call references kept across calls of this function (a session's turns); by default one run's. */
  modelSpecRefs?: ModelSpecRefs;
}

function resolveTeam(run: ParsedAgentRunInput): Map<string, AgentSpec> {
  const team = new Map([run.agent, ...run.team].map((a) => [a.name, a]));
  const toolNames = new Set(run.tools.map((t) => t.name));
  for (const agent of team.values()) {
    const missingTools = agent.tools.filter((name) => !toolNames.has(name));
    if (missingTools.length) fail(FailureType.InvalidInput, `agent "${agent.name}" names tools with no spec in the run input: ${missingTools.join(', ')}`);
    const missingAgents = [...agent.handoffs, ...agent.agentTools].filter((name) => !team.has(name));
    if (missingAgents.length) fail(FailureType.InvalidInput, `agent "${agent.name}" hands off to agents with no spec in the run input: ${missingAgents.join(', ')}`);
  }
  return team;
}

function checkBudget(agent: AgentSpec, state: AgentRunState, budget: RunBudget | undefined): void {
  const { maxTotalTokens, maxCostUsd } = agent.limits;
  const tokens = state.usage.inputTokens + state.usage.outputTokens;
  if (maxTotalTokens !== undefined && tokens > maxTotalTokens) {
    budgetStopped(agent.name, 'tokens');
    fail(FailureType.BudgetExceeded, `agent "${agent.name}" used ${tokens} tokens, over its budget of ${maxTotalTokens}`);
  }
  if (maxCostUsd !== undefined && state.usage.costUsd > maxCostUsd) {
    budgetStopped(agent.name, 'cost');
    fail(FailureType.BudgetExceeded, `agent "${agent.name}" cost $${state.usage.costUsd.toFixed(4)}, over its budget of $${maxCostUsd}`);
  }
  // The run-wide budget (what a parent had left): the usage goes back to the parent in the failure's details.
  const over = budget && overBudget(budget, state.usage);
  if (over) {
    budgetStopped(agent.name, over.limit);
    fail(FailureType.BudgetExceeded, `the run of agent "${agent.name}" ${over.message}`, { usage: state.usage });
  }
}

/** Answers transfer calls: the first allowed one wins; the rest get errors the model can read. */
function decideTransfers(calls: ToolCall[], agent: AgentSpec, handoffsLeft: number): { target?: string; replies: Map<string, ToolMessage> } {
  let target: string | undefined;
  const replies = new Map<string, ToolMessage>();
  for (const call of calls) {
    const name = transferTarget(call.name) as string;
    let reply: string;
    if (!agent.handoffs.includes(name)) reply = `Cannot transfer to "${name}": ${agent.name} may hand off only to ${agent.handoffs.join(', ') || 'no agent'}.`;
    else if (target) reply = `Already transferring to ${target}; only one transfer per turn.`;
    else if (handoffsLeft <= 0) reply = `Cannot transfer to "${name}": this run has used all its hand-offs. Answer yourself.`;
    else {
      target = name;
      replies.set(call.id, toolMessage(call, `Transferred to ${name}.`, false));
      continue;
    }
    replies.set(call.id, toolMessage(call, reply, true));
  }
  return { target, replies };
}

/** Tool calls one turn may run when an input predates `limits.maxToolCallsPerTurn`. */
const defaultMaxToolCallsPerTurn = 64;

/**
 * The calls of one turn that may run; the ones past `limits.maxToolCallsPerTurn` get an error
 * the model can read, so one turn never nears the server's 2,000 pending activities (patched:
 * older runs had no limit).
 */
function withinCallLimit(calls: ToolCall[], agent: AgentSpec): { allowed: ToolCall[]; refused: Map<string, ToolMessage> } {
  const max = agent.limits.maxToolCallsPerTurn ?? defaultMaxToolCallsPerTurn;
  if (calls.length <= max || !patched('baton-max-tool-calls-per-turn')) return { allowed: calls, refused: new Map() };
  const reply = `Not run: this turn asked for ${calls.length} tool calls, over agent "${agent.name}"'s limit of ${max} per turn (limits.maxToolCallsPerTurn). Only the first ${max} ran; ask for the rest in your next turn.`;
  return { allowed: calls.slice(0, max), refused: new Map(calls.slice(max).map((call) => [call.id, toolMessage(call, reply, true)])) };
}

/** Runs the agent (and whoever it hands off to) to a final answer, updating `state` as it goes. */
export async function runAgentLoop(input: ParsedAgentRunInput, state: AgentRunState, ctx: LoopContext): Promise<AgentRunResult> {
  const servers = serversToList(input);
  const run = servers.length ? await withMcpTools(input, servers) : input;
  const team = resolveTeam(run);
  const specs = new Map(run.tools.map((t) => [t.name, t]));
  let agent = run.agent;
  const initial: Message[] = typeof run.input === 'string' ? [{ role: 'user', content: run.input }] : run.input;
  const conversation = new Conversation(initial, run.conversation === 'store', run.conversationRef, run.storeConversationOver ?? defaultStoreConversationOver);
  let handoffsLeft = run.maxHandoffs;
  let agentTurns = 0;
  const found = new Map<string, Set<string>>();
  let outputCorrections = 0;
  const changed = () => ctx.onStateChange?.(state);
  const specRefs = ctx.modelSpecRefs ?? new Map<string, string>();

  for (;;) {
    if (++agentTurns > agent.limits.maxTurns) {
      fail(FailureType.MaxTurnsExceeded, `agent "${agent.name}" reached its limit of ${agent.limits.maxTurns} turns without a final answer`);
    }
    // Asked agents' usage counts toward a run-wide budget: a spent one stops before the next model call.
    if (run.budget) checkBudget(agent, state, run.budget);
    const turn = ++state.turn;
    const foundByAgent = found.get(agent.name) ?? new Set<string>();
    found.set(agent.name, foundByAgent);
    const tools = new Map(offeredTools(agent, foundByAgent).map((name) => [name, specs.get(name) as ToolSpec]));
    const rest = { ...conversation.request(), turn };
    Object.assign(state, { status: 'calling_model', maxTurns: agent.limits.maxTurns, lastStep: { kind: 'model', name: `${agent.provider}/${agent.model}`, turn } });
    changed();
    const summary = `model ${agent.provider}/${agent.model} · ${agent.name} · turn ${turn}`;
    const call = modelCallInput(agent, tools, team, rest, specRefs);
    const options = { ...modelCallOptions(agent), summary };
    let response: ModelResponse;
    try {
      response = await activities.callModel.executeWithOptions(options, [call.input]);
    } catch (err) {
      response = await resendInFull(err, call.input, specRefs, () => activities.callModel.executeWithOptions(options, [modelCallInput(agent, tools, team, rest, specRefs).input]));
    }
    keepSpecRef(response, call.key, specRefs);
    state.usage = addUsage(state.usage, response.usage);
    if (response.servedBy) state.lastStep = { kind: 'model', name: `${agent.provider}/${agent.model}`, turn, servedBy: `${response.servedBy.provider}/${response.servedBy.model}` };
    conversation.replied(response);
    checkBudget(agent, state, run.budget);

    const calls = response.message.toolCalls;
    if (calls.length > 0) {
      state.status = 'running_tools';
      changed();
      const { allowed, refused } = withinCallLimit(calls, agent);
      const transfers = decideTransfers(allowed.filter((c) => transferTarget(c.name) !== undefined), agent, handoffsLeft);
      for (const [id, reply] of refused) transfers.replies.set(id, reply);
      if (agent.toolSearch) {
        for (const call of allowed.filter((c) => c.name === toolSearchName)) transfers.replies.set(call.id, answerToolSearch(call, agent, specs, foundByAgent));
      }
      const step = { agent, tools, team, allTools: run.tools, desk: ctx.desk, state, turn, workflowId: ctx.workflowId, runId: ctx.runId, storeResultsOver: conversation.stored ? 2048 : undefined, budget: run.budget };
      const begin = (call: ToolCall) => {
        const reply = transfers.replies.get(call.id);
        return reply ? { answer: reply } : beginToolCall(call, step);
      };
      let results: ToolMessage[];
      if (calls.length === 1) {
        // One call (the usual turn): its activity is awaited here, with no promise around it (Promise.all would add its own).
        const begun = begin(calls[0] as ToolCall);
        if ('answer' in begun) results = [await begun.answer];
        else {
          let message: ToolMessage;
          try {
            message = begun.settle(await begun.activity);
          } catch (err) {
            message = begun.failed(err);
          }
          results = [message];
        }
      } else results = await Promise.all(calls.map((call) => finish(begin(call))));
      conversation.add(...results);
      const last = results[results.length - 1] as ToolMessage;
      state.lastStep = { kind: 'tool', name: last.name, turn, isError: last.isError };
      if (transfers.target) {
        handedOff(agent.name, transfers.target, turn);
        conversation.handOff(agent.handoffHistory);
        agent = team.get(transfers.target) as AgentSpec;
        Object.assign(state, { agent: agent.name, lastStep: { kind: 'handoff', name: agent.name, turn } });
        state.path.push(agent.name);
        handoffsLeft--;
        agentTurns = 0;
        outputCorrections = 0;
      }
      continue;
    }

    if (response.outputError !== undefined) {
      if (outputCorrections++ >= 1) {
        fail(FailureType.ModelBehaviour, `agent "${agent.name}" gave a final answer that does not match its output schema twice: ${response.outputError}`);
      }
      conversation.add({ role: 'user', content: `Your final answer does not match the required output schema: ${response.outputError}. Reply again with only JSON that matches the schema.` });
      continue;
    }

    return {
      agent: agent.name,
      path: [...state.path],
      output: response.message.content,
      structuredOutput: response.output,
      turns: state.turn,
      usage: state.usage,
      specHash: state.specHash,
      messages: conversation.messages,
      conversationRef: conversation.ref,
    };
  }
}
