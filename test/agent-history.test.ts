/**
 * Agent runs keep history flat: a conversation passes to the content store once it is
 * over `storeConversationOver` (32 KB of JSON by default), after which each turn carries
 * only what it adds, and large tool results go by reference. Small runs stay inline.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { temporal } from '@temporalio/proto';
import { defineTool } from '../activities';
import { ScriptedModel } from '../activities/providers/scripted';
import { startTestBaton } from './helpers/baton';
import { closeTestEnv } from './helpers/temporal';

afterAll(closeTestEnv);

type History = temporal.api.history.v1.IHistory;
const pages = 60;

/** Encoded history bytes of each turn: from one callModel scheduling to the next. */
function bytesPerTurn(history: History): number[] {
  const events = history.events ?? [];
  const starts = events.flatMap((e, i) => (e.activityTaskScheduledEventAttributes?.activityType?.name === 'callModel' ? [i] : []));
  return starts.map((start, t) => events.slice(start, starts[t + 1] ?? events.length).reduce((n, e) => n + temporal.api.history.v1.HistoryEvent.encode(e).finish().length, 0));
}

/** callModel inputs as recorded in history. */
function modelInputs(history: History): Array<{ messages: Array<{ content: string }>; conversation?: { ref?: string } }> {
  return (history.events ?? [])
    .filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'callModel')
    .map((e) => JSON.parse(Buffer.from(e.activityTaskScheduledEventAttributes?.input?.payloads?.[0]?.data ?? []).toString()));
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

/** A reader that fetches `pages` pages, each longer than the last, then reports what it read. */
function readerBaton(contentStore: { dir: string; storeConversationOver?: number | false }) {
  const fetchPage = defineTool({ name: 'fetch_page', description: 'Fetches a page', input: z.object({ page: z.number() }), execute: ({ page }) => `page ${page}: ${'lorem '.repeat(160 + 16 * page)}` });
  const model = ScriptedModel.respondWith(({ messages }) => {
    const results = messages.filter((m) => m.role === 'tool');
    if (results.length < pages) return { toolCalls: [{ name: 'fetch_page', arguments: { page: results.length + 1 } }] };
    return { text: `read ${results.length} pages, ${results.reduce((n, m) => n + m.content.length, 0)} characters, ${messages.length} messages` };
  });
  return startTestBaton({ models: { scripted: model }, tools: [fetchPage], agents: { reader: { provider: 'scripted', model: 's', tools: ['fetch_page'], limits: { maxTurns: pages + 5 } } }, contentStore });
}

describe('agent run history', () => {
  it('switches to the stored conversation past 32 KB: bytes per turn flat from turn 20 to 60, same answer as inline', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'baton-content-'));
    const stored = await readerBaton({ dir });
    const inline = await readerBaton({ dir, storeConversationOver: false });
    const runOn = (baton: Awaited<ReturnType<typeof readerBaton>>) => baton.run(async () => {
      const handle = await baton.client.startAgent('reader', 'Read all the pages.');
      return { result: await handle.result(), history: await handle.fetchHistory() };
    });
    const s = await runOn(stored);
    const i = await runOn(inline);
    expect(s.result.output).toBe(i.result.output);
    expect(s.result.output).toMatch(new RegExp(`^read ${pages} pages, \\d+ characters, ${2 * pages + 1} messages$`));

    const perTurn = bytesPerTurn(s.history);
    const inlinePerTurn = bytesPerTurn(i.history);
    expect(perTurn).toHaveLength(pages + 1);
    const early = mean(perTurn.slice(19, 24));
    const late = mean(perTurn.slice(55, 60));
    const total = (h: History) => temporal.api.history.v1.History.encode(h).finish().length;
    console.log(`agent run, ${pages} turns, growing tool outputs: bytes per turn 1 ${perTurn[0]}, 20-24 ${early.toFixed(0)}, 56-60 ${late.toFixed(0)}, the switch turn ${Math.max(...perTurn.slice(0, -1))} (inline: ${inlinePerTurn[0]}, ${mean(inlinePerTurn.slice(19, 24)).toFixed(0)}, ${mean(inlinePerTurn.slice(55, 60)).toFixed(0)}); history ${total(s.history)} bytes (inline ${total(i.history)})`);
    expect(late / early).toBeLessThan(1.2);
    expect(mean(inlinePerTurn.slice(55, 60)) / mean(inlinePerTurn.slice(19, 24))).toBeGreaterThan(2);

    // The switch is recorded once (a patch marker); later steps send only new messages and a reference.
    expect((s.history.events ?? []).filter((e) => e.markerRecordedEventAttributes)).toHaveLength(1);
    const inputs = modelInputs(s.history);
    const firstStored = inputs.findIndex((r) => r.conversation);
    expect(firstStored).toBeGreaterThan(5);
    expect(inputs[firstStored]?.conversation?.ref).toBeUndefined();
    expect(inputs[firstStored]?.messages).toHaveLength(2 * firstStored + 1);
    expect(inputs.slice(firstStored + 1).every((r) => r.conversation?.ref && r.messages.length === 1)).toBe(true);
    expect(s.result.conversationRef).toMatch(/^sha256:/);
  }, 180_000);

  it('gives the model the whole of a tool result the worker stored by reference, in an inline run too', async () => {
    const bigResult = defineTool({ name: 'big_result', description: 'Returns a large result', input: z.object({}), execute: () => 'x'.repeat(5000) });
    const model = ScriptedModel.respondWith(({ messages }) => {
      const result = messages.find((m) => m.role === 'tool');
      return result ? { text: `the result has ${result.content.length} characters` } : { toolCalls: [{ name: 'big_result', arguments: {} }] };
    });
    const baton = await startTestBaton({
      models: { scripted: model }, tools: [bigResult], agents: { reader: { provider: 'scripted', model: 's', tools: ['big_result'] } },
      worker: { storeToolResultsOver: 1000 }, contentStore: { dir: mkdtempSync(path.join(os.tmpdir(), 'baton-content-')) },
    });
    const { result, history } = await baton.run(async () => {
      const handle = await baton.client.startAgent('reader', 'How long is it?');
      return { result: await handle.result(), history: await handle.fetchHistory() };
    });
    expect(result.output).toBe('the result has 5000 characters');
    expect(modelInputs(history).every((r) => r.conversation === undefined)).toBe(true);
  });

  it('keeps a small run inline, its messages readable in history', async () => {
    const model = ScriptedModel.respondWith(() => ({ text: 'short answer' }));
    const small = await startTestBaton({ models: { scripted: model }, agents: { chat: { provider: 'scripted', model: 's' } }, contentStore: { dir: mkdtempSync(path.join(os.tmpdir(), 'baton-content-')) } });
    const history = await small.run(async () => {
      const handle = await small.client.startAgent('chat', 'A small question.');
      await handle.result();
      return handle.fetchHistory();
    });
    const [input] = modelInputs(history);
    expect(input?.conversation).toBeUndefined();
    expect(input?.messages.map((m) => m.content)).toEqual(['A small question.']);
    expect((history.events ?? []).some((e) => e.markerRecordedEventAttributes)).toBe(false);
  });
});
