import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { defineTool } from '../activities';
import { ScriptedModel } from '../activities/providers/scripted';
import { BatonAgent, BatonPattern, BatonStatus, FailureType, type AgentRunResult } from '../core';
import { runInputFor } from '../config/define-config';
import { agentWorkflow, stateQuery } from '../workflows';
import { startTestBaton } from './helpers/baton';
import { closeTestEnv, uniqueWorkflowId } from './helpers/temporal';

afterAll(closeTestEnv);

const agent = (tools: string[] = [], extra: Record<string, unknown> = {}) => ({
  helper: { provider: 'scripted', model: 'scripted-1', instructions: 'Be helpful.', tools, ...extra },
});

/** The failure type at the bottom of a failed run. */
function failureType(err: unknown): string | undefined {
  expect(err).toBeInstanceOf(WorkflowFailedError);
  const cause = (err as WorkflowFailedError).cause;
  expect(cause).toBeInstanceOf(ApplicationFailure);
  return (cause as ApplicationFailure).type ?? undefined;
}

describe('agentWorkflow', () => {
  it('returns a plain answer in one turn and records usage, state and search attributes', async () => {
    const model = new ScriptedModel([{ reply: { text: 'Hello there.', usage: { inputTokens: 12, outputTokens: 3 } } }]);
    const baton = await startTestBaton({ models: { scripted: model }, agents: agent() });
    const { result, description, state } = await baton.run(async () => {
      const handle = await baton.client.startAgent('helper', 'Say hello');
      const result = await handle.result();
      return { result, description: await handle.describe(), state: await handle.query(stateQuery) };
    });
    expect(result.output).toBe('Hello there.');
    expect(result.turns).toBe(1);
    expect(result.usage).toMatchObject({ inputTokens: 12, outputTokens: 3, modelCalls: 1, toolCalls: 0 });
    expect(result.specHash).toMatch(/^[0-9a-f]{16}$/);
    expect(model.calls).toHaveLength(1);
    expect(model.calls[0]?.messages).toEqual([{ role: 'user', content: 'Say hello' }]);
    expect(model.calls[0]?.agent.instructions).toBe('Be helpful.');
    model.assertDone();
    expect(state).toMatchObject({ status: 'completed', agent: 'helper', turn: 1 });
    expect(description.typedSearchAttributes.get(BatonAgent)).toBe('helper');
    expect(description.typedSearchAttributes.get(BatonPattern)).toBe('agent');
    // The lifecycle is Temporal's ExecutionStatus; BatonStatus is only for waiting approvals.
    expect(description.status.name).toBe('COMPLETED');
    expect(description.typedSearchAttributes.get(BatonStatus)).toBeUndefined();
  });

  it('names a run started by a bare Temporal client with Baton\'s search attributes', async () => {
    const model = new ScriptedModel([{ reply: { text: 'Hi.' } }, { reply: { text: 'Hi again.' } }]);
    const baton = await startTestBaton({ models: { scripted: model }, agents: agent() });
    const { description, bare, viaBaton } = await baton.run(async () => {
      const handle = await baton.client.temporal.workflow.start(agentWorkflow, { args: [runInputFor(baton.config, 'helper', 'hello')], taskQueue: baton.config.temporal.taskQueue, workflowId: uniqueWorkflowId('bare-client') });
      const bare = await handle.result();
      const viaBaton = await (await baton.client.startAgent('helper', 'hello')).result();
      return { description: await handle.describe(), bare, viaBaton };
    });
    expect(description.typedSearchAttributes.get(BatonAgent)).toBe('helper');
    expect(description.typedSearchAttributes.get(BatonPattern)).toBe('agent');
    // The run computes its spec hash itself; Baton's client computes it ahead: the same value.
    expect(viaBaton.specHash).toBe(bare.specHash);
  });

  it('runs several tool calls from one response in parallel, then answers with their results', async () => {
    let running = 0;
    let maxRunning = 0;
    const seen: Array<{ city: string; key: string; attempt: number }> = [];
    const weather = defineTool({
      name: 'weather',
      description: 'Weather for a city',
      input: z.object({ city: z.string() }),
      async execute({ city }, ctx) {
        running++;
        maxRunning = Math.max(maxRunning, running);
        seen.push({ city, key: ctx.idempotencyKey, attempt: ctx.attempt });
        // Each call waits for the other to start (a loaded machine may dispatch the second late), then both end.
        for (const until = Date.now() + 30_000; running < 2 && Date.now() < until;) await new Promise((r) => setTimeout(r, 20));
        running--;
        return { city, forecast: city === 'Oslo' ? 'snow' : 'sun' };
      },
    });
    const model = new ScriptedModel([
      { reply: { toolCalls: [{ name: 'weather', arguments: { city: 'Oslo' } }, { name: 'weather', arguments: { city: 'Rome' } }] } },
      { reply: (req) => ({ text: `Got ${req.messages.filter((m) => m.role === 'tool').map((m) => m.content).join(' and ')}` }) },
    ]);
    const baton = await startTestBaton({ models: { scripted: model }, agents: agent(['weather']), tools: [weather] });
    const result = await baton.run(async () => (await baton.client.startAgent('helper', 'Weather?', { workflowId: `wf-tools-${Date.now()}` })).result());
    expect(maxRunning).toBe(2);
    expect(seen.map((s) => s.city).sort()).toEqual(['Oslo', 'Rome']);
    expect(seen.every((s) => s.attempt === 1 && /^wf-tools-\d+\/[\w-]+\/call_1_[01]$/.test(s.key))).toBe(true);
    expect(result.output).toBe('Got {"city":"Oslo","forecast":"snow"} and {"city":"Rome","forecast":"sun"}');
    expect(result.usage.toolCalls).toBe(2);
    expect(model.calls[1]?.tools).toEqual([{ name: 'weather', description: 'Weather for a city', inputSchema: expect.objectContaining({ type: 'object' }) }]);
  });

  it('gives invalid arguments and unknown tools back to the model, which corrects itself', async () => {
    const executed: unknown[] = [];
    const add = defineTool({ name: 'add', description: 'Adds', input: z.object({ a: z.number(), b: z.number() }), execute: (args) => (executed.push(args), args.a + args.b) });
    const model = new ScriptedModel([
      { reply: { toolCalls: [{ name: 'add', arguments: { a: 'one', b: 2 } }, { name: 'subtract', arguments: {} }] } },
      { reply: { toolCalls: [{ name: 'add', arguments: { a: 1, b: 2 } }] } },
      { reply: { text: 'It is 3.' } },
    ]);
    const baton = await startTestBaton({ models: { scripted: model }, agents: agent(['add']), tools: [add] });
    const result = await baton.run(async () => (await baton.client.startAgent('helper', '1+2?')).result());
    expect(result.output).toBe('It is 3.');
    expect(executed).toEqual([{ a: 1, b: 2 }]);
    const firstResults = model.calls[1]?.messages.filter((m) => m.role === 'tool');
    expect(firstResults).toMatchObject([
      { name: 'add', isError: true, content: expect.stringContaining('Invalid arguments for add: a:') },
      { name: 'subtract', isError: true, content: 'Unknown tool "subtract". Available tools: add.' },
    ]);
  });

  it('retries a throwing tool by its policy, then reports the error to the model', async () => {
    let attempts = 0;
    const flaky = defineTool({
      name: 'flaky', description: 'Always fails', input: z.object({}),
      retry: { maximumAttempts: 2, initialInterval: '50ms' },
      execute: () => { attempts++; throw new Error('disk on fire'); },
    });
    const model = new ScriptedModel([{ reply: { toolCalls: [{ name: 'flaky', arguments: {} }] } }, { reply: { text: 'The tool is broken.' } }]);
    const baton = await startTestBaton({ models: { scripted: model }, agents: agent(['flaky']), tools: [flaky] });
    const result = await baton.run(async () => (await baton.client.startAgent('helper', 'go')).result());
    expect(attempts).toBe(2);
    expect(result.output).toBe('The tool is broken.');
    expect(model.calls[1]?.messages.at(-1)).toMatchObject({ role: 'tool', isError: true, content: 'Tool "flaky" failed: disk on fire' });
  });

  it('fails the run with BatonToolFailed when a failing tool says onError: fail', async () => {
    const strict = defineTool({
      name: 'strict', description: 'Fails hard', input: z.object({}), onError: 'fail',
      retry: { maximumAttempts: 1 }, execute: () => { throw new Error('nope'); },
    });
    const model = new ScriptedModel([{ reply: { toolCalls: [{ name: 'strict', arguments: {} }] } }]);
    const baton = await startTestBaton({ models: { scripted: model }, agents: agent(['strict']), tools: [strict] });
    const err = await baton.run(async () => (await baton.client.startAgent('helper', 'go')).result().catch((e: unknown) => e));
    expect(failureType(err)).toBe(FailureType.ToolFailed);
  });

  it('validates the final answer against the output schema, giving the model one correction', async () => {
    const outputSchema = { type: 'object', properties: { score: { type: 'number' } }, required: ['score'] };
    const model = new ScriptedModel([{ reply: { text: '{"score":"high"}' } }, { reply: { text: '```json\n{"score": 9}\n```' } }]);
    const baton = await startTestBaton({ models: { scripted: model }, agents: agent([], { outputSchema }) });
    const result: AgentRunResult = await baton.run(async () => (await baton.client.startAgent('helper', 'Rate it')).result());
    expect(result.structuredOutput).toEqual({ score: 9 });
    expect(result.turns).toBe(2);
    expect(model.calls[1]?.messages.at(-1)).toMatchObject({ role: 'user', content: expect.stringContaining('/score must be number') });
  });

  it('fails with BatonModelBehaviour when the answer misses the schema twice', async () => {
    const model = new ScriptedModel([{ reply: { text: 'not json' } }, { reply: { text: 'still not' } }]);
    const baton = await startTestBaton({ models: { scripted: model }, agents: agent([], { outputSchema: { type: 'object' } }) });
    const err = await baton.run(async () => (await baton.client.startAgent('helper', 'go')).result().catch((e: unknown) => e));
    expect(failureType(err)).toBe(FailureType.ModelBehaviour);
    expect(model.calls).toHaveLength(2);
  });

  it('stops at maxTurns with BatonMaxTurnsExceeded and status failed', async () => {
    const echo = defineTool({ name: 'echo', description: 'Echo', input: z.object({}), execute: () => 'again' });
    const model = ScriptedModel.respondWith(() => ({ toolCalls: [{ name: 'echo', arguments: {} }] }));
    const baton = await startTestBaton({ models: { scripted: model }, agents: agent(['echo'], { limits: { maxTurns: 3 } }), tools: [echo] });
    const { err, description } = await baton.run(async () => {
      const handle = await baton.client.startAgent('helper', 'loop');
      const err = await handle.result().catch((e: unknown) => e);
      return { err, description: await handle.describe() };
    });
    expect(failureType(err)).toBe(FailureType.MaxTurnsExceeded);
    expect(model.calls).toHaveLength(3);
    expect(description.status.name).toBe('FAILED');
    expect(description.typedSearchAttributes.get(BatonStatus)).toBeUndefined();
  });

  it('rejects an unknown agent before any run starts', async () => {
    const model = new ScriptedModel([]);
    const baton = await startTestBaton({ models: { scripted: model }, agents: agent() });
    await baton.run(() => expect(baton.client.startAgent('nobody', 'hi')).rejects.toThrow(/agent: unknown agent "nobody"; configured agents: helper/));
  });

  it('fails with BatonInvalidInput, naming the bad field, when started with a bad input', async () => {
    const model = new ScriptedModel([]);
    const baton = await startTestBaton({ models: { scripted: model }, agents: agent() });
    const err = await baton.run(() =>
      baton.client.temporal.workflow
        .execute('agentWorkflow', { taskQueue: baton.taskQueue, workflowId: `bad-${Date.now()}`, args: [{ agent: { name: 'x', provider: 'scripted' }, input: 'hi' }] })
        .catch((e: unknown) => e),
    );
    expect(failureType(err)).toBe(FailureType.InvalidInput);
    expect((err as WorkflowFailedError).cause?.message).toContain('agent.model');
  });
});
