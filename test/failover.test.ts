import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WorkflowFailedError } from '@temporalio/client';
import type { ApplicationFailure } from '@temporalio/common';
import { FailureType, type AgentRunState } from '../core';
import { stateQuery } from '../workflows';
import { buildRunNode, type ModelNode } from '../client/inspect';
import { renderTree } from '../client/inspect-render';
import { validateConfig } from '../config/define-config';
import { startTestBaton } from './helpers/baton';
import { closeTestEnv } from './helpers/temporal';
import { startWireServer, type WireServer } from '../testing/fakes/wire-server';
import { openaiError, openaiText } from '../testing/fakes/openai-wire';
import { anthropicText } from '../testing/fakes/anthropic-wire';

process.env.BATON_TEST_PROVIDER_KEY = 'sk-test';
afterAll(closeTestEnv);

let primary: WireServer;
let backup: WireServer;
beforeEach(async () => {
  primary = await startWireServer('/v1');
  backup = await startWireServer('/v1');
});
afterEach(async () => {
  await primary.close();
  await backup.close();
});

/** `main` (OpenAI wire) falls back to `spare` (Anthropic wire); a short circuit-breaker cool-down. */
function batonWith(options: { fallbacks?: boolean; failures?: number; coolDown?: string } = {}) {
  return startTestBaton({
    providers: {
      main: { type: 'openai', baseURL: primary.baseURL, apiKeyEnv: 'BATON_TEST_PROVIDER_KEY' },
      spare: { type: 'anthropic', baseURL: backup.baseURL.replace(/\/v1$/, ''), apiKeyEnv: 'BATON_TEST_PROVIDER_KEY' },
    },
    agents: {
      writer: {
        provider: 'main',
        model: 'gpt-main',
        ...(options.fallbacks === false ? {} : { fallbacks: [{ provider: 'spare', model: 'claude-spare' }] }),
        modelCall: { initialInterval: '200ms', heartbeatTimeout: '2s', maximumAttempts: 4 },
      },
    },
    worker: { shutdownGraceTime: '1s', circuitBreaker: { failures: options.failures ?? 5, coolDown: options.coolDown ?? '30s' } },
  });
}

describe('provider failover', () => {
  it('refuses a fallback naming an unknown provider, with the field path', () => {
    expect(() => validateConfig({ providers: { main: { type: 'openai' } }, agents: { writer: { provider: 'main', model: 'm', fallbacks: [{ provider: 'nope', model: 'x' }] } } }))
      .toThrow(/agents\.writer\.fallbacks\[0\]\.provider: unknown provider "nope"/);
  });

  it('moves to the fallback when the primary answers 503, and the result, state and inspect say who answered', async () => {
    primary.push(openaiError(503, 'overloaded'));
    backup.push(anthropicText('From the spare.', { input: 4, output: 2 }));
    const baton = await batonWith();
    const { result, state, history } = await baton.run(async () => {
      const handle = await baton.client.startAgent('writer', 'go');
      const result = await handle.result();
      return { result, state: await handle.query(stateQuery) as AgentRunState, history: await handle.fetchHistory() };
    });
    expect(result.output).toBe('From the spare.');
    expect(primary.requests).toHaveLength(1);
    expect(backup.requests).toHaveLength(1);
    expect(backup.requests[0]?.body.model).toBe('claude-spare');
    expect(state.lastStep).toMatchObject({ kind: 'model', name: 'main/gpt-main', servedBy: 'spare/claude-spare' });
    const node = buildRunNode('run', history);
    const model = node.steps.find((s): s is ModelNode => s.kind === 'model');
    expect(model).toMatchObject({ servedBy: 'spare/claude-spare', attempts: 1 });
    expect(renderTree(node)).toContain('model main/gpt-main · writer · turn 1 · served by spare/claude-spare');
  });

  it('waits for a 429 retry-after of 2 s before retrying the same provider when there is no fallback', async () => {
    primary.push(openaiError(429, 'slow down', { 'retry-after': '2' }), openaiText('After the wait.'));
    const baton = await batonWith({ fallbacks: false });
    const { result, history } = await baton.run(async () => {
      const handle = await baton.client.startAgent('writer', 'go');
      return { result: await handle.result(), history: await handle.fetchHistory() };
    });
    expect(result.output).toBe('After the wait.');
    const events = history.events ?? [];
    const scheduled = events.find((e) => e.activityTaskScheduledEventAttributes);
    const started = events.find((e) => e.activityTaskStartedEventAttributes);
    expect(started?.activityTaskStartedEventAttributes?.attempt).toBe(2);
    const ms = (e: typeof started) => Number(e?.eventTime?.seconds ?? 0) * 1000 + Math.floor((e?.eventTime?.nanos ?? 0) / 1e6);
    const waited = ms(started) - ms(scheduled);
    console.log(`429 with retry-after 2 s: the second attempt started ${waited} ms after the first was scheduled`);
    // The retry waited out the retry-after (this agent's own backoff starts at 200 ms); the upper bound only says it did
    // not wait for something much longer, with room for a loaded machine's dispatch.
    expect(waited).toBeGreaterThanOrEqual(1900);
    expect(waited).toBeLessThan(20_000);
    expect(primary.requests).toHaveLength(2);
  });

  it('retries a 429 on the same provider once, then fails over at the next 429 without waiting for its retry-after', async () => {
    primary.push(openaiError(429, 'slow down', { 'retry-after': '1' }), openaiError(429, 'slow down', { 'retry-after': '30' }));
    backup.push(anthropicText('Spare, not waiting 30 s.'));
    const baton = await batonWith();
    const result = await baton.run(async () => (await baton.client.startAgent('writer', 'go')).result());
    expect(result.output).toBe('Spare, not waiting 30 s.');
    expect(primary.requests).toHaveLength(2);
    expect((primary.requests[1]?.at ?? 0) - (primary.requests[0]?.at ?? 0)).toBeGreaterThanOrEqual(950);
    expect(backup.requests).toHaveLength(1);
    // Timed between the fakes' requests (not worker start-up and shutdown): the spare was asked well before the 30 s retry-after ran out.
    const toSpare = (backup.requests[0]?.at ?? 0) - (primary.requests[1]?.at ?? 0);
    console.log(`second 429 (retry-after 30 s): the spare was asked ${toSpare} ms later`);
    expect(toSpare).toBeLessThan(20_000);
  });

  it('fails over from a primary that never answers once its share of the attempt (startToCloseTimeout / 2) is spent', async () => {
    primary.push({ hang: true });
    backup.push(anthropicText('Spare after a timeout.'));
    const baton = await startTestBaton({
      providers: {
        main: { type: 'openai', baseURL: primary.baseURL, apiKeyEnv: 'BATON_TEST_PROVIDER_KEY' },
        spare: { type: 'anthropic', baseURL: backup.baseURL.replace(/\/v1$/, ''), apiKeyEnv: 'BATON_TEST_PROVIDER_KEY' },
      },
      agents: { writer: { provider: 'main', model: 'gpt-main', fallbacks: [{ provider: 'spare', model: 'claude-spare' }], modelCall: { startToCloseTimeout: '4s', heartbeatTimeout: '2s' } } },
    });
    const result = await baton.run(async () => (await baton.client.startAgent('writer', 'go')).result());
    expect(result.output).toBe('Spare after a timeout.');
    expect(primary.abortedRequests).toBe(1);
    expect((backup.requests[0]?.at ?? 0) - (primary.requests[0]?.at ?? 0)).toBeGreaterThanOrEqual(1700);
  });

  it('fails a 401 at once without trying the fallback', async () => {
    primary.push(openaiError(401, 'bad key'));
    const baton = await batonWith();
    const err = await baton.run(async () => (await baton.client.startAgent('writer', 'go')).result().catch((e: unknown) => e));
    expect(err).toBeInstanceOf(WorkflowFailedError);
    const cause = (err as WorkflowFailedError).cause?.cause as ApplicationFailure | undefined;
    expect(cause).toMatchObject({ type: FailureType.ProviderRejected, nonRetryable: true });
    expect(primary.requests).toHaveLength(1);
    expect(backup.requests).toHaveLength(0);
  });

  it('opens the circuit after 2 failures in a row (later calls skip the primary), and closes it after the cool-down', async () => {
    primary.push(openaiError(500, 'down'), openaiError(502, 'down'));
    backup.push(anthropicText('spare 1'), anthropicText('spare 2'), anthropicText('spare 3'));
    const baton = await batonWith({ failures: 2, coolDown: '1500ms' });
    const outputs = await baton.run(async () => {
      const answer = async () => (await (await baton.client.startAgent('writer', 'go')).result()).output;
      const before = [await answer(), await answer(), await answer()];
      await new Promise((r) => setTimeout(r, 1600));
      primary.push(openaiText('main is back'), openaiText('main again'));
      return [...before, await answer(), await answer()];
    });
    expect(outputs).toEqual(['spare 1', 'spare 2', 'spare 3', 'main is back', 'main again']);
    // The third call skipped the primary: no request reached it while the circuit was open.
    expect(primary.requests).toHaveLength(4);
    expect(backup.requests).toHaveLength(3);
  });
});
