import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineTool } from '../activities';
import { ScriptedModel } from '../activities/providers/scripted';
import type { WatchEvent } from '../client/watch';
import { startTestBaton } from './helpers/baton';
import { closeTestEnv } from './helpers/temporal';

afterAll(closeTestEnv);

const answer = 'The forecast for Lisbon is sunny, 24 degrees, with a light breeze from the west.';
const lookup = defineTool({ name: 'lookup', description: 'Looks a city up.', input: z.object({ city: z.string() }), execute: async ({ city }) => `${city}: sunny, 24C` });

/** Collects a watch's events with the time each arrived. */
async function collect(events: AsyncIterable<WatchEvent>): Promise<Array<WatchEvent & { at: number }>> {
  const seen: Array<WatchEvent & { at: number }> = [];
  for await (const event of events) seen.push({ ...event, at: Date.now() });
  return seen;
}

describe('BatonClient.watch', () => {
  it('yields turns, a tool call and result, a hand-off, live text before the call completes, and the result', async () => {
    const model = new ScriptedModel([
      { agent: 'triage', reply: { toolCalls: [{ name: 'lookup', arguments: { city: 'Lisbon' } }] } },
      { agent: 'triage', reply: { toolCalls: [{ name: 'transfer_to_weather', arguments: { reason: 'forecast' } }] } },
      { agent: 'weather', reply: { text: answer, stream: { intervalMs: 40, chunkChars: 4 } } },
    ]);
    const baton = await startTestBaton({
      models: { scripted: model },
      tools: [lookup],
      agents: {
        triage: { provider: 'scripted', model: 'm', tools: ['lookup'], handoffs: ['weather'] },
        weather: { provider: 'scripted', model: 'm', stream: true },
      },
    });
    const { events, result } = await baton.run(async () => {
      const handle = await baton.client.startAgent('triage', 'Weather in Lisbon?');
      const events = await collect(baton.client.watch(handle.workflowId));
      return { events, result: await handle.result() };
    });
    const kinds = events.map((e) => e.type);
    expect(kinds.filter((k) => k !== 'text')).toEqual(['agent-turn', 'tool-call', 'tool-result', 'agent-turn', 'handoff', 'agent-turn', 'finished']);
    expect(events.find((e) => e.type === 'tool-call')).toMatchObject({ agent: 'triage', tool: 'lookup', arguments: { city: 'Lisbon' } });
    expect(events.find((e) => e.type === 'tool-result')).toMatchObject({ tool: 'lookup', content: 'Lisbon: sunny, 24C', isError: false });
    expect(events.find((e) => e.type === 'handoff')).toMatchObject({ from: 'triage', to: 'weather' });
    const texts = events.filter((e) => e.type === 'text');
    expect(texts.map((e) => (e.type === 'text' ? e.text : '')).join('')).toBe(answer);
    expect(texts.every((e) => e.type === 'text' && e.agent === 'weather')).toBe(true);
    // Live: several pieces, the first well before the answer was complete (20 chunks at 40 ms).
    expect(texts.length).toBeGreaterThan(3);
    const finished = events.find((e) => e.type === 'finished');
    expect(finished!.at - texts[0]!.at).toBeGreaterThan(300);
    expect(finished).toMatchObject({ result: { output: answer, agent: 'weather' } });
    expect(result.output).toBe(answer);
    model.assertDone();
  });
});
