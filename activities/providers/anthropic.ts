/**
 * Anthropic's Messages API through the official `@anthropic-ai/sdk`. SDK retries are off.
 * Structured output is asked for in the system prompt and checked by Baton's validator.
 * With `onText` the call streams (`messages.stream`) and ends in the same Completion.
 */
import Anthropic from '@anthropic-ai/sdk';
import type { MessageCreateParamsNonStreaming, MessageParam, ContentBlockParam } from '@anthropic-ai/sdk/resources/messages/messages';
import type { Message, ModelRequest, StopReason, ToolCall } from '../../core';
import { registerSecret } from '../secret-redactor';
import { classifyProviderError } from './errors';
import type { CompleteOptions, Completion, ModelProvider } from './provider';

export interface AnthropicProviderOptions {
  apiKey: string;
  baseURL?: string;
  label: string;
  apiKeyEnv?: string;
  /** Anthropic requires max_tokens; used when the agent sets no maxOutputTokens. */
  defaultMaxTokens?: number;
}

const stopReasons: Record<string, StopReason> = { end_turn: 'end', stop_sequence: 'end', tool_use: 'tool_calls', max_tokens: 'max_tokens' };

/** Baton messages → Anthropic turns; consecutive tool results share one user turn, as the API requires. */
export function toAnthropicMessages(messages: Message[]): MessageParam[] {
  const out: MessageParam[] = [];
  const push = (role: 'user' | 'assistant', blocks: ContentBlockParam[]) => {
    const last = out[out.length - 1];
    if (last && last.role === role && Array.isArray(last.content)) (last.content as ContentBlockParam[]).push(...blocks);
    else out.push({ role, content: blocks } as MessageParam);
  };
  for (const m of messages) {
    if (m.role === 'system' || m.role === 'user') push('user', [{ type: 'text', text: m.content }]);
    else if (m.role === 'tool') push('user', [{ type: 'tool_result', tool_use_id: m.toolCallId, content: m.content, ...(m.isError ? { is_error: true } : {}) }]);
    else {
      const blocks: ContentBlockParam[] = m.content ? [{ type: 'text', text: m.content }] : [];
      for (const c of m.toolCalls) blocks.push({ type: 'tool_use', id: c.id, name: c.name, input: (typeof c.arguments === 'object' && c.arguments) || {} });
      push('assistant', blocks);
    }
  }
  return out;
}

export class AnthropicProvider implements ModelProvider {
  readonly kind = 'anthropic';
  private readonly client: Anthropic;

  constructor(private readonly options: AnthropicProviderOptions) {
    registerSecret(options.apiKeyEnv ?? `${options.label} API key`, options.apiKey);
    this.client = new Anthropic({ apiKey: options.apiKey, baseURL: options.baseURL, maxRetries: 0 });
  }

  /** The request body for a Baton model request (exposed for tests and logging). */
  buildRequest(request: ModelRequest): MessageCreateParamsNonStreaming {
    const { agent } = request;
    const schemaNote = agent.outputSchema
      ? `\n\nWhen you give your final answer, reply with only JSON matching this JSON Schema:\n${JSON.stringify(agent.outputSchema)}`
      : '';
    const system = `${agent.instructions}${schemaNote}`.trim();
    return {
      model: agent.model,
      max_tokens: agent.maxOutputTokens ?? this.options.defaultMaxTokens ?? 4096,
      messages: toAnthropicMessages(request.messages),
      ...(system ? { system } : {}),
      ...(request.tools.length
        ? { tools: request.tools.map((t) => ({ name: t.name, description: t.description, input_schema: t.inputSchema as { type: 'object' } })) }
        : {}),
      ...(agent.temperature !== undefined ? { temperature: Math.min(1, agent.temperature) } : {}),
    };
  }

  async complete(request: ModelRequest, { signal, onText }: CompleteOptions): Promise<Completion> {
    let response: Anthropic.Messages.Message;
    try {
      response = onText ? await this.streamMessage(request, signal, onText) : await this.client.messages.create(this.buildRequest(request), { signal });
    } catch (err) {
      throw classifyProviderError(err, { provider: this.options.label, apiKeyEnv: this.options.apiKeyEnv, signal });
    }
    const text = response.content.filter((b) => b.type === 'text').map((b) => (b as { text: string }).text).join('');
    const toolCalls: ToolCall[] = response.content
      .filter((b) => b.type === 'tool_use')
      .map((b) => {
        const use = b as { id: string; name: string; input: unknown };
        return { id: use.id, name: use.name, arguments: use.input };
      });
    return {
      message: { role: 'assistant', content: text, toolCalls },
      usage: { inputTokens: response.usage.input_tokens ?? 0, outputTokens: response.usage.output_tokens ?? 0 },
      stopReason: stopReasons[response.stop_reason ?? ''] ?? 'other',
    };
  }

  /** `messages.stream`: text deltas as they arrive; the SDK assembles the same Message `create` returns. */
  private async streamMessage(request: ModelRequest, signal: AbortSignal, onText: (delta: string) => void): Promise<Anthropic.Messages.Message> {
    const stream = this.client.messages.stream(this.buildRequest(request), { signal });
    stream.on('text', (delta) => onText(delta));
    return stream.finalMessage();
  }
}
