import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ApplicationFailure } from '@temporalio/common';
import { defineTool } from '../activities';
import { FileContentStore } from '../activities/content-store';
import { ModelSpecRefs } from '../activities/model-spec-refs';
import { ScriptedModel } from '../activities/providers/scripted';
import type { ModelRequest } from '../core';
import { createBatonWorker } from '../workers/create-worker';
import { approveNext, createBatonTestEnv, waitForApproval } from '../testing';
import { startTestBaton } from './helpers/baton';
import { closeTestEnv, getTestEnv } from './helpers/temporal';

afterAll(closeTestEnv);

type RecordedInput = Record<string, unknown> & { agent: Record<string, unknown>; turn: number };

/** callModel inputs as recorded in a history. */
function modelInputs(history: { events?: Array<{ activityTaskScheduledEventAttributes?: { activityType?: { name?: string | null } | null; input?: { payloads?: Array<{ data?: Uint8Array | null }> | null } | null } | null }> | null }): RecordedInput[] {
  return (history.events ?? [])
    .filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'callModel')
    .map((e) => JSON.parse(Buffer.from(e.activityTaskScheduledEventAttributes?.input?.payloads?.[0]?.data ?? []).toString()) as RecordedInput);
}

const lookup = defineTool({ name: 'lookup', description: 'Looks a word up', input: z.object({ word: z.string() }), execute: ({ word }) => `${word}: found` });

describe('model calls by reference', () => {
  it('sends the agent and tools in full on the first call only; the model sees them in full on every call', async () => {
    const model = ScriptedModel.respondWith(({ messages }) => {
      const results = messages.filter((m) => m.role === 'tool').length;
      return results < 2 ? { toolCalls: [{ name: 'lookup', arguments: { word: `w${results}` } }] } : { text: 'done' };
    });
    const instructions = 'Look every word up. '.repeat(20);
    const baton = await startTestBaton({ models: { scripted: model }, tools: [lookup], agents: { reader: { provider: 'scripted', model: 's', instructions, tools: ['lookup'], temperature: 0.2 } } });
    const { result, history } = await baton.run(async () => {
      const handle = await baton.client.startAgent('reader', 'Look up two words.');
      return { result: await handle.result(), history: await handle.fetchHistory() };
    });
    expect(result.output).toBe('done');
    const inputs = modelInputs(history);
    expect(inputs.map((i) => i.turn)).toEqual([1, 2, 3]);
    // First call: only the fields a model call uses (no limits, approval policy or hand-off settings).
    expect(inputs[0]?.agent).toEqual({ name: 'reader', provider: 'scripted', model: 's', instructions, temperature: 0.2 });
    expect(inputs[0]?.tools).toEqual([expect.objectContaining({ name: 'lookup', description: 'Looks a word up' })]);
    expect(inputs[0]?.specRef).toBeUndefined();
    for (const later of inputs.slice(1)) {
      expect(later.agent).toEqual({ name: 'reader', provider: 'scripted', model: 's' });
      expect(later.tools).toBeUndefined();
      expect(later.specRef).toMatch(/^sha256:[0-9a-f]{64}$/);
      const { messages: _messages, ...besidesConversation } = later;
      expect(JSON.stringify(besidesConversation).length).toBeLessThan(160);
    }
    expect(model.calls).toHaveLength(3);
    for (const call of model.calls) {
      expect(call.agent).toEqual(model.calls[0]?.agent);
      expect(call.agent.instructions).toBe(instructions);
      expect(call.tools.map((t) => t.name)).toEqual(['lookup']);
    }
  }, 120_000);

  it('sends a hand-off target in full on its first call, then by its own reference', async () => {
    const model = ScriptedModel.respondWith(({ agent, messages }) => {
      if (agent.name === 'triage') return { toolCalls: [{ name: 'transfer_to_expert', arguments: { reason: 'expert question' } }] };
      const results = messages.filter((m) => m.role === 'tool' && m.name === 'lookup').length;
      return results < 1 ? { toolCalls: [{ name: 'lookup', arguments: { word: 'x' } }] } : { text: 'answered' };
    });
    const baton = await startTestBaton({
      models: { scripted: model }, tools: [lookup],
      agents: { triage: { provider: 'scripted', model: 's', handoffs: ['expert'] }, expert: { provider: 'scripted', model: 'e', tools: ['lookup'], instructions: 'Answer.' } },
    });
    const { result, history } = await baton.run(async () => {
      const handle = await baton.client.startAgent('triage', 'A hard question');
      return { result: await handle.result(), history: await handle.fetchHistory() };
    });
    expect(result.path).toEqual(['triage', 'expert']);
    const inputs = modelInputs(history);
    expect(inputs.map((i) => [i.agent.name, i.specRef === undefined ? 'full' : 'ref'])).toEqual([['triage', 'full'], ['expert', 'full'], ['expert', 'ref']]);
    expect(model.calls.map((c) => [c.agent.name, c.agent.instructions, c.tools.map((t) => t.name).join()])).toEqual([
      ['triage', '', 'transfer_to_expert'], ['expert', 'Answer.', 'lookup'], ['expert', 'Answer.', 'lookup'],
    ]);
  }, 120_000);

  it('keeps the reference across a session\'s turns', async () => {
    const model = ScriptedModel.respondWith(({ messages }) => ({ text: `reply ${messages.filter((m) => m.role === 'user').length}` }));
    const baton = await startTestBaton({ models: { scripted: model }, agents: { chat: { provider: 'scripted', model: 's', instructions: 'Chat.' } } });
    const { replies, history } = await baton.run(async () => {
      const handle = await baton.client.startSession('chat');
      const replies = [await baton.client.sendMessage(handle.workflowId, 'one'), await baton.client.sendMessage(handle.workflowId, 'two')];
      return { replies, history: await handle.fetchHistory() };
    });
    expect(replies.map((r) => r.reply)).toEqual(['reply 1', 'reply 2']);
    expect(modelInputs(history).map((i) => i.specRef === undefined)).toEqual([true, false]);
    expect(model.calls.map((c) => c.agent.instructions)).toEqual(['Chat.', 'Chat.']);
  }, 120_000);
});

describe('model calls by reference on workers that do not share a content store', () => {
  it('sends the call in full again when a worker cannot read the reference, and keeps sending in full', async () => {
    const model = ScriptedModel.respondWith(({ messages }) => {
      const results = messages.filter((m) => m.role === 'tool').length;
      return results < 2 ? { toolCalls: [{ name: 'lookup', arguments: { word: `w${results}` } }] } : { text: `done after ${results}` };
    });
    // The first model call runs on a worker with store A; the run then waits for approval of its tool call
    // and continues on a worker with store B, which never saw the reference.
    const storeA = new FileContentStore(mkdtempSync(path.join(os.tmpdir(), 'baton-specref-a-')));
    const storeB = new FileContentStore(mkdtempSync(path.join(os.tmpdir(), 'baton-specref-b-')));
    const env = await createBatonTestEnv({
      config: { providers: {}, tools: [lookup], agents: { reader: { provider: 'scripted', model: 's', instructions: 'Look up.', tools: ['lookup'], approval: { tools: ['lookup'] } } } },
      models: { scripted: model }, temporal: await getTestEnv(), worker: { contentStore: storeA },
    });
    try {
      const handle = await env.run(async () => {
        const started = await env.client.startAgent('reader', 'Look up two words.');
        await waitForApproval(env.client, started.workflowId);
        return started;
      });
      const workerB = await createBatonWorker({ config: env.config, connection: env.temporal.nativeConnection, namespace: env.temporal.namespace, contentStore: storeB });
      const result = await workerB.runUntil(async () => {
        await approveNext(env.client, handle.workflowId);
        await approveNext(env.client, handle.workflowId);
        return handle.result();
      });
      expect(result.output).toBe('done after 2');
      const history = await handle.fetchHistory();
      const failed = (history.events ?? []).filter((e) => e.activityTaskFailedEventAttributes?.failure?.applicationFailureInfo?.type === 'BatonSpecRefUnavailable');
      expect(failed).toHaveLength(1);
      expect(failed[0]?.activityTaskFailedEventAttributes?.failure?.message).toMatch(/not in the store.*sends this call in full/);
      // Turn 1 in full on A; turn 2 by reference (refused on B), again in full; turn 3 in full: references are off for the run.
      expect(modelInputs(history).map((i) => [i.turn, i.specRef === undefined ? 'full' : 'ref'])).toEqual([[1, 'full'], [2, 'ref'], [2, 'full'], [3, 'full']]);
      expect(model.calls.map((c) => c.tools.map((t) => t.name).join())).toEqual(['lookup', 'lookup', 'lookup']);
    } finally {
      await env.close();
    }
  }, 180_000);
});

describe('ModelSpecRefs', () => {
  const request: ModelRequest = { agent: { name: 'a', provider: 'p', model: 'm', instructions: 'Be brief.' }, tools: [{ name: 't', description: 'T', inputSchema: { type: 'object' } }], messages: [{ role: 'user', content: 'hi' }], turn: 1 };

  it('resolves a reference on another worker (a fresh instance) from the shared content store', async () => {
    const store = new FileContentStore(mkdtempSync(path.join(os.tmpdir(), 'baton-specref-')));
    const ref = await new ModelSpecRefs(store).remember(request);
    const resolved = await new ModelSpecRefs(store).resolve({ agent: { name: 'a', provider: 'p', model: 'm' }, specRef: ref, messages: [{ role: 'user', content: 'again' }], turn: 2 });
    expect(resolved).toEqual({ ...request, messages: [{ role: 'user', content: 'again' }], turn: 2 });
  });

  it('stores a spec once per worker: the same agent and tools again get the stored reference, another spec its own', async () => {
    const files = new FileContentStore(mkdtempSync(path.join(os.tmpdir(), 'baton-specref-')));
    const puts: unknown[] = [];
    const refs = new ModelSpecRefs({ put: (value) => (puts.push(value), files.put(value)), get: (ref) => files.get(ref) });
    const first = await refs.remember(request);
    expect(await refs.remember({ ...request, messages: [], turn: 5 })).toBe(first);
    const other = await refs.remember({ ...request, agent: { ...request.agent, instructions: 'Be thorough.' } });
    expect(other).not.toBe(first);
    expect(puts).toEqual([{ agent: request.agent, tools: request.tools }, { agent: { ...request.agent, instructions: 'Be thorough.' }, tools: request.tools }]);
  });

  it('refuses a reference that holds another agent, as a non-retryable invalid input', async () => {
    const store = new FileContentStore(mkdtempSync(path.join(os.tmpdir(), 'baton-specref-')));
    const refs = new ModelSpecRefs(store);
    const ref = await refs.remember(request);
    const err = await refs.resolve({ agent: { name: 'b', provider: 'p', model: 'm' }, specRef: ref, messages: [], turn: 2 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApplicationFailure);
    expect(err).toMatchObject({ type: 'BatonInvalidInput', nonRetryable: true });
    expect((err as Error).message).toContain('specRef');
  });
});
