/**
 * OpenAI Chat Completions through the official `openai` SDK; also any OpenAI-compatible
 * local server (Ollama, vLLM, llama.cpp, LM Studio) by base URL. SDK retries are off.
 * With `onText` the call streams (./openai-stream.ts) and ends in the same Completion.
 */
import OpenAI from 'openai';
import type { ChatCompletionMessageParam, ChatCompletionTool, ChatCompletionCreateParamsNonStreaming } from 'openai/resources/chat/completions';
import type { Message, ModelRequest, StopReason, ToolCall } from '../../core';
import { registerSecret } from '../secret-redactor';
import { classifyProviderError } from './errors';
import type { CompleteOptions, Completion, ModelProvider } from './provider';
import { streamChatCompletion, type CollectedCompletion } from './openai-stream';

/** The key handed to the SDK for local servers that need none; not a secret. */
export const placeholderApiKey = 'not-needed';

export interface OpenAIProviderOptions {
  apiKey: string;
  baseURL?: string;
  organization?: string;
  /** Ask for JSON-Schema structured output when the agent has an output schema. */
  structuredOutput: boolean;
  /** Name used in errors and logs ('openai' or the config's provider name). */
  label: string;
  apiKeyEnv?: string;
}

/** Parses tool-call arguments; text that is not JSON is kept so the tool layer can report it. */
export function parseArguments(raw: string): unknown {
  if (raw.trim() === '') return {};
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

function toWire(message: Message): ChatCompletionMessageParam {
  switch (message.role) {
    case 'system':
    case 'user':
      return { role: message.role, content: message.content };
    case 'tool':
      return { role: 'tool', tool_call_id: message.toolCallId, content: message.content };
    case 'assistant':
      return {
        role: 'assistant',
        content: message.content || null,
        ...(message.toolCalls.length
          ? { tool_calls: message.toolCalls.map((c) => ({ id: c.id, type: 'function' as const, function: { name: c.name, arguments: typeof c.arguments === 'string' ? c.arguments : JSON.stringify(c.arguments ?? {}) } })) }
          : {}),
      };
  }
}

const stopReasons: Record<string, StopReason> = { stop: 'end', tool_calls: 'tool_calls', function_call: 'tool_calls', length: 'max_tokens' };

export class OpenAIProvider implements ModelProvider {
  readonly kind = 'openai';
  private readonly client: OpenAI;

  constructor(private readonly options: OpenAIProviderOptions) {
    if (options.apiKey !== placeholderApiKey) registerSecret(options.apiKeyEnv ?? `${options.label} API key`, options.apiKey);
    this.client = new OpenAI({ apiKey: options.apiKey, baseURL: options.baseURL, organization: options.organization, maxRetries: 0 });
  }

  /** The request body for a Baton model request (exposed for tests and logging). */
  buildRequest(request: ModelRequest): ChatCompletionCreateParamsNonStreaming {
    const { agent } = request;
    const messages: ChatCompletionMessageParam[] = [];
    if (agent.instructions) messages.push({ role: 'system', content: agent.instructions });
    messages.push(...request.messages.map(toWire));
    const tools: ChatCompletionTool[] = request.tools.map((t) => ({ type: 'function', function: { name: t.name, description: t.description, parameters: t.inputSchema } }));
    return {
      model: agent.model,
      messages,
      ...(tools.length ? { tools } : {}),
      ...(agent.temperature !== undefined ? { temperature: agent.temperature } : {}),
      ...(agent.maxOutputTokens !== undefined ? { max_tokens: agent.maxOutputTokens } : {}),
      ...(agent.outputSchema && this.options.structuredOutput
        ? { response_format: { type: 'json_schema', json_schema: { name: 'output', schema: agent.outputSchema, strict: false } } }
        : {}),
    };
  }

  async complete(request: ModelRequest, { signal, onText }: CompleteOptions): Promise<Completion> {
    let collected: CollectedCompletion;
    try {
      collected = onText ? await streamChatCompletion(this.client, this.buildRequest(request), signal, onText) : collect(await this.client.chat.completions.create(this.buildRequest(request), { signal }));
    } catch (err) {
      throw classifyProviderError(err, { provider: this.options.label, apiKeyEnv: this.options.apiKeyEnv, signal });
    }
    const toolCalls: ToolCall[] = collected.toolCalls.map((c) => ({ id: c.id, name: c.name, arguments: parseArguments(c.arguments) }));
    return {
      message: { role: 'assistant', content: collected.content, toolCalls },
      usage: { inputTokens: collected.usage?.prompt_tokens ?? 0, outputTokens: collected.usage?.completion_tokens ?? 0 },
      stopReason: stopReasons[collected.finishReason ?? ''] ?? 'other',
    };
  }
}

/** The parts of a whole (unstreamed) completion the adapter reads, in the streamed call's shape. */
function collect(response: OpenAI.Chat.Completions.ChatCompletion): CollectedCompletion {
  const choice = response.choices[0];
  return {
    content: choice?.message.content ?? '',
    toolCalls: (choice?.message.tool_calls ?? []).filter((c) => c.type === 'function').map((c) => ({ id: c.id, name: c.function.name, arguments: c.function.arguments })),
    finishReason: choice?.finish_reason ?? null,
    usage: response.usage,
  };
}
