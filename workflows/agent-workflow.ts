/**
 * `agentWorkflow`: one agent as a durable run. Records the spec it ran with (and its
 * hash), answers the `state` query, and keeps the Web UI's details and Baton's search
 * attributes current. Runs in the workflow sandbox.
 */
import { allHandlersFinished, condition, defineQuery, isCancellation, setCurrentDetails, setHandler, workflowInfo } from '@temporalio/workflow';
import type { AgentRunInput, AgentRunResult, AgentRunState, ParsedAgentRunInput } from '../core';
import { emptyUsage } from '../core/usage';
import { specHash } from '../core/hash';
import { withAgentDefaults } from '../core/agent-defaults';
import { runAgentLoop } from './agent-loop';
import { ApprovalDesk } from './approvals';
import { trustedOrParsed } from './validate-input';
import { servedByNote } from '../core/served-by';
import { schemas } from './lazy-schemas';
import { asWorkflowFailure, rootMessage } from './failures';
import { RunAttributes } from './search-attributes';
import { withUsage } from './budget';
import { runFinished, runStarted } from './telemetry';

/** The live state of a run: status, turn, last step, usage so far. */
export const stateQuery = defineQuery<AgentRunState>('state');

function describeState(state: AgentRunState): string {
  const step = state.lastStep ? `${state.lastStep.kind} ${state.lastStep.name}${servedByNote(state.lastStep)}` : 'none yet';
  const usage = state.usage;
  return [
    `**${state.agent}** · ${state.status} · turn ${state.turn}`,
    ...(state.path.length > 1 ? [`path: ${state.path.join(' → ')}`] : []),
    ...state.pendingApprovals.map((p) => `**waiting for approval ${p.id}**: ${p.tool}(${JSON.stringify(p.arguments)}) · risk ${p.risk}`),
    `last step: ${step}`,
    `usage: ${usage.inputTokens} in / ${usage.outputTokens} out tokens, ${usage.modelCalls} model calls, ${usage.toolCalls} tool calls`,
    ...(state.error ? [`error: ${state.error}`] : []),
  ].join('\n\n');
}

/** Runs one agent to a final answer. Input is one object so fields can be added safely. */
export async function agentWorkflow(input: AgentRunInput): Promise<AgentRunResult> {
  try {
    return await runAgentWorkflow(input);
  } catch (err) {
    throw asWorkflowFailure(err, `agent run ${workflowInfo().workflowId}`);
  }
}

async function runAgentWorkflow(input: AgentRunInput): Promise<AgentRunResult> {
  const given = trustedOrParsed<ParsedAgentRunInput>(input, () => schemas().AgentRunInputSchema, 'agent run input');
  // A spec run's child gets its agents without the fields at their defaults; they are filled in here.
  const run: ParsedAgentRunInput = { ...given, agent: withAgentDefaults(given.agent), team: given.team.map(withAgentDefaults) };
  const info = workflowInfo();
  const state: AgentRunState = {
    status: 'running',
    agent: run.agent.name,
    turn: 0,
    maxTurns: run.agent.limits.maxTurns,
    usage: emptyUsage(),
    specHash: (input.validated && run.specHash) || specHash({ agent: run.agent, tools: run.tools, team: run.team }),
    path: [run.agent.name],
    pendingApprovals: [],
    approvals: [],
    cacheHits: 0,
    refusedCalls: [],
  };
  setHandler(stateQuery, () => state);
  const attributes = new RunAttributes();
  attributes.nameTopLevel('agent', run.agent.name);
  const refresh = (s: AgentRunState) => setCurrentDetails(describeState(s));
  const desk = new ApprovalDesk(state, () => refresh(state), undefined, attributes);
  refresh(state);
  runStarted('agent', run.agent.name);
  try {
    const result = await runAgentLoop(run, state, { workflowId: info.workflowId, runId: info.runId, desk, onStateChange: refresh });
    state.status = 'completed';
    attributes.finished('completed');
    runFinished('agent', 'completed', run.agent.name);
    // Skipped when nothing runs: a condition costs promises, which a 200-way fan-out pays 200 times.
    if (!allHandlersFinished()) await condition(allHandlersFinished);
    // A parent that reads only the answer gets no copy of the transcript in its history.
    return run.omitMessages ? { ...result, messages: [] } : result;
  } catch (err) {
    state.status = isCancellation(err) ? 'cancelled' : 'failed';
    state.error = rootMessage(err);
    attributes.finished(state.status);
    runFinished('agent', state.status, run.agent.name);
    throw withUsage(err, state.usage);
  } finally {
    refresh(state);
  }
}
