import { afterAll, describe, expect, it } from 'vitest';
import { WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import { type ApplicationFailure } from '@temporalio/common';
import { ScriptedModel } from '../activities/providers/scripted';
import { replayBundle, replayHistory } from '../client/ops/replay';
import { FailureType, type ModelRequest, type SpecRunState } from '../core';
import { specStateQuery } from '../workflows';
import { startTestBaton, type TestBaton } from './helpers/baton';
import { specFor } from './helpers/spec';
import { closeTestEnv } from './helpers/temporal';
import { waitFor } from './helpers/wait-for';

afterAll(closeTestEnv);

const input = (req: ModelRequest) => (req.messages[0] as { content: string }).content;

async function setup() {
  const model = ScriptedModel.respondWith((req) => {
    if (req.agent.name === 'slow') return { delayMs: 60_000, text: 'late' };
    if (req.agent.name === 'broken') return { fail: { status: 400, message: 'bad request' } };
    return { text: `${req.agent.name}(${input(req)})` };
  });
  const agents = Object.fromEntries(['drafter', 'critic', 'writer', 'slow', 'broken'].map((n) => [n, { provider: 'scripted', model: 's', modelCall: { heartbeatTimeout: '2s' } }]));
  return { model, baton: await startTestBaton({ models: { scripted: model }, agents }) };
}

/** Replays a finished run's history against this checkout's workflows: the fewer promise steps must replay too. */
async function replays(baton: TestBaton, handle: WorkflowHandle): Promise<boolean> {
  const outcome = await replayHistory(await replayBundle(), handle.workflowId, '', await baton.client.temporal.workflow.getHandle(handle.workflowId).fetchHistory());
  expect(outcome.error).toBeUndefined();
  return outcome.ok;
}

const paths = (state: SpecRunState) => state.steps.map((s) => `${s.path}:${s.status}`);

describe('a fan-out alone in its spec run', () => {
  it('of one branch completes, continues past a failure, fails fast and is cancelled as a wider one does', async () => {
    const { model, baton } = await setup();
    const one = specFor(baton, 'one', {
      kind: 'sequence',
      steps: [
        { kind: 'parallel', branches: [{ kind: 'agent', agent: 'drafter', input: 'draft {{input}}' }] },
        { kind: 'parallel', onFailure: 'continue', branches: [{ kind: 'agent', agent: 'broken' }] },
        { kind: 'agent', agent: 'writer' },
      ],
    });
    const failsFast = specFor(baton, 'one-fails', { kind: 'parallel', branches: [{ kind: 'agent', agent: 'broken' }], aggregate: { kind: 'agent', agent: 'writer' } });
    const cancelled = specFor(baton, 'one-cancelled', { kind: 'parallel', branches: [{ kind: 'agent', agent: 'slow' }] });
    const out = await baton.run(async () => {
      const ok = await baton.client.startSpec(one, 'x');
      const result = await ok.result();
      const failed = await baton.client.startSpec(failsFast, 'x');
      const err = await failed.result().catch((e: unknown) => e);
      const stopped = await baton.client.startSpec(cancelled, 'x');
      await waitFor(async () => (await stopped.query(specStateQuery)).steps.some((s) => s.status === 'running'), 'the branch to start', 60_000, 50);
      await stopped.cancel();
      const cancellation = await stopped.result().catch((e: unknown) => e);
      const child = await waitFor(async () => {
        const description = await baton.client.temporal.workflow.getHandle(`${stopped.workflowId}/root.branches[0]`).describe();
        return description.status.name !== 'RUNNING' && description.status.name;
      }, 'the child run to end', 60_000, 100);
      const history = await baton.client.temporal.workflow.getHandle(stopped.workflowId).fetchHistory();
      const markers = (history.events ?? []).filter((e) => e.markerRecordedEventAttributes).length;
      return {
        result, err, cancellation, child, markers,
        states: { ok: await ok.query(specStateQuery), failed: await failed.query(specStateQuery), stopped: await stopped.query(specStateQuery) },
        replayed: [await replays(baton, ok), await replays(baton, failed), await replays(baton, stopped)],
      };
    });
    expect(out.result.output).toMatch(/^writer\(Result 1 \(broken\):\nFAILED: .*bad request\)$/);
    expect(model.calls.map((c) => `${c.agent.name}:${input(c)}`)).toEqual(expect.arrayContaining(['drafter:draft x', 'broken:Result 1 (drafter):\ndrafter(draft x)']));
    expect(paths(out.states.ok)).toEqual(['root.steps[0].branches[0]:completed', 'root.steps[1].branches[0]:failed', 'root.steps[2]:completed']);
    // Fail-fast: the typed failure names the branch, and the aggregate never runs.
    expect(out.err).toBeInstanceOf(WorkflowFailedError);
    expect((out.err as WorkflowFailedError).cause).toMatchObject({ type: FailureType.StepFailed, details: [{ branch: 0 }] });
    expect(((out.err as WorkflowFailedError).cause as ApplicationFailure).message).toMatch(/^branch 0 failed: .*bad request/);
    expect(paths(out.states.failed)).toEqual(['root.branches[0]:failed']);
    // Cancelled: the run and its child end cancelled, and the fan-out's patch marker is recorded as before.
    expect(out.cancellation).toBeInstanceOf(WorkflowFailedError);
    expect(out.child).toBe('CANCELLED');
    expect(out.states.stopped).toMatchObject({ status: 'cancelled' });
    expect(paths(out.states.stopped)).toEqual(['root.branches[0]:cancelled']);
    expect(out.markers).toBe(1);
    expect(out.replayed).toEqual([true, true, true]);
  });

  it('fails a branch whose template names no earlier output as a rejection, so the other branches go as they went before', async () => {
    const { model, baton } = await setup();
    const spec = specFor(baton, 'bad-template', { kind: 'parallel', branches: [{ kind: 'agent', agent: 'drafter', input: '{{steps.nope.output}}' }, { kind: 'agent', agent: 'slow' }] });
    const out = await baton.run(async () => {
      const handle = await baton.client.startSpec(spec, 'x');
      const err = await handle.result().catch((e: unknown) => e);
      const history = await baton.client.temporal.workflow.getHandle(handle.workflowId).fetchHistory();
      const events = (history.events ?? []).map((e) => String(e.eventType));
      return { err, events, state: await handle.query(specStateQuery), replayed: await replays(baton, handle) };
    });
    expect(((out.err as WorkflowFailedError).cause as ApplicationFailure).message).toBe('branch 0 failed: template refers to {{steps.nope.output}}, which no earlier step produced');
    // As when every step was an async function: branch 1 began in the same workflow task, and fail-fast
    // cancelled it before its child was started (the state and events the code before recorded).
    expect(paths(out.state)).toEqual(['root.branches[1]:cancelled']);
    // Started, workflow task scheduled, started, completed, failed: no child start reached the server.
    expect(out.events).toEqual(['1', '5', '6', '7', '3']);
    expect(model.calls).toHaveLength(0);
    expect(out.replayed).toBe(true);
  });

  it('starts plain agent branches directly, and runs branches inside another fan-out as steps, with the same outputs', async () => {
    const { baton } = await setup();
    const spec = specFor(baton, 'lanes', {
      kind: 'sequence',
      steps: [
        // Alone: five plain agent branches, two at a time, one with a template.
        { kind: 'parallel', concurrency: 2, branches: [{ kind: 'agent', agent: 'drafter' }, { kind: 'agent', agent: 'critic', input: 'review {{input}}' }, { kind: 'agent', agent: 'drafter' }, { kind: 'agent', agent: 'critic' }, { kind: 'agent', agent: 'writer' }] },
        // Not alone: a fan-out of two and a fan-out of one inside another fan-out's branches; a named output read by a later step.
        {
          kind: 'parallel',
          branches: [
            { kind: 'parallel', branches: [{ kind: 'agent', agent: 'drafter', input: 'a' }, { kind: 'agent', agent: 'critic', input: 'b' }] },
            { kind: 'sequence', steps: [{ kind: 'agent', agent: 'drafter', input: 'c', as: 'd' }, { kind: 'parallel', branches: [{ kind: 'agent', agent: 'critic', input: 'on {{steps.d.output}}' }] }] },
            { kind: 'agent', agent: 'writer', input: 'w', as: 'w' },
          ],
        },
      ],
    });
    const out = await baton.run(async () => {
      const handle = await baton.client.startSpec(spec, 'x');
      const result = await handle.result();
      return { result, state: await handle.query(specStateQuery), replayed: await replays(baton, handle) };
    });
    const first = out.state.steps.filter((s) => s.path.startsWith('root.steps[0].'));
    expect(first.map((s) => s.path)).toEqual([0, 1, 2, 3, 4].map((i) => `root.steps[0].branches[${i}]`));
    expect(first.map((s) => s.output)).toEqual(['drafter(x)', 'critic(review x)', 'drafter(x)', 'critic(x)', 'writer(x)']);
    expect(out.result.output).toBe([
      'Result 1 (branch 0):\nResult 1 (drafter):\ndrafter(a)\n\nResult 2 (critic):\ncritic(b)',
      'Result 2 (branch 1):\nResult 1 (critic):\ncritic(on drafter(c))',
      'Result 3 (writer):\nwriter(w)',
    ].join('\n\n'));
    expect(out.state.steps.every((s) => s.status === 'completed')).toBe(true);
    expect(out.replayed).toBe(true);
  });
});
