/**
 * Usability bugs seen on real runs: a rejected or refused tool call counted in
 * usage.toolCalls, `run --wait` without the hand-off path, and `inspect` showing finished
 * tool-plan steps as running. The CLI runs in this process against a test worker.
 */
import path from 'node:path';
import { afterAll, afterEach, describe, expect, inject, it, vi } from 'vitest';
import { loadConfig } from '../config/load-config';
import { resolveWorkflowSpec } from '../config/load-spec';
import { inspectRun } from '../client/inspect';
import type { AgentRunState } from '../core';
import { stateQuery } from '../workflows';
import { startTestBaton, type TestBaton } from './helpers/baton';
import { captureCli } from './helpers/cli';
import { closeTestEnv, getTestEnv, uniqueWorkflowId } from './helpers/temporal';
import { waitFor } from './helpers/wait-for';

const fixture = path.join(__dirname, 'fixtures/cli-usability/config.ts');
afterAll(closeTestEnv);
afterEach(() => vi.restoreAllMocks());

/** Runs the CLI's `main` in this process against the test server, capturing what it prints. */
const cli = (...args: string[]) => captureCli('--config', fixture, '--address', inject('temporalAddress'), ...args);

async function startWorker(): Promise<TestBaton> {
  const { providers, agents, tools } = await loadConfig(fixture);
  return startTestBaton({ providers, agents, tools });
}

describe('usage.toolCalls', () => {
  it('does not count a call a reviewer rejected: status, result and inspect all say 0', async () => {
    const baton = await startWorker();
    const id = uniqueWorkflowId('rejected');
    const out = await baton.run(async () => {
      const handle = await baton.client.startAgent('payer', 'pay 5', { workflowId: id });
      await waitFor(async () => ((await handle.query(stateQuery)) as AgentRunState).pendingApprovals.length > 0, 'a pending approval', 60_000, 50);
      const rejected = await cli('approve', id, '--reject', '--reason', 'not today');
      const result = await handle.result();
      return { rejected, result, status: await cli('status', id) };
    });
    expect(out.rejected.code).toBe(0);
    expect(out.result.output).toBe('payment: The call to pay was rejected by a reviewer: not today.');
    expect(out.result.usage.toolCalls).toBe(0);
    expect(out.status.stdout).toMatch(/usage\s+.*, 2 model calls, 0 tool calls/);
    const inspected = await inspectRun((await getTestEnv()).client, id);
    expect(inspected.usage.toolCalls).toBe(0);
  });

  it('counts the call that ran and not the one outside the allowlist', async () => {
    const baton = await startWorker();
    const id = uniqueWorkflowId('refused');
    const result = await baton.run(async () => (await baton.client.startAgent('lister', 'go', { workflowId: id })).result());
    expect(result.output).toBe('done: HI | Unknown tool "pay". Available tools: shout.');
    expect(result.usage.toolCalls).toBe(1);
    expect((await inspectRun((await getTestEnv()).client, id)).usage.toolCalls).toBe(1);
  });
});

describe('baton run --wait', () => {
  it('prints the hand-off path with the answer', async () => {
    const baton = await startWorker();
    const run = await baton.run(() => cli('run', 'triage', '--input', 'my invoice', '--wait', '-q', baton.taskQueue));
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('billing answered');
    expect(run.stdout).toMatch(/billing finished in 2 turns · path triage → billing · /);
  });
});

describe('baton inspect', () => {
  it('shows the finished steps of a tool plan as done, not running', async () => {
    const baton = await startWorker();
    const id = uniqueWorkflowId('plan');
    const spec = resolveWorkflowSpec({ name: 'plan', steps: { kind: 'tools', plan: { steps: [{ id: 'a', tool: 'shout', args: { text: 'x' } }, { id: 'b', tool: 'shout', args: { text: '{{steps.a.result}}!' } }] } } }, baton.config, 'plan');
    await baton.run(async () => (await baton.client.startSpec(spec, 'go', { workflowId: id })).result());
    const run = await inspectRun((await getTestEnv()).client, id);
    const tools = run.steps.filter((s) => s.kind === 'activity' && s.label.startsWith('tool shout'));
    expect(tools).toEqual([
      { kind: 'activity', label: expect.stringMatching(/^tool shout · plan .* · step a$/), status: 'ok', durationMs: expect.any(Number) },
      { kind: 'activity', label: expect.stringMatching(/^tool shout · plan .* · step b$/), status: 'ok', durationMs: expect.any(Number) },
    ]);
    const printed = await cli('inspect', id);
    expect(printed.code).toBe(0);
    expect(printed.stdout).not.toContain('running');
  });
});
