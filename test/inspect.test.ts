/** `baton inspect`: the tree of a run, read from real histories on the dev server. */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { z } from 'zod';
import { defineTool } from '../activities';
import { ScriptedModel } from '../activities/providers/scripted';
import { inspectRun, renderTree, type ModelNode, type ToolNode } from '../client/inspect';
import { decideApprovalUpdate, stateQuery } from '../workflows';
import { startTestBaton } from './helpers/baton';
import { closeTestEnv } from './helpers/temporal';

afterAll(closeTestEnv);

const lookup = defineTool({ name: 'lookup_invoice', description: 'Finds an invoice', input: z.object({ id: z.string() }), execute: ({ id }) => ({ id, amount: 120 }) });
const refund = defineTool({ name: 'refund', description: 'Refunds', risk: 'high', input: z.object({ id: z.string() }), execute: ({ id }) => `refunded ${id}` });

describe('baton inspect', () => {
  it('shows model calls, tool calls, hand-offs, approvals, usage and child runs', async () => {
    const model = ScriptedModel.respondWith(({ agent, messages }) => {
      const tools = messages.filter((m) => m.role === 'tool');
      const last = messages[messages.length - 1];
      if (agent.name === 'triage') return { toolCalls: [{ name: 'transfer_to_billing', arguments: {} }] };
      if (agent.name === 'billing') {
        if (last?.role === 'tool' && last.name === 'refund') return { text: `done: ${last.content}` };
        if (last?.role === 'tool' && last.name === 'ask_auditor') return { toolCalls: [{ name: 'refund', arguments: { id: 'INV-7' } }] };
        if (tools.some((t) => t.name === 'lookup_invoice')) return { toolCalls: [{ name: 'ask_auditor', arguments: { request: 'check INV-7' } }] };
        return { toolCalls: [{ name: 'lookup_invoice', arguments: { id: 'INV-7' } }] };
      }
      return { text: 'INV-7 looks fine' };
    });
    const baton = await startTestBaton({
      models: { scripted: model },
      tools: [lookup, refund],
      agents: {
        triage: { provider: 'scripted', model: 's', handoffs: ['billing'] },
        billing: { provider: 'scripted', model: 's', tools: ['lookup_invoice', 'refund'], agentTools: ['auditor'] },
        auditor: { provider: 'scripted', model: 's' },
      },
    });
    const { id, tree } = await baton.run(async () => {
      const handle = await baton.client.startAgent('triage', 'refund INV-7 please');
      for (let i = 0; i < 200 && !(await handle.query(stateQuery)).pendingApprovals.length; i++) await new Promise((r) => setTimeout(r, 50));
      const pending = (await handle.query(stateQuery)).pendingApprovals[0];
      await handle.executeUpdate(decideApprovalUpdate, { args: [{ approvalId: pending?.id ?? '', approve: true, reason: 'amount ok' }] });
      await handle.result();
      return { id: handle.workflowId, tree: await inspectRun(baton.client.temporal, handle.workflowId) };
    });
    expect(tree).toMatchObject({ workflowId: id, type: 'agentWorkflow', status: 'completed', agents: ['triage', 'billing'], output: 'done: refunded INV-7', turns: 5 });
    expect(tree.usage.modelCalls).toBe(5);
    const kinds = tree.steps.map((s) => (s.kind === 'model' ? `model:${s.agent}:${s.calls.map((c) => (c.kind === 'tool' ? `${c.tool}=${c.status}` : c.kind)).join(',')}` : s.kind));
    expect(kinds).toEqual(['model:triage:', 'handoff', 'model:billing:lookup_invoice=ok', 'model:billing:child', 'model:billing:approval,refund=ok', 'model:billing:']);
    const lookupStep = (tree.steps[2] as ModelNode).calls[0] as ToolNode;
    expect(lookupStep).toMatchObject({ tool: 'lookup_invoice', arguments: '{"id":"INV-7"}', status: 'ok', attempts: 1 });
    expect(lookupStep?.durationMs).toBeGreaterThan(0);
    const child = (tree.steps[3] as ModelNode).calls[0];
    expect(child).toMatchObject({ kind: 'child', workflowId: `${id}/ask-call_3_0`, status: 'completed', run: { type: 'agentWorkflow', agents: ['auditor'], output: 'INV-7 looks fine', turns: 1 } });
    expect((tree.steps[4] as ModelNode).calls[0]).toEqual({ kind: 'approval', id: 'approval-1', decision: 'approved', reason: 'amount ok' });

    const text = renderTree(tree);
    expect(text.split('\n')[0]).toMatch(new RegExp(`^${id} · agentWorkflow · completed · \\d+(ms|\\.\\ds) · 5 model calls, 2 tool calls · \\d+ in / \\d+ out tokens · path triage → billing$`));
    expect(text).toContain('├─ hand-off triage → billing');
    expect(text).toMatch(/│ {2}└─ tool lookup_invoice \{"id":"INV-7"\} · ok · \d+ms/);
    expect(text).toMatch(new RegExp(`│  └─ child ${id}/ask-call_3_0 · agentWorkflow · completed .* · agent auditor · asked by billing · turn 3`));
    expect(text).toMatch(/│ {5}└─ model scripted\/s · auditor · turn 1/);
    expect(text).toContain('│  ├─ approval approval-1 · approved (amount ok)');
    expect(text.split('\n').at(-1)).toBe('output: done: refunded INV-7');

    const cli = spawnSync(process.execPath, ['--import', 'tsx', 'client/cli/main.ts', '--address', inject('temporalAddress'), 'inspect', id], { cwd: path.join(__dirname, '..'), encoding: 'utf8' });
    expect(cli.status).toBe(0);
    expect(cli.stdout).toContain(text);
    expect(cli.stdout).toMatch(new RegExp(`web ui: http://localhost:8233/namespaces/default/workflows/${id}/`));
    const json = spawnSync(process.execPath, ['--import', 'tsx', 'client/cli/main.ts', '--address', inject('temporalAddress'), 'inspect', id, '--json', '--depth', '0'], { cwd: path.join(__dirname, '..'), encoding: 'utf8' });
    const shallow = JSON.parse(json.stdout) as { workflowId: string; steps: ModelNode[] };
    expect(shallow.workflowId).toBe(id);
    expect(shallow.steps[3]?.calls[0]).toMatchObject({ kind: 'child', status: 'completed' });
    expect(shallow.steps[3]?.calls[0]).not.toHaveProperty('run');
  });

  it('marks failed runs with their error and tool errors with their message', async () => {
    const boom = defineTool({ name: 'boom', description: 'Fails', retry: { maximumAttempts: 2, initialInterval: '100ms' }, input: z.object({}), execute: () => { throw new Error('kaput'); } });
    const model = new ScriptedModel([{ reply: { toolCalls: [{ name: 'boom', arguments: {} }, { name: 'nope', arguments: {} }] } }, { reply: { text: 'x' } }]);
    const baton = await startTestBaton({ models: { scripted: model }, tools: [boom], agents: { fragile: { provider: 'scripted', model: 's', tools: ['boom'], limits: { maxTurns: 1 } } } });
    const tree = await baton.run(async () => {
      const handle = await baton.client.startAgent('fragile', 'go');
      await handle.result().catch(() => undefined);
      return inspectRun(baton.client.temporal, handle.workflowId);
    });
    expect(tree.status).toBe('failed');
    expect(tree.error).toMatch(/reached its limit of 1 turns/);
    expect((tree.steps[0] as ModelNode).calls).toEqual([expect.objectContaining({ tool: 'boom', status: 'failed', attempts: 2, detail: 'kaput' })]);
    expect(renderTree(tree)).toMatch(/└─ tool boom \{\} · failed · attempt 2 · \d+(ms|\.\ds) · kaput/);
  });
});
