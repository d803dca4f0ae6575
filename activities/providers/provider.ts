/**
 * The one interface every model adapter implements. Adapters translate Baton's
 * provider-neutral messages to and from a provider's wire format, and classify its
 * errors into Temporal failures (see ./errors.ts). SDK-internal retries stay off so
 * that Temporal owns retries and they show in history.
 */
import type { AssistantMessage, ModelRequest, StopReason } from '../../core';

export interface CompletionUsage {
  inputTokens: number;
  outputTokens: number;
}

export interface Completion {
  message: AssistantMessage;
  usage: CompletionUsage;
  stopReason: StopReason;
}

export interface CompleteOptions {
  /** Aborted when the activity is cancelled; adapters pass it to their SDK. */
  signal: AbortSignal;
  /**
   * Set when the call streams: the adapter uses its SDK's streaming API and hands over each
   * piece of text as it arrives. The Completion it returns is the same as without streaming.
   */
  onText?: (delta: string) => void;
}

export interface ModelProvider {
  /** The provider's kind, e.g. 'openai', 'anthropic', 'openai-compatible', 'scripted'. */
  readonly kind: string;
  complete(request: ModelRequest, options: CompleteOptions): Promise<Completion>;
}

/** Prices in US dollars per million tokens, for usage cost and budgets. */
export interface ModelPrice {
  inputPerMillion: number;
  outputPerMillion: number;
}
