/**
 * Payload sizes are checked in the activities before a result is sent: a tool result over
 * `worker.storeToolResultsOver` goes to the content store, history gets a preview and the
 * reference (the model activity reads the full result back), and a
 * result still over `worker.maxPayloadBytes` (a model answer, or a tool under a raised store
 * threshold) fails at once, typed, instead of being refused by the server and retried until
 * it times out.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { WorkflowFailedError } from '@temporalio/client';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineTool, FileContentStore } from '../activities';
import { ScriptedModel } from '../activities/providers/scripted';
import { FailureType, type ToolMessage } from '../core';
import { startTestBaton } from './helpers/baton';
import { closeTestEnv } from './helpers/temporal';

const dirs: string[] = [];
afterAll(async () => {
  dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })); // a 50 MB result each run
  await closeTestEnv();
});

const MiB = 1024 * 1024;
const stores = () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'baton-payload-'));
  dirs.push(dir);
  return { contentStore: { dir: path.join(dir, 'content') }, toolCache: { dir: path.join(dir, 'cache') } };
};

/** Calls `tool` once, then answers with what it saw. */
const callOnce = (tool: string) =>
  ScriptedModel.respondWith(({ messages }) => {
    const result = messages.find((m): m is ToolMessage => m.role === 'tool');
    return result ? { text: `saw ${result.content.length} characters` } : { toolCalls: [{ name: tool, arguments: {} }] };
  });

/** The deepest cause of a failed run: its type and message. */
function rootCause(err: unknown): { type?: string; message: string } {
  let current = err as Error & { cause?: unknown; type?: string };
  while (current.cause instanceof Error) current = current.cause as Error & { cause?: unknown; type?: string };
  return { type: current.type, message: current.message };
}

describe('payload limits', () => {
  it('keeps a 50 MB tool result in the content store, with a preview and its reference in history, within seconds', async () => {
    let runs = 0;
    const dump = defineTool({ name: 'dump_table', description: 'Dumps a big table', input: z.object({}), execute: () => (runs++, 'row;'.repeat(50 * MiB / 4)) });
    const settings = stores();
    const baton = await startTestBaton({ models: { scripted: callOnce('dump_table') }, tools: [dump], agents: { reader: { provider: 'scripted', model: 's', tools: ['dump_table'] } }, ...settings });
    const started = Date.now();
    const result = await baton.run(async () => (await baton.client.startAgent('reader', 'dump it')).result());
    const elapsed = Date.now() - started;
    console.log(`50 MB tool result: run finished in ${elapsed} ms`);

    const message = result.messages.find((m): m is ToolMessage => m.role === 'tool') as ToolMessage;
    expect(runs).toBe(1);
    expect(message.isError).toBe(false);
    expect(message.contentRef).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(message.content).toMatch(/^row;row;.*… \[52428800 characters, 50\.0 MiB, over worker\.storeToolResultsOver, stored as sha256:/);
    // History holds the preview; the model activity reads the full result back from the store.
    expect(result.output).toBe(`saw ${50 * MiB} characters`);
    const stored = await new FileContentStore(path.resolve(settings.contentStore.dir)).get<string>(message.contentRef as string);
    expect(stored).toHaveLength(50 * MiB);
    // The mechanism is asserted above (one run of the tool, a reference in history); the bound has room for a loaded machine.
    expect(elapsed).toBeLessThan(45_000);
  }, 180_000);

  it('fails a 3 MB model answer at once with BatonLimitExceeded, naming the limit and the setting', async () => {
    const model = ScriptedModel.respondWith(() => ({ text: 'x'.repeat(3 * MiB) }));
    const baton = await startTestBaton({ models: { scripted: model }, agents: { planner: { provider: 'scripted', model: 's' } }, ...stores() });
    const started = Date.now();
    const error = await baton.run(async () => (await baton.client.startAgent('planner', 'plan everything')).result().catch((err: unknown) => err));
    const elapsed = Date.now() - started;
    console.log(`3 MB model answer: run failed in ${elapsed} ms`);

    expect(error).toBeInstanceOf(WorkflowFailedError);
    const cause = rootCause(error);
    expect(cause.type).toBe(FailureType.LimitExceeded);
    expect(cause.message).toBe(
      `the answer of agent "planner" (turn 1) is 3.0 MiB, over Baton's payload limit of 1.5 MiB (worker.maxPayloadBytes; the Temporal server refuses payloads over 2 MiB): ask for a shorter answer, or lower the agent's limits.maxOutputTokens`,
    );
    // At once: one model call and no retry (a retried call would back off and call again); room for a loaded machine.
    expect(model.calls).toHaveLength(1);
    expect(elapsed).toBeLessThan(30_000);
  });

  it('fails a tool result over the limit at once when the store threshold is raised above it, and tells the model why', async () => {
    let runs = 0;
    const big = defineTool({ name: 'big_report', description: 'A 3 MB report', input: z.object({}), execute: () => (runs++, 'r'.repeat(3 * MiB)) });
    const model = ScriptedModel.respondWith(({ messages }) => {
      const result = messages.find((m): m is ToolMessage => m.role === 'tool');
      return result ? { text: result.content } : { toolCalls: [{ name: 'big_report', arguments: {} }] };
    });
    const baton = await startTestBaton({
      models: { scripted: model }, tools: [big], agents: { reader: { provider: 'scripted', model: 's', tools: ['big_report'] } },
      worker: { storeToolResultsOver: 4 * MiB }, ...stores(),
    });
    const started = Date.now();
    const result = await baton.run(async () => (await baton.client.startAgent('reader', 'report')).result());
    const elapsed = Date.now() - started;
    console.log(`3 MB tool result over the limit: run finished in ${elapsed} ms`);

    expect(runs).toBe(1);
    expect(result.output).toBe(
      `Tool "big_report" failed: the result of tool "big_report" is 3.0 MiB, over Baton's payload limit of 1.5 MiB (worker.maxPayloadBytes; the Temporal server refuses payloads over 2 MiB): raise worker.storeToolResultsOver no higher than it, so bigger results go to the content store`,
    );
    // At once: the tool ran once and the model heard why; room for a loaded machine.
    expect(elapsed).toBeLessThan(30_000);
  });
});
