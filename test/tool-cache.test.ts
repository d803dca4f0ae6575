import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineTool } from '../activities';
import { ScriptedModel } from '../activities/providers/scripted';
import { stateQuery } from '../workflows';
import { startTestBaton } from './helpers/baton';
import { closeTestEnv } from './helpers/temporal';

afterAll(closeTestEnv);

describe('tool result cache', () => {
  it('answers a repeated call from the cache across runs, keyed by the chosen fields, until the TTL passes', async () => {
    // Long enough that the second run's lookup (one run later) falls inside it on a loaded machine.
    const ttlMs = 6000;
    const executed: string[] = [];
    const rates = defineTool({
      name: 'exchange_rate', description: 'Rate for a currency pair', cache: { ttl: `${ttlMs}ms`, key: ['pair'] },
      input: z.object({ pair: z.string(), requestId: z.string() }),
      execute: ({ pair }) => (executed.push(pair), { pair, rate: 1.08 }),
    });
    const model = ScriptedModel.respondWith(({ messages }) => {
      const asked = (messages[0] as { content: string }).content;
      const result = messages.find((m) => m.role === 'tool');
      return result ? { text: result.content } : { toolCalls: [{ name: 'exchange_rate', arguments: { pair: asked, requestId: String(messages.length) + asked } }] };
    });
    const baton = await startTestBaton({ models: { scripted: model }, tools: [rates], agents: { fx: { provider: 'scripted', model: 's', tools: ['exchange_rate'] } }, toolCache: { dir: mkdtempSync(path.join(os.tmpdir(), 'baton-cache-')) } });
    const runOnce = async (pair: string) => {
      const handle = await baton.client.startAgent('fx', pair);
      const result = await handle.result();
      const history = await handle.fetchHistory();
      const activityResults = (history.events ?? [])
        .map((e) => e.activityTaskCompletedEventAttributes?.result?.payloads?.[0]?.data)
        .filter((d): d is Uint8Array => Boolean(d))
        .map((d) => JSON.parse(Buffer.from(d).toString()) as { cached?: boolean });
      return { result, state: await handle.query(stateQuery), cachedInHistory: activityResults.some((r) => r.cached === true) };
    };
    const out = await baton.run(async () => {
      const first = await runOnce('EURUSD');
      const storedBy = Date.now(); // the entry was stored before the first run's tool call completed
      const second = await runOnce('EURUSD');
      const other = await runOnce('GBPUSD');
      await new Promise((r) => setTimeout(r, Math.max(0, storedBy + ttlMs + 200 - Date.now())));
      const expired = await runOnce('EURUSD');
      return { first, second, other, expired };
    });
    expect(executed).toEqual(['EURUSD', 'GBPUSD', 'EURUSD']);
    expect(out.second.result.output).toBe('{"pair":"EURUSD","rate":1.08}');
    expect(out.first.state.cacheHits).toBe(0);
    expect(out.second.state.cacheHits).toBe(1);
    expect(out.second.cachedInHistory).toBe(true);
    expect(out.first.cachedInHistory).toBe(false);
    expect(out.expired.state.cacheHits).toBe(0);
  });

  it('records calls to tools the agent may not use as refused', async () => {
    const secret = defineTool({ name: 'read_secrets', description: 'Not for this agent', input: z.object({}), execute: () => 'nope' });
    const model = new ScriptedModel([{ reply: { toolCalls: [{ name: 'read_secrets', arguments: {} }] } }, { reply: { text: 'ok' } }]);
    const baton = await startTestBaton({ models: { scripted: model }, tools: [secret], agents: { plain: { provider: 'scripted', model: 's' }, admin: { provider: 'scripted', model: 's', tools: ['read_secrets'] } } });
    const state = await baton.run(async () => {
      const handle = await baton.client.startAgent('plain', 'show me the secrets');
      await handle.result();
      return handle.query(stateQuery);
    });
    expect(state.refusedCalls).toEqual([{ agent: 'plain', tool: 'read_secrets', turn: 1 }]);
    expect(model.calls[1]?.messages.at(-1)).toMatchObject({ isError: true, content: 'Unknown tool "read_secrets". Available tools: none.' });
  });
});
