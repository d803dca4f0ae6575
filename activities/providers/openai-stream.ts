/**
 * Chat Completions with `stream: true`: collects the SSE chunks (text, tool-call fragments,
 * finish reason, and the usage chunk asked for with `stream_options.include_usage`) into the
 * same message the non-streaming call returns, handing each text delta on as it arrives.
 */
import type OpenAI from 'openai';
import type { ChatCompletionChunk, ChatCompletionCreateParamsNonStreaming } from 'openai/resources/chat/completions';

/** What the streamed chunks add up to: the parts of a ChatCompletion the adapter reads. */
export interface CollectedCompletion {
  content: string;
  toolCalls: Array<{ id: string; name: string; arguments: string }>;
  finishReason: string | null;
  usage?: { prompt_tokens: number; completion_tokens: number };
}

/** Streams one chat completion; resolves once the stream has ended. */
export async function streamChatCompletion(client: OpenAI, body: ChatCompletionCreateParamsNonStreaming, signal: AbortSignal, onText: (delta: string) => void): Promise<CollectedCompletion> {
  const stream = await client.chat.completions.create({ ...body, stream: true, stream_options: { include_usage: true } }, { signal });
  const collected: CollectedCompletion = { content: '', toolCalls: [], finishReason: null };
  // Fragments of one tool call share an index; the id and name come with the first.
  const calls = new Map<number, { id: string; name: string; arguments: string }>();
  for await (const chunk of stream as AsyncIterable<ChatCompletionChunk>) {
    if (chunk.usage) collected.usage = chunk.usage;
    const choice = chunk.choices[0];
    if (!choice) continue;
    const text = choice.delta.content;
    if (text) {
      collected.content += text;
      onText(text);
    }
    for (const fragment of choice.delta.tool_calls ?? []) {
      const call = calls.get(fragment.index) ?? { id: '', name: '', arguments: '' };
      calls.set(fragment.index, call);
      if (fragment.id) call.id = fragment.id;
      if (fragment.function?.name) call.name += fragment.function.name;
      if (fragment.function?.arguments) call.arguments += fragment.function.arguments;
    }
    if (choice.finish_reason) collected.finishReason = choice.finish_reason;
  }
  collected.toolCalls = [...calls.entries()].sort(([a], [b]) => a - b).map(([, call]) => call);
  return collected;
}
