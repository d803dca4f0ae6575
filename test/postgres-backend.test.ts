/**
 * The shared PostgreSQL backends, against a real PostgreSQL server started by the test:
 * two workers with separate task queues (as on two machines) share cached tool results,
 * and a session keeps its conversation in the shared content store.
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineTool, PostgresBackend } from '../activities';
import { ConversationStore } from '../activities/conversation-store';
import type { Message } from '../core';
import { ScriptedModel } from '../activities/providers/scripted';
import { stateQuery } from '../workflows';
import { startTestBaton } from './helpers/baton';
import { usePostgres } from './helpers/postgres';

const urlEnv = 'BATON_TEST_DATABASE_URL';
const db = usePostgres(urlEnv);

describe('PostgreSQL backends', () => {
  it('stores cache entries with a TTL and content by reference', async () => {
    const cache = db.backend.toolCache();
    await cache.set('tool:a', 'first', 200);
    await cache.set('tool:a', 'second', 200);
    expect(await cache.get('tool:a')).toBe('second');
    expect(await cache.get('tool:b')).toBeUndefined();
    await new Promise((r) => setTimeout(r, 300));
    expect(await cache.get('tool:a')).toBeUndefined();
    expect(await db.backend.pruneExpired()).toBeGreaterThanOrEqual(1);
    const store = db.backend.contentStore();
    const ref = await store.put([{ role: 'user', content: 'hello' }]);
    expect(ref).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(await store.put([{ role: 'user', content: 'hello' }])).toBe(ref);
    expect(await store.get(ref)).toEqual([{ role: 'user', content: 'hello' }]);
    await expect(store.get(`sha256:${'0'.repeat(64)}`)).rejects.toThrow(/not in the PostgreSQL store/);
  });

  it('prunes old content nothing young links to and old or expired cache entries; tables of the old shape still read', async () => {
    await db.backend.pool.query('CREATE TABLE old_content (ref text PRIMARY KEY, value text NOT NULL)');
    await db.backend.pool.query('CREATE TABLE old_cache (key text PRIMARY KEY, content text NOT NULL, expires_at timestamptz NOT NULL)');
    const wholeConversation = [{ role: 'user', content: 'stored the old way' }];
    const oldRef = `sha256:${'1'.repeat(64)}`;
    await db.backend.pool.query('INSERT INTO old_content (ref, value) VALUES ($1, $2)', [oldRef, JSON.stringify(wholeConversation)]);
    const aged = new PostgresBackend({ connectionString: db.pg.url }, { cache: 'old_cache', content: 'old_content' });
    try {
      const store = aged.contentStore();
      expect(await store.get(oldRef)).toEqual(wholeConversation);
      const conversations = new ConversationStore(store);
      const result = await store.put('a large tool result');
      const first: Message[] = [{ role: 'user', content: 'hi' }, { role: 'tool', toolCallId: 'c1', name: 'read', content: 'preview', isError: false, contentRef: result }];
      const liveStart = await conversations.append(undefined, first, first);
      const liveNow = await conversations.append(liveStart, [{ role: 'assistant', content: 'hello', toolCalls: [] }], [...first, { role: 'assistant', content: 'hello', toolCalls: [] }]);
      const abandoned = await store.put({ kind: 'conversation-segment', prev: null, messages: [{ role: 'user', content: 'old chat' }] });
      await aged.pool.query(`UPDATE old_content SET created_at = now() - interval '40 days' WHERE ref <> $1`, [liveNow]);
      expect(await store.prune?.(30 * 86_400_000, { dryRun: true })).toMatchObject({ removed: 2, kept: 3 });
      expect(await store.prune?.(30 * 86_400_000)).toMatchObject({ removed: 2, kept: 3 });
      await expect(store.get(abandoned)).rejects.toThrow(/not in the PostgreSQL store/);
      await expect(store.get(oldRef)).rejects.toThrow(/not in the PostgreSQL store/);
      expect(await new ConversationStore(store).read(liveNow)).toHaveLength(3);
      expect(await store.get(result)).toBe('a large tool result');

      const cache = aged.toolCache();
      for (const [key, ttl] of [['tool:old', 90 * 86_400_000], ['tool:expired', 1], ['tool:fresh', 90 * 86_400_000]] as const) await cache.set(key, key, ttl);
      await aged.pool.query(`UPDATE old_cache SET created_at = now() - interval '40 days' WHERE key = 'tool:old'`);
      await new Promise((r) => setTimeout(r, 10));
      expect(await cache.prune?.(30 * 86_400_000)).toMatchObject({ removed: 2, kept: 1 });
      expect(await cache.get('tool:fresh')).toBe('tool:fresh');
    } finally {
      await aged.close();
    }
  });

  it('shares cached tool results between workers on different machines', async () => {
    const executed: string[] = [];
    const rates = defineTool({
      name: 'exchange_rate', description: 'Rate for a currency pair', cache: { ttl: '1h', key: ['pair'] },
      input: z.object({ pair: z.string() }),
      execute: ({ pair }) => (executed.push(pair), { pair, rate: 1.08 }),
    });
    const model = () => ScriptedModel.respondWith(({ messages }) => {
      const result = messages.find((m) => m.role === 'tool');
      return result ? { text: result.content } : { toolCalls: [{ name: 'exchange_rate', arguments: { pair: 'EURUSD' } }] };
    });
    const options = { tools: [rates], agents: { fx: { provider: 'scripted', model: 's', tools: ['exchange_rate'] } }, toolCache: { type: 'postgres' as const, urlEnv } };
    const machineA = await startTestBaton({ ...options, models: { scripted: model() } });
    const machineB = await startTestBaton({ ...options, models: { scripted: model() } });
    const first = await machineA.run(async () => (await machineA.client.startAgent('fx', 'rate?')).result());
    const second = await machineB.run(async () => {
      const handle = await machineB.client.startAgent('fx', 'rate?');
      return { result: await handle.result(), state: await handle.query(stateQuery) };
    });
    expect(executed).toEqual(['EURUSD']);
    expect(second.result.output).toBe(first.output);
    expect(second.state.cacheHits).toBe(1);
  });

  it('keeps a session\'s conversation in the shared content store', async () => {
    const model = ScriptedModel.respondWith(({ messages }) => ({ text: `seen ${messages.length} messages` }));
    const baton = await startTestBaton({ models: { scripted: model }, agents: { chat: { provider: 'scripted', model: 's' } }, contentStore: { type: 'postgres', urlEnv } });
    const replies = await baton.run(async () => {
      const handle = await baton.client.startSession('chat');
      const out = [];
      for (const text of ['hi', 'and again', 'once more']) out.push(await baton.client.sendMessage(handle.workflowId, text));
      return out;
    });
    expect(replies.map((r) => r.reply)).toEqual(['seen 1 messages', 'seen 3 messages', 'seen 5 messages']);
    const { rows } = await db.backend.pool.query<{ n: string }>('SELECT count(*) AS n FROM baton_content');
    expect(Number(rows[0]?.n)).toBeGreaterThanOrEqual(3);
  });
});
