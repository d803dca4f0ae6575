/**
 * The contract between workflows and the model activity. Providers implement the
 * worker side; workflows only see these shapes. Runs in the sandbox.
 */
import type { AssistantMessage, Message, Usage } from './messages';
import type { ToolDefinition } from './tool-definition';
import type { AgentSpec } from './agent-spec';

/** The parts of an agent spec a model call needs. */
export type ModelAgent = Pick<AgentSpec, 'name' | 'provider' | 'model' | 'instructions' | 'outputSchema' | 'temperature' | 'fallbacks' | 'stream'> & {
  maxOutputTokens?: number;
  modelCall?: Pick<AgentSpec['modelCall'], 'rateLimitRetries'>;
};

/** A conversation kept in the content store: what the request's `messages` continue. */
export interface StoredConversation {
  /** The stored conversation so far; none for a new conversation. */
  ref?: string;
  /** Applied to the whole conversation before the call (after a hand-off). */
  filter?: 'full' | 'text-only' | 'input-only';
}

export interface ModelRequest {
  agent: ModelAgent;
  /** The conversation, or with `conversation` set, only the messages added since `conversation.ref`. */
  messages: Message[];
  conversation?: StoredConversation;
  tools: ToolDefinition[];
  /** 1-based turn number, for summaries and logs. */
  turn: number;
}

/**
 * A later model call of a run: the agent's identity (for readers of the history) and `specRef`
 * for the settings and tool definitions an earlier call of the run sent in full, so each turn's
 * history does not carry them again.
 */
export interface ModelRequestByRef extends Omit<ModelRequest, 'agent' | 'tools'> {
  agent: Pick<ModelAgent, 'name' | 'provider' | 'model'>;
  /** What the model activity returned for that earlier call (`ModelResponse.specRef`). */
  specRef: string;
}

/** What a workflow sends the model activity: the request in full, or by reference after the first call. */
export type ModelCallInput = ModelRequest | ModelRequestByRef;

/** Whether a model call came by reference: an own `specRef`, never one found on a prototype. */
export function sentByRef(input: ModelCallInput): input is ModelRequestByRef {
  return Object.hasOwn(input, 'specRef');
}

/** Only the fields a model call uses: the rest of an agent's spec (limits, approvals, hand-offs…) stays out of every call's input. */
export function modelAgentOf(agent: AgentSpec): ModelAgent {
  const { name, provider, model, instructions, outputSchema, temperature, fallbacks, stream } = agent;
  const rateLimitRetries = agent.modelCall?.rateLimitRetries;
  return {
    name, provider, model, instructions,
    ...(outputSchema !== undefined ? { outputSchema } : {}),
    ...(temperature !== undefined ? { temperature } : {}),
    ...(fallbacks?.length ? { fallbacks } : {}),
    ...(stream !== undefined ? { stream } : {}),
    ...(agent.limits.maxOutputTokens !== undefined ? { maxOutputTokens: agent.limits.maxOutputTokens } : {}),
    ...(rateLimitRetries !== undefined ? { modelCall: { rateLimitRetries } } : {}),
  };
}

export type StopReason = 'end' | 'tool_calls' | 'max_tokens' | 'other';

export interface ModelResponse {
  message: AssistantMessage;
  /** With a stored conversation: the reference of the conversation including this reply. */
  conversationRef?: string;
  usage: Usage;
  stopReason: StopReason;
  /**
   * Set when the agent has an output schema and the message has no tool calls:
   * `output` is the parsed, schema-valid answer, or `outputError` says what is wrong.
   */
  output?: unknown;
  outputError?: string;
  /** The provider and model that answered: the agent's own, or one of its `fallbacks`. */
  servedBy?: { provider: string; model: string };
  /** For a request sent in full: the reference later calls with the same agent and tools send instead (ModelRequestByRef). */
  specRef?: string;
}
