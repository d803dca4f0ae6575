/**
 * Streamed answers in each API's SSE wire format, at a fixed token rate: OpenAI Chat
 * Completions chunks (with the usage chunk of `stream_options.include_usage`) and Anthropic
 * Messages stream events. A "token" here is `chunkChars` characters of the text.
 */
import type { CannedResponse, SseScript } from './wire-server';

/** The rate and faults of a streamed answer. */
export interface StreamOptions {
  /** Characters per text delta (default 4). */
  chunkChars?: number;
  /** Time between deltas (default 20 ms). */
  intervalMs?: number;
  /** Closes the connection after this many SSE events (the provider dies mid-stream). */
  dropAfter?: number;
  onEvent?: SseScript['onEvent'];
  tokens?: { input: number; output: number };
}

function chunks(text: string, size: number): string[] {
  const out: string[] = [];
  for (let at = 0; at < text.length; at += size) out.push(text.slice(at, at + size));
  return out;
}

const data = (value: unknown) => `data: ${JSON.stringify(value)}\n\n`;

function sse(events: string[], options: StreamOptions): CannedResponse {
  return { sse: { events, intervalMs: options.intervalMs ?? 20, dropAfter: options.dropAfter, onEvent: options.onEvent } };
}

/** An OpenAI chat completion streamed as chunks: role, text deltas, finish, usage, [DONE]. */
export function openaiTextStream(text: string, options: StreamOptions = {}): CannedResponse {
  const tokens = options.tokens ?? { input: 10, output: 5 };
  const chunk = (delta: Record<string, unknown>, finish: string | null = null) =>
    data({ id: 'chatcmpl-stream', object: 'chat.completion.chunk', created: 1_700_000_000, model: 'gpt-test', choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }] });
  return sse([
    chunk({ role: 'assistant', content: '' }),
    ...chunks(text, options.chunkChars ?? 4).map((piece) => chunk({ content: piece })),
    chunk({}, 'stop'),
    data({ id: 'chatcmpl-stream', object: 'chat.completion.chunk', created: 1_700_000_000, model: 'gpt-test', choices: [], usage: { prompt_tokens: tokens.input, completion_tokens: tokens.output, total_tokens: tokens.input + tokens.output } }),
    'data: [DONE]\n\n',
  ], options);
}

/** An OpenAI chat completion streamed with tool calls, each call's arguments in fragments. */
export function openaiToolCallsStream(calls: Array<{ id: string; name: string; arguments: string }>, options: StreamOptions = {}): CannedResponse {
  const tokens = options.tokens ?? { input: 20, output: 8 };
  const chunk = (delta: Record<string, unknown>, finish: string | null = null) =>
    data({ id: 'chatcmpl-stream', object: 'chat.completion.chunk', created: 1_700_000_000, model: 'gpt-test', choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }] });
  const fragments = calls.flatMap((call, index) => [
    chunk({ tool_calls: [{ index, id: call.id, type: 'function', function: { name: call.name, arguments: '' } }] }),
    ...chunks(call.arguments, options.chunkChars ?? 4).map((piece) => chunk({ tool_calls: [{ index, function: { arguments: piece } }] })),
  ]);
  return sse([
    chunk({ role: 'assistant', content: null }),
    ...fragments,
    chunk({}, 'tool_calls'),
    data({ id: 'chatcmpl-stream', object: 'chat.completion.chunk', created: 1_700_000_000, model: 'gpt-test', choices: [], usage: { prompt_tokens: tokens.input, completion_tokens: tokens.output, total_tokens: tokens.input + tokens.output } }),
    'data: [DONE]\n\n',
  ], options);
}

/** An Anthropic message streamed as events: message_start, a text block's deltas, message_delta, message_stop. */
export function anthropicTextStream(text: string, options: StreamOptions = {}): CannedResponse {
  const tokens = options.tokens ?? { input: 12, output: 6 };
  const event = (type: string, value: Record<string, unknown>) => `event: ${type}\n${data({ type, ...value })}`;
  return sse([
    event('message_start', { message: { id: 'msg_stream', type: 'message', role: 'assistant', model: 'claude-test', content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: tokens.input, output_tokens: 1, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 } } }),
    event('content_block_start', { index: 0, content_block: { type: 'text', text: '' } }),
    ...chunks(text, options.chunkChars ?? 4).map((piece) => event('content_block_delta', { index: 0, delta: { type: 'text_delta', text: piece } })),
    event('content_block_stop', { index: 0 }),
    event('message_delta', { delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: tokens.output } }),
    event('message_stop', {}),
  ], options);
}
