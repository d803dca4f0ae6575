import { asyncLocalStorage, Context, type Info } from '@temporalio/activity';
import { noopMetricMeter, type MetricCounter, type MetricHistogram, type MetricMeter, type MetricTags } from '@temporalio/common';
import { afterEach, describe, expect, it } from 'vitest';
import { counterFlushMs, flushCounters, recordModelAnswer, recordProviderRequest, useRuntimeMetricMeter } from '../activities/call-metrics';

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
});
