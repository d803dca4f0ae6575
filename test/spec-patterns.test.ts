import { afterAll, describe, expect, it } from 'vitest';
import { WorkflowFailedError } from '@temporalio/client';
import { type ApplicationFailure } from '@temporalio/common';
import { ScriptedModel, type ScriptReply } from '../activities/providers/scripted';
import { BatonAgent, BatonPattern, FailureType, type ModelRequest } from '../core';
import { specStateQuery } from '../workflows';
import { startTestBaton } from './helpers/baton';
import { specFor } from './helpers/spec';
import { closeTestEnv } from './helpers/temporal';
import { waitFor } from './helpers/wait-for';

afterAll(closeTestEnv);

const input = (req: ModelRequest) => (req.messages[0] as { content: string }).content;
const names = ['writer', 'critic', 'planner', 'researcher', 'classifier', 'billing', 'support', 'fallback', 'slow', 'broken'];

async function setup(respond: (req: ModelRequest) => ScriptReply) {
  const model = ScriptedModel.respondWith(respond);
  const agents = Object.fromEntries(names.map((n) => [n, { provider: 'scripted', model: 's' }]));
  const baton = await startTestBaton({ models: { scripted: model }, agents });
  return { model, baton };
}

function failureOf(err: unknown): ApplicationFailure {
  expect(err).toBeInstanceOf(WorkflowFailedError);
  return (err as WorkflowFailedError).cause as ApplicationFailure;
}

describe('declarative workflow patterns', () => {
  it('runs parallel branches with a concurrency limit, in input order, and aggregates them', async () => {
    const { model, baton } = await setup((req) => ({ text: req.agent.name === 'writer' ? `merged[${input(req).replace(/\n/g, ' ')}]` : `${req.agent.name} on ${input(req)}` }));
    const spec = specFor(baton, 'panel', {
      kind: 'parallel', concurrency: 2,
      branches: [{ kind: 'agent', agent: 'researcher' }, { kind: 'agent', agent: 'critic' }, { kind: 'agent', agent: 'support', input: 'support sees {{input}}!' }],
      aggregate: { kind: 'agent', agent: 'writer' },
    });
    const { result, state, parent, child, byParent, byRoot } = await baton.run(async () => {
      const handle = await baton.client.startSpec(spec, 'topic');
      const result = await handle.result();
      const child = await baton.client.temporal.workflow.getHandle(`${handle.workflowId}/root.branches[0]`).describe();
      const children = async (query: string) => {
        return waitFor(async () => {
          const ids: string[] = [];
          for await (const run of baton.client.temporal.workflow.list({ query })) ids.push(run.workflowId);
          return ids.length >= 4 && ids.sort();
        }, `visibility to list the children for ${query}`, 60_000, 100);
      };
      const byParent = await children(`ParentWorkflowId = "${handle.workflowId}"`);
      const byRoot = await children(`RootWorkflowId = "${handle.workflowId}" AND WorkflowId != "${handle.workflowId}"`);
      return { result, state: await handle.query(specStateQuery), parent: await handle.describe(), child, byParent, byRoot };
    });
    // Children are found through their parent with Temporal's built-in attributes.
    const childIds = ['root.aggregate', 'root.branches[0]', 'root.branches[1]', 'root.branches[2]'].map((p) => `${parent.workflowId}/${p}`);
    expect(byParent).toEqual(childIds);
    expect(byRoot).toEqual(childIds);
    // The run a person started is named by search attributes; its children only by their parent and summary.
    expect(parent.typedSearchAttributes.get(BatonPattern)).toBe('panel');
    expect(child.typedSearchAttributes.get(BatonPattern)).toBeUndefined();
    expect(child.typedSearchAttributes.get(BatonAgent)).toBeUndefined();
    expect(child.parentExecution?.workflowId).toBe(parent.workflowId);
    expect(await child.staticSummary()).toBe('agent researcher · step root.branches[0] of panel');
    expect(result.output).toBe('merged[Result 1 (researcher): researcher on topic  Result 2 (critic): critic on topic  Result 3 (support): support on support sees topic!]');
    expect(model.calls).toHaveLength(4);
    expect(state.steps.map((s) => `${s.path}:${s.status}`)).toEqual(expect.arrayContaining(['root.branches[0]:completed', 'root.branches[2]:completed', 'root.aggregate:completed']));
    expect(state).toMatchObject({ status: 'completed', pattern: 'panel' });
    expect(result.usage.modelCalls).toBe(4);
  });

  it('fans out 200 planner subtasks as child runs, and the orchestrator synthesizes them', async () => {
    const { baton } = await setup((req) => {
      if (req.agent.name === 'planner') return { text: JSON.stringify({ subtasks: Array.from({ length: 200 }, (_, i) => ({ agent: 'researcher', input: `part ${i}` })) }) };
      if (req.agent.name === 'writer') return { text: `synthesized ${input(req).split('\n\n').length} results` };
      return { text: `done ${input(req)}` };
    });
    const spec = specFor(baton, 'orchestrated', {
      kind: 'sequence',
      steps: [
        { kind: 'agent', agent: 'planner', as: 'plan' },
        { kind: 'map', over: 'steps.plan.structured.subtasks', concurrency: 50, aggregate: { kind: 'agent', agent: 'writer' } },
      ],
    }, { planner: { provider: 'scripted', model: 's', outputSchema: { type: 'object', properties: { subtasks: { type: 'array', items: { type: 'object', properties: { agent: { enum: ['researcher'] }, input: { type: 'string' } }, required: ['agent', 'input'] } } }, required: ['subtasks'] } } });
    const { result, children } = await baton.run(async () => {
      const handle = await baton.client.startSpec(spec, 'big job');
      const result = await handle.result();
      const children = await baton.client.temporal.workflow.count(`WorkflowId STARTS_WITH "${handle.workflowId}/root.steps[1].items["`);
      return { result, children };
    });
    expect(result.output).toBe('synthesized 200 results');
    expect(children.count).toBe(200);
    expect(result.usage.modelCalls).toBe(202);
  }, 120_000);

  it('fail-fast cancels the other branches; continue records the error and goes on', async () => {
    const { baton } = await setup((req) => (req.agent.name === 'broken' ? { fail: { status: 400, message: 'bad request' } } : req.agent.name === 'slow' ? { delayMs: 60_000, text: 'late' } : { text: `${req.agent.name} ok` }));
    const failFast = specFor(baton, 'ff', { kind: 'parallel', branches: [{ kind: 'agent', agent: 'slow' }, { kind: 'agent', agent: 'broken' }] });
    const keepGoing = specFor(baton, 'kg', { kind: 'parallel', onFailure: 'continue', branches: [{ kind: 'agent', agent: 'support' }, { kind: 'agent', agent: 'broken' }] });
    const out = await baton.run(async () => {
      const ff = await baton.client.startSpec(failFast, 'x');
      const err = await ff.result().catch((e: unknown) => e);
      const slowChild = await baton.client.temporal.workflow.getHandle(`${ff.workflowId}/root.branches[0]`).describe();
      const kg = await (await baton.client.startSpec(keepGoing, 'x')).result();
      return { err, slowStatus: slowChild.status.name, kg };
    });
    expect(failureOf(out.err)).toMatchObject({ type: FailureType.StepFailed });
    expect(failureOf(out.err).message).toMatch(/^branch 1 failed: .*bad request/);
    expect(out.slowStatus).toBe('CANCELLED');
    expect(out.kg.output).toMatch(/^Result 1 \(support\):\nsupport ok\n\nResult 2 \(broken\):\nFAILED: .*bad request/);
  });

  it('routes by a classifier agent or by a field, with a default route or a typed failure', async () => {
    const { baton } = await setup((req) => (req.agent.name === 'classifier' ? { text: JSON.stringify({ route: input(req).includes('invoice') ? 'billing' : 'weather' }) } : { text: `${req.agent.name} handled it` }));
    const routes = { billing: { kind: 'agent', agent: 'billing' }, support: { kind: 'agent', agent: 'support' } };
    const byAgent = specFor(baton, 'triage', { kind: 'route', classifier: 'classifier', routes, default: { kind: 'agent', agent: 'fallback' }, onUnknown: 'default' });
    const byField = specFor(baton, 'rule', { kind: 'route', field: 'ticket.queue', routes });
    const out = await baton.run(async () => ({
      billing: await (await baton.client.startSpec(byAgent, 'my invoice is wrong')).result(),
      unknown: await (await baton.client.startSpec(byAgent, 'is it raining?')).result(),
      field: await (await baton.client.startSpec(byField, '{"ticket":{"queue":"support"}}')).result(),
      failed: await (await baton.client.startSpec(byField, '{"ticket":{"queue":"sales"}}')).result().catch((e: unknown) => e),
    }));
    expect(out.billing.output).toBe('billing handled it');
    expect(out.unknown.output).toBe('fallback handled it');
    expect(out.unknown.steps.find((s) => s.kind === 'route')?.route).toBe('weather → default');
    expect(out.field.output).toBe('support handled it');
    expect(failureOf(out.failed).message).toBe('root: unknown route "sales" (routes: billing, support)');
  });

  it('iterates generator and evaluator until accepted, showing each iteration', async () => {
    const { model, baton } = await setup((req) => {
      if (req.agent.name === 'critic') return { text: JSON.stringify(input(req).includes('draft 2') ? { accept: true, feedback: 'good' } : { accept: false, feedback: 'more detail' }) };
      return { text: input(req).includes('more detail') ? 'draft 2' : 'draft 1' };
    });
    const spec = specFor(baton, 'polish', { kind: 'loop', generator: 'writer', evaluator: 'critic', maxIterations: 4 });
    const { result, state } = await baton.run(async () => {
      const handle = await baton.client.startSpec(spec, 'write a haiku');
      return { result: await handle.result(), state: await handle.query(specStateQuery) };
    });
    expect(result.output).toBe('draft 2');
    expect(state.steps.find((s) => s.kind === 'loop')?.iterations).toEqual([
      { iteration: 1, accepted: false, feedback: 'more detail' },
      { iteration: 2, accepted: true, feedback: 'good' },
    ]);
    expect(model.calls.filter((c) => c.agent.name === 'critic')[0]?.agent.outputSchema).toMatchObject({ required: ['accept', 'feedback'] });
  });

  it('runs a workflow a planner generates at run time as a child, after validating it', async () => {
    const { baton } = await setup((req) => req.agent.name === 'planner'
      ? { text: JSON.stringify({ steps: { kind: 'sequence', steps: [{ kind: 'agent', agent: 'researcher' }, { kind: 'agent', agent: 'writer' }] } }) }
      : { text: `${req.agent.name}(${input(req)})` });
    const spec = specFor(baton, 'adaptive', { kind: 'generate', planner: 'planner' }, { writer: { provider: 'scripted', model: 's' }, researcher: { provider: 'scripted', model: 's' } });
    const result = await baton.run(async () => (await baton.client.startSpec(spec, 'topic')).result());
    expect(result.output).toBe('writer(researcher(topic))');
    expect(result.steps.find((s) => s.kind === 'generate')).toMatchObject({ status: 'completed', childWorkflowId: expect.stringMatching(/\/root$/) });
  });
});
