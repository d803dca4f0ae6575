import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { loadConfig } from '../config/load-config';
import { BatonClient } from '../client/baton-client';
import type { AgentRunResult } from '../core';
import { decideApprovalUpdate } from '../workflows';
import { batonMetrics, metricsBindAddress } from '../workers/telemetry';
import { closeTestEnv, getTestEnv, uniqueTaskQueue, uniqueWorkflowId } from './helpers/temporal';
import { familyNames, parsePrometheus, total, type Sample } from './helpers/prometheus';

const root = path.join(__dirname, '..');
const configPath = path.join(__dirname, 'fixtures/telemetry/config.ts');
const queue = uniqueTaskQueue('metrics');
let worker: ChildProcess;
let port: number;
let baton: BatonClient;
/** Every series name seen by any scrape of this file, for the deploy/ check. */
const scraped = new Set<string>();

/** A loopback port nothing listens on right now. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

/** Scrapes the worker's endpoint over HTTP until `ready` holds (workflow metrics arrive through a sink). */
async function scrapeUntil(ready: (samples: Sample[]) => boolean): Promise<Sample[]> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const response = await fetch(`http://127.0.0.1:${port}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/text\/plain/);
    const samples = parsePrometheus(await response.text());
    familyNames(samples).forEach((name) => scraped.add(name));
    if (ready(samples) || Date.now() > deadline) return samples;
    await new Promise((r) => setTimeout(r, 200));
  }
}

beforeAll(async () => {
  port = await freePort();
  const args = ['--import', 'tsx', 'client/cli/main.ts', '--config', configPath, '--address', inject('temporalAddress'), 'worker', '-q', queue, '--metrics', String(port)];
  worker = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  await new Promise<void>((resolve, reject) => {
    let out = '';
    worker.stdout?.on('data', (chunk: Buffer) => ((out += chunk.toString()), out.includes(`metrics: http://127.0.0.1:${port}/metrics`) && resolve()));
    worker.stderr?.on('data', (chunk: Buffer) => (out += chunk.toString()));
    worker.once('exit', (code) => reject(new Error(`worker exited with ${code}: ${out}`)));
  });
  const env = await getTestEnv();
  baton = new BatonClient(env.client, await loadConfig(configPath), { namespace: env.namespace ?? 'default' });
});
afterAll(async () => {
  worker?.kill('SIGTERM');
  await closeTestEnv();
});

describe('worker metrics (baton worker --metrics)', () => {
  it('counts a hand-off run\'s model calls, tokens and tool calls exactly as the run\'s own usage, beside the SDK\'s series', async () => {
    const handle = await baton.startAgent('triage', 'please shout something', { taskQueue: queue, workflowId: uniqueWorkflowId('metrics') });
    const result: AgentRunResult = await handle.result();
    expect(result).toMatchObject({ agent: 'solver', path: ['triage', 'solver'], usage: { modelCalls: 3, toolCalls: 1, inputTokens: 600, outputTokens: 60 } });
    // Baton's counters reach the endpoint within a second of the call (the worker sums them first): wait for them too.
    const samples = await scrapeUntil((s) => total(s, 'baton_runs_finished') >= 1 && total(s, 'baton_model_calls', { outcome: 'ok' }) >= result.usage.modelCalls && total(s, 'baton_model_output_tokens') >= result.usage.outputTokens);

    expect(total(samples, 'baton_model_calls', { outcome: 'ok' })).toBe(result.usage.modelCalls);
    expect(total(samples, 'baton_model_calls', { outcome: 'error' })).toBe(0);
    expect(total(samples, 'baton_model_input_tokens')).toBe(result.usage.inputTokens);
    expect(total(samples, 'baton_model_output_tokens')).toBe(result.usage.outputTokens);
    expect(total(samples, 'baton_model_input_tokens', { agent: 'triage', provider: 'scripted', model: 'scripted-triage' })).toBe(100);
    expect(total(samples, 'baton_model_output_tokens', { agent: 'solver', model: 'scripted-solver' })).toBe(50);
    expect(result.usage.costUsd).toBeCloseTo((500 * 3 + 50 * 15) / 1_000_000, 12);
    expect(total(samples, 'baton_model_cost_usd_sum')).toBeCloseTo(result.usage.costUsd, 12);
    expect(total(samples, 'baton_model_cost_usd_sum', { agent: 'triage' })).toBe(0);
    expect(total(samples, 'baton_model_call_latency_count', { agent: 'solver', outcome: 'ok' })).toBe(2);
    expect(total(samples, 'baton_tool_calls', { agent: 'solver', tool: 'shout', outcome: 'ok' })).toBe(result.usage.toolCalls);
    expect(total(samples, 'baton_tool_latency_count', { tool: 'shout', outcome: 'ok' })).toBe(1);
    expect(total(samples, 'baton_handoffs', { from: 'triage', to: 'solver' })).toBe(1);
    expect(total(samples, 'baton_runs_started', { pattern: 'agent', agent: 'triage' })).toBe(1);
    expect(total(samples, 'baton_runs_finished', { pattern: 'agent', agent: 'triage', status: 'completed' })).toBe(1);

    // The Temporal SDK's own worker series, on the same endpoint.
    expect(total(samples, 'temporal_worker_task_slots_available', { task_queue: queue, worker_type: 'ActivityWorker' })).toBeGreaterThan(0);
    expect(total(samples, 'temporal_activity_schedule_to_start_latency_count', { task_queue: queue })).toBeGreaterThanOrEqual(4);
    expect(samples.some((s) => s.name === 'temporal_workflow_task_schedule_to_start_latency_bucket')).toBe(true);
    expect(samples.some((s) => s.name === 'temporal_sticky_cache_size')).toBe(true);

    // Bounded labels: no run id, workflow id or user text on any series.
    const values = samples.flatMap((s) => Object.values(s.labels));
    expect(values.filter((v) => v.includes(handle.workflowId) || v.includes(handle.firstExecutionRunId) || /shout something|secret prompt/.test(v))).toEqual([]);
  });

  it('shows a call waiting for approval, then its decision', async () => {
    const handle = await baton.startAgent('payer', 'pay 5', { taskQueue: queue, workflowId: uniqueWorkflowId('metrics-approval') });
    const waiting = await scrapeUntil((s) => total(s, 'baton_approvals_requested', { agent: 'payer', tool: 'pay' }) === 1);
    expect(total(waiting, 'baton_approvals_requested', { agent: 'payer', tool: 'pay' })).toBe(1);
    expect(total(waiting, 'baton_approvals_decided')).toBe(0);

    await handle.executeUpdate(decideApprovalUpdate, { args: [{ approvalId: 'approval-1', approve: true, by: 'ann' }] });
    expect((await handle.result()).output).toBe('payment: paid 5');
    const decided = await scrapeUntil((s) => total(s, 'baton_approvals_decided') >= 1 && total(s, 'baton_runs_finished', { agent: 'payer' }) >= 1);
    expect(total(decided, 'baton_approvals_decided', { agent: 'payer', tool: 'pay', decision: 'approved', by: 'person' })).toBe(1);
    expect(total(decided, 'baton_approval_wait_count', { agent: 'payer' })).toBe(1);
    expect(total(decided, 'baton_tool_calls', { agent: 'payer', tool: 'pay', outcome: 'ok' })).toBe(1);
  });

  it('counts a provider error and its retry, a budget stop and the failed run it makes', async () => {
    const flaky = await baton.startAgent('flaky', 'hi', { taskQueue: queue, workflowId: uniqueWorkflowId('metrics-flaky') });
    expect((await flaky.result()).output).toBe('fine now');
    const spender = await baton.startAgent('spender', 'hi', { taskQueue: queue, workflowId: uniqueWorkflowId('metrics-budget') });
    await expect(spender.result()).rejects.toThrow();
    const samples = await scrapeUntil((s) => total(s, 'baton_runs_finished', { agent: 'spender' }) >= 1 && total(s, 'baton_runs_finished', { agent: 'flaky' }) >= 1 && total(s, 'baton_model_calls', { agent: 'flaky' }) >= 2 && total(s, 'baton_model_input_tokens', { agent: 'flaky' }) >= 7);
    expect(total(samples, 'baton_model_calls', { agent: 'flaky', provider: 'scripted', outcome: 'error' })).toBe(1);
    expect(total(samples, 'baton_model_calls', { agent: 'flaky', outcome: 'ok' })).toBe(1);
    expect(total(samples, 'baton_model_call_latency_count', { agent: 'flaky', outcome: 'error' })).toBe(1);
    expect(total(samples, 'baton_model_input_tokens', { agent: 'flaky' })).toBe(7);
    expect(total(samples, 'baton_budget_stops', { agent: 'spender', limit: 'tokens' })).toBe(1);
    expect(total(samples, 'baton_runs_finished', { pattern: 'agent', agent: 'spender', status: 'failed' })).toBe(1);
    expect(total(samples, 'baton_runs_finished', { agent: 'flaky', status: 'completed' })).toBe(1);
  });

  it('labels a failed-over call\'s tokens, cost and latency with the provider and model that answered', async () => {
    const handle = await baton.startAgent('rerouted', 'hi', { taskQueue: queue, workflowId: uniqueWorkflowId('metrics-failover') });
    const result = await handle.result();
    expect(result.output).toBe('from the backup');
    const samples = await scrapeUntil((s) => total(s, 'baton_runs_finished', { agent: 'rerouted' }) >= 1 && total(s, 'baton_model_calls', { agent: 'rerouted' }) >= 2 && total(s, 'baton_model_output_tokens', { agent: 'rerouted' }) >= 2);
    // Each request counts for the provider asked: the primary's error shows though the call was answered.
    expect(total(samples, 'baton_model_calls', { agent: 'rerouted', provider: 'scripted', model: 'scripted-down', outcome: 'error' })).toBe(1);
    expect(total(samples, 'baton_model_calls', { agent: 'rerouted', provider: 'backup', model: 'backup-model', outcome: 'ok' })).toBe(1);
    expect(total(samples, 'baton_model_input_tokens', { agent: 'rerouted', provider: 'backup', model: 'backup-model' })).toBe(11);
    expect(total(samples, 'baton_model_output_tokens', { agent: 'rerouted', provider: 'backup', model: 'backup-model' })).toBe(2);
    expect(total(samples, 'baton_model_cost_usd_sum', { agent: 'rerouted', provider: 'backup' })).toBeCloseTo(result.usage.costUsd, 12);
    expect(result.usage.costUsd).toBeCloseTo((11 + 2) * 1000 / 1_000_000, 12);
    expect(total(samples, 'baton_model_call_latency_count', { agent: 'rerouted', provider: 'backup', model: 'backup-model', outcome: 'ok' })).toBe(1);
    // Nothing the fallback answered is put on the primary.
    const onPrimary = samples.filter((s) => s.labels.agent === 'rerouted' && s.labels.provider === 'scripted' && s.name !== 'baton_model_calls');
    expect(onPrimary.map((s) => s.name)).toEqual([]);
  });

  it('documents every baton_* series it serves', () => {
    const documented = new Set(batonMetrics.map((m) => m.name));
    const served = [...scraped].filter((name) => name.startsWith('baton_') && !/_(bucket|sum|count)$/.test(name));
    expect(served.length).toBe(batonMetrics.length);
    expect(served.filter((name) => !documented.has(name))).toEqual([]);
    const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
    expect(batonMetrics.map((m) => m.name).filter((name) => !readme.includes(`\`${name}\``))).toEqual([]);
  });

  it('ships a dashboard and alert rules that query only series that exist', () => {
    const dashboard = JSON.parse(readFileSync(path.join(root, 'deploy/grafana/baton-dashboard.json'), 'utf8')) as { panels: Array<{ targets: Array<{ expr: string }> }> };
    const rules = parseYaml(readFileSync(path.join(root, 'deploy/prometheus/alerts.yaml'), 'utf8')) as { groups: Array<{ rules: Array<{ alert: string; expr: string }> }> };
    const alerts = rules.groups.flatMap((g) => g.rules);
    expect(alerts.map((r) => r.alert)).toEqual(expect.arrayContaining(['BatonProviderErrorRate', 'BatonApprovalWaitingOverAnHour', 'BatonActivityScheduleToStartHigh']));
    const exprs = [...dashboard.panels.flatMap((p) => p.targets.map((t) => t.expr)), ...alerts.map((r) => r.expr)];
    const queried = new Set(exprs.flatMap((e) => [...e.matchAll(/\b(?:baton|temporal)_[a-z_]+\b/g)].map((m) => m[0])));
    expect(queried.size).toBeGreaterThanOrEqual(15);
    const documented = new Set(batonMetrics.flatMap((m) => (m.type === 'histogram' ? ['_bucket', '_sum', '_count'].map((s) => m.name + s) : [m.name])));
    // Baton's series: served by the scrapes above or documented (e.g. budget stops); the SDK's: served.
    const missing = [...queried].filter((name) => !scraped.has(name) && !(name.startsWith('baton_') && documented.has(name)));
    expect(missing).toEqual([]);
  });

  it('binds a port alone to 127.0.0.1 and refuses what is not an address', () => {
    expect(metricsBindAddress('9464')).toBe('127.0.0.1:9464');
    expect(metricsBindAddress(9464)).toBe('127.0.0.1:9464');
    expect(metricsBindAddress('0.0.0.0:9464')).toBe('0.0.0.0:9464');
    expect(() => metricsBindAddress('localhost')).toThrow(/host:port or a port/);
    expect(() => metricsBindAddress('99999')).toThrow(/not a port/);
    expect(() => metricsBindAddress('host:0')).toThrow(/not a port/);
  });
});
