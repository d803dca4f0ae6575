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

describe('local tools (local: true)', () => {
  it('run as local activities: results, invalid arguments and cache hits reach the model as with normal tools, and no activity task is scheduled', async () => {
    const seen: string[] = [];
    const upper = defineTool({
      name: 'upper', description: 'Upper-cases a word', local: true, startToCloseTimeout: '5s', cache: { ttl: '1h' },
      input: z.object({ word: z.string() }),
      execute: ({ word }, ctx) => (seen.push(`${word}@${ctx.idempotencyKey.split('/').pop()}`), word.toUpperCase()),
    });
    const model = ScriptedModel.respondWith(({ messages }) => {
      const results = messages.filter((m) => m.role === 'tool');
      if (results.length === 0) return { toolCalls: [{ name: 'upper', arguments: { word: 'hi' } }, { name: 'upper', arguments: { word: 7 } }] };
      return { text: results.map((r) => `${r.isError ? 'error' : 'ok'}:${r.content}`).join(' | ') };
    });
    const baton = await startTestBaton({ models: { scripted: model }, tools: [upper], agents: { shouter: { provider: 'scripted', model: 's', tools: ['upper'] } }, toolCache: { dir: mkdtempSync(path.join(os.tmpdir(), 'baton-local-')) } });
    const { first, second, history, state } = await baton.run(async () => {
      const one = await baton.client.startAgent('shouter', 'shout');
      const first = await one.result();
      const two = await baton.client.startAgent('shouter', 'shout again');
      const second = await two.result();
      return { first, second, history: await one.fetchHistory(), state: await two.query(stateQuery) };
    });
    expect(first.output).toBe('ok:HI | error:Invalid arguments for upper: word: Invalid input: expected string, received number');
    expect(second.output).toBe(first.output);
    // The second run's call was a cache hit: the tool ran once, for the first run's call_1_0.
    expect(seen).toEqual(['hi@call_1_0']);
    expect(state.cacheHits).toBe(1);
    const events = history.events ?? [];
    const scheduled = events.map((e) => e.activityTaskScheduledEventAttributes?.activityType?.name).filter(Boolean);
    expect(scheduled).toEqual(['callModel', 'callModel']);
    const markers = events.filter((e) => e.markerRecordedEventAttributes?.markerName === 'core_local_activity');
    expect(markers).toHaveLength(2);
  });

  it('refuses a local tool whose time limit is over 10 s, naming the setting', () => {
    expect(() => defineTool({ name: 'slow_local', description: 'Too slow to be local', local: true, input: z.object({}), execute: () => 'x' }))
      .toThrow('tool "slow_local" is local, so its startToCloseTimeout must be at most 10s (got 60s); shorten it or drop local: true');
  });
});
