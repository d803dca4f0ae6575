/** `baton inspect`: the tree of a run, read from real histories on the dev server. */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { z } from 'zod';
import { defineTool } from '../activities';
import { ScriptedModel } from '../activities/providers/scripted';
import type { temporal } from '@temporalio/proto';
import { buildRunNode, inspectRun, type ModelNode, type RunNode, type ToolNode } from '../client/inspect';
import { renderTree } from '../client/inspect-render';
import { decideApprovalUpdate, stateQuery } from '../workflows';
import { startTestBaton } from './helpers/baton';
import { closeTestEnv } from './helpers/temporal';
import { waitFor } from './helpers/wait-for';

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
      await waitFor(async () => (await handle.query(stateQuery)).pendingApprovals.length > 0, 'the refund to wait for approval', 60_000, 50);
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
    expect((tree.steps[4] as ModelNode).calls[0]).toEqual({ kind: 'approval', id: 'approval-1', tool: 'refund', decision: 'approved', by: 'person', reason: 'amount ok' });

    const text = renderTree(tree);
    expect(text.split('\n')[0]).toMatch(new RegExp(`^${id} · agentWorkflow · completed · \\d+(ms|\\.\\ds) · 5 model calls, 2 tool calls · \\d+ in / \\d+ out tokens · path triage → billing$`));
    expect(text).toContain('├─ hand-off triage → billing');
    expect(text).toMatch(/│ {2}└─ tool lookup_invoice \{"id":"INV-7"\} · ok · \d+ms/);
    expect(text).toMatch(new RegExp(`│  └─ child ${id}/ask-call_3_0 · agentWorkflow · completed .* · agent auditor · asked by billing · turn 3`));
    expect(text).toMatch(/│ {5}└─ model scripted\/s · auditor · turn 1/);
    expect(text).toContain('│  ├─ approval approval-1 refund · approved by person (amount ok)');
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

describe('renderTree and buildRunNode (no server)', () => {
  it('draws a hand-made tree with nested children, hand-offs, approvals and tool outcomes', () => {
    const node: RunNode = {
      workflowId: 'baton-travel-ab12', type: 'agentWorkflow', status: 'completed', durationMs: 1200, turns: 3, agents: ['travel', 'booking'],
      usage: { inputTokens: 120, outputTokens: 40, modelCalls: 3, toolCalls: 2 }, output: 'booked',
      steps: [
        { kind: 'model', label: 'model scripted/s · travel · turn 1', agent: 'travel', turn: 1, status: 'ok', attempts: 1, durationMs: 52, inputTokens: 50, outputTokens: 10, calls: [
          { kind: 'tool', tool: 'get_weather', arguments: '{"city":"Paris"}', status: 'ok', attempts: 1, durationMs: 48 },
          { kind: 'tool', tool: 'get_rates', arguments: '{}', status: 'error', detail: 'rate service down', attempts: 1, durationMs: 3 },
        ] },
        { kind: 'handoff', from: 'travel', to: 'booking' },
        { kind: 'model', label: 'model scripted/s · booking · turn 2', status: 'ok', attempts: 1, inputTokens: 70, outputTokens: 30, calls: [
          { kind: 'approval', id: 'a1', tool: 'book_hotel', decision: 'approved', by: 'person' },
          { kind: 'child', workflowId: 'baton-travel-ab12/ask-c1', type: 'agentWorkflow', status: 'completed', run: {
            workflowId: 'baton-travel-ab12/ask-c1', type: 'agentWorkflow', status: 'completed', durationMs: 20, turns: 1, agents: ['hotels'],
            usage: { inputTokens: 5, outputTokens: 5, modelCalls: 1, toolCalls: 0 },
            steps: [{ kind: 'model', label: 'model scripted/s · hotels · turn 1', status: 'running', attempts: 1, inputTokens: 0, outputTokens: 0, calls: [] }],
          } },
        ] },
        { kind: 'timer', timeoutMs: 30_000, status: 'waiting' },
      ],
    };
    expect(renderTree(node).split('\n')).toEqual([
      'baton-travel-ab12 · agentWorkflow · completed · 1.2s · 3 model calls, 2 tool calls · 120 in / 40 out tokens · path travel → booking',
      '├─ model scripted/s · travel · turn 1 · 52ms · 50 in / 10 out',
      '│  ├─ tool get_weather {"city":"Paris"} · ok · 48ms',
      '│  └─ tool get_rates {} · error: rate service down · 3ms',
      '├─ hand-off travel → booking',
      '├─ model scripted/s · booking · turn 2 · 70 in / 30 out',
      '│  ├─ approval a1 book_hotel · approved by person',
      '│  └─ child baton-travel-ab12/ask-c1 · agentWorkflow · completed · 20ms · 1 model calls, 0 tool calls · 5 in / 5 out tokens',
      '│     └─ model scripted/s · hotels · turn 1 · running',
      '└─ timer 30.0s · waiting',
      'output: booked',
    ]);
  });

  it('reads cached, failed-content and in-flight tool calls and continue-as-new from a history', () => {
    const payload = (value: unknown) => ({ metadata: { encoding: Buffer.from('json/plain') }, data: Buffer.from(JSON.stringify(value)) });
    type Long = NonNullable<temporal.api.history.v1.IHistoryEvent['eventId']>;
    // Long fields (event ids, seconds) read fine as numbers: the builder only String()s and Number()s them.
    const at = (ms: number) => ({ eventTime: { seconds: Math.floor(ms / 1000) as unknown as Long, nanos: (ms % 1000) * 1e6 } });
    const id = (n: number) => n as unknown as Long;
    const agent = { name: 'fx' };
    const events: temporal.api.history.v1.IHistoryEvent[] = [
      { eventId: id(1), ...at(1000), workflowExecutionStartedEventAttributes: { workflowType: { name: 'sessionWorkflow' }, continuedExecutionRunId: 'run-0', originalExecutionRunId: 'run-1' } },
      { eventId: id(5), ...at(1010), userMetadata: { summary: payload('model scripted/s · fx · turn 1') }, activityTaskScheduledEventAttributes: { activityType: { name: 'callModel' }, input: { payloads: [payload({ agent, turn: 1 })] } } },
      { eventId: id(7), ...at(1060), activityTaskCompletedEventAttributes: { scheduledEventId: id(5), result: { payloads: [payload({ usage: { inputTokens: 11, outputTokens: 4 } })] } } },
      { eventId: id(9), ...at(1070), activityTaskScheduledEventAttributes: { activityType: { name: 'runTool' }, input: { payloads: [payload({ tool: 'rate', callId: 'c1', arguments: { pair: 'x'.repeat(200) }, agent: 'fx' })] } } },
      { eventId: id(10), ...at(1070), activityTaskScheduledEventAttributes: { activityType: { name: 'runTool' }, input: { payloads: [payload({ tool: 'rate', callId: 'c2', arguments: {} })] } } },
      { eventId: id(11), ...at(1070), activityTaskScheduledEventAttributes: { activityType: { name: 'runTool' }, input: { payloads: [payload({ tool: 'slow', callId: 'c3', arguments: {} })] } } },
      { eventId: id(13), ...at(1075), activityTaskCompletedEventAttributes: { scheduledEventId: id(9), result: { payloads: [payload({ content: '1.08', isError: false, cached: true })] } } },
      { eventId: id(15), ...at(1080), activityTaskCompletedEventAttributes: { scheduledEventId: id(10), result: { payloads: [payload({ content: `bad pair ${'y'.repeat(100)}`, isError: true })] } } },
      { eventId: id(16), ...at(2000), workflowExecutionContinuedAsNewEventAttributes: { newExecutionRunId: 'run-2' } },
    ];
    const run = buildRunNode('s-1', { events });
    expect(run).toMatchObject({ type: 'sessionWorkflow', status: 'continued as new', continuedFrom: 'run-0', durationMs: 1000, turns: 1, agents: ['fx'], usage: { inputTokens: 11, outputTokens: 4, modelCalls: 1, toolCalls: 3 } });
    const calls = (run.steps[0] as ModelNode).calls as ToolNode[];
    expect(calls.map((c) => c.status)).toEqual(['cached', 'error', 'running']);
    expect(calls[0]?.arguments).toHaveLength(80);
    expect(calls[0]?.durationMs).toBe(5);
    expect(calls[1]?.detail).toHaveLength(80);
    const text = renderTree(run);
    expect(text).toContain('continued from run-0');
    expect(text).toContain('└─ model scripted/s · fx · turn 1 · 50ms · 11 in / 4 out\n   ├─ tool rate {"pair":"xxx');
    expect(text).toMatch(/xxx… · cached · 5ms/);
    expect(text).toMatch(/· error: bad pair y+… · 10ms/);
    expect(text).toContain('└─ tool slow {} · running');
  });
});
