/** The model activity: one model call through the provider the agent names. */
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { FailureType, filterHistory, sentByRef, type Message, type ModelCallInput, type ModelRequest, type ModelResponse } from '../core';
import type { ContentStore } from './content-store';
import { ConversationStore } from './conversation-store';
import type { ModelPrice, ModelProvider } from './providers/provider';
import { checkOutput } from './output-schema';
import { withHeartbeats } from './heartbeats';
import { observeModelCall } from './telemetry';
import { checkPayloadSize, defaultPayloadLimits, type PayloadLimits } from './payload-limits';
import { ProviderBreakers } from './providers/circuit-breaker';
import { completeWithFailover } from './providers/failover';
import { StreamPublisher } from './stream-publisher';
import { ModelSpecRefs } from './model-spec-refs';

export interface ProviderEntry {
  provider: ModelProvider;
  prices?: Record<string, ModelPrice>;
  /** The provider's `stream` setting: its calls stream unless the agent says otherwise. */
  stream?: boolean;
}

function cost(price: ModelPrice | undefined, inputTokens: number, outputTokens: number): number {
  if (!price) return 0;
  return (inputTokens * price.inputPerMillion + outputTokens * price.outputPerMillion) / 1_000_000;
}

/** With a stored conversation: the whole conversation this call continues. */
async function fullConversation(request: ModelRequest, conversations: ConversationStore): Promise<Message[]> {
  const base = request.conversation?.ref ? await conversations.read(request.conversation.ref) : [];
  const all = [...base, ...request.messages];
  return request.conversation?.filter ? filterHistory(all, request.conversation.filter) : all;
}

/** Builds the `callModel` activity over the worker's configured providers. */
export function createCallModel(providers: ReadonlyMap<string, ProviderEntry>, store: ContentStore, limits: PayloadLimits = defaultPayloadLimits, breakers = new ProviderBreakers()) {
  const conversations = new ConversationStore(store);
  const specRefs = new ModelSpecRefs(store);
  async function callOnce(stepRequest: ModelRequest, stream: StreamPublisher): Promise<ModelResponse> {
    const conversation = stepRequest.conversation ? await fullConversation(stepRequest, conversations) : stepRequest.messages;
    // Inline runs too may hold results the tool activity stored by reference (over the worker's limit). Most
    // conversations hold none: then no promise per message per turn (a long session's turn would make hundreds).
    const holdsStored = conversation.some((m) => m.role === 'tool' && m.contentRef);
    const request = { ...stepRequest, messages: holdsStored ? await conversations.withStoredResults(conversation) : conversation };
    if (!providers.has(request.agent.provider)) {
      throw ApplicationFailure.create({
        type: FailureType.ProviderNotConfigured,
        nonRetryable: true,
        message: `agent "${request.agent.name}" uses provider "${request.agent.provider}", which this worker does not configure (configured: ${[...providers.keys()].join(', ') || 'none'})`,
      });
    }
    const started = Date.now();
    const { cancellationSignal: signal, info } = Context.current();
    const chain = [{ provider: request.agent.provider, model: request.agent.model }, ...(request.agent.fallbacks ?? [])];
    const lookup = (name: string) => providers.get(name)?.provider;
    const streams = (candidate: { provider: string }) => request.agent.stream ?? providers.get(candidate.provider)?.stream ?? false;
    const attempt = {
      signal, attempt: info.attempt, startToCloseTimeoutMs: info.startToCloseTimeoutMs, rateLimitRetries: request.agent.modelCall?.rateLimitRetries,
      streamTo: (candidate: { provider: string }) => (streams(candidate) ? stream.begin() : undefined),
    };
    const { completion, servedBy } = await completeWithFailover(request, chain, lookup, breakers, attempt);
    const prices = providers.get(servedBy.provider)?.prices;
    const { inputTokens, outputTokens } = completion.usage;
    const response: ModelResponse = {
      message: { ...completion.message, agent: request.agent.name },
      stopReason: completion.stopReason,
      usage: {
        inputTokens,
        outputTokens,
        costUsd: cost(prices && Object.hasOwn(prices, servedBy.model) ? prices[servedBy.model] : undefined, inputTokens, outputTokens),
        latencyMs: Date.now() - started,
        modelCalls: 1,
        toolCalls: 0,
      },
      servedBy,
    };
    if (stepRequest.conversation) {
      // Only what this step adds is written; after a hand-off filter the filtered whole is a new base.
      const { ref, filter } = stepRequest.conversation;
      response.conversationRef = await conversations.append(filter ? undefined : ref, [...stepRequest.messages, response.message], [...conversation, response.message]);
    }
    if (request.agent.outputSchema && completion.message.toolCalls.length === 0) {
      const check = checkOutput(completion.message.content, request.agent.outputSchema);
      if (check.ok) response.output = check.output;
      else response.outputError = check.error;
    }
    // An answer over the payload limit would be refused by the server and end as a timeout after every retry.
    checkPayloadSize(response, limits, `the answer of agent "${request.agent.name}" (turn ${request.turn})`, `ask for a shorter answer, or lower the agent's limits.maxOutputTokens`);
    return response;
  }

  /**
   * Heartbeats for the whole call (stored conversation reads and writes too), so a dead worker's call is retried after the
   * heartbeat timeout; a streaming call's text rides on the heartbeats (./stream-publisher.ts).
   */
  return async function callModel(input: ModelCallInput): Promise<ModelResponse> {
    const stepRequest = await specRefs.resolve(input);
    const kind = providers.get(stepRequest.agent.provider)?.provider.kind ?? 'unknown';
    const ctx = Context.current();
    const stream = new StreamPublisher((snapshot) => ctx.heartbeat(snapshot), { agent: stepRequest.agent.name, turn: stepRequest.turn, attempt: ctx.info.attempt });
    try {
      const response = await observeModelCall(stepRequest, kind, () => withHeartbeats(() => callOnce(stepRequest, stream), () => stream.snapshot()));
      // A store that fails here costs only the saving: the run keeps sending its requests in full.
      if (!sentByRef(input)) response.specRef = await specRefs.remember(stepRequest).catch(() => undefined);
      return response;
    } finally {
      stream.close();
    }
  };
}
