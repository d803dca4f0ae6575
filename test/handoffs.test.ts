import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineTool } from '../activities';
import { ScriptedModel } from '../activities/providers/scripted';
import { stateQuery } from '../workflows';
import { runInputFor } from '../config/define-config';
import { handOffStep, scriptedModel, textStep, toolStep } from '../testing';
import { startTestBaton } from './helpers/baton';
import { closeTestEnv } from './helpers/temporal';

afterAll(closeTestEnv);

const lookup = defineTool({ name: 'lookup_invoice', description: 'Finds an invoice', input: z.object({ id: z.string() }), execute: ({ id }) => ({ id, amount: 42 }) });
const agent = (handoffs: string[], extra: Record<string, unknown> = {}) => ({ provider: 'scripted', model: 's', handoffs, ...extra });

describe('hand-offs', () => {
  it('passes the conversation along a chain and records the path and the finishing agent', async () => {
    const model = scriptedModel([
      handOffStep('triage', 'billing', 'invoice question'),
      toolStep('billing', { name: 'lookup_invoice', arguments: { id: 'A1' } }),
      handOffStep('billing', 'refunds'),
      textStep('refunds', 'Refunded 42 for invoice A1.'),
    ]);
    const baton = await startTestBaton({
      models: { scripted: model },
      tools: [lookup],
      agents: {
        triage: agent(['billing'], { description: 'Routes questions' }),
        billing: agent(['refunds'], { tools: ['lookup_invoice'], description: 'Knows invoices' }),
        refunds: agent([], { description: 'Issues refunds' }),
      },
    });
    const { result, state } = await baton.run(async () => {
      const handle = await baton.client.startAgent('triage', 'Refund invoice A1 please');
      const result = await handle.result();
      return { result, state: await handle.query(stateQuery) };
    });
    baton.assertScriptsDone();
    expect(result).toMatchObject({ agent: 'refunds', path: ['triage', 'billing', 'refunds'], output: 'Refunded 42 for invoice A1.', turns: 4 });
    expect(state).toMatchObject({ agent: 'refunds', path: ['triage', 'billing', 'refunds'], lastStep: { kind: 'model' } });
    expect(model.calls[0]?.tools.map((t) => t.name)).toEqual(['transfer_to_billing']);
    expect(model.calls[0]?.tools[0]?.description).toBe('Hand the conversation to the billing agent: Knows invoices.');
    expect(model.calls[1]?.tools.map((t) => t.name)).toEqual(['lookup_invoice', 'transfer_to_refunds']);
    // The last agent sees everything that happened, including the transfer replies.
    expect(model.calls[3]?.messages.filter((m) => m.role === 'tool').map((m) => m.content)).toEqual([
      'Transferred to billing.', '{"id":"A1","amount":42}', 'Transferred to refunds.',
    ]);
    expect(result.usage.toolCalls).toBe(1);
  });

  it('gives a transfer outside the hand-off list back to the model as a tool error', async () => {
    const model = new ScriptedModel([
      { agent: 'triage', reply: { toolCalls: [{ name: 'transfer_to_refunds', arguments: {} }] } },
      { agent: 'triage', reply: { text: 'I will answer myself.' } },
    ]);
    const baton = await startTestBaton({ models: { scripted: model }, agents: { triage: agent(['billing']), billing: agent([]), refunds: agent([]) } });
    const result = await baton.run(async () => (await baton.client.startAgent('triage', 'hi')).result());
    expect(result).toMatchObject({ agent: 'triage', path: ['triage'], output: 'I will answer myself.' });
    expect(model.calls[1]?.messages.at(-1)).toMatchObject({ role: 'tool', isError: true, content: 'Cannot transfer to "refunds": triage may hand off only to billing.' });
  });

  it('filters what the next agent sees, and stops ping-pong at maxHandoffs', async () => {
    const model = ScriptedModel.respondWith((req) =>
      req.agent.name === 'a' && req.messages.filter((m) => m.role === 'user').length === 1 && req.turn < 4
        ? { toolCalls: [{ name: 'transfer_to_b', arguments: {} }] }
        : req.agent.name === 'b' && req.turn < 4
          ? { toolCalls: [{ name: 'transfer_to_a', arguments: {} }] }
          : { text: `done by ${req.agent.name}` },
    );
    const baton = await startTestBaton({ models: { scripted: model }, agents: { a: agent(['b'], { handoffHistory: 'input-only' }), b: agent(['a']) } });
    const result = await baton.run(async () => {
      const input = { ...runInputFor(baton.config, 'a', 'start'), maxHandoffs: 1 };
      return baton.client.temporal.workflow.execute('agentWorkflow', { taskQueue: baton.taskQueue, workflowId: `pingpong-${Date.now()}`, args: [input] });
    });
    // a → b: b sees only the user's input; b's transfer back is refused (1 hand-off allowed), so b answers.
    expect(model.calls[1]?.agent.name).toBe('b');
    expect(model.calls[1]?.messages).toEqual([{ role: 'user', content: 'start' }]);
    expect(model.calls[2]?.messages.at(-1)).toMatchObject({ isError: true, content: 'Cannot transfer to "a": this run has used all its hand-offs. Answer yourself.' });
    expect(result).toMatchObject({ path: ['a', 'b'], agent: 'b', output: 'done by b' });
  });
});
