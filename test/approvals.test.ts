import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { defineTool } from '../activities';
import { ScriptedModel } from '../activities/providers/scripted';
import { BatonStatus } from '../core';
import { decideApprovalUpdate, stateQuery } from '../workflows';
import { startTestBaton } from './helpers/baton';
import { closeTestEnv } from './helpers/temporal';
import { waitForPending } from './helpers/approvals';

afterAll(closeTestEnv);

function setup(approval: Record<string, unknown> = {}) {
  const transfers: unknown[] = [];
  const transfer = defineTool({ name: 'wire_money', description: 'Sends money', risk: 'high', input: z.object({ amount: z.number() }), execute: (args) => (transfers.push(args), 'sent') });
  const balance = defineTool({ name: 'balance', description: 'Reads the balance', input: z.object({}), execute: () => 100 });
  const model = ScriptedModel.respondWith(({ messages }) => {
    const results = messages.filter((m) => m.role === 'tool');
    if (results.length === 0) return { toolCalls: [{ name: 'balance', arguments: {} }, { name: 'wire_money', arguments: { amount: 30 } }] };
    return { text: `results: ${results.map((m) => m.content).join(' | ')}` };
  });
  const agents = { banker: { provider: 'scripted', model: 's', tools: ['balance', 'wire_money'], approval } };
  return { transfers, model, options: { models: { scripted: model }, agents, tools: [transfer, balance] } };
}

describe('human approval', () => {
  it('holds a high-risk call until approved, showing it in state and search attributes', async () => {
    const { transfers, options } = setup();
    const baton = await startTestBaton(options);
    const out = await baton.run(async () => {
      const handle = await baton.client.startAgent('banker', 'pay 30');
      const waiting = await waitForPending(() => handle.query(stateQuery));
      const attrs = (await handle.describe()).typedSearchAttributes.get(BatonStatus);
      const decided = await handle.executeUpdate(decideApprovalUpdate, { args: [{ approvalId: 'approval-1', approve: true, reason: 'ok by me' }] });
      const result = await handle.result();
      return { waiting, attrs, decided, result, final: await handle.query(stateQuery), after: (await handle.describe()).typedSearchAttributes.get(BatonStatus) };
    });
    expect(out.waiting).toMatchObject({ status: 'waiting_approval', pendingApprovals: [{ id: 'approval-1', tool: 'wire_money', arguments: { amount: 30 }, risk: 'high', agent: 'banker' }] });
    expect(out.attrs).toBe('waiting_approval');
    // Removed once nothing waits: the run's lifecycle is Temporal's ExecutionStatus.
    expect(out.after).toBeUndefined();
    expect(out.decided).toMatchObject({ id: 'approval-1', decision: 'approved', by: 'person', reason: 'ok by me' });
    expect(transfers).toEqual([{ amount: 30 }]);
    expect(out.result.output).toBe('results: 100 | sent');
    expect(out.final.approvals).toHaveLength(1);
  });

  it('gives a rejection and its reason to the model without running the tool', async () => {
    const { transfers, options } = setup();
    const baton = await startTestBaton(options);
    const result = await baton.run(async () => {
      const handle = await baton.client.startAgent('banker', 'pay 30');
      await waitForPending(() => handle.query(stateQuery));
      await handle.executeUpdate(decideApprovalUpdate, { args: [{ approvalId: 'approval-1', approve: false, reason: 'over the limit' }] });
      return handle.result();
    });
    expect(transfers).toEqual([]);
    expect(result.output).toBe('results: 100 | The call to wire_money was rejected by a reviewer: over the limit.');
  });

  it('rejects an unknown or already decided approval with a clear message', async () => {
    const { options } = setup();
    const baton = await startTestBaton(options);
    const errors = await baton.run(async () => {
      const handle = await baton.client.startAgent('banker', 'pay 30');
      await waitForPending(() => handle.query(stateQuery));
      const unknown = await handle.executeUpdate(decideApprovalUpdate, { args: [{ approvalId: 'approval-9', approve: true }] }).catch((e: unknown) => e);
      await handle.executeUpdate(decideApprovalUpdate, { args: [{ approvalId: 'approval-1', approve: true }] });
      const twice = await handle.executeUpdate(decideApprovalUpdate, { args: [{ approvalId: 'approval-1', approve: false }] }).catch((e: unknown) => e);
      await handle.result();
      return { unknown, twice };
    });
    expect(errors.unknown).toBeInstanceOf(WorkflowUpdateFailedError);
    expect((errors.unknown as Error & { cause?: Error }).cause?.message).toBe('no pending approval approval-9 in this run (pending: approval-1)');
    expect((errors.twice as Error & { cause?: Error }).cause?.message).toMatch(/^approval approval-1 was already decided by a person at \d{4}-\d\d-\d\dT[\d:.]+Z \(approved\)$/);
  });

  it('applies the timeout outcome when nobody decides', async () => {
    const { transfers, options } = setup({ timeout: '1s', onTimeout: 'reject' });
    const baton = await startTestBaton(options);
    const { result, state } = await baton.run(async () => {
      const handle = await baton.client.startAgent('banker', 'pay 30');
      const result = await handle.result();
      return { result, state: await handle.query(stateQuery) };
    });
    expect(transfers).toEqual([]);
    expect(state.approvals).toMatchObject([{ decision: 'rejected', by: 'timeout' }]);
    expect(result.output).toContain('rejected by a reviewer: no decision before the approval timeout');
  });

  it('runs low-risk tools without asking, and asks for tools listed by name', async () => {
    const { transfers, options } = setup({ minRisk: 'never', tools: [] });
    const baton = await startTestBaton(options);
    const result = await baton.run(async () => (await baton.client.startAgent('banker', 'pay 30')).result());
    expect(transfers).toHaveLength(1);
    expect(result.output).toBe('results: 100 | sent');
  });
});
