/**
 * A model's answer is untrusted: a generated workflow too deep or too wide, or tool
 * arguments 6,000 levels deep, fail the run at once with a typed error naming the limit,
 * instead of overflowing a stack (in workflow code, a workflow task that fails forever; in
 * the model activity, retries of a RangeError).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { WorkflowFailedError } from '@temporalio/client';
import { ScriptedModel } from '../activities/providers/scripted';
import { startTestBaton } from './helpers/baton';
import { specFor } from './helpers/spec';
import { openaiText, openaiToolCalls } from '../testing/fakes/openai-wire';
import { startWireServer } from '../testing/fakes/wire-server';
import { closeTestEnv } from './helpers/temporal';

afterAll(closeTestEnv);

/** The deepest cause of a failed run. */
function rootFailure(err: unknown): { type?: string; message: string } {
  expect(err).toBeInstanceOf(WorkflowFailedError);
  let current = (err as WorkflowFailedError).cause as (Error & { cause?: Error; type?: string }) | undefined;
  while (current?.cause) current = current.cause as Error & { cause?: Error; type?: string };
  return { type: current?.type, message: current?.message ?? '' };
}

/** Runs a generate step whose planner answers `stepsJson` (text, so no stack is spent building it). */
async function runGenerated(stepsJson: string) {
  const model = ScriptedModel.respondWith((req) => (req.agent.name === 'planner' ? { text: `{"steps":${stepsJson}}` } : { text: 'done' }));
  const agent = { provider: 'scripted', model: 's' };
  const baton = await startTestBaton({ models: { scripted: model }, agents: { planner: agent, writer: agent } });
  const started = Date.now();
  const err = await baton.run(async () => (await baton.client.startSpec(specFor(baton, 'gen', { kind: 'generate', planner: 'planner' }), 'go')).result().catch((e: unknown) => e));
  const ms = Date.now() - started;
  console.log(`generated workflow (${stepsJson.length} characters of steps): the run failed ${ms} ms after the worker started`);
  return { failure: rootFailure(err), ms };
}

/**
 * "At once": the run fails on its first attempt, well before the 60 s start-to-close a hung or
 * timed-out activity would take (the failure names no timeout), with room for a loaded machine.
 */
const atOnceMs = 40_000;

const deepSteps = (depth: number) => {
  let steps = '{"kind":"agent","agent":"writer"}';
  for (let i = 0; i < depth; i++) steps = `{"kind":"sequence","steps":[${steps}]}`;
  return steps;
};

describe('generated workflows over the limits', () => {
  it('fails a generated workflow 40 steps deep with BatonInvalidInput, checked in workflow code', async () => {
    const { failure, ms } = await runGenerated(deepSteps(40));
    expect(failure.type).toBe('BatonInvalidInput');
    expect(failure.message).toMatch(/^invalid generated workflow from planner: (steps\.0\.?){32}: steps nest more than 32 levels deep/);
    expect(ms).toBeLessThan(atOnceMs);
  });

  it('gives a planner answer 3,000 levels deep back to the model, then fails the run as model behaviour', async () => {
    const { failure, ms } = await runGenerated(deepSteps(3000));
    expect(failure).toEqual({ type: 'BatonModelBehaviour', message: expect.stringContaining('the answer nests more than 128 levels deep; answer with flatter JSON') });
    expect(ms).toBeLessThan(atOnceMs);
  });

  it('fails a 100,000-branch generated workflow with a typed error, at once', async () => {
    const steps = `{"kind":"parallel","branches":[${Array.from({ length: 100_000 }, () => '{"kind":"agent","agent":"writer"}').join(',')}]}`;
    const { failure, ms } = await runGenerated(steps);
    expect(failure.type).toMatch(/^Baton/);
    expect(failure.message).not.toMatch(/Maximum call stack|Heartbeat timeout|StartToClose/);
    expect(ms).toBeLessThan(atOnceMs);
  });
});

describe('tool arguments nested 6,000 levels deep', () => {
  it('fail the model call at once with BatonLimitExceeded instead of retrying a stack overflow (real OpenAI client and wire format)', async () => {
    let args = '"x"';
    for (let i = 0; i < 6000; i++) args = `{"a":${args}}`;
    const server = await startWireServer('/v1');
    try {
      server.push(openaiToolCalls([{ id: 'call-1', name: 'echo', arguments: args }]), openaiText('done'));
      const baton = await startTestBaton({ providers: { llm: { type: 'openai-compatible', baseURL: server.baseURL } }, agents: { caller: { provider: 'llm', model: 'm' } } });
      const started = Date.now();
      const err = await baton.run(async () => (await baton.client.startAgent('caller', 'go')).result().catch((e: unknown) => e));
      expect(rootFailure(err)).toEqual({ type: 'BatonLimitExceeded', message: expect.stringMatching(/^the answer of agent "caller" \(turn 1\) nests too deeply to send as a payload \(Maximum call stack size exceeded\)/) });
      expect(server.requests).toHaveLength(1);
      expect(Date.now() - started).toBeLessThan(atOnceMs);
    } finally {
      await server.close();
    }
  });
});
