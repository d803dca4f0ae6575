/** `baton watch` / `BatonClient.watch` on `local: true` tools, which history records only as markers at their end. */
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineTool } from '../activities';
import { ScriptedModel } from '../activities/providers/scripted';
import type { WatchEvent } from '../client/watch';
import { parseToolSummary } from '../client/watch/local-tool-calls';
import { startTestBaton } from './helpers/baton';
import { closeTestEnv } from './helpers/temporal';

afterAll(closeTestEnv);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** Local; the word "slow" takes 600 ms, so a later call of the same turn finishes first. */
const upper = defineTool({
  name: 'upper', description: 'Upper-cases a word', local: true, startToCloseTimeout: '5s',
  input: z.object({ word: z.string() }),
  execute: async ({ word }) => (word === 'slow' ? await sleep(600) : undefined, word.toUpperCase()),
});
const count = defineTool({ name: 'count', description: 'Counts letters', local: true, startToCloseTimeout: '5s', input: z.object({ word: z.string() }), execute: ({ word }) => String(word.length) });
const lookup = defineTool({ name: 'lookup', description: 'Looks a city up (an ordinary activity)', input: z.object({ city: z.string() }), execute: ({ city }) => `${city}: sunny` });

describe('watching local tools', () => {
  it('tells each local call with its own arguments and result when it ends, also when a later call of the same tool ends first', async () => {
    const model = new ScriptedModel([
      { reply: { toolCalls: [
        { name: 'upper', arguments: { word: 'slow' } },
        { name: 'lookup', arguments: { city: 'Lisbon' } },
        { name: 'upper', arguments: { word: 'fast' } },
        { name: 'count', arguments: { word: 'abc' } },
      ] } },
      { reply: { toolCalls: [{ name: 'upper', arguments: { word: 'again' } }] } },
      { reply: { text: 'done' } },
    ]);
    const baton = await startTestBaton({ models: { scripted: model }, tools: [upper, count, lookup], agents: { shouter: { provider: 'scripted', model: 's', tools: ['upper', 'count', 'lookup'] } } });
    const events = await baton.run(async () => {
      const handle = await baton.client.startAgent('shouter', 'go');
      const seen: WatchEvent[] = [];
      for await (const event of baton.client.watch(handle.workflowId)) seen.push(event);
      return seen;
    });
    const calls = events.flatMap((e) => (e.type === 'tool-call' ? [e] : []));
    const results = events.flatMap((e) => (e.type === 'tool-result' ? [e] : []));
    expect(calls.map((c) => `${c.agent} ${c.tool} ${JSON.stringify(c.arguments)}`).sort()).toEqual([
      'shouter count {"word":"abc"}', 'shouter lookup {"city":"Lisbon"}', 'shouter upper {"word":"again"}', 'shouter upper {"word":"fast"}', 'shouter upper {"word":"slow"}',
    ]);
    // Every result follows its own call (same call id), and is that call's answer.
    for (const call of calls) {
      const result = results.find((r) => r.callId === call.callId);
      expect(events.indexOf(result!)).toBeGreaterThan(events.indexOf(call));
      const args = call.arguments as { word?: string; city?: string };
      expect(result!.content).toBe(call.tool === 'upper' ? args.word!.toUpperCase() : call.tool === 'count' ? String(args.word!.length) : `${args.city}: sunny`);
    }
    expect(new Set(calls.map((c) => c.callId)).size).toBe(5);
    // The second turn's call is told after that turn began, the first turn's before it.
    const turns = events.flatMap((e, i) => (e.type === 'agent-turn' ? [i] : []));
    expect(turns).toHaveLength(3);
    const again = calls.find((c) => (c.arguments as { word: string }).word === 'again')!;
    expect(events.indexOf(again)).toBeGreaterThan(turns[1]!);
    expect(calls.filter((c) => c !== again).every((c) => events.indexOf(c) < turns[1]!)).toBe(true);
    expect(events.at(-1)).toMatchObject({ type: 'finished', result: { output: 'done' } });
    model.assertDone();
  });

  it('reads the tool, agent and plan step from a tool call\'s summary', () => {
    expect(parseToolSummary('tool upper · shouter · turn 3')).toEqual({ tool: 'upper', agent: 'shouter' });
    expect(parseToolSummary('tool fetch_page · plan research · step s2')).toEqual({ tool: 'fetch_page', agent: '', stepId: 's2' });
    expect(parseToolSummary('model scripted/s · shouter · turn 1')).toBeUndefined();
  });
});
