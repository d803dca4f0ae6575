import { afterAll, describe, expect, it } from 'vitest';
import { type WorkflowFailedError, type WorkflowUpdateFailedError } from '@temporalio/client';
import { ScriptedModel } from '../activities/providers/scripted';
import { FailureType, type ModelRequest, type SpecRunState } from '../core';
import { decideApprovalUpdate, replaceStepUpdate, specStateQuery } from '../workflows';
import { startTestBaton } from './helpers/baton';
import { specFor } from './helpers/spec';
import { closeTestEnv } from './helpers/temporal';
import { waitFor } from './helpers/wait-for';

afterAll(closeTestEnv);

const input = (req: ModelRequest) => (req.messages[0] as { content: string }).content;

async function setup() {
  const model = ScriptedModel.respondWith((req) => (req.agent.name === 'slow' ? { delayMs: 60_000, text: 'late' } : { text: `${req.agent.name}(${input(req)})` }));
  const agents = Object.fromEntries(['drafter', 'publisher', 'archiver', 'slow'].map((n) => [n, { provider: 'scripted', model: 's', modelCall: { heartbeatTimeout: '2s' } }]));
  return startTestBaton({ models: { scripted: model }, agents });
}

async function until(query: () => Promise<SpecRunState>, check: (s: SpecRunState) => boolean): Promise<SpecRunState> {
  return waitFor(async () => {
    const state = await query();
    return check(state) && state;
  }, 'the spec run\'s state to match', 60_000, 50);
}

const reviewFlow = {
  kind: 'sequence',
  steps: [{ kind: 'agent', agent: 'drafter' }, { kind: 'approval', message: 'Publish this draft?' }, { kind: 'agent', agent: 'publisher' }],
};

describe('controlling a running workflow spec', () => {
  it('waits at an approval step, and a replaced later step runs instead of the original', async () => {
    const baton = await setup();
    const out = await baton.run(async () => {
      const handle = await baton.client.startSpec(specFor(baton, 'review', reviewFlow), 'news');
      const waiting = await until(() => handle.query(specStateQuery), (s) => s.pendingApprovals.length > 0);
      const started = await handle.executeUpdate(replaceStepUpdate, { args: [{ path: 'root.steps[0]', step: { kind: 'agent', agent: 'archiver' } }] }).catch((e: unknown) => e);
      const invalid = await handle.executeUpdate(replaceStepUpdate, { args: [{ path: 'root.steps[2]', step: { kind: 'agent', agent: 'nobody' } }] }).catch((e: unknown) => e);
      const malformed = await handle.executeUpdate(replaceStepUpdate, { args: [{ path: 'root.steps[2]', step: { kind: 'agent' } as never }] }).catch((e: unknown) => e);
      await handle.executeUpdate(replaceStepUpdate, { args: [{ path: 'root.steps[2]', step: { kind: 'agent', agent: 'archiver' } }] });
      await handle.executeUpdate(decideApprovalUpdate, { args: [{ approvalId: 'approval-1', approve: true }] });
      return { waiting, started, invalid, malformed, result: await handle.result(), state: await handle.query(specStateQuery), history: await handle.fetchHistory() };
    });
    expect(out.waiting).toMatchObject({ status: 'waiting_approval', pendingApprovals: [{ id: 'approval-1', tool: 'step root.steps[1]', arguments: { message: 'Publish this draft?', input: 'drafter(news)' } }] });
    expect((out.started as WorkflowUpdateFailedError).cause?.message).toBe('root.steps[0] has already started; only steps that have not started can be replaced');
    expect((out.invalid as WorkflowUpdateFailedError).cause?.message).toBe('the new step uses agents the spec does not have: nobody');
    expect((out.malformed as WorkflowUpdateFailedError).cause?.message).toMatch(/^invalid change: step\.agent: /);
    expect(out.result.output).toBe('archiver(drafter(news))');
    expect(out.state.changes).toEqual([{ path: 'root.steps[2]', kinds: 'agent' }]);
    const updates = out.history.events?.filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes) ?? [];
    expect(updates.map((e) => e.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input?.name)).toEqual(['replaceStep', 'decideApproval']);
  });

  it('fails with BatonApprovalRejected when the step is rejected', async () => {
    const baton = await setup();
    const err = await baton.run(async () => {
      const handle = await baton.client.startSpec(specFor(baton, 'review', reviewFlow), 'news');
      await until(() => handle.query(specStateQuery), (s) => s.pendingApprovals.length > 0);
      await handle.executeUpdate(decideApprovalUpdate, { args: [{ approvalId: 'approval-1', approve: false, reason: 'too early' }] });
      return handle.result().catch((e: unknown) => e);
    });
    expect((err as WorkflowFailedError).cause).toMatchObject({ type: FailureType.ApprovalRejected, message: 'root.steps[1] was rejected: too early' });
  });

  it('cancels child runs and their model calls when the run is cancelled, keeping its partial state', async () => {
    const baton = await setup();
    const out = await baton.run(async () => {
      const handle = await baton.client.startSpec(specFor(baton, 'wide', { kind: 'parallel', branches: [{ kind: 'agent', agent: 'drafter' }, { kind: 'agent', agent: 'slow' }, { kind: 'agent', agent: 'slow' }] }), 'x');
      await until(() => handle.query(specStateQuery), (s) => s.steps.filter((st) => st.status === 'running').length === 2 && s.steps.some((st) => st.status === 'completed'));
      await handle.cancel();
      await handle.result().catch(() => undefined);
      // The run ends once it asked its children to cancel; each child then ends on its own (later on a loaded machine).
      const childStatuses = async () => (await Promise.all([1, 2].map((i) => baton.client.temporal.workflow.getHandle(`${handle.workflowId}/root.branches[${i}]`).describe()))).map((c) => c.status.name);
      const children = await waitFor(async () => {
        const statuses = await childStatuses();
        return statuses.every((s) => s !== 'RUNNING') && statuses;
      }, 'the child runs to end', 60_000, 100);
      return { description: await handle.describe(), children, state: await handle.query(specStateQuery) };
    });
    expect(out.description.status.name).toBe('CANCELLED');
    expect(out.children).toEqual(['CANCELLED', 'CANCELLED']);
    expect(out.state.status).toBe('cancelled');
    expect(out.state.steps.find((s) => s.path === 'root.branches[0]')).toMatchObject({ status: 'completed', output: 'drafter(x)' });
    expect(out.state.steps.filter((s) => s.status === 'cancelled').map((s) => s.path).sort()).toEqual(['root.branches[1]', 'root.branches[2]']);
  });
});
