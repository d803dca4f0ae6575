/** Exactly one decision per approval, however many people decide at once. */
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { defineTool } from '../activities';
import { ScriptedModel } from '../activities/providers/scripted';
import { decideApprovalUpdate, stateQuery } from '../workflows';
import { startTestBaton } from './helpers/baton';
import { closeTestEnv } from './helpers/temporal';
import { waitForPending } from './helpers/approvals';

afterAll(closeTestEnv);

describe('decideApproval under concurrency', () => {
  it('accepts exactly one of 12 simultaneous decisions; the other 11 say who decided and when', async () => {
    const transfers: unknown[] = [];
    const wire = defineTool({ name: 'wire_money', description: 'Sends money', risk: 'high', input: z.object({ amount: z.number() }), execute: (args) => (transfers.push(args), 'sent') });
    // A second high-risk call keeps the run open (waiting on approval-2) while the 12 decisions on approval-1 arrive.
    const model = ScriptedModel.respondWith(({ messages }) => {
      const results = messages.filter((m) => m.role === 'tool');
      if (results.length < 2) return { toolCalls: [{ name: 'wire_money', arguments: { amount: results.length ? 1 : 30 } }] };
      return { text: `result: ${results[0]?.content}` };
    });
    const baton = await startTestBaton({ models: { scripted: model }, tools: [wire], agents: { banker: { provider: 'scripted', model: 's', tools: ['wire_money'] } } });
    const out = await baton.run(async () => {
      const handle = await baton.client.startAgent('banker', 'pay 30');
      await waitForPending(() => handle.query(stateQuery));
      const settled = await Promise.allSettled(Array.from({ length: 12 }, (_, i) => handle.executeUpdate(decideApprovalUpdate, {
        args: [{ approvalId: 'approval-1', approve: i % 2 === 0, reason: `reviewer ${i} says ${i % 2 === 0 ? 'yes' : 'no'}`, by: `reviewer-${i}` }],
      })));
      await waitForPending(async () => {
        const state = await handle.query(stateQuery);
        return { ...state, pendingApprovals: state.pendingApprovals.filter((p) => p.id === 'approval-2') };
      });
      await handle.executeUpdate(decideApprovalUpdate, { args: [{ approvalId: 'approval-2', approve: false }] });
      const result = await handle.result();
      return { settled, result, state: await handle.query(stateQuery) };
    });
    const accepted = out.settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
    const refused = out.settled.flatMap((s) => (s.status === 'rejected' ? [s.reason as WorkflowUpdateFailedError] : []));
    expect(accepted).toHaveLength(1);
    expect(refused).toHaveLength(11);
    const winner = accepted[0];
    expect(winner).toMatchObject({ id: 'approval-1', by: 'person', decidedBy: expect.stringMatching(/^reviewer-\d+$/), decidedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) });
    for (const err of refused) {
      expect(err).toBeInstanceOf(WorkflowUpdateFailedError);
      expect(err.cause?.message).toBe(`approval approval-1 was already decided by ${winner?.decidedBy} at ${winner?.decidedAt} (${winner?.decision})`);
    }
    // The run's record holds the accepted decision, and the tool ran only if it was an approval.
    expect(out.state.approvals[0]).toEqual(winner);
    expect(out.state.approvals.map((a) => a.id)).toEqual(['approval-1', 'approval-2']);
    expect(transfers).toEqual(winner?.decision === 'approved' ? [{ amount: 30 }] : []);
    expect(out.result.output).toBe(winner?.decision === 'approved' ? 'result: sent' : `result: The call to wire_money was rejected by a reviewer: ${winner?.reason}.`);
  });
});
