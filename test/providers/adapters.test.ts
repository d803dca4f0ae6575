import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ApplicationFailure } from '@temporalio/common';
import { createProvider, type ProviderConfig } from '../../activities/providers/config';
import type { ModelProvider } from '../../activities/providers/provider';
import { FailureType, type ModelRequest } from '../../core';
import { startWireServer, type CannedResponse, type WireServer } from '../../testing/fakes/wire-server';
import { openaiError, openaiText, openaiToolCalls } from '../../testing/fakes/openai-wire';
import { anthropicError, anthropicText, anthropicToolUse } from '../../testing/fakes/anthropic-wire';
import { waitFor } from '../helpers/wait-for';

const env = { TEST_KEY: 'sk-test-secret' };

interface Adapter {
  name: string;
  prefix: string;
  config(baseURL: string): ProviderConfig;
  text(text: string): CannedResponse;
  twoToolCalls(): CannedResponse;
  error(status: number, message: string, headers?: Record<string, string>): CannedResponse;
}

const adapters: Adapter[] = [
  {
    name: 'openai', prefix: '/v1',
    config: (baseURL) => ({ type: 'openai', baseURL, apiKeyEnv: 'TEST_KEY' }),
    text: (t) => openaiText(t, { input: 11, output: 4 }),
    twoToolCalls: () => openaiToolCalls([{ id: 'c1', name: 'weather', arguments: '{"city":"Oslo"}' }, { id: 'c2', name: 'weather', arguments: '{"city":"Rome"}' }]),
    error: openaiError,
  },
  {
    name: 'openai-compatible', prefix: '/v1',
    config: (baseURL) => ({ type: 'openai-compatible', baseURL, structuredOutput: false }),
    text: (t) => openaiText(t, { input: 11, output: 4 }),
    twoToolCalls: () => openaiToolCalls([{ id: 'c1', name: 'weather', arguments: '{"city":"Oslo"}' }, { id: 'c2', name: 'weather', arguments: '{"city":"Rome"}' }]),
    error: openaiError,
  },
  {
    name: 'anthropic', prefix: '',
    config: (baseURL) => ({ type: 'anthropic', baseURL, apiKeyEnv: 'TEST_KEY' }),
    text: (t) => anthropicText(t, { input: 11, output: 4 }),
    twoToolCalls: () => anthropicToolUse('Checking.', [{ id: 'c1', name: 'weather', input: { city: 'Oslo' } }, { id: 'c2', name: 'weather', input: { city: 'Rome' } }]),
    error: anthropicError,
  },
];

const request = (overrides: Partial<ModelRequest> = {}): ModelRequest => ({
  agent: { name: 'a', provider: 'p', model: 'm-1', instructions: 'Be brief.' },
  messages: [{ role: 'user', content: 'hi' }],
  tools: [{ name: 'weather', description: 'Weather', inputSchema: { type: 'object', properties: { city: { type: 'string' } } } }],
  turn: 1,
  ...overrides,
});

const signal = () => new AbortController().signal;

describe.each(adapters)('$name adapter (real SDK against a local wire server)', (adapter) => {
  let server: WireServer;
  let provider: ModelProvider;
  beforeEach(async () => {
    server = await startWireServer(adapter.prefix);
    provider = createProvider(adapter.name, adapter.config(server.baseURL), env);
  });
  afterEach(() => server.close());

  it('returns a plain answer with its token usage', async () => {
    server.push(adapter.text('Hello.'));
    const completion = await provider.complete(request(), { signal: signal() });
    expect(completion.message).toEqual({ role: 'assistant', content: 'Hello.', toolCalls: [] });
    expect(completion.usage).toEqual({ inputTokens: 11, outputTokens: 4 });
    expect(completion.stopReason).toBe('end');
    expect(server.requests).toHaveLength(1);
  });

  it('translates several tool calls in one response', async () => {
    server.push(adapter.twoToolCalls());
    const completion = await provider.complete(request(), { signal: signal() });
    expect(completion.message.toolCalls).toEqual([
      { id: 'c1', name: 'weather', arguments: { city: 'Oslo' } },
      { id: 'c2', name: 'weather', arguments: { city: 'Rome' } },
    ]);
    expect(completion.stopReason).toBe('tool_calls');
  });

  it('classifies a 429 with retry-after as retryable after that delay', async () => {
    server.push(adapter.error(429, 'slow down', { 'retry-after': '1' }));
    const err = await provider.complete(request(), { signal: signal() }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApplicationFailure);
    expect(err).toMatchObject({ type: FailureType.ProviderUnavailable, nonRetryable: false, nextRetryDelay: 1000 });
    expect(server.requests).toHaveLength(1);
  });

  it('classifies a 500 as retryable and does not retry inside the SDK', async () => {
    server.push(adapter.error(500, 'boom'), adapter.text('never reached'));
    const err = await provider.complete(request(), { signal: signal() }).catch((e: unknown) => e);
    expect(err).toMatchObject({ type: FailureType.ProviderUnavailable, nonRetryable: false });
    expect(server.requests).toHaveLength(1);
  });

  it('classifies a 400 as non-retryable, keeping the provider\'s message', async () => {
    server.push(adapter.error(400, 'messages: field required'));
    const err = await provider.complete(request(), { signal: signal() }).catch((e: unknown) => e);
    expect(err).toMatchObject({ type: FailureType.ProviderRejected, nonRetryable: true });
    expect((err as Error).message).toContain('HTTP 400');
    expect((err as Error).message).toContain('messages: field required');
  });

  it('names the key variable on a 401', async () => {
    if (adapter.name === 'openai-compatible') return;
    server.push(adapter.error(401, 'invalid x-api-key'));
    const err = await provider.complete(request(), { signal: signal() }).catch((e: unknown) => e);
    expect((err as Error).message).toContain('check the key in TEST_KEY');
  });

  it('aborts a hanging call when the signal fires, closing the connection', async () => {
    server.push({ hang: true });
    const controller = new AbortController();
    const pending = provider.complete(request(), { signal: controller.signal });
    await waitFor(() => server.requests.length === 1, 'the request to reach the server', 20_000, 20);
    const started = Date.now();
    controller.abort();
    await expect(pending).rejects.toThrow();
    // The call hangs forever otherwise: a bound far above an abort's few milliseconds, for a loaded machine.
    expect(Date.now() - started).toBeLessThan(10_000);
    await waitFor(() => server.abortedRequests > 0, 'the server to see the connection closed', 20_000, 20);
    expect(server.abortedRequests).toBe(1);
  });

  it('waits for a slow answer (an injected delay) and counts an abort during the delay', async () => {
    server.push({ ...adapter.text('Slow.'), delayMs: 300 }, { ...adapter.text('Too slow.'), delayMs: 5_000 });
    const started = Date.now();
    expect((await provider.complete(request(), { signal: signal() })).message.content).toBe('Slow.');
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    const controller = new AbortController();
    const pending = provider.complete(request(), { signal: controller.signal });
    await waitFor(() => server.requests.length === 2, 'the second request to reach the server', 20_000, 20);
    controller.abort();
    await expect(pending).rejects.toThrow();
    await waitFor(() => server.abortedRequests > 0, 'the server to see the connection closed', 20_000, 20);
    expect(server.abortedRequests).toBe(1);
    expect(server.pending).toBe(0);
  });

  it('classifies a dropped connection as a retryable provider outage', async () => {
    server.push({ dropConnection: true });
    const err = await provider.complete(request(), { signal: signal() }).catch((e: unknown) => e);
    expect(err).toMatchObject({ type: FailureType.ProviderUnavailable, nonRetryable: false });
    expect(server.requests).toHaveLength(1);
  });
});

describe('wire requests', () => {
  const history: ModelRequest['messages'] = [
    { role: 'user', content: 'Weather in Oslo and Rome?' },
    { role: 'assistant', content: '', toolCalls: [{ id: 'c1', name: 'weather', arguments: { city: 'Oslo' } }, { id: 'c2', name: 'weather', arguments: { city: 'Rome' } }] },
    { role: 'tool', toolCallId: 'c1', name: 'weather', content: 'snow', isError: false },
    { role: 'tool', toolCallId: 'c2', name: 'weather', content: 'no such city', isError: true },
  ];

  it('sends OpenAI the conversation, tools, limits and structured output in its format', async () => {
    const server = await startWireServer('/v1');
    server.push(openaiText('ok'));
    const provider = createProvider('openai', { type: 'openai', baseURL: server.baseURL, apiKeyEnv: 'TEST_KEY' }, env);
    const outputSchema = { type: 'object', properties: { answer: { type: 'string' } } };
    await provider.complete(request({ messages: history, agent: { name: 'a', provider: 'p', model: 'gpt-x', instructions: 'Be brief.', temperature: 0.2, maxOutputTokens: 99, outputSchema } }), { signal: signal() });
    await server.close();
    const { body, headers, path } = server.requests[0] as NonNullable<(typeof server.requests)[0]>;
    expect(path).toBe('/v1/chat/completions');
    expect(headers.authorization).toBe('Bearer sk-test-secret');
    expect(body).toMatchObject({
      model: 'gpt-x', temperature: 0.2, max_tokens: 99,
      response_format: { type: 'json_schema', json_schema: { name: 'output', schema: outputSchema } },
      tools: [{ type: 'function', function: { name: 'weather', description: 'Weather', parameters: { type: 'object' } } }],
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Weather in Oslo and Rome?' },
        { role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'weather', arguments: '{"city":"Oslo"}' } }, { id: 'c2', type: 'function', function: { name: 'weather', arguments: '{"city":"Rome"}' } }] },
        { role: 'tool', tool_call_id: 'c1', content: 'snow' },
        { role: 'tool', tool_call_id: 'c2', content: 'no such city' },
      ],
    });
  });

  it('sends Anthropic tool results merged into one user turn, with the system prompt apart', async () => {
    const server = await startWireServer();
    server.push(anthropicText('ok'));
    const provider = createProvider('claude', { type: 'anthropic', baseURL: server.baseURL, apiKeyEnv: 'TEST_KEY' }, env);
    await provider.complete(request({ messages: history }), { signal: signal() });
    await server.close();
    const { body, headers, path } = server.requests[0] as NonNullable<(typeof server.requests)[0]>;
    expect(path).toBe('/v1/messages');
    expect(headers['x-api-key'] ?? headers.authorization).toMatch(/sk-test-secret$/);
    expect(body).toMatchObject({
      model: 'm-1', max_tokens: 4096, system: 'Be brief.',
      tools: [{ name: 'weather', description: 'Weather', input_schema: { type: 'object' } }],
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'Weather in Oslo and Rome?' }] },
        { role: 'assistant', content: [{ type: 'tool_use', id: 'c1', name: 'weather', input: { city: 'Oslo' } }, { type: 'tool_use', id: 'c2', name: 'weather', input: { city: 'Rome' } }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'c1', content: 'snow' }, { type: 'tool_result', tool_use_id: 'c2', content: 'no such city', is_error: true }] },
      ],
    });
  });

  it('keeps tool-call arguments that are not JSON as text, for the tool layer to report', async () => {
    const server = await startWireServer('/v1');
    server.push(openaiToolCalls([{ id: 'c1', name: 'weather', arguments: '{city: Oslo' }]));
    const provider = createProvider('local', { type: 'openai-compatible', baseURL: server.baseURL, structuredOutput: false }, {});
    const completion = await provider.complete(request({ agent: { name: 'a', provider: 'p', model: 'llama', instructions: '', outputSchema: { type: 'object' } } }), { signal: signal() });
    await server.close();
    expect(completion.message.toolCalls[0]?.arguments).toBe('{city: Oslo');
    expect(server.requests[0]?.body.response_format).toBeUndefined();
    expect(server.requests[0]?.body.messages).toEqual([{ role: 'user', content: 'hi' }]);
  });
});

describe('provider config', () => {
  it('refuses to build a provider whose API key variable is unset, naming it', () => {
    expect(() => createProvider('openai', { type: 'openai', apiKeyEnv: 'OPENAI_API_KEY' }, {})).toThrow('provider "openai" needs an API key: set OPENAI_API_KEY in the worker\'s environment');
    expect(() => createProvider('claude', { type: 'anthropic', apiKeyEnv: 'ANTHROPIC_API_KEY' }, {})).toThrow('set ANTHROPIC_API_KEY');
  });
});
