import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { WorkflowFailedError } from '@temporalio/client';
import type { ApplicationFailure } from '@temporalio/common';
import { defineTool } from '../activities';
import { ScriptedModel, type ScriptReply } from '../activities/providers/scripted';
import { FailureType, type ModelRequest, type SpecRunState, type ToolMessage } from '../core';
import { agentWorkflow, specStateQuery } from '../workflows';
import { startTestBaton } from './helpers/baton';
import { specFor } from './helpers/spec';
import { closeTestEnv, uniqueWorkflowId } from './helpers/temporal';

afterAll(closeTestEnv);

const names = ['classifier', 'billing', 'fallback', 'worker'];

async function setup(respond: (req: ModelRequest) => ScriptReply) {
  const model = ScriptedModel.respondWith(respond);
  const agents = Object.fromEntries(names.map((n) => [n, { provider: 'scripted', model: 's' }]));
  return { model, baton: await startTestBaton({ models: { scripted: model }, agents }) };
}

function failureOf(err: unknown): ApplicationFailure {
  expect(err).toBeInstanceOf(WorkflowFailedError);
  return (err as WorkflowFailedError).cause as ApplicationFailure;
}

/** Fails instead of hanging: a run stuck on a failing workflow task never settles. */
function within<T>(ms: number, promise: Promise<T>, what: string): Promise<T> {
  return Promise.race([promise, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`${what} did not settle within ${ms} ms`)), ms))]);
}

describe('no run hangs on prototype names', () => {
  it('fails a route answered "constructor" promptly with a typed error naming the route, or takes the default; the query answers throughout', async () => {
    const { baton } = await setup((req) => (req.agent.name === 'classifier' ? { text: JSON.stringify({ route: 'constructor' }) } : { text: `${req.agent.name} handled it` }));
    const routes = { billing: { kind: 'agent', agent: 'billing' } };
    const failing = specFor(baton, 'triage', { kind: 'route', classifier: 'classifier', routes });
    const defaulting = specFor(baton, 'triage-default', { kind: 'route', classifier: 'classifier', routes, default: { kind: 'agent', agent: 'fallback' }, onUnknown: 'default' });
    const out = await baton.run(async () => {
      const handle = await baton.client.startSpec(failing, 'hello');
      const states: SpecRunState[] = [];
      const settled = handle.result().then(() => undefined, (e: unknown) => e);
      let done = false;
      void settled.then(() => (done = true));
      while (!done) {
        states.push(await within(20_000, handle.query(specStateQuery), 'the specState query'));
        await new Promise((r) => setTimeout(r, 200));
      }
      const err = await within(45_000, settled, 'the route run');
      const other = await within(45_000, (await baton.client.startSpec(defaulting, 'hello')).result(), 'the defaulting run');
      return { err, states, final: await handle.query(specStateQuery), other };
    });
    expect(failureOf(out.err)).toMatchObject({ type: FailureType.StepFailed, message: 'root: unknown route "constructor" (routes: billing)' });
    expect(out.states.length).toBeGreaterThan(0);
    expect(out.final.status).toBe('failed');
    expect(out.final.steps.find((s) => s.kind === 'route')).toMatchObject({ status: 'failed', route: 'constructor' });
    expect(out.other.output).toBe('fallback handled it');
    expect(out.other.steps.find((s) => s.kind === 'route')?.route).toBe('constructor → default');
  }, 120_000);
});

describe('no run hangs on prototype names from the model', () => {
  it('answers transfer_to_constructor and ask_toString calls with errors the model can read', async () => {
    const model = ScriptedModel.respondWith((req) => (req.messages.some((m) => m.role === 'tool') ? { text: 'done' } : { toolCalls: [{ name: 'transfer_to_constructor', arguments: {} }, { name: 'ask_toString', arguments: { request: 'x' } }, { name: '__proto__', arguments: {} }] }));
    const baton = await startTestBaton({ models: { scripted: model }, agents: { lead: { provider: 'scripted', model: 's', handoffs: ['helper'], agentTools: ['helper'] }, helper: { provider: 'scripted', model: 's' } } });
    const result = await baton.run(async () => within(45_000, (await baton.client.startAgent('lead', 'go')).result(), 'the run'));
    expect(result).toMatchObject({ output: 'done', agent: 'lead', path: ['lead'] });
    const replies = model.calls[1]?.messages.filter((m): m is ToolMessage => m.role === 'tool') ?? [];
    expect(replies.map((m) => [m.isError, m.content])).toEqual([
      [true, 'Cannot transfer to "constructor": lead may hand off only to helper.'],
      [true, 'Cannot ask "toString": lead may ask only helper.'],
      [true, expect.stringMatching(/^Unknown tool "__proto__"\. Available tools: /)],
    ]);
  });
});

describe('no run hangs on an unexpected error in workflow code', () => {
  it('fails a run whose workflow code throws a TypeError with BatonWorkflowError, at once', async () => {
    const { baton } = await setup(() => ({ text: 'never called' }));
    const err = await baton.run(async () => {
      // `validated: true` makes the workflow trust the input: this malformed one throws a TypeError inside it.
      const handle = await baton.client.temporal.workflow.start(agentWorkflow, { args: [{ validated: true, agent: { name: 'x' }, input: 'hi' } as never], taskQueue: baton.taskQueue, workflowId: uniqueWorkflowId('malformed') });
      return within(45_000, handle.result().then(() => undefined, (e: unknown) => e), 'the malformed run');
    });
    const failure = failureOf(err);
    expect(failure.type).toBe(FailureType.WorkflowError);
    // Which field it trips on first depends on the workflow code (the team since agents are filled with defaults); that it fails at once, typed, does not.
    expect(failure.message).toMatch(/^agent run malformed-[\w-]+ stopped on an unexpected TypeError in workflow code: Cannot read properties of undefined \(reading '\w+'\)\..*report it with the run id\.$/);
  });
});

describe('Baton limits below the server\'s', () => {
  const plannerSchema = { type: 'object', properties: { items: { type: 'array' } }, required: ['items'] };
  const mapOver = (extra: Record<string, unknown> = {}) => ({ kind: 'sequence', steps: [{ kind: 'agent', agent: 'classifier', as: 'plan' }, { kind: 'map', over: 'steps.plan.structured.items', agent: 'worker', onFailure: 'continue', ...extra }] });

  it('runs a map without concurrency at most 50 items at once, and refuses more items than maxItems with a typed error', async () => {
    const model = ScriptedModel.respondWith((req) => {
      const text = (req.messages[0] as { content: string }).content;
      if (req.agent.name !== 'classifier') return { text: `did ${text}` };
      return { text: JSON.stringify({ items: Array.from({ length: text === 'many' ? 2_001 : text === 'five' ? 5 : 80 }, (_, i) => `item ${i}`) }) };
    });
    const agents = { ...Object.fromEntries(names.map((n) => [n, { provider: 'scripted', model: 's' }])), classifier: { provider: 'scripted', model: 's', outputSchema: plannerSchema } };
    const baton = await startTestBaton({ models: { scripted: model }, agents });
    const wide = specFor(baton, 'wide', mapOver());
    const capped = specFor(baton, 'capped', mapOver({ maxItems: 3 }));
    const out = await baton.run(async () => {
      const handle = await baton.client.startSpec(wide, 'eighty');
      const result = await within(90_000, handle.result(), 'the 80-item map');
      // Children started before the first one finished: exactly the concurrency, whatever the timing.
      const events = (await handle.fetchHistory()).events ?? [];
      const isItem = (id: string | null | undefined) => Boolean(id?.includes('.items['));
      const firstDone = events.findIndex((e) => isItem(e.childWorkflowExecutionCompletedEventAttributes?.workflowExecution?.workflowId));
      const peak = events.slice(0, firstDone).filter((e) => isItem(e.startChildWorkflowExecutionInitiatedEventAttributes?.workflowId)).length;
      const tooMany = await within(45_000, (await baton.client.startSpec(wide, 'many')).result().catch((e: unknown) => e), 'the 2,001-item map');
      const overCap = await within(45_000, (await baton.client.startSpec(capped, 'five')).result().catch((e: unknown) => e), 'the capped map');
      return { result, peak, tooMany, overCap };
    });
    expect(out.result.output.match(/^Result \d+ \(worker: item \d+\):\ndid item \d+$/gm)).toHaveLength(80);
    expect(out.peak).toBe(50);
    expect(failureOf(out.tooMany)).toMatchObject({ type: FailureType.LimitExceeded, message: 'root.steps[1]: steps.plan.structured.items has 2001 items, over the map\'s limit of 2000 (the step\'s maxItems, default 2000); have the planner return fewer items, or raise maxItems on the map step' });
    expect(failureOf(out.overCap).message).toContain('has 5 items, over the map\'s limit of 3');
  }, 120_000);

  it('runs a map item that names agent "constructor" as a failed item, not a hung run', async () => {
    const planned = async (items: unknown[]) => {
      const model = ScriptedModel.respondWith((req) => (req.agent.name === 'classifier' ? { text: JSON.stringify({ items }) } : { text: `${req.agent.name} did ${(req.messages[0] as { content: string }).content}` }));
      const agents = { ...Object.fromEntries(names.map((n) => [n, { provider: 'scripted', model: 's' }])), classifier: { provider: 'scripted', model: 's', outputSchema: plannerSchema } };
      const baton = await startTestBaton({ models: { scripted: model }, agents });
      const spec = specFor(baton, 'items', { kind: 'sequence', steps: [{ kind: 'agent', agent: 'classifier', as: 'plan' }, { kind: 'map', over: 'steps.plan.structured.items', onFailure: 'continue' }] });
      return baton.run(async () => within(45_000, (await baton.client.startSpec(spec, 'go')).result().catch((e: unknown) => e), 'the map'));
    };
    const result = (await planned([{ agent: 'constructor', input: 'a' }, { agent: 'worker', input: 'b' }])) as { output: string };
    expect(result.output).toMatch(/^Result 1 \(constructor: a\):\nFAILED: the workflow spec has no agent "constructor" \(agents: /);
    expect(result.output).toContain('Result 2 (worker: b):\nworker did b');
    const err = await planned([{ agent: 'worker', input: 'b' }, null]);
    expect(failureOf(err)).toMatchObject({ type: FailureType.InvalidInput, message: 'steps.plan.structured.items[1] names no agent and the map step has none' });
  });

  it('runs at most limits.maxToolCallsPerTurn tool calls of one turn (default 64) and tells the model about the rest', async () => {
    let runs = 0;
    const ping = defineTool({ name: 'ping', description: 'Ping', input: z.object({ n: z.number() }), execute: async ({ n }) => ((runs++), `pong ${n}`) });
    const calls = (count: number) => Array.from({ length: count }, (_, n) => ({ name: 'ping', arguments: { n } }));
    const model = ScriptedModel.respondWith((req) => {
      if (req.messages.some((m) => m.role === 'tool')) return { text: 'done' };
      return { toolCalls: calls(req.agent.name === 'classifier' ? 5 : 66) };
    });
    const baton = await startTestBaton({ models: { scripted: model }, tools: [ping], agents: { classifier: { provider: 'scripted', model: 's', tools: ['ping'], limits: { maxToolCallsPerTurn: 3 } }, worker: { provider: 'scripted', model: 's', tools: ['ping'] } } });
    const out = await baton.run(async () => ({
      small: await within(30_000, (await baton.client.startAgent('classifier', 'go')).result(), 'the run limited to 3'),
      smallRuns: runs,
      wide: await within(60_000, (await baton.client.startAgent('worker', 'go')).result(), 'the run with the default limit'),
    }));
    const toolReplies = (agent: string) => model.calls.find((c) => c.agent.name === agent && c.messages.some((m) => m.role === 'tool'))?.messages.filter((m): m is ToolMessage => m.role === 'tool') ?? [];
    expect(out.smallRuns).toBe(3);
    expect(toolReplies('classifier').map((m) => m.isError)).toEqual([false, false, false, true, true]);
    expect(toolReplies('classifier')[3]?.content).toBe('Not run: this turn asked for 5 tool calls, over agent "classifier"\'s limit of 3 per turn (limits.maxToolCallsPerTurn). Only the first 3 ran; ask for the rest in your next turn.');
    expect(out.small.usage.toolCalls).toBe(3);
    expect(runs).toBe(3 + 64);
    expect(toolReplies('worker').filter((m) => m.isError)).toHaveLength(2);
    expect(out.wide.usage.toolCalls).toBe(64);
  }, 180_000);
});
