/**
 * The tool policy holds on every path: a generated workflow may use only the agents and
 * tools the operator allowed for it (`generate.allow`), model-produced names are checked
 * against what the run allows, and every tool-plan step goes through the approval check.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import { defineTool, McpPool } from '../activities';
import { McpServersSchema } from '../activities/tools/mcp-config';
import { ScriptedModel, type ScriptReply } from '../activities/providers/scripted';
import { resolvePlanArgs, type ModelRequest, type SpecRunState } from '../core';
import { decideApprovalUpdate, specStateQuery } from '../workflows';
import { startTestBaton } from './helpers/baton';
import { specFor } from './helpers/spec';
import { closeTestEnv } from './helpers/temporal';
import { waitFor } from './helpers/wait-for';

const annotatedBin = `${__dirname}/servers/mcp-annotated-server.mjs`;
const pools: McpPool[] = [];
afterAll(async () => {
  await Promise.all(pools.map((p) => p.close()));
  await closeTestEnv();
});

const itemsSchema = { type: 'object', properties: { items: { type: 'array', items: { type: 'object', properties: { agent: { type: 'string' }, input: { type: 'string' } }, required: ['agent', 'input'] } } }, required: ['items'] };

async function setup(respond: (req: ModelRequest) => ScriptReply) {
  const transfers: unknown[] = [];
  const wire = defineTool({ name: 'wire_money', description: 'Sends money', risk: 'high', input: z.object({ amount: z.number() }), retry: { maximumAttempts: 1 }, execute: (args) => (transfers.push(args), 'sent') });
  const balance = defineTool({ name: 'balance', description: 'Reads the balance', input: z.object({}), execute: () => 100 });
  const model = ScriptedModel.respondWith(respond);
  const agent = { provider: 'scripted', model: 's' };
  const mcpServers = { ann: { command: process.execPath, args: [annotatedBin] } };
  const mcp = new McpPool(McpServersSchema.parse(mcpServers));
  pools.push(mcp);
  const baton = await startTestBaton({
    models: { scripted: model }, tools: [wire, balance], mcpServers, mcp,
    agents: { planner: agent, researcher: agent, writer: agent, lister: { ...agent, outputSchema: itemsSchema }, banker: { ...agent, tools: ['wire_money', 'balance'] } },
  });
  return { baton, model, transfers };
}

/** The failure that started it all: the deepest cause of a failed run. */
function rootFailure(err: unknown): { type?: string; message: string } {
  expect(err).toBeInstanceOf(WorkflowFailedError);
  let current = (err as WorkflowFailedError).cause as (Error & { cause?: Error; type?: string }) | undefined;
  while (current?.cause) current = current.cause as Error & { cause?: Error; type?: string };
  return { type: current?.type, message: current?.message ?? '' };
}

async function waitForPending(handle: WorkflowHandle): Promise<SpecRunState> {
  return waitFor(async () => {
    const state = await handle.query(specStateQuery).catch(() => undefined);
    return Boolean(state?.pendingApprovals.length) && state;
  }, 'a pending approval', 60_000, 50);
}

const planner = (answer: unknown) => (req: ModelRequest): ScriptReply => (req.agent.name === 'planner' ? { text: JSON.stringify({ steps: answer }) } : { text: `${req.agent.name} done` });
const tools = (steps: unknown[], extra: Record<string, unknown> = {}) => ({ kind: 'tools', plan: { steps }, ...extra });

describe('generated workflows and the tool policy', () => {
  it('refuses tool steps in a generated workflow by default, naming each tool, and runs none of them', async () => {
    const { baton, transfers } = await setup(planner({ kind: 'sequence', steps: [tools([{ id: 'pay', tool: 'wire_money', args: { amount: 5 } }]), tools([{ id: 'look', tool: 'ann__peek' }])] }));
    const spec = specFor(baton, 'adaptive', { kind: 'generate', planner: 'planner' });
    const err = await baton.run(async () => (await baton.client.startSpec(spec, 'pay')).result().catch((e: unknown) => e));
    const failure = rootFailure(err);
    expect(failure.type).toBe('BatonNotAllowed');
    expect(failure.message).toContain('steps.steps[0].plan.steps[0].tool: tool "wire_money" is not allowed');
    expect(failure.message).toContain('steps.steps[1].plan.steps[0].tool: tool "ann__peek" is not allowed');
    expect(failure.message).toContain('generate.allow.tools');
    expect(transfers).toEqual([]);
  });

  it('runs a generated tool step the operator allowed, and its high-risk tool still waits for a person', async () => {
    const { baton, transfers } = await setup(planner(tools([{ id: 'bal', tool: 'balance' }, { id: 'pay', tool: 'wire_money', args: { amount: 5 } }])));
    const spec = specFor(baton, 'adaptive', { kind: 'generate', planner: 'planner', allow: { tools: ['balance', 'wire_money'] } });
    const out = await baton.run(async () => {
      const handle = await baton.client.startSpec(spec, 'pay');
      const child = baton.client.temporal.workflow.getHandle(`${handle.workflowId}/root`);
      const waiting = await waitForPending(child);
      const paidBeforeDecision = transfers.length;
      await child.executeUpdate(decideApprovalUpdate, { args: [{ approvalId: waiting.pendingApprovals[0]?.id as string, approve: true }] });
      return { waiting, paidBeforeDecision, result: await handle.result() };
    });
    expect(out.waiting.pendingApprovals).toMatchObject([{ tool: 'wire_money', risk: 'high', arguments: { amount: 5 } }]);
    expect(out.paidBeforeDecision).toBe(0);
    expect(transfers).toEqual([{ amount: 5 }]);
    expect(out.result.structured).toEqual({ bal: { ok: true, result: 100 }, pay: { ok: true, result: 'sent' } });
  });

  it('refuses a generated step that names an agent outside allow.agents or sets its own approval policy', async () => {
    const { baton, model } = await setup(planner({ kind: 'sequence', steps: [{ kind: 'agent', agent: 'writer' }, tools([{ id: 'bal', tool: 'balance' }], { approval: { minRisk: 'never' } })] }));
    const spec = specFor(baton, 'adaptive', { kind: 'generate', planner: 'planner', allow: { agents: ['planner', 'researcher'], tools: ['balance'] } });
    const err = await baton.run(async () => (await baton.client.startSpec(spec, 'go')).result().catch((e: unknown) => e));
    const failure = rootFailure(err);
    expect(failure.type).toBe('BatonNotAllowed');
    expect(failure.message).toContain('steps.steps[0].agent: agent "writer" is not allowed (allowed agents: planner, researcher)');
    expect(failure.message).toContain('steps.steps[1].approval: a generated tools step may not set its approval policy');
    expect(model.calls.map((c) => c.agent.name)).toEqual(['planner']);
  });

  it('gives nested generate steps at most the parent\'s allowance, carried into the child run', async () => {
    const wider = await setup(planner({ kind: 'generate', planner: 'planner', allow: { agents: ['planner', 'writer'], tools: ['balance', 'wire_money'] } }));
    const allow = { agents: ['planner', 'researcher'], tools: ['balance'] };
    const widerErr = await wider.baton.run(async () => (await wider.baton.client.startSpec(specFor(wider.baton, 'nest', { kind: 'generate', planner: 'planner', allow }), 'go')).result().catch((e: unknown) => e));
    expect(rootFailure(widerErr).message).toContain('steps.allow.agents[1]: agent "writer" is beyond the allowance of the generate step that produced it');
    expect(rootFailure(widerErr).message).toContain('steps.allow.tools[1]: tool "wire_money" is beyond the allowance');

    let plans = 0;
    const inherited = await setup((req) => {
      if (req.agent.name !== 'planner') return { text: `${req.agent.name} done` };
      plans++;
      return { text: JSON.stringify({ steps: plans === 1 ? { kind: 'generate', planner: 'planner' } : { kind: 'agent', agent: 'writer' } }) };
    });
    const err = await inherited.baton.run(async () => (await inherited.baton.client.startSpec(specFor(inherited.baton, 'nest', { kind: 'generate', planner: 'planner', allow }), 'go')).result().catch((e: unknown) => e));
    expect(plans).toBe(2);
    expect(rootFailure(err)).toMatchObject({ type: 'BatonNotAllowed', message: expect.stringContaining('steps.agent: agent "writer" is not allowed (allowed agents: planner, researcher)') });
    expect(inherited.model.calls.some((c) => c.agent.name === 'writer')).toBe(false);
  });

  it('checks agents named by map items against the run\'s allowance, and never finds built-in names', async () => {
    const items = (list: unknown[]) => (req: ModelRequest): ScriptReply => {
      if (req.agent.name === 'planner') return { text: JSON.stringify({ steps: { kind: 'sequence', steps: [{ kind: 'agent', agent: 'lister', as: 'plan' }, { kind: 'map', over: 'steps.plan.structured.items' }] } }) };
      if (req.agent.name === 'lister') return { text: JSON.stringify({ items: list }) };
      return { text: `${req.agent.name} done` };
    };
    const generated = await setup(items([{ agent: 'writer', input: 'x' }]));
    const genSpec = specFor(generated.baton, 'gen-map', { kind: 'generate', planner: 'planner', allow: { agents: ['planner', 'lister'] } });
    const genErr = await generated.baton.run(async () => (await generated.baton.client.startSpec(genSpec, 'go')).result().catch((e: unknown) => e));
    expect(rootFailure(genErr)).toMatchObject({ type: 'BatonNotAllowed', message: expect.stringContaining('root.steps[1].items[0]: agent "writer" is not allowed (allowed agents: planner, lister)') });
    expect(generated.model.calls.some((c) => c.agent.name === 'writer')).toBe(false);

    const handWritten = await setup(items([{ agent: 'constructor', input: 'x' }]));
    const spec = specFor(handWritten.baton, 'map', { kind: 'sequence', steps: [{ kind: 'agent', agent: 'lister', as: 'plan' }, { kind: 'map', over: 'steps.plan.structured.items' }] });
    const err = await handWritten.baton.run(async () => (await handWritten.baton.client.startSpec(spec, 'go')).result().catch((e: unknown) => e));
    expect(rootFailure(err)).toMatchObject({ type: 'BatonStepFailed', message: expect.stringContaining('branch 0 failed: the workflow spec has no agent "constructor"') });
  });
});

describe('generate.allow in a spec file', () => {
  it('names the path of an allowance that does not resolve, or of a bad approval policy, before anything runs', async () => {
    const { baton } = await setup(() => ({ text: 'unused' }));
    const check = (steps: unknown) => () => specFor(baton, 'checked', steps);
    expect(check({ kind: 'generate', planner: 'planner', allow: { agents: ['researcher', 'nobody'] } })).toThrow(/steps\.allow\.agents\[1\]: unknown agent "nobody"/);
    expect(check({ kind: 'sequence', steps: [{ kind: 'generate', planner: 'planner', allow: { tools: ['balance', 'nope__x', 'nope'] } }] })).toThrow(/steps\.steps\[0\]\.allow\.tools\[2\]: unknown tool "nope"/);
    expect(check({ kind: 'generate', planner: 'planner', allow: { agent: ['researcher'] } })).toThrow(/steps\.allow: Unrecognized key.*"agent"/);
    expect(check(tools([{ id: 'pay', tool: 'wire_money' }], { approval: { minRisk: 'sometimes' } }))).toThrow(/steps\.approval\.minRisk/);
    // MCP tools of a configured server resolve when the step runs; the default shape still loads.
    expect(check({ kind: 'generate', planner: 'planner', allow: { tools: ['ann__peek'] } })().steps).toMatchObject({ kind: 'generate', allow: { tools: ['ann__peek'] } });
    expect(check({ kind: 'generate', planner: 'planner' })().steps).toEqual({ kind: 'generate', planner: 'planner' });
  });
});

describe('tool plan references', () => {
  it('read only a result\'s own fields, never a built-in like constructor', () => {
    const results = new Map<string, unknown>([['a', { id: 7 }]]);
    expect(resolvePlanArgs({ id: '{{steps.a.result.id}}', bad: '{{steps.a.result.constructor}}', text: 'x{{steps.a.result.toString}}' }, results)).toEqual({ id: 7, bad: undefined, text: 'xundefined' });
  });
});

describe('tool steps of hand-written specs', () => {
  it('wait for approval of a high-risk tool; a rejection fails the step without running it', async () => {
    const { baton, transfers } = await setup(() => ({ text: 'unused' }));
    const spec = specFor(baton, 'payout', tools([{ id: 'bal', tool: 'balance' }, { id: 'pay', tool: 'wire_money', args: { amount: '{{steps.bal.result}}' } }]));
    const out = await baton.run(async () => {
      const handle = await baton.client.startSpec(spec, '');
      const waiting = await waitForPending(handle);
      await handle.executeUpdate(decideApprovalUpdate, { args: [{ approvalId: waiting.pendingApprovals[0]?.id as string, approve: false, reason: 'not today' }] });
      return { waiting, err: await handle.result().catch((e: unknown) => e) };
    });
    expect(out.waiting).toMatchObject({ status: 'waiting_approval', pendingApprovals: [{ agent: 'payout', tool: 'wire_money', risk: 'high', arguments: { amount: 100 } }] });
    expect(rootFailure(out.err)).toMatchObject({ type: 'BatonStepFailed', message: expect.stringContaining('pay: the call to wire_money was rejected by a reviewer: not today') });
    expect(transfers).toEqual([]);
  });

  it('follow the step\'s own approval policy when the operator sets one', async () => {
    const { baton, transfers } = await setup(() => ({ text: 'unused' }));
    const spec = specFor(baton, 'payout', tools([{ id: 'pay', tool: 'wire_money', args: { amount: 7 } }], { approval: { minRisk: 'never' } }));
    const result = await baton.run(async () => (await baton.client.startSpec(spec, '')).result());
    expect(result.structured).toEqual({ pay: { ok: true, result: 'sent' } });
    expect(transfers).toEqual([{ amount: 7 }]);
  });
});
