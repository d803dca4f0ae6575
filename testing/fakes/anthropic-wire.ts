/** Anthropic Messages API response bodies, in the API's wire format. */
import type { CannedResponse } from './wire-server';

const usage = (input: number, output: number) => ({ input_tokens: input, output_tokens: output, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 });

/** A Messages API answer with text only (stop_reason `end_turn`). */
export function anthropicText(text: string, tokens = { input: 12, output: 6 }): CannedResponse {
  return {
    body: { id: 'msg_test', type: 'message', role: 'assistant', model: 'claude-test', stop_reason: 'end_turn', stop_sequence: null, content: [{ type: 'text', text }], usage: usage(tokens.input, tokens.output) },
  };
}

/** A Messages API answer with `tool_use` blocks (after optional text). */
export function anthropicToolUse(text: string, calls: Array<{ id: string; name: string; input: unknown }>, tokens = { input: 30, output: 9 }): CannedResponse {
  return {
    body: {
      id: 'msg_tools', type: 'message', role: 'assistant', model: 'claude-test', stop_reason: 'tool_use', stop_sequence: null,
      content: [...(text ? [{ type: 'text', text }] : []), ...calls.map((c) => ({ type: 'tool_use', id: c.id, name: c.name, input: c.input }))],
      usage: usage(tokens.input, tokens.output),
    },
  };
}

/** An Anthropic error response: 429 rate limit, 529 overloaded, 5xx api error, else invalid request. */
export function anthropicError(status: number, message: string, headers: Record<string, string> = {}): CannedResponse {
  const type = status === 429 ? 'rate_limit_error' : status === 529 ? 'overloaded_error' : status >= 500 ? 'api_error' : 'invalid_request_error';
  return { status, headers, body: { type: 'error', error: { type, message } } };
}

/** A 429 with `retry-after`, as Anthropic sends when a rate limit is hit. */
export function anthropicRateLimited(retryAfterSeconds: number, message = 'Number of requests has exceeded your rate limit'): CannedResponse {
  return anthropicError(429, message, { 'retry-after': String(retryAfterSeconds) });
}

/** A 529 overloaded_error: Anthropic's answer when the API as a whole is busy. */
export function anthropicOverloaded(message = 'Overloaded'): CannedResponse {
  return anthropicError(529, message);
}
