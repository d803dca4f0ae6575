/**
 * Streaming through each provider type's real SDK against its local wire fake: the text
 * reaches a watcher while the fake is still sending, and the run's result equals the same
 * run unstreamed. Adapter level: a streamed call ends in the same Completion (text, tool
 * calls, usage, stop reason) as the unstreamed one.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { AnthropicProvider, OpenAIProvider } from '../activities/providers';
import { ApplicationFailure } from '@temporalio/common';
import { FailureType, type AgentRunResult, type ModelRequest } from '../core';
import type { BatonConfigInput } from '../config/define-config';
import type { WatchEvent } from '../client/watch';
import { anthropicText, anthropicTextStream, createBatonTestEnv, openaiText, openaiTextStream, openaiToolCalls, openaiToolCallsStream, startWireServer, type CannedResponse, type StreamOptions, type WireServer } from '../testing';
import { closeTestEnv, getTestEnv } from './helpers/temporal';

afterAll(closeTestEnv);

const answer = 'Streaming keeps the person waiting for a long answer informed: every few words arrive as the model writes them, not all at the end.';
const tokens = { input: 31, output: 27 };

interface Kind {
  type: 'openai' | 'anthropic' | 'openai-compatible';
  prefix: string;
  streamed: (text: string, options: StreamOptions) => CannedResponse;
  whole: (text: string) => CannedResponse;
}

const kinds: Kind[] = [
  { type: 'openai', prefix: '/v1', streamed: openaiTextStream, whole: (text) => openaiText(text, tokens) },
  { type: 'anthropic', prefix: '', streamed: anthropicTextStream, whole: (text) => anthropicText(text, tokens) },
  { type: 'openai-compatible', prefix: '/v1', streamed: openaiTextStream, whole: (text) => openaiText(text, tokens) },
];

const request: ModelRequest = { agent: { name: 'a', provider: 'p', model: 'm', instructions: '' }, messages: [{ role: 'user', content: 'hi' }], tools: [], turn: 1 };

describe('streamed model calls through the real SDKs', () => {
  it('end in the same Completion as unstreamed calls: text, tool calls, usage and stop reason, and a cut stream is a retryable outage (openai and anthropic adapters)', async () => {
    const wire = await startWireServer('/v1');
    const anthropicWire = await startWireServer();
    try {
      const openai = new OpenAIProvider({ apiKey: 'k', baseURL: wire.baseURL, structuredOutput: false, label: 'openai' });
      const calls = [{ id: 'call_1', name: 'lookup', arguments: '{"city":"Lisbon","days":3}' }, { id: 'call_2', name: 'clock', arguments: '{}' }];
      wire.push(openaiToolCallsStream(calls, { intervalMs: 1, tokens }), openaiToolCalls(calls, tokens), openaiTextStream(answer, { intervalMs: 1, tokens }), openaiText(answer, tokens));
      const signal = new AbortController().signal;
      const deltas: string[] = [];
      const streamedTools = await openai.complete(request, { signal, onText: (d) => deltas.push(d) });
      expect(streamedTools).toEqual(await openai.complete(request, { signal }));
      expect(streamedTools.message.toolCalls).toEqual([{ id: 'call_1', name: 'lookup', arguments: { city: 'Lisbon', days: 3 } }, { id: 'call_2', name: 'clock', arguments: {} }]);
      const streamedText = await openai.complete(request, { signal, onText: (d) => deltas.push(d) });
      expect(streamedText).toEqual(await openai.complete(request, { signal }));
      expect(streamedText).toMatchObject({ usage: { inputTokens: 31, outputTokens: 27 }, stopReason: 'end' });
      expect(deltas.join('')).toBe(answer);
      expect(deltas.length).toBeGreaterThan(10);
      expect(wire.requests[0]?.body).toMatchObject({ stream: true, stream_options: { include_usage: true } });
      expect(wire.requests[1]?.body.stream).toBeUndefined();

      const anthropic = new AnthropicProvider({ apiKey: 'k', baseURL: anthropicWire.baseURL, label: 'anthropic' });
      anthropicWire.push(anthropicTextStream(answer, { intervalMs: 1, tokens }), anthropicText(answer, tokens));
      const pieces: string[] = [];
      const streamed = await anthropic.complete(request, { signal, onText: (d) => pieces.push(d) });
      expect(streamed).toEqual(await anthropic.complete(request, { signal }));
      expect(pieces.join('')).toBe(answer);
      expect(anthropicWire.requests[0]?.body.stream).toBe(true);

      // A stream cut mid-answer fails the attempt as a retryable provider outage, after some text.
      wire.push(openaiTextStream(answer, { intervalMs: 1, dropAfter: 5 }));
      anthropicWire.push(anthropicTextStream(answer, { intervalMs: 1, dropAfter: 5 }));
      for (const provider of [openai, anthropic]) {
        const cut: string[] = [];
        const failure = await provider.complete(request, { signal, onText: (d) => cut.push(d) }).catch((err: unknown) => err);
        expect(failure).toBeInstanceOf(ApplicationFailure);
        expect(failure).toMatchObject({ type: FailureType.ProviderUnavailable, nonRetryable: false });
        expect(cut.join('').length).toBeGreaterThan(0);
        expect(answer.startsWith(cut.join(''))).toBe(true);
      }
    } finally {
      await wire.close();
      await anthropicWire.close();
    }
  });

  for (const kind of kinds) {
    it(`shows an ${kind.type} provider's tokens to a watcher before the call completes, and the result equals the unstreamed run's`, async () => {
      const wire: WireServer = await startWireServer(kind.prefix);
      const sent: number[] = [];
      // The same agent twice: on a provider with stream: true, and on the same provider without it.
      const envFor = async (stream: boolean) => createBatonTestEnv({
        temporal: await getTestEnv(),
        config: {
          providers: { llm: { type: kind.type, baseURL: wire.baseURL, apiKeyEnv: 'WIRE_KEY', ...(stream ? { stream } : {}) } as BatonConfigInput['providers'][string] },
          agents: { narrator: { provider: 'llm', model: 'm', instructions: 'Explain.' } },
        },
        worker: { env: { WIRE_KEY: 'k' } },
      });
      const live = await envFor(true);
      const still = await envFor(false);
      try {
        // 33 deltas, one every 100 ms: about 3.3 s of streaming, so a watcher slowed by a loaded machine still sees it live.
        wire.push(kind.streamed(answer, { intervalMs: 100, tokens, onEvent: (_i, at) => sent.push(at) }), kind.whole(answer));
        const { events, streamed } = await live.run(async () => {
          const handle = await live.client.startAgent('narrator', 'Explain streaming.');
          const events: Array<WatchEvent & { at: number }> = [];
          for await (const event of live.client.watch(handle.workflowId)) events.push({ ...event, at: Date.now() });
          return { events, streamed: await handle.result() };
        });
        const plain = await still.run(async () => (await still.client.startAgent('narrator', 'Explain streaming.')).result());
        const texts = events.filter((e): e is Extract<WatchEvent, { type: 'text' }> & { at: number } => e.type === 'text');
        expect(texts.map((e) => e.text).join('')).toBe(answer);
        expect(texts.length).toBeGreaterThan(3);
        // The watcher had text while the provider was still sending it.
        expect(texts[0]!.at).toBeLessThan(sent[sent.length - 1]!);
        expect(events.at(-1)).toMatchObject({ type: 'finished', result: { output: answer } });
        const comparable = (r: AgentRunResult) => ({ ...r, usage: { ...r.usage, latencyMs: 0 } });
        expect(comparable(streamed)).toEqual(comparable(plain));
        expect(wire.requests.map((r) => r.body.stream ?? false)).toEqual([true, false]);
      } finally {
        await live.close();
        await still.close();
        await wire.close();
      }
    });
  }
});
