/**
 * `npm run demo`, run the way a newcomer runs it (without an API key), against the test's dev
 * server: the team's path, the tools, the approval it prints and grants, the Web UI link.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import type { AgentRunResult } from '../core';
import { demoConfig } from '../examples/demo/config';
import { validateConfig } from '../config/define-config';
import { closeTestEnv, getTestEnv } from './helpers/temporal';

const root = path.join(__dirname, '..');
afterAll(closeTestEnv);

/** Runs examples/demo/run-demo.ts as `npm run demo` does (after its `temporal-dev.sh install`). */
function runDemo(): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env, TEMPORAL_ADDRESS: inject('temporalAddress'), TEMPORAL_NAMESPACE: inject('temporalNamespace') };
  delete env.OPENAI_API_KEY;
  delete env.ANTHROPIC_API_KEY;
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'examples', 'demo', 'run-demo.ts')], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
  return new Promise((resolve) => child.once('close', (code) => (clearTimeout(timer), resolve({ code, stdout, stderr }))));
}

describe('npm run demo', () => {
  it('runs the team offline: triage hands off, the planner uses tools, the booking waits for an approval the demo prints and grants', async () => {
    const demo = await runDemo();
    expect(demo.code, demo.stderr).toBe(0);
    const out = demo.stdout;
    expect(out).toMatch(/^OFFLINE DEMO: no OPENAI_API_KEY or ANTHROPIC_API_KEY is set, so the model is Baton's SCRIPTED model/);

    const workflowId = /Started run (\S+)/.exec(out)?.[1] as string;
    expect(workflowId).toMatch(/^baton-triage-/);
    const firstRunId = new RegExp(`Web UI: http://localhost:8233/namespaces/${inject('temporalNamespace')}/workflows/${workflowId}/([0-9a-f-]+)/history`).exec(out)?.[1];
    expect(firstRunId, out).toBeTruthy();

    // The approval: the exact command a person would type, then the demo's own decision.
    expect(out).toContain('⏸ trip-planner wants to call book_hotel({"city":"Lisbon","nights":2}): risk high, so the run waits for a person.');
    expect(out).toContain(`      npx baton approve ${workflowId} approval-1\n`);
    expect(out).toContain('✔ approved approval-1 by npm run demo');
    expect(out.indexOf('npx baton approve')).toBeLessThan(out.indexOf('✔ approved'));

    // The answer, with the run's path through the team and the link again.
    expect(out).toMatch(/A: Oslo: -3 °C, light snow; Lisbon: 17 °C, sunny\. Go to Lisbon and pack for 17 °C \(63 °F\) and sunny\. Booked 2 nights in Lisbon \(€190, ref DEMO-[0-9A-F]{6}\)\./);
    expect(out).toContain('Path: triage → trip-planner (finished by trip-planner)');
    expect(out.trimEnd().split('\n').filter((l) => l.startsWith('Web UI: '))).toHaveLength(2);

    // What Temporal recorded agrees with what the demo printed.
    const env = await getTestEnv();
    const handle = env.client.workflow.getHandle(workflowId);
    const result = (await handle.result()) as AgentRunResult;
    expect(result).toMatchObject({ agent: 'trip-planner', path: ['triage', 'trip-planner'] });
    expect(result.output).toBe(/A: (.*)\n/.exec(out)?.[1]);
    const history = await handle.fetchHistory();
    const activities = (history.events ?? []).flatMap((e) => e.activityTaskScheduledEventAttributes?.activityType?.name ?? []);
    expect(activities.filter((name) => name !== 'callModel').sort()).toEqual(['runTool', 'runTool', 'runTool', 'runTool']);
    const update = (history.events ?? []).find((e) => e.workflowExecutionUpdateAcceptedEventAttributes)?.workflowExecutionUpdateAcceptedEventAttributes;
    expect(update?.acceptedRequest?.input?.name).toBe('decideApproval');
  }, 120_000); // beyond runDemo's 90 s kill, so a slow demo fails with its output, not vitest's timeout

  it('configures the real provider, and no scripted one, when an API key is set', () => {
    const openai = validateConfig(demoConfig('openai'));
    expect(Object.keys(openai.providers)).toEqual(['openai']);
    expect(openai.providers.openai?.type).toBe('openai');
    expect(Object.values(openai.agents).map((a) => [a.provider, a.model])).toEqual([['openai', 'gpt-4o-mini'], ['openai', 'gpt-4o-mini']]);
    expect(openai.agents.triage?.handoffs).toEqual(['trip-planner']);
    expect(validateConfig(demoConfig('anthropic')).providers.anthropic?.type).toBe('anthropic');
  });
});
