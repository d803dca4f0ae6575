import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { z } from 'zod';
import { defineTool } from '../activities';
import { ScriptedModel } from '../activities/providers/scripted';
import { sessionStateQuery } from '../workflows';
import { replaySavedHistories, saveHistory } from '../testing';
import { startTestBaton } from './helpers/baton';
import { closeTestEnv } from './helpers/temporal';

afterAll(closeTestEnv);

/** Every run of a continue-as-new chain, oldest first, with its history size and events. */
async function runsOf(client: Client, workflowId: string) {
  const runs = [];
  for await (const run of client.workflow.list({ query: `WorkflowId = "${workflowId}"` })) runs.push(run);
  runs.sort((a, b) => a.startTime.getTime() - b.startTime.getTime());
  return Promise.all(runs.map(async (run) => {
    const history = await client.workflow.getHandle(workflowId, run.runId).fetchHistory();
    return { status: run.status.name, bytes: temporal.api.history.v1.History.encode(history).finish().length, events: history.events?.length ?? 0 };
  }));
}

describe('sessionWorkflow', () => {
  it('keeps history per turn flat over a 300-turn session with growing context, continuing as new', async () => {
    const model = ScriptedModel.respondWith(({ messages }) => ({ text: `reply ${messages.filter((m) => m.role === 'user').length}: I have seen ${messages.length} messages of ${messages.reduce((n, m) => n + m.content.length, 0)} characters.` }));
    const baton = await startTestBaton({ models: { scripted: model }, agents: { chat: { provider: 'scripted', model: 's' } } });
    const { last, runs, state } = await baton.run(async () => {
      const handle = await baton.client.startSession('chat', { maxTurnsPerRun: 50 });
      let last;
      for (let turn = 1; turn <= 300; turn++) {
        last = await baton.client.sendMessage(handle.workflowId, `message ${turn}: ${'context '.repeat(20)}`);
      }
      const state = await baton.client.temporal.workflow.getHandle(handle.workflowId).query(sessionStateQuery);
      return { last, runs: await runsOf(baton.client.temporal, handle.workflowId), state };
    });
    // The model saw the whole conversation on the last turn: 300 user + 299 assistant messages.
    expect(last?.reply).toMatch(/^reply 300: I have seen 599 messages of \d+ characters\.$/);
    expect(last?.turn).toBe(300);
    expect(state).toMatchObject({ turns: 300, turnsThisRun: 0, status: 'idle' });
    expect(runs.map((r) => r.status)).toEqual(['CONTINUED_AS_NEW', 'CONTINUED_AS_NEW', 'CONTINUED_AS_NEW', 'CONTINUED_AS_NEW', 'CONTINUED_AS_NEW', 'CONTINUED_AS_NEW', 'RUNNING']);
    const first = runs[0] as (typeof runs)[number];
    const sixth = runs[5] as (typeof runs)[number];
    // Bytes per turn over the last 50 turns within 1.2x of the first 50.
    expect(sixth.bytes / 50 / (first.bytes / 50)).toBeLessThan(1.2);
    // Same events per run, give or take a workflow task that timing merges or splits.
    expect(Math.abs(sixth.events - first.events)).toBeLessThanOrEqual(6);
  }, 180_000);

  it('keeps a large tool output in the content store: the model reads it all, history holds a preview', async () => {
    const readDoc = defineTool({ name: 'read_doc', description: 'Reads a long document', input: z.object({}), execute: () => 'lorem '.repeat(10_000) });
    const model = ScriptedModel.respondWith(({ messages }) => {
      const result = messages.find((m) => m.role === 'tool');
      return result ? { text: `the document has ${result.content.length} characters` } : { toolCalls: [{ name: 'read_doc', arguments: {} }] };
    });
    const baton = await startTestBaton({ models: { scripted: model }, agents: { reader: { provider: 'scripted', model: 's', tools: ['read_doc'] } }, tools: [readDoc] });
    const { reply, runs } = await baton.run(async () => {
      const handle = await baton.client.startSession('reader');
      const reply = await baton.client.sendMessage(handle.workflowId, 'How long is the document?');
      return { reply, runs: await runsOf(baton.client.temporal, handle.workflowId) };
    });
    expect(reply.reply).toBe('the document has 60000 characters');
    expect(runs[0]?.bytes).toBeLessThan(15_000);
  });

  it('answers messages sent at once one at a time, in arrival order, each Update with its own reply; the history replays', async () => {
    const model = ScriptedModel.respondWith(({ messages }) => {
      const users = messages.filter((m) => m.role === 'user');
      return { text: `${users.length} messages, last "${users[users.length - 1]?.content}"` };
    });
    const baton = await startTestBaton({ models: { scripted: model }, agents: { chat: { provider: 'scripted', model: 's' } } });
    const { replies, history, saved } = await baton.run(async () => {
      const handle = await baton.client.startSession('chat');
      const replies = await Promise.all(['a', 'b', 'c'].map((text) => baton.client.sendMessage(handle.workflowId, text)));
      await baton.client.sendMessage(handle.workflowId, 'd');
      const history = await baton.client.temporal.workflow.getHandle(handle.workflowId).fetchHistory();
      return { replies, history, saved: await saveHistory(baton.client.temporal, handle.workflowId, mkdtempSync(path.join(os.tmpdir(), 'session-history-'))) };
    });
    // Each turn saw the turns before it: the n-th answered message was the n-th in the conversation.
    const byTurn = [...replies].sort((x, y) => x.turn - y.turn);
    expect(byTurn.map((r) => r.turn)).toEqual([1, 2, 3]);
    expect(byTurn.map((r) => r.reply.split(',')[0])).toEqual(['1 messages', '2 messages', '3 messages']);
    for (const [i, text] of ['a', 'b', 'c'].entries()) expect(replies[i]?.reply).toMatch(new RegExp(`last "${text}"$`));
    expect(model.calls).toHaveLength(4);
    // The turns run in the Update handlers (a run recorded before ran them in the main loop, which its replay keeps).
    const patches = (history.events ?? []).flatMap((e) => {
      const data = e.markerRecordedEventAttributes?.details?.['patch-data']?.payloads?.[0]?.data;
      return data ? [(JSON.parse(Buffer.from(data).toString()) as { id: string }).id] : [];
    });
    expect(patches).toContain('baton-session-direct-turns');
    expect(await replaySavedHistories(saved)).toEqual([expect.objectContaining({ ok: true })]);
  });
});
