import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineTool } from '../activities';
import { ScriptedModel } from '../activities/providers/scripted';
import type { WatchEvent } from '../client/watch';
import { startTestBaton } from './helpers/baton';
import { specFor } from './helpers/spec';
import { createBatonTestEnv, decideApproval } from '../testing';
import { closeTestEnv, getTestEnv } from './helpers/temporal';

afterAll(closeTestEnv);

const answer = 'The forecast for Lisbon is sunny, 24 degrees, with a light breeze from the west.';
const lookup = defineTool({ name: 'lookup', description: 'Looks a city up.', input: z.object({ city: z.string() }), execute: async ({ city }) => `${city}: sunny, 24C` });
const pay = defineTool({ name: 'pay', description: 'Pays.', risk: 'high', input: z.object({ amount: z.number() }), execute: async ({ amount }) => `paid ${amount}` });

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
      { agent: 'weather', reply: { text: answer, stream: { intervalMs: 100, chunkChars: 4 } } },
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
    // Live: several pieces, the first well before the answer was complete (20 chunks at 100 ms: 2 s, so a watcher
    // polling slowly on a loaded machine still sees several).
    expect(texts.length).toBeGreaterThan(3);
    const finished = events.find((e) => e.type === 'finished');
    expect(finished!.at - texts[0]!.at).toBeGreaterThan(300);
    expect(finished).toMatchObject({ result: { output: answer, agent: 'weather' } });
    expect(result.output).toBe(answer);
    model.assertDone();
  });

  it('streams an encrypted run: the watcher decrypts the text, the server only holds encrypted heartbeat details', async () => {
    const key = Buffer.alloc(32, 7).toString('base64');
    const secret = 'The vault code is 4711, read slowly so the watcher catches it mid-answer.';
    const model = new ScriptedModel([{ reply: { text: secret, stream: { intervalMs: 40, chunkChars: 3 } } }]);
    const baton = await createBatonTestEnv({
      temporal: await getTestEnv(),
      models: { scripted: model },
      config: { providers: {}, agents: { keeper: { provider: 'scripted', model: 'm', stream: true } }, encryption: { keysEnv: 'STREAM_TEST_KEYS' } },
      worker: { env: { STREAM_TEST_KEYS: `k1:${key}` } },
    });
    const { events, raw } = await baton.run(async () => {
      const handle = await baton.client.startAgent('keeper', 'Tell me the code.');
      const raw: Uint8Array[] = [];
      const events: WatchEvent[] = [];
      for await (const event of baton.client.watch(handle.workflowId)) {
        events.push(event);
        if (event.type !== 'text' || raw.length) continue;
        const described = await baton.client.temporal.workflowService.describeWorkflowExecution({ namespace: baton.temporal.namespace, execution: { workflowId: handle.workflowId } });
        for (const pending of described.pendingActivities ?? []) {
          for (const payload of pending.heartbeatDetails?.payloads ?? []) {
            expect(Buffer.from(payload.metadata?.encoding ?? []).toString()).toBe('binary/encrypted');
            raw.push(payload.data ?? new Uint8Array());
          }
        }
      }
      return { events, raw };
    }).finally(() => baton.close());
    expect(events.filter((e) => e.type === 'text').map((e) => (e.type === 'text' ? e.text : '')).join('')).toBe(secret);
    expect(raw.length).toBeGreaterThan(0);
    for (const data of raw) expect(Buffer.from(data).toString('latin1')).not.toContain('vault');
  });

  it('follows a workflow spec into its child runs: each agent step\'s streamed text, then the spec\'s result', async () => {
    const model = ScriptedModel.respondWith((req) => ({ text: `${req.agent.name} says: ${'la '.repeat(12)}done`, stream: { intervalMs: 30, chunkChars: 4 } }));
    const baton = await startTestBaton({
      models: { scripted: model },
      agents: { drafter: { provider: 'scripted', model: 'm', stream: true }, editor: { provider: 'scripted', model: 'm', stream: true } },
    });
    const spec = specFor(baton, 'draft-edit', { kind: 'sequence', steps: [{ kind: 'agent', agent: 'drafter' }, { kind: 'agent', agent: 'editor' }] });
    const events = await baton.run(async () => collect(baton.client.watch((await baton.client.startSpec(spec, 'a song')).workflowId)));
    expect(events.filter((e) => e.type === 'child-run')).toHaveLength(2);
    const textOf = (agent: string) => events.map((e) => (e.type === 'text' && e.agent === agent ? e.text : '')).join('');
    expect(textOf('drafter')).toBe(`drafter says: ${'la '.repeat(12)}done`);
    expect(textOf('editor')).toBe(`editor says: ${'la '.repeat(12)}done`);
    expect(events.filter((e) => e.type === 'text' && e.agent === 'drafter').length).toBeGreaterThan(2);
    expect(events.at(-1)).toMatchObject({ type: 'finished', run: { workflowId: events[0]?.run.workflowId } });
  });

  it('tells each approval an agent run and a spec run wait for (each through its own state query), once, and goes on after the decision', async () => {
    const model = new ScriptedModel([
      { agent: 'payer', reply: { toolCalls: [{ name: 'pay', arguments: { amount: 5 } }] } },
      { agent: 'payer', reply: { text: 'Paid.' } },
    ]);
    const baton = await startTestBaton({ models: { scripted: model }, tools: [pay], agents: { payer: { provider: 'scripted', model: 'm', tools: ['pay'] } } });
    const spec = specFor(baton, 'pay-plan', { kind: 'tools', plan: { steps: [{ id: 'pay', tool: 'pay', args: { amount: 9 } }] } });
    /** Watches a run to its end, approving each call it is told waits. */
    const watchApproving = async (workflowId: string) => {
      const events: WatchEvent[] = [];
      for await (const event of baton.client.watch(workflowId)) {
        events.push(event);
        if (event.type === 'approval-waiting') await decideApproval(baton.client, event.run.workflowId, event.approval.id, { by: 'watcher' });
      }
      return events;
    };
    const [agentEvents, specEvents] = await baton.run(async () =>
      Promise.all([watchApproving((await baton.client.startAgent('payer', 'pay 5')).workflowId), watchApproving((await baton.client.startSpec(spec, 'x')).workflowId)]),
    );
    const waiting = (events: WatchEvent[]) => events.filter((e) => e.type === 'approval-waiting');
    expect(waiting(agentEvents)).toEqual([expect.objectContaining({ approval: expect.objectContaining({ id: 'approval-1', agent: 'payer', tool: 'pay', arguments: { amount: 5 }, risk: 'high' }) })]);
    expect(agentEvents.at(-1)).toMatchObject({ type: 'finished', result: { output: 'Paid.' } });
    expect(waiting(specEvents)).toEqual([expect.objectContaining({ approval: expect.objectContaining({ id: 'approval-1', tool: 'pay', arguments: { amount: 9 } }) })]);
    expect(specEvents.at(-1)).toMatchObject({ type: 'finished', result: { output: expect.stringContaining('paid 9') } });
    model.assertDone();
  });
});
