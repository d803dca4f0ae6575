import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { FailureType } from '../core';
import { startTestBaton } from './helpers/baton';
import { closeTestEnv } from './helpers/temporal';
import { waitFor } from './helpers/wait-for';
import { anthropicError, anthropicOverloaded, anthropicText, openaiError, openaiRateLimited, openaiText, startWireServer, type WireServer } from '../testing';

process.env.BATON_TEST_PROVIDER_KEY = 'sk-test';
afterAll(closeTestEnv);

let server: WireServer;
beforeEach(async () => (server = await startWireServer('/v1')));
afterEach(() => server.close());

async function batonFor(type: 'openai' | 'anthropic') {
  const baseURL = type === 'openai' ? server.baseURL : server.baseURL.replace(/\/v1$/, '');
  return startTestBaton({
    providers: { llm: { type, baseURL, apiKeyEnv: 'BATON_TEST_PROVIDER_KEY', prices: { m: { inputPerMillion: 1_000_000, outputPerMillion: 2_000_000 } } } },
    agents: { writer: { provider: 'llm', model: 'm', modelCall: { initialInterval: '200ms', heartbeatTimeout: '2s' } } },
  });
}

describe('model calls through Temporal against real SDK clients', () => {
  it('retries a 429 after its retry-after delay and carries usage and cost into the run', async () => {
    server.push(openaiRateLimited(1), openaiText('Finally.', { input: 7, output: 3 }));
    const baton = await batonFor('openai');
    const result = await baton.run(async () => (await baton.client.startAgent('writer', 'go')).result());
    expect(result.output).toBe('Finally.');
    expect(server.requests).toHaveLength(2);
    const gap = (server.requests[1]?.at ?? 0) - (server.requests[0]?.at ?? 0);
    expect(gap).toBeGreaterThanOrEqual(950);
    expect(result.usage).toMatchObject({ inputTokens: 7, outputTokens: 3, modelCalls: 1, costUsd: 13 });
  });

  it('retries a 500 from Anthropic and then answers', async () => {
    server.push(anthropicError(500, 'internal'), anthropicText('Recovered.'));
    const baton = await batonFor('anthropic');
    const result = await baton.run(async () => (await baton.client.startAgent('writer', 'go')).result());
    expect(result.output).toBe('Recovered.');
    expect(server.requests).toHaveLength(2);
  });

  it('retries a dropped connection and an overloaded Anthropic API, then answers', async () => {
    server.push({ dropConnection: true }, anthropicOverloaded(), { ...anthropicText('Third time.'), delayMs: 200 });
    const baton = await batonFor('anthropic');
    const result = await baton.run(async () => (await baton.client.startAgent('writer', 'go')).result());
    expect(result.output).toBe('Third time.');
    expect(server.requests).toHaveLength(3);
    expect(server.pending).toBe(0);
  });

  it('fails a 400 at once, without retrying, with a clear non-retryable error', async () => {
    server.push(openaiError(400, "Invalid value for 'model'"));
    const baton = await batonFor('openai');
    const err = await baton.run(async () => (await baton.client.startAgent('writer', 'go')).result().catch((e: unknown) => e));
    expect(err).toBeInstanceOf(WorkflowFailedError);
    const cause = (err as WorkflowFailedError).cause?.cause as ApplicationFailure | undefined;
    expect(cause).toBeInstanceOf(ApplicationFailure);
    expect(cause).toMatchObject({ type: FailureType.ProviderRejected, nonRetryable: true });
    expect(cause?.message).toContain("HTTP 400: 400 Invalid value for 'model'");
    expect(server.requests).toHaveLength(1);
  });

  it('cancelling the run aborts the in-flight HTTP call and ends the run as cancelled', async () => {
    server.push({ hang: true });
    const baton = await batonFor('openai');
    const outcome = await baton.run(async () => {
      const handle = await baton.client.startAgent('writer', 'go');
      while (server.requests.length === 0) await new Promise((r) => setTimeout(r, 50));
      await handle.cancel();
      const err = await handle.result().catch((e: unknown) => e);
      await waitFor(() => server.abortedRequests > 0, 'the fake provider to see the call aborted', 60_000, 50);
      return { err, description: await handle.describe() };
    });
    expect(outcome.description.status.name).toBe('CANCELLED');
    expect(server.abortedRequests).toBe(1);
  });
});
