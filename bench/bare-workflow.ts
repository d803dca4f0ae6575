/**
 * The baseline: a bare Temporal workflow doing the same activities as a Baton agent run
 * (one model-call activity and one tool activity per turn, then a final model call), as
 * no-ops. Runs in the workflow sandbox.
 */
import { allHandlersFinished, condition, defineSignal, defineUpdate, executeChild, proxyActivities, setHandler, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import { BatonStatus } from '../core/search-attributes';
import { FailureType, nonRetryableFailureTypes } from '../core/failures';
import type * as bareActivities from './bare-activities';
import type { PayloadMessage } from './bare-activities';

/**
 * The timeouts Baton's calls have by default (a model call: 120 s to close, a tool: 60 s, both a
 * 10 s heartbeat timeout): the server keeps a timer per pending activity and, after the activity
 * has completed, still fires and drops it at its time, so a baseline with other timeouts would do
 * that work at other moments (a 30 s timer fires during whatever the benchmark measures 30 s later).
 */
const { bareModel } = proxyActivities<typeof bareActivities>({ startToCloseTimeout: '120s', heartbeatTimeout: '10s' });
const { bareTool } = proxyActivities<typeof bareActivities>({ startToCloseTimeout: '60s', heartbeatTimeout: '10s' });

export async function bareAgentWorkflow(input: { runKey: string; turns: number }): Promise<number> {
  for (let turn = 1; turn <= input.turns; turn++) {
    await bareModel(input.runKey, turn);
    await bareTool(input.runKey, turn);
  }
  await bareModel(input.runKey, input.turns + 1);
  return input.turns;
}

/**
 * The payload baseline (the agent-turn row's middle column): the same no-op steps as
 * `bareAgentWorkflow`, carrying what a Baton agent run's steps carry, so the row can tell the cost
 * of the bytes from the cost of Baton's code: the conversation inline in every model step (the
 * first step with the agent and its tool definitions in full, later ones by reference), model
 * answers with usage, tool calls with their idempotency keys, and Baton's default retry policies
 * and summaries. The bench prints each side's history bytes per turn, and
 * test/bench-payload-baseline.test.ts fails when they drift from a Baton run's.
 */
const payloadModelStep = proxyActivities<typeof bareActivities>({
  startToCloseTimeout: '120s',
  heartbeatTimeout: '10s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '60s', maximumAttempts: 5, nonRetryableErrorTypes: [...nonRetryableFailureTypes] },
}).payloadModel;
const payloadToolStep = proxyActivities<typeof bareActivities>({
  startToCloseTimeout: '60s',
  heartbeatTimeout: '10s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s', maximumAttempts: 3, nonRetryableErrorTypes: [FailureType.ToolNotRegistered, FailureType.InvalidInput] },
}).payloadTool;

export async function bareAgentPayloadWorkflow(input: { runKey: string }): Promise<{ output: string; turns: number; messages: PayloadMessage[] }> {
  const { workflowId, runId } = workflowInfo();
  const agent = { name: 'bench', provider: 'scripted', model: 'zero-latency' };
  const messages: PayloadMessage[] = [{ role: 'user', content: input.runKey }];
  let specRef: string | undefined;
  for (let turn = 1; ; turn++) {
    const sent = specRef
      ? { agent, specRef, messages, turn }
      : { agent: { ...agent, instructions: '' }, tools: [{ name: 'noop', description: 'Does nothing', inputSchema: { type: 'object', properties: { turn: { type: 'number' } }, required: ['turn'], additionalProperties: false } }], messages, turn };
    const answer = await payloadModelStep.executeWithOptions({ summary: `model ${agent.provider}/${agent.model} · ${agent.name} · turn ${turn}` }, [sent]);
    specRef ??= answer.specRef;
    messages.push(answer.message);
    const call = answer.message.toolCalls[0];
    if (!call) return { output: answer.message.content, turns: turn, messages };
    const result = await payloadToolStep.executeWithOptions({ summary: `tool ${call.name} · ${agent.name} · turn ${turn}` }, [
      { tool: call.name, callId: call.id, arguments: call.arguments, agent: agent.name, idempotencyKey: `${workflowId}/${runId}/${call.id}` },
    ]);
    messages.push({ role: 'tool', toolCallId: call.id, name: call.name, content: result.content, isError: result.isError });
  }
}

/** What a Baton agent run is started with, as far as the hand-off's payload baseline reads it. */
interface HandoffRunInput {
  agent: { name: string; provider: string; model: string; handoffs: string[] };
  team: Array<{ name: string; provider: string; model: string }>;
  input: string;
  specHash: string;
}

/**
 * The hand-off row's payload baseline: `bareHandoffWorkflow`'s two no-op model steps, started
 * with a Baton agent run's input, search attributes and summary (the bench passes them), each
 * step carrying what Baton's does (the agent in full, the transfer tool offered, the
 * conversation), the transfer answered in the workflow, and Baton's result.
 */
export async function bareHandoffPayloadWorkflow(input: HandoffRunInput) {
  const first = input.agent;
  const second = input.team.find((a) => a.name === first.handoffs[0]) as HandoffRunInput['team'][number];
  const step = (agent: { name: string; provider: string; model: string }, tools: PayloadModelTools, messages: PayloadMessage[], turn: number) =>
    payloadModelStep.executeWithOptions({ summary: `model ${agent.provider}/${agent.model} · ${agent.name} · turn ${turn}` }, [
      { agent: { name: agent.name, provider: agent.provider, model: agent.model, instructions: '' }, tools, messages, turn },
    ]);
  const messages: PayloadMessage[] = [{ role: 'user', content: input.input }];
  const transfer = { name: `transfer_to_${second.name}`, description: `Hand the conversation to the ${second.name} agent.`, inputSchema: { type: 'object', properties: { reason: { type: 'string', description: 'Why this agent should take over' } } } };
  const asked = await step(first, [transfer], messages, 1);
  const call = asked.message.toolCalls[0];
  messages.push(asked.message);
  if (call) messages.push({ role: 'tool', toolCallId: call.id, name: call.name, content: `Transferred to ${second.name}.`, isError: false });
  const answer = await step(second, [], messages, 2);
  messages.push(answer.message);
  const usage = { ...answer.usage, inputTokens: asked.usage.inputTokens + answer.usage.inputTokens, outputTokens: asked.usage.outputTokens + answer.usage.outputTokens, modelCalls: 2 };
  return { agent: second.name, path: [first.name, second.name], output: answer.message.content, turns: 2, usage, specHash: input.specHash, messages };
}

type PayloadModelTools = NonNullable<bareActivities.PayloadModelInput['tools']>;

/** Baseline for a hand-off: the two model steps of two agents, as no-ops. */
export async function bareHandoffWorkflow(input: { runKey: string }): Promise<void> {
  await bareModel(input.runKey, 1);
  await bareModel(input.runKey, 2);
}

/** Baseline for one fanned-out agent: a child doing one no-op model step. */
export async function bareChildWorkflow(input: { runKey: string }): Promise<void> {
  await bareModel(input.runKey, 1);
}

/** Baseline for a fan-out: N children at once. */
export async function bareFanOutWorkflow(input: { runKey: string; n: number }): Promise<void> {
  const id = workflowInfo().workflowId;
  await Promise.all(Array.from({ length: input.n }, (_, i) => executeChild(bareChildWorkflow, { args: [{ runKey: input.runKey }], workflowId: `${id}/${i}` })));
}

export const bareMessageUpdate = defineUpdate<string, [string]>('bareMessage');

/** Baseline for a session: each Update runs one no-op model step. */
export async function bareSessionWorkflow(input: { runKey: string; turns: number }): Promise<void> {
  let done = 0;
  setHandler(bareMessageUpdate, async (text) => {
    await bareModel(input.runKey, done);
    done++;
    return text;
  });
  await condition(() => done >= input.turns);
  await condition(allHandlersFinished);
}

export const bareReleaseSignal = defineSignal('bareRelease');

/** Baseline for a run parked on a person: one no-op model step, then a wait on a signal. */
export async function bareParkedWorkflow(input: { runKey: string }): Promise<void> {
  let released = false;
  setHandler(bareReleaseSignal, () => void (released = true));
  await bareModel(input.runKey, 1);
  upsertSearchAttributes([{ key: BatonStatus, value: 'waiting_approval' }]);
  await condition(() => released);
  await bareTool(input.runKey, 1);
  await bareModel(input.runKey, 2);
}
