/**
 * The scripted model for tests: a stand-in LLM that plays the replies a test wrote, in order,
 * and fails the run on a call it has no step for (or a step meant for another agent), and
 * `assertDone()` on steps never called, so a test cannot pass by accident.
 */
import { ScriptedModel, type ScriptReply, type ScriptResponder, type ScriptStep } from '../activities/providers/scripted';

/** The model class and its step types, for scripts built by hand (`{ agent, reply: { text, toolCalls, delayMs, fail } }`). */
export { ScriptedModel, type ScriptReply, type ScriptResponder, type ScriptStep };

/**
 * A strict scripted model: the n-th model call of the run gets `steps[n]`. Register it in
 * place of a provider (`createBatonTestEnv({ models: { openai: model } })`, or a config's
 * `providers: { name: { type: 'scripted', model } }`), then call `model.assertDone()`.
 */
export function scriptedModel(steps: ScriptStep[]): ScriptedModel {
  return new ScriptedModel(steps);
}

/**
 * A scripted model that answers every call with `responder(request)`: for runs whose number
 * of calls is not fixed (retries, fan-outs). A pure function of the request, so a worker
 * that restarts mid-run answers as the first one did.
 */
export function respondingModel(responder: ScriptResponder): ScriptedModel {
  return ScriptedModel.respondWith(responder);
}

/** A step where `agent` answers with `text` (a final answer, or the JSON of an output schema). */
export function textStep(agent: string, text: string, usage?: ScriptReply['usage']): ScriptStep {
  return { agent, reply: { text, ...(usage ? { usage } : {}) } };
}

/** A step where `agent` asks for tool calls, run in parallel by the agent loop. */
export function toolStep(agent: string, ...calls: Array<{ name: string; arguments: unknown; id?: string }>): ScriptStep {
  return { agent, reply: { toolCalls: calls } };
}

/** A step where `agent` hands the conversation to `target` (the `transfer_to_<target>` tool call). */
export function handOffStep(agent: string, target: string, reason = `over to ${target}`): ScriptStep {
  return toolStep(agent, { name: `transfer_to_${target}`, arguments: { reason } });
}

/** A step where the provider fails with an HTTP status (429 and 5xx retry, honouring `retryAfterSeconds`). */
export function failStep(agent: string, status: number, options: { message?: string; retryAfterSeconds?: number } = {}): ScriptStep {
  return { agent, reply: { fail: { status, ...options } } };
}
