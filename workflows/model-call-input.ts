/**
 * The input of one model call: in full the first time an agent calls with a set of tools in a
 * run, then by reference (the `specRef` the model activity returned for that call), so each
 * turn's history carries the conversation and not the agent's settings and tool definitions
 * again. Activity inputs are not compared on replay, and the reference comes from a recorded
 * result, so runs recorded before this (no `specRef` in their results) keep sending in full.
 * Runs in the sandbox.
 */
import { ActivityFailure, ApplicationFailure } from '@temporalio/workflow';
import type { AgentSpec, ModelCallInput, ModelRequest, ModelResponse, ToolSpec } from '../core';
import { FailureType } from '../core/failures';
import { modelAgentOf, sentByRef } from '../core/model-contract';
import { toToolDefinition } from '../core/tool-definition';
import { askTools, transferTools } from './handoffs';
import { toolSearchDefinition } from './tool-search-step';

/** References by agent and offered tools, kept for a run (a session keeps one for its whole run). */
export type ModelSpecRefs = Map<string, string>;

/** Set in a run's references once a worker could not read one: every later call goes in full. */
const refsOff = '\u0000off';

/** The turn's model-call input and the key its reference is kept under. */
export function modelCallInput(agent: AgentSpec, tools: ReadonlyMap<string, ToolSpec>, team: ReadonlyMap<string, AgentSpec>, rest: Pick<ModelRequest, 'messages' | 'conversation' | 'turn'>, refs: ModelSpecRefs): { input: ModelCallInput; key: string } {
  // Within a run an agent's settings and hand-off targets are fixed; only the tools it is offered change (tool search).
  const key = `${agent.name}\n${agent.toolSearch}\n${[...tools.keys()].join('\n')}`;
  const specRef = refs.has(refsOff) ? undefined : refs.get(key);
  if (specRef) return { key, input: { agent: { name: agent.name, provider: agent.provider, model: agent.model }, specRef, ...rest } };
  const definitions = [...[...tools.values()].map(toToolDefinition), ...(agent.toolSearch ? [toolSearchDefinition] : []), ...transferTools(agent, team), ...askTools(agent, team)];
  return { key, input: { agent: modelAgentOf(agent), tools: definitions, ...rest } };
}

const isSpecRefUnavailable = (err: unknown) =>
  err instanceof ActivityFailure && err.cause instanceof ApplicationFailure && err.cause.type === FailureType.SpecRefUnavailable;

/**
 * The answer to a failed model call: a call by reference that reached a worker without the
 * reference in its content store (workers that do not share one) is sent again in full by
 * `sendInFull`, and the run stops using references: slower history, never a failed run. Any
 * other failure is thrown again. The loop awaits the activity itself and calls this only when
 * it failed, so a turn makes no promises of its own around the call (the SDK records a stack
 * trace for every promise a run makes).
 */
export function resendInFull(err: unknown, sent: ModelCallInput, refs: ModelSpecRefs, sendInFull: () => Promise<ModelResponse>): Promise<ModelResponse> {
  if (!sentByRef(sent) || !isSpecRefUnavailable(err)) throw err;
  refs.clear();
  refs.set(refsOff, 'off');
  // With references off, the same call builds in full.
  return sendInFull();
}

/** Keeps the reference a call sent in full returned, for the next calls with the same agent and tools, unless references are off. */
export function keepSpecRef(response: ModelResponse, key: string, refs: ModelSpecRefs): void {
  if (response.specRef && !refs.has(refsOff)) refs.set(key, response.specRef);
}
