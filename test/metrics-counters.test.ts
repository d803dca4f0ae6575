import { asyncLocalStorage, Context, type Info } from '@temporalio/activity';
import { noopMetricMeter, type MetricCounter, type MetricHistogram, type MetricMeter, type MetricTags } from '@temporalio/common';
import { afterEach, describe, expect, it } from 'vitest';
import { counterFlushMs, countForRun, flushCounters, recordForRun, recordModelAnswer, recordProviderRequest, useRuntimeMetricMeter } from '../activities/call-metrics';
import { runMetricSinks } from '../workers/run-metrics-sink';

/** A meter that keeps every call into it, as the runtime's meter would make them into the core. */
function recordingMeter() {
  const calls: Array<{ name: string; value: number; tags: MetricTags }> = [];
  const counter = (name: string): MetricCounter => ({ name, unit: '', description: '', kind: 'counter', valueType: 'int', add: (value, tags = {}) => void calls.push({ name, value, tags }), withTags: () => counter(name) });
  const histogram = (name: string): MetricHistogram => ({ name, unit: '', description: '', kind: 'histogram', valueType: 'int', record: (value, tags = {}) => void calls.push({ name, value, tags }), withTags: () => histogram(name) });
  const meter = { createCounter: counter, createHistogram: histogram } as unknown as MetricMeter;
  return { meter, calls };
}

afterEach(() => flushCounters());

describe('call metrics on the runtime meter', () => {
  it('sums counter increments per label set and adds them once a flush comes, while histograms record each call at once', async () => {
    const { meter, calls } = recordingMeter();
    useRuntimeMetricMeter(meter);
    const info = { namespace: 'default', taskQueue: 'q', activityType: 'callModel' } as unknown as Info;
    const ctx = new Context(info, new Promise<never>(() => undefined), new AbortController().signal, () => undefined, undefined, console as never, noopMetricMeter, {} as never);
    await asyncLocalStorage.run(ctx, async () => {
      for (let i = 0; i < 3; i++) {
        recordProviderRequest('runner', 'scripted', 'm', 'ok');
        recordModelAnswer('runner', 'scripted', 'm', { inputTokens: 10, outputTokens: 2, costUsd: 0.5, latencyMs: 7 });
      }
      recordProviderRequest('runner', 'backup', 'm2', 'error');
    });
    // Histograms (cost and latency) went to the meter with each answer; no counter yet.
    expect(calls.map((c) => c.name).sort()).toEqual([...Array(3).fill('baton_model_call_latency'), ...Array(3).fill('baton_model_cost_usd')].sort());
    expect(counterFlushMs).toBeLessThanOrEqual(1000);
    flushCounters();
    const counted = calls.filter((c) => !/latency|cost/.test(c.name));
    const labels = { namespace: 'default', taskQueue: 'q', activityType: 'callModel', agent: 'runner' };
    expect(counted).toEqual(expect.arrayContaining([
      { name: 'baton_model_calls', value: 3, tags: { ...labels, provider: 'scripted', model: 'm', outcome: 'ok' } },
      { name: 'baton_model_calls', value: 1, tags: { ...labels, provider: 'backup', model: 'm2', outcome: 'error' } },
      { name: 'baton_model_input_tokens', value: 30, tags: { ...labels, provider: 'scripted', model: 'm' } },
      { name: 'baton_model_output_tokens', value: 6, tags: { ...labels, provider: 'scripted', model: 'm' } },
    ]));
    expect(counted).toHaveLength(4);
    // A second flush with nothing new adds nothing.
    flushCounters();
    expect(calls.filter((c) => !/latency|cost/.test(c.name))).toHaveLength(4);
  });

  it('sums the runs\' counts from the batonMetrics sink per run label set, records their histogram at once, and drops names Baton does not define', () => {
    const { meter, calls } = recordingMeter();
    useRuntimeMetricMeter(meter);
    const run = { namespace: 'default', taskQueue: 'q', workflowType: 'agentWorkflow' };
    const sink = runMetricSinks().batonMetrics;
    // The worker calls sink functions with the run's info first, and never while a history replays.
    expect(sink.count.callDuringReplay).toBe(false);
    expect(sink.record.callDuringReplay).toBe(false);
    for (let i = 0; i < 4; i++) sink.count.fn(run as never, 'baton_runs_started', { pattern: 'agent', agent: 'runner' });
    countForRun({ ...run, workflowType: 'specWorkflow' }, 'baton_runs_started', { pattern: 'fan-out', agent: '' });
    sink.count.fn(run as never, 'baton_tool_calls', { agent: 'runner', tool: 'noop', outcome: 'ok' });
    sink.record.fn(run as never, 'baton_approval_wait', 1500, { agent: 'runner', tool: 'pay' });
    // Not a run series, a counter through the histogram call, a bad value: nothing.
    countForRun(run, 'baton_made_up', { agent: 'x' });
    recordForRun(run, 'baton_runs_started', 3, { pattern: 'agent', agent: 'runner' });
    recordForRun(run, 'baton_approval_wait', -1, { agent: 'runner', tool: 'pay' });
    expect(calls).toEqual([{ name: 'baton_approval_wait', value: 1500, tags: { ...run, agent: 'runner', tool: 'pay' } }]);
    flushCounters();
    expect(calls.slice(1)).toEqual(expect.arrayContaining([
      { name: 'baton_runs_started', value: 4, tags: { ...run, pattern: 'agent', agent: 'runner' } },
      { name: 'baton_runs_started', value: 1, tags: { ...run, workflowType: 'specWorkflow', pattern: 'fan-out', agent: '' } },
      { name: 'baton_tool_calls', value: 1, tags: { ...run, agent: 'runner', tool: 'noop', outcome: 'ok' } },
    ]));
    expect(calls).toHaveLength(4);
  });

  it('does nothing for the runs\' series when the runtime exports no metrics', () => {
    useRuntimeMetricMeter(noopMetricMeter);
    expect(() => countForRun({ namespace: 'default', taskQueue: 'q', workflowType: 'agentWorkflow' }, 'baton_runs_started', { pattern: 'agent', agent: 'runner' })).not.toThrow();
    expect(() => flushCounters()).not.toThrow();
  });
});
