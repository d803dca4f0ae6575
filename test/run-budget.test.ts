import { afterAll, describe, expect, it } from 'vitest';
import { WorkflowFailedError } from '@temporalio/client';
import type { ApplicationFailure } from '@temporalio/common';
import { ScriptedModel } from '../activities/providers/scripted';
import { FailureType, type ModelRequest, type Usage } from '../core';
import { budgetFlags } from '../client/cli/commands/run';
import { overBudget } from '../core/run-budget';
import { UsageError } from '../client/cli/context';
import { startTestBaton } from './helpers/baton';
import { specFor } from './helpers/spec';
import { closeTestEnv } from './helpers/temporal';

afterAll(closeTestEnv);

const plannerSchema = { type: 'object', properties: { subtasks: { type: 'array', items: { type: 'object', properties: { agent: { enum: ['researcher'] }, input: { type: 'string' } }, required: ['agent', 'input'] } } }, required: ['subtasks'] };

/** A planner (20 tokens) that plans six researcher runs, each of which uses 150 tokens. */
async function setup() {
  const model = ScriptedModel.respondWith((req: ModelRequest) => req.agent.name === 'planner'
    ? { text: JSON.stringify({ subtasks: Array.from({ length: 6 }, (_, i) => ({ agent: 'researcher', input: `part ${i}` })) }), usage: { inputTokens: 10, outputTokens: 10 } }
    : { text: `done ${(req.messages[0] as { content: string }).content}`, usage: { inputTokens: 100, outputTokens: 50 } });
  const baton = await startTestBaton({ models: { scripted: model }, agents: { researcher: { provider: 'scripted', model: 's' } } });
  const steps = (onFailure: string, concurrency: number) => ({
    kind: 'sequence',
    steps: [
      { kind: 'agent', agent: 'planner', as: 'plan' },
      { kind: 'map', over: 'steps.plan.structured.subtasks', concurrency, onFailure },
    ],
  });
  const planner = { planner: { provider: 'scripted', model: 's', outputSchema: plannerSchema } };
  const researcherCalls = () => model.calls.filter((c) => c.agent.name === 'researcher').length;
  return { baton, steps, planner, researcherCalls };
}

/** The result a closed run recorded in its own history (what its parent received). */
async function recordedResult(baton: Awaited<ReturnType<typeof startTestBaton>>, workflowId: string): Promise<{ messages?: unknown[]; usage?: Usage }> {
  const events = (await baton.client.temporal.workflow.getHandle(workflowId).fetchHistory()).events ?? [];
  const data = events.at(-1)?.workflowExecutionCompletedEventAttributes?.result?.payloads?.[0]?.data;
  return JSON.parse(Buffer.from(data as Uint8Array).toString()) as { messages?: unknown[]; usage?: Usage };
}

function budgetFailure(err: unknown): ApplicationFailure {
  expect(err).toBeInstanceOf(WorkflowFailedError);
  const cause = (err as WorkflowFailedError).cause as ApplicationFailure;
  expect(cause.type).toBe(FailureType.BudgetExceeded);
  return cause;
}

describe('run-wide budgets', () => {
  it('gives each child what remains; a child that passes it stops, its usage counts, no further child starts, and the run fails naming the total', async () => {
    const { baton, steps, planner, researcherCalls } = await setup();
    const spec = { ...specFor(baton, 'capped', steps('fail-fast', 1), planner), budget: { maxTotalTokens: 400 } };
    const { err, third } = await baton.run(async () => {
      const handle = await baton.client.startSpec(spec, 'big job');
      const err = await handle.result().then(() => undefined, (e: unknown) => e);
      const child = baton.client.temporal.workflow.getHandle(`${handle.workflowId}/root.steps[1].items[2]`);
      const started = (await child.fetchHistory()).events?.[0]?.workflowExecutionStartedEventAttributes;
      const payload = started?.input?.payloads?.[0]?.data;
      return { err, third: payload ? (JSON.parse(Buffer.from(payload).toString()) as { budget?: unknown }) : undefined };
    });
    // 20 (planner) + 150 + 150 = 320: the third child gets the 80 left, uses 150 and stops.
    expect(third?.budget).toEqual({ maxTotalTokens: 80 });
    const failure = budgetFailure(err);
    expect(failure.message).toBe('workflow run "capped" used 470 tokens, over its run-wide budget of 400 tokens (total 470 tokens, $0.0000, 4 model calls)');
    expect((failure.details?.[0] as { usage: Usage }).usage).toMatchObject({ inputTokens: 310, outputTokens: 160, modelCalls: 4 });
    expect(researcherCalls()).toBe(3);
  }, 120_000);

  it('stops starting children once the caller\'s budget is spent, also when the fan-out continues past failures', async () => {
    const { baton, steps, planner, researcherCalls } = await setup();
    const spec = specFor(baton, 'fanned', steps('continue', 2), planner);
    const err = await baton.run(async () => {
      const handle = await baton.client.startSpec(spec, 'big job', { budget: { maxTotalTokens: 300 } });
      return handle.result().then(() => undefined, (e: unknown) => e);
    });
    // Two children start together with 280 left each. If both finish in one workflow activation, 20 + 300 = 320
    // is over and no third starts; if the first finishes alone (170 used), a third starts with the 130 left
    // and goes over (470). Either way no child starts once the budget is spent: 4 or 3 of 6 never start.
    const started = researcherCalls();
    expect([2, 3]).toContain(started);
    const used = 20 + 150 * started;
    expect(budgetFailure(err).message).toBe(`workflow run "fanned" used ${used} tokens, over its run-wide budget of 300 tokens (total ${used} tokens, $0.0000, ${started + 1} model calls); stopped before root.steps[1].items[${started}] (${6 - started} steps not started)`);
  }, 120_000);

  it('counts the agents a supervisor asks toward its budget and stops before its next model call', async () => {
    const model = ScriptedModel.respondWith((req: ModelRequest) => req.agent.name === 'boss'
      ? { toolCalls: [{ name: 'ask_researcher', arguments: { request: 'part a' } }, { name: 'ask_researcher', arguments: { request: 'part b' } }], usage: { inputTokens: 10, outputTokens: 10 } }
      : { text: 'found', usage: { inputTokens: 100, outputTokens: 50 } });
    const baton = await startTestBaton({ models: { scripted: model }, agents: { boss: { provider: 'scripted', model: 's', agentTools: ['researcher'] }, researcher: { provider: 'scripted', model: 's' } } });
    const { err, budgets } = await baton.run(async () => {
      const handle = await baton.client.startAgent('boss', 'research', { budget: { maxTotalTokens: 250 } });
      const err = await handle.result().then(() => undefined, (e: unknown) => e);
      const children = [];
      for await (const child of baton.client.temporal.workflow.list({ query: `WorkflowId STARTS_WITH "${handle.workflowId}/ask-"` })) children.push(child.workflowId);
      const budgets = await Promise.all(children.map(async (id) => {
        const data = (await baton.client.temporal.workflow.getHandle(id).fetchHistory()).events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0]?.data;
        return (JSON.parse(Buffer.from(data as Uint8Array).toString()) as { budget?: unknown }).budget;
      }));
      return { err, budgets };
    });
    // Both asked agents start with the 230 left and use 150 each: 20 + 300 = 320, and boss is not called again.
    expect(budgets).toEqual([{ maxTotalTokens: 230 }, { maxTotalTokens: 230 }]);
    expect(budgetFailure(err).message).toBe('the run of agent "boss" used 320 tokens, over its run-wide budget of 250 tokens');
    expect(model.calls.map((c) => c.agent.name).sort()).toEqual(['boss', 'researcher', 'researcher']);
  }, 120_000);

  it('holds an agent run to a budget from the client, and checks --max-tokens and --max-cost', async () => {
    const { baton } = await setup();
    const err = await baton.run(async () => {
      const handle = await baton.client.startAgent('researcher', 'one part', { budget: { maxTotalTokens: 100 } });
      return handle.result().then(() => undefined, (e: unknown) => e);
    });
    expect(budgetFailure(err).message).toBe('the run of agent "researcher" used 150 tokens, over its run-wide budget of 100 tokens');
    expect(budgetFlags({ maxTokens: '5000', maxCost: '0.25' })).toEqual({ maxTotalTokens: 5000, maxCostUsd: 0.25 });
    expect(budgetFlags({})).toBeUndefined();
    expect(() => budgetFlags({ maxTokens: '1.5' })).toThrow(new UsageError('--max-tokens takes a whole number above 0 (got "1.5")'));
    expect(() => budgetFlags({ maxCost: 'lots' })).toThrow(new UsageError('--max-cost takes a number above 0 (got "lots")'));
  }, 120_000);

  it('names the limit a run passed, so the budget-stop metric is labelled by kind', () => {
    const used = { inputTokens: 300, outputTokens: 200, costUsd: 0.5, latencyMs: 0, modelCalls: 2, toolCalls: 0 };
    expect(overBudget({ maxTotalTokens: 400 }, used)).toEqual({ limit: 'tokens', message: 'used 500 tokens, over its run-wide budget of 400 tokens' });
    expect(overBudget({ maxTotalTokens: 1000, maxCostUsd: 0.25 }, used)).toEqual({ limit: 'cost', message: 'cost $0.5000, over its run-wide budget of $0.25' });
    expect(overBudget({ maxTotalTokens: 500, maxCostUsd: 0.5 }, used)).toBeUndefined();
  });
});

describe('child runs\' usage and results', () => {
  it('counts the agents a supervisor asks in its usage without a budget, and they hand back no transcript', async () => {
    const model = ScriptedModel.respondWith((req: ModelRequest) => req.agent.name !== 'boss'
      ? { text: 'found', usage: { inputTokens: 100, outputTokens: 50 } }
      : req.messages.some((m) => m.role === 'tool')
        ? { text: 'summary', usage: { inputTokens: 10, outputTokens: 10 } }
        : { toolCalls: [{ name: 'ask_researcher', arguments: { request: 'part a' } }, { name: 'ask_researcher', arguments: { request: 'part b' } }], usage: { inputTokens: 10, outputTokens: 10 } });
    const baton = await startTestBaton({ models: { scripted: model }, agents: { boss: { provider: 'scripted', model: 's', agentTools: ['researcher'] }, researcher: { provider: 'scripted', model: 's' } } });
    const { result, asked, direct } = await baton.run(async () => {
      const handle = await baton.client.startAgent('boss', 'research');
      const result = await handle.result();
      const ids = [];
      for await (const child of baton.client.temporal.workflow.list({ query: `WorkflowId STARTS_WITH "${handle.workflowId}/ask-"` })) ids.push(child.workflowId);
      const asked = await Promise.all(ids.map((id) => recordedResult(baton, id)));
      const direct = await (await baton.client.startAgent('researcher', 'alone')).result();
      return { result, asked, direct };
    });
    // boss: two calls of 20 tokens; each asked researcher 150.
    expect(result.output).toBe('summary');
    expect(result.usage).toMatchObject({ inputTokens: 220, outputTokens: 120, modelCalls: 4 });
    expect(asked).toHaveLength(2);
    for (const child of asked) expect(child).toMatchObject({ messages: [], usage: { inputTokens: 100, outputTokens: 50, modelCalls: 1 } });
    // A run started by a client keeps its conversation in its result.
    expect(direct.messages.map((m) => m.role)).toEqual(['user', 'assistant']);
  }, 120_000);

  it('counts a generated workflow\'s children in the spec run\'s usage without a budget; spec children hand back no transcript', async () => {
    const model = ScriptedModel.respondWith((req: ModelRequest) => req.agent.name === 'planner'
      ? { text: JSON.stringify({ steps: { kind: 'agent', agent: 'researcher' } }), usage: { inputTokens: 10, outputTokens: 10 } }
      : { text: 'found', usage: { inputTokens: 100, outputTokens: 50 } });
    const baton = await startTestBaton({ models: { scripted: model }, agents: { researcher: { provider: 'scripted', model: 's' } } });
    const spec = specFor(baton, 'planned', { kind: 'generate', planner: 'planner' }, { planner: { provider: 'scripted', model: 's', outputSchema: { type: 'object', properties: { steps: { type: 'object' } }, required: ['steps'] } } });
    const { result, generated, researcher } = await baton.run(async () => {
      const handle = await baton.client.startSpec(spec, 'topic');
      const result = await handle.result();
      return { result, generated: await recordedResult(baton, `${handle.workflowId}/root`), researcher: await recordedResult(baton, `${handle.workflowId}/root/root`) };
    });
    expect(result.output).toBe('found');
    expect(generated.usage).toMatchObject({ inputTokens: 100, outputTokens: 50, modelCalls: 1 });
    expect(result.usage).toMatchObject({ inputTokens: 110, outputTokens: 60, modelCalls: 2 });
    expect(researcher).toMatchObject({ messages: [], usage: { inputTokens: 100, outputTokens: 50 } });
  }, 120_000);

  it('counts what a child that failed on its own limit used, and the failure carries it', async () => {
    // researcher asks for a tool on every turn, so with maxTurns 2 it fails after two calls of 150 tokens.
    const model = ScriptedModel.respondWith((req: ModelRequest) => req.agent.name === 'researcher'
      ? { toolCalls: [{ name: 'ask_helper', arguments: { request: 'more' } }], usage: { inputTokens: 100, outputTokens: 50 } }
      : { text: 'fine', usage: { inputTokens: 10, outputTokens: 10 } });
    const baton = await startTestBaton({ models: { scripted: model }, agents: { researcher: { provider: 'scripted', model: 's', agentTools: ['helper'], limits: { maxTurns: 2 } }, helper: { provider: 'scripted', model: 's' } } });
    const spec = specFor(baton, 'partly', { kind: 'parallel', onFailure: 'continue', branches: [{ kind: 'agent', agent: 'researcher' }, { kind: 'agent', agent: 'helper' }] });
    const { result, failure } = await baton.run(async () => {
      const handle = await baton.client.startSpec(spec, 'topic');
      const result = await handle.result();
      const events = (await baton.client.temporal.workflow.getHandle(`${handle.workflowId}/root.branches[0]`).fetchHistory()).events ?? [];
      return { result, failure: events.at(-1)?.workflowExecutionFailedEventAttributes?.failure };
    });
    expect(failure?.applicationFailureInfo?.type).toBe(FailureType.MaxTurnsExceeded);
    // The failure keeps the stack of where the run failed, not of the copy that carries the usage.
    expect(failure?.stackTrace).toContain('agent-loop');
    expect(failure?.stackTrace).not.toContain('withUsage');
    // researcher: 2 × 150 and two asked helpers of 20; the helper branch 20.
    const researcher = { inputTokens: 220, outputTokens: 120, modelCalls: 4 };
    const data = failure?.applicationFailureInfo?.details?.payloads?.[0]?.data;
    expect((JSON.parse(Buffer.from(data as Uint8Array).toString()) as { usage: Usage }).usage).toMatchObject(researcher);
    expect(result.steps.map((s) => s.status)).toEqual(['failed', 'completed']);
    expect(result.usage).toMatchObject({ inputTokens: 230, outputTokens: 130, modelCalls: 5 });
  }, 120_000);
});
