/**
 * The content store grows with what a conversation adds, not with a copy per turn: a
 * conversation is a chain of appended segments, read back through a bounded cache, and a
 * conversation stored the old way (one whole array) still reads.
 */
import { mkdtempSync, readFileSync, readdirSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FileContentStore, type ContentStore } from '../activities';
import { ConversationStore, isSegment } from '../activities/conversation-store';
import { ScriptedModel } from '../activities/providers/scripted';
import { runInputFor } from '../config/define-config';
import type { Message } from '../core';
import { agentWorkflow } from '../workflows';
import { startTestBaton } from './helpers/baton';
import { closeTestEnv, uniqueWorkflowId } from './helpers/temporal';

afterAll(closeTestEnv);

/** Every file under `dir`, with its size. */
function storeFiles(dir: string): Array<{ file: string; bytes: number }> {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => ({ file: path.join(e.parentPath, e.name), bytes: statSync(path.join(e.parentPath, e.name)).size }));
}

/** A store that counts its reads. */
function countingStore(store: ContentStore): ContentStore & { gets: number } {
  const counted = { gets: 0, put: (v: unknown) => store.put(v), get: <T>(ref: string) => (counted.gets++, store.get<T>(ref)) };
  return counted;
}

describe('stored conversations as appended segments', () => {
  it('writes O(turns) bytes over a 150-turn session, one segment per turn, and the model sees the whole conversation', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'baton-content-'));
    const model = ScriptedModel.respondWith(({ messages }) => ({ text: `reply ${messages.filter((m) => m.role === 'user').length}: I have seen ${messages.length} messages.` }));
    const baton = await startTestBaton({ models: { scripted: model }, agents: { chat: { provider: 'scripted', model: 's' } }, contentStore: { dir } });
    const turns = 150;
    const { last, bytesAt50 } = await baton.run(async () => {
      const handle = await baton.client.startSession('chat');
      let last;
      let bytesAt50 = 0;
      for (let turn = 1; turn <= turns; turn++) {
        last = await baton.client.sendMessage(handle.workflowId, `message ${turn}: ${'context '.repeat(20)}`);
        if (turn === 50) bytesAt50 = storeFiles(dir).reduce((n, f) => n + f.bytes, 0);
      }
      return { last, bytesAt50 };
    });
    expect(last?.reply).toBe(`reply ${turns}: I have seen ${2 * turns - 1} messages.`);
    const files = storeFiles(dir);
    const total = files.reduce((n, f) => n + f.bytes, 0);
    const perTurn = `message 150: ${'context '.repeat(20)}reply 150: I have seen 299 messages.`.length;
    console.log(`content store after ${turns} session turns: ${files.length} files, ${total} bytes (${(total / turns).toFixed(0)} per turn; after 50 turns ${bytesAt50})`);
    // One segment per turn, and one entry for the agent's model settings (stored once, then sent by reference).
    expect(files.filter((f) => isSegment(JSON.parse(readFileSync(f.file, 'utf8')))).length).toBe(turns);
    expect(files).toHaveLength(turns + 1);
    // Linear: each turn's segment holds its two messages plus JSON framing, never the conversation so far.
    expect(total).toBeLessThan(turns * (perTurn + 400));
    expect(total / bytesAt50).toBeLessThan(3.3);
  }, 120_000);

  it('reads a chain from its segments once, then from the cache; writes only what a step adds', async () => {
    const store = countingStore(new FileContentStore(mkdtempSync(path.join(os.tmpdir(), 'baton-content-'))));
    const writer = new ConversationStore(store);
    let ref: string | undefined;
    const whole: Message[] = [];
    for (let turn = 1; turn <= 200; turn++) {
      const added: Message[] = [{ role: 'user', content: `question ${turn}` }, { role: 'assistant', content: `answer ${turn}`, toolCalls: [] }];
      whole.push(...added);
      ref = await writer.append(ref, added, [...whole]);
    }
    const latest = ref as string;
    const segment = await store.get<unknown>(latest);
    expect(isSegment(segment) && segment.messages).toHaveLength(2);
    store.gets = 0;
    expect(await writer.read(latest)).toEqual(whole);
    expect(store.gets).toBe(0);
    const coldReader = new ConversationStore(store);
    expect(await coldReader.read(latest)).toEqual(whole);
    expect(store.gets).toBe(200);
    expect(await coldReader.read(latest)).toEqual(whole);
    expect(store.gets).toBe(200);
    const tiny = new ConversationStore(store, { maxChars: 1000 });
    expect(await tiny.read(latest)).toEqual(whole);
    expect(await tiny.read(latest)).toEqual(whole);
    expect(store.gets).toBe(600);
  });

  it('after a hand-off that filters the conversation, stores the filtered whole as a new base and continues from it', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'baton-content-'));
    const model = ScriptedModel.respondWith(({ agent, messages }) => {
      const last = messages.at(-1);
      if (agent.name === 'triage' && last?.role === 'user' && last.content.includes('expert')) return { toolCalls: [{ name: 'transfer_to_expert', arguments: {} }] };
      return { text: `${agent.name} saw ${messages.map((m) => m.role).join(',')}` };
    });
    const baton = await startTestBaton({
      models: { scripted: model },
      agents: { triage: { provider: 'scripted', model: 's', handoffs: ['expert'], handoffHistory: 'input-only' }, expert: { provider: 'scripted', model: 's' } },
      contentStore: { dir },
    });
    const replies = await baton.run(async () => {
      const handle = await baton.client.startSession('triage');
      const out = [];
      for (const text of ['hello', 'I need an expert', 'thanks']) out.push((await baton.client.sendMessage(handle.workflowId, text)).reply);
      return out;
    });
    expect(replies).toEqual(['triage saw user', 'expert saw user,user', 'expert saw user,user,assistant,user']);
    const segments = await Promise.all(storeFiles(dir).map(async (f) => new FileContentStore(dir).get<unknown>(`sha256:${path.basename(f.file, '.json')}`)));
    expect(segments.filter((v) => isSegment(v) && v.prev === null).map((v) => isSegment(v) && v.messages.length)).toEqual(expect.arrayContaining([2, 3]));
  });

  it('reads each tool result kept by reference once per worker, not once per turn', async () => {
    const store = countingStore(new FileContentStore(mkdtempSync(path.join(os.tmpdir(), 'baton-content-'))));
    const messages: Message[] = [];
    for (let i = 0; i < 50; i++) {
      const contentRef = await store.put(`result ${i} `.repeat(500));
      messages.push({ role: 'tool', toolCallId: `c${i}`, name: 'read', content: `preview ${i}`, isError: false, contentRef });
    }
    const conversations = new ConversationStore(store);
    const first = await conversations.withStoredResults(messages);
    expect(first[49]?.content).toBe('result 49 '.repeat(500));
    expect(store.gets).toBe(50);
    expect(await conversations.withStoredResults(messages)).toEqual(first);
    expect(store.gets).toBe(50);
    const small = new ConversationStore(store, { maxResultChars: 1000 });
    await small.withStoredResults(messages);
    await small.withStoredResults(messages);
    expect(store.gets).toBe(150);
  });

  it('continues a conversation stored the old way (one whole array), re-basing it once', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'baton-content-'));
    const oldConversation: Message[] = [
      { role: 'user', content: 'my name is Ada' },
      { role: 'assistant', content: 'Hello Ada', toolCalls: [] },
    ];
    const oldRef = await new FileContentStore(dir).put(oldConversation);
    const model = ScriptedModel.respondWith(({ messages }) => ({ text: `seen ${messages.length}: ${messages.map((m) => m.content).join(' | ')}` }));
    const baton = await startTestBaton({ models: { scripted: model }, agents: { chat: { provider: 'scripted', model: 's' } }, contentStore: { dir } });
    const result = await baton.run(() =>
      baton.client.temporal.workflow.execute(agentWorkflow, {
        args: [{ ...runInputFor(baton.config, 'chat', 'what is my name?'), conversation: 'store', conversationRef: oldRef }],
        taskQueue: baton.taskQueue,
        workflowId: uniqueWorkflowId('old-format'),
      }),
    );
    expect(result.output).toBe('seen 3: my name is Ada | Hello Ada | what is my name?');
    const stored = await new FileContentStore(dir).get<unknown>(result.conversationRef as string);
    expect(stored).toMatchObject({ kind: 'conversation-segment', prev: null });
    expect(await new ConversationStore(new FileContentStore(dir)).read(result.conversationRef as string)).toHaveLength(4);
  });
});
