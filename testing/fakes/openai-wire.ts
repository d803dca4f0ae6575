/** OpenAI Chat Completions response bodies, in the API's wire format. */
import type { CannedResponse } from './wire-server';

const usage = (prompt: number, completion: number) => ({ prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion });

/** A Chat Completions answer with text only (finish_reason `stop`). */
export function openaiText(text: string, tokens = { input: 10, output: 5 }): CannedResponse {
  return {
    body: {
      id: 'chatcmpl-test', object: 'chat.completion', created: 1_700_000_000, model: 'gpt-test',
      choices: [{ index: 0, finish_reason: 'stop', logprobs: null, message: { role: 'assistant', content: text, refusal: null } }],
      usage: usage(tokens.input, tokens.output),
    },
  };
}

/** A Chat Completions answer asking for tool calls (`arguments` is the model's raw JSON string). */
export function openaiToolCalls(calls: Array<{ id: string; name: string; arguments: string }>, tokens = { input: 20, output: 8 }): CannedResponse {
  return {
    body: {
      id: 'chatcmpl-tools', object: 'chat.completion', created: 1_700_000_000, model: 'gpt-test',
      choices: [{
        index: 0, finish_reason: 'tool_calls', logprobs: null,
        message: { role: 'assistant', content: null, refusal: null, tool_calls: calls.map((c) => ({ id: c.id, type: 'function', function: { name: c.name, arguments: c.arguments } })) },
      }],
      usage: usage(tokens.input, tokens.output),
    },
  };
}

/** An OpenAI error response: 429 is a rate limit, 5xx a server error, anything else an invalid request. */
export function openaiError(status: number, message: string, headers: Record<string, string> = {}): CannedResponse {
  const type = status === 429 ? 'rate_limit_exceeded' : status >= 500 ? 'server_error' : 'invalid_request_error';
  return { status, headers, body: { error: { message, type, param: null, code: null } } };
}

/** A 429 with `retry-after`, as OpenAI sends when a rate limit is hit. */
export function openaiRateLimited(retryAfterSeconds: number, message = 'Rate limit reached for requests'): CannedResponse {
  return openaiError(429, message, { 'retry-after': String(retryAfterSeconds) });
}
