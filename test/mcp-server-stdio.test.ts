/**
 * Baton's MCP server over stdio, driven by the MCP SDK's own client against the real dev
 * server and a real worker: tools and schemas, a hand-off run followed with progress
 * notifications, an approval answered through elicitation, transcripts, cancellation, errors.
 */
import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { ElicitRequestSchema, type ElicitRequest, type ReadResourceResult } from '@modelcontextprotocol/sdk/types.js';
import { batonToolNames } from '../client/mcp-server/server';
import { call, sharedEnv, spawnUntil, stdioClient } from './helpers/mcp-server';
import { uniqueWorkflowId } from './helpers/temporal';

const env = sharedEnv();
const textOf = (read: ReadResourceResult) => {
  const first = read.contents[0];
  return first && 'text' in first ? first.text : '';
};
let worker: ChildProcess;
let client: Client;
const questions: ElicitRequest['params'][] = [];

beforeAll(async () => {
  worker = (await spawnUntil(['worker'], env, 'worker ready')).child;
  client = await stdioClient(env, { elicitation: true }, (c) => c.setRequestHandler(ElicitRequestSchema, (request) => {
    questions.push(request.params);
    return { action: 'accept', content: { decision: 'approve', reason: 'looks right' } };
  }));
});
afterAll(async () => {
  await client?.close();
  worker?.kill('SIGTERM');
});

describe('baton mcp over stdio', () => {
  it('lists every tool with an input and an output schema, and the project\'s agents and specs', async () => {
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual([...batonToolNames].sort());
    for (const tool of tools) {
      expect(tool.inputSchema.type, tool.name).toBe('object');
      expect(tool.outputSchema?.type, tool.name).toBe('object');
    }
    const agents = await call<{ agents: Array<{ name: string; handoffs: string[] }> }>(client, 'list_agents');
    expect(agents.structured.agents.map((a) => a.name)).toEqual(['triage', 'billing', 'payer', 'staller', 'chat']);
    expect(agents.structured.agents[0]?.handoffs).toEqual(['billing']);
    const specs = await call<{ specs: Array<{ file: string; name: string }> }>(client, 'list_specs');
    expect(specs.structured.specs).toEqual([
      { file: 'billing-flow.yaml', name: 'billing-flow', description: 'Triage, then billing' },
      { file: 'pay-flow.yaml', name: 'pay-flow', description: 'The payer agent as a step (its approval waits in a child run)' },
    ]);
  });

  it('starts a hand-off run and waits for it with a progress notification per step', async () => {
    const id = uniqueWorkflowId('mcp-handoff');
    const started = await call<{ id: string; webUrl: string }>(client, 'start_run', { agent: 'triage', input: 'Is invoice 7 paid?', id });
    expect(started.structured.id).toBe(id);
    expect(started.structured.webUrl).toMatch(new RegExp(`/namespaces/default/workflows/${id}/[0-9a-f-]+/history$`));
    const progress: string[] = [];
    const waited = await call<{ finished: boolean; status: string; output: string; usage: { modelCalls: number } }>(client, 'wait_for_run', { id, timeoutSeconds: 60 }, {
      onprogress: (p) => void progress.push(p.message ?? ''),
    });
    expect(waited.structured).toMatchObject({ finished: true, status: 'completed', output: 'Billing here: invoice 7: 42 EUR, paid' });
    expect(waited.structured.usage.modelCalls).toBe(3);
    expect(progress.length).toBeGreaterThanOrEqual(1);
    // Step lines, and the agents' text (sent as it streams, or when a call completes).
    for (const line of progress) expect(line).toMatch(/^(triage|billing)( · turn \d|: )/);
    expect(progress).toContain('billing: Billing here: invoice 7: 42 EUR, paid');

    const inspected = await call<{ tree: string; run: { agents: string[] } }>(client, 'inspect_run', { id });
    expect(inspected.structured.run.agents).toEqual(['triage', 'billing']);
    expect(inspected.text).toContain('hand-off triage → billing');
    expect(inspected.text).toContain('tool lookup_invoice {"number":7} · ok');

    const transcript = await call<{ messages: Array<{ role: string; agent?: string; text: string; tool?: string }> }>(client, 'get_transcript', { id });
    expect(transcript.structured.messages.map((m) => `${m.role}${m.agent ? `:${m.agent}` : ''}${m.tool ? `:${m.tool}` : ''}`)).toEqual([
      'user', 'assistant:triage', 'tool:transfer_to_billing', 'note:billing', 'assistant:billing', 'tool:lookup_invoice', 'assistant:billing',
    ]);
    const markdown = await client.readResource({ uri: `baton://runs/${id}/transcript` });
    expect(textOf(markdown)).toContain('## assistant (billing)\n\nBilling here: invoice 7: 42 EUR, paid');
    const summary = await client.readResource({ uri: `baton://runs/${id}` });
    expect(JSON.parse(textOf(summary))).toMatchObject({ id, status: 'completed', agent: 'billing' });
  });

  it('asks the user to approve a pending tool call through elicitation and applies the answer', async () => {
    const id = uniqueWorkflowId('mcp-elicit');
    await call(client, 'start_run', { agent: 'payer', input: 'pay', id });
    const progress: string[] = [];
    const waited = await call<{ finished: boolean; output: string; decisions: Array<{ decision: string; decidedBy: string; reason: string }> }>(client, 'wait_for_run', { id }, {
      onprogress: (p) => void progress.push(p.message ?? ''),
    });
    // One notification per change: waiting for the approval, then going on after it (the last may race the result:
    // a run already completed is read from its live state, with its turn limit, or from its end, without).
    expect(progress).toContain('payer · turn 1/10 · waiting approval · last: model scripted/scripted · waiting for approval of pay (approval-1)');
    expect(progress.slice(progress.findIndex((line) => line.includes('waiting approval')) + 1)[0]).toMatch(/^payer · turn [12](\/10)? · (running tools|calling model|completed)/);
    expect(new Set(progress).size).toBe(progress.length);
    expect(waited.structured.finished).toBe(true);
    expect(waited.structured.output).toBe('payment: paid 5');
    expect(waited.structured.decisions).toEqual([expect.objectContaining({ decision: 'approved', reason: 'looks right', decidedBy: expect.stringMatching(/ via baton-test$/) })]);
    const question = questions.find((q) => 'message' in q && q.message.includes(id));
    expect(question && 'message' in question ? question.message : '').toContain('agent payer wants to call pay (risk high, turn 1) with arguments {"amount":5}');
    const inspected = await call(client, 'inspect_run', { id });
    expect(inspected.text).toContain('approval approval-1 pay · approved by person (looks right)');
  });

  it('asks through elicitation for an approval that waits in a child run of a spec', async () => {
    const id = uniqueWorkflowId('mcp-elicit-spec');
    await call(client, 'start_run', { spec: 'pay-flow.yaml', input: 'pay', id });
    const waited = await call<{ finished: boolean; output: string; decisions: Array<{ id: string; decision: string }> }>(client, 'wait_for_run', { id });
    expect(waited.structured).toMatchObject({ finished: true, output: 'payment: paid 5' });
    expect(waited.structured.decisions).toHaveLength(1);
    expect(waited.structured.decisions[0]?.decision).toBe('approved');
    expect(waited.structured.decisions[0]?.id).not.toBe(id);
    expect(questions.some((q) => 'message' in q && q.message.includes(String(waited.structured.decisions[0]?.id)))).toBe(true);
  });

  it('starts a workflow spec file, finds it with list_runs, replays it, and searches tools', async () => {
    const id = uniqueWorkflowId('mcp-spec');
    expect((await call(client, 'start_run', { spec: 'billing-flow.yaml', input: 'invoice?', id })).structured).toMatchObject({ id, kind: 'spec' });
    const waited = await call<{ finished: boolean; output: string; type: string }>(client, 'wait_for_run', { id });
    expect(waited.structured).toMatchObject({ finished: true, type: 'specWorkflow', output: 'Billing here: invoice 7: 42 EUR, paid' });
    const transcript = await call<{ messages: Array<{ role: string; text: string }> }>(client, 'get_transcript', { id });
    expect(transcript.structured.messages.at(-1)).toMatchObject({ role: 'assistant', text: 'Billing here: invoice 7: 42 EUR, paid' });
    const runs = await call<{ runs: Array<{ id: string; pattern: string; status: string }> }>(client, 'list_runs', { status: 'completed', limit: 50 });
    expect(runs.structured.runs).toContainEqual(expect.objectContaining({ id, pattern: 'billing-flow', status: 'completed' }));
    const replayed = await call<{ ok: boolean; outcomes: Array<{ ok: boolean }> }>(client, 'replay_run', { id, children: true });
    expect(replayed.structured.ok).toBe(true);
    expect(replayed.structured.outcomes.length).toBe(2);
    const found = await call<{ tools: Array<{ name: string; risk: string }> }>(client, 'search_tools', { query: 'invoice' });
    expect(found.structured.tools).toEqual([expect.objectContaining({ name: 'lookup_invoice', risk: 'low' })]);
  });

  it('gives up waiting at the timeout, and cancels a run', async () => {
    const id = uniqueWorkflowId('mcp-cancel');
    await call(client, 'start_run', { agent: 'staller', input: 'wait', id });
    const waited1s = await call<{ timedOut: boolean; finished: boolean; status: string }>(client, 'wait_for_run', { id, timeoutSeconds: 1 });
    expect(waited1s.structured).toMatchObject({ timedOut: true, finished: false, status: 'calling_model' });
    expect(waited1s.text).toContain('still running after 1s; call wait_for_run again to keep waiting');
    const cancelled = await call(client, 'cancel_run', { id });
    expect(cancelled.structured).toEqual({ id, requested: true });
    const waited = await call<{ status: string; finished: boolean }>(client, 'wait_for_run', { id, timeoutSeconds: 30 });
    expect(waited.structured).toMatchObject({ finished: true, status: 'cancelled' });
  });

  it('answers mistakes with one-line tool errors and keeps serving', async () => {
    const ghost = await call(client, 'start_run', { agent: 'ghost', input: 'x' });
    expect(ghost).toMatchObject({ isError: true, text: 'unknown agent "ghost"; configured agents: triage, billing, payer, staller, chat' });
    const missing = await call(client, 'get_run', { id: 'no-such-run' });
    expect(missing).toMatchObject({ isError: true, text: 'no run with id no-such-run' });
    const outside = await call(client, 'start_run', { spec: '../../../package.json', input: 'x' });
    expect(outside.isError).toBe(true);
    expect(outside.text).toMatch(/^spec \.\.\/\.\.\/\.\.\/package\.json is outside the project/);
    expect((await call(client, 'list_agents')).isError).toBe(false);
  });

  it('says in one line when the Temporal server is unreachable', async () => {
    const offline = await stdioClient(env, { address: '127.0.0.1:1' });
    try {
      const result = await call(offline, 'get_run', { id: 'any' });
      expect(result).toMatchObject({ isError: true, text: 'cannot reach the Temporal server at 127.0.0.1:1 (start one with ./temporal-dev.sh start, or set TEMPORAL_ADDRESS)' });
      expect((await call(offline, 'list_agents')).isError).toBe(false);
    } finally {
      await offline.close();
    }
  });
});
