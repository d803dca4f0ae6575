/**
 * The contract between workflows and the model activity. Providers implement the
 * worker side; workflows only see these shapes. Runs in the sandbox.
 */
import type { AssistantMessage, Message, Usage } from './messages';
import type { ToolDefinition } from './tool-spec';
import type { AgentSpec } from './agent-spec';

/** The parts of an agent spec a model call needs. */
export type ModelAgent = Pick<AgentSpec, 'name' | 'provider' | 'model' | 'instructions' | 'outputSchema' | 'temperature'> & {
  maxOutputTokens?: number;
};

export interface ModelRequest {
  agent: ModelAgent;
  messages: Message[];
  tools: ToolDefinition[];
  /** 1-based turn number, for summaries and logs. */
  turn: number;
}

export type StopReason = 'end' | 'tool_calls' | 'max_tokens' | 'other';

export interface ModelResponse {
  message: AssistantMessage;
  usage: Usage;
  stopReason: StopReason;
  /**
   * Set when the agent has an output schema and the message has no tool calls:
   * `output` is the parsed, schema-valid answer, or `outputError` says what is wrong.
   */
  output?: unknown;
  outputError?: string;
}
