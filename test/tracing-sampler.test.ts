import { context, ROOT_CONTEXT, SpanKind, trace, TraceFlags, type Context } from '@opentelemetry/api';
import { SamplingDecision, TraceIdRatioBasedSampler, type Sampler } from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import { tracingSpans } from '../client/tracing';
import { rootSampleRatio, tracesSampler } from '../client/tracing-sampler';
import { validateConfig } from '../config/define-config';
import { keepsRootTrace, tracingModuleQuery, tracingSettingsFromQuery } from '../workflows/tracing-settings';

const traceId = '0af7651916cd43dd8448eb211c80319c';
/** A context whose parent span came in through headers, sampled or not. */
const parent = (sampled: boolean): Context => trace.setSpanContext(ROOT_CONTEXT, { traceId, spanId: 'b7ad6b7169203331', traceFlags: sampled ? TraceFlags.SAMPLED : TraceFlags.NONE, isRemote: true });
const decide = (sampler: Sampler, ctx: Context, id = traceId) => sampler.shouldSample(ctx, id, 'span', SpanKind.INTERNAL, {}, []).decision;
const { RECORD_AND_SAMPLED: KEEP, NOT_RECORD: DROP } = SamplingDecision;

describe('tracesSampler', () => {
  it('keeps every trace by default and follows a parent that was dropped', () => {
    const sampler = tracesSampler(undefined, {});
    expect(decide(sampler, context.active())).toBe(KEEP);
    expect(decide(sampler, parent(false))).toBe(DROP);
  });

  it('samples new traces at the config ratio and follows the parent decision whatever the ratio', () => {
    expect(decide(tracesSampler(0, {}), ROOT_CONTEXT)).toBe(DROP);
    expect(decide(tracesSampler(0, {}), parent(true))).toBe(KEEP);
    expect(decide(tracesSampler(1, {}), parent(false))).toBe(DROP);
    // A ratio keeps the traces whose id falls under it: about 10% of 1,000 random ids.
    const ids = Array.from({ length: 1000 }, (_, i) => (BigInt(i) * 0x9e3779b97f4a7c15n).toString(16).padStart(32, '0').slice(-32));
    const kept = ids.filter((id) => decide(tracesSampler(0.1, {}), ROOT_CONTEXT, id) === KEEP).length;
    expect(kept).toBeGreaterThan(60);
    expect(kept).toBeLessThan(140);
  });

  it('lets OTEL_TRACES_SAMPLER and OTEL_TRACES_SAMPLER_ARG win over the config', () => {
    const ratio = (arg: string) => tracesSampler(1, { OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: arg });
    expect(decide(ratio('0'), ROOT_CONTEXT)).toBe(DROP);
    expect(decide(ratio('0'), parent(true))).toBe(KEEP);
    expect(decide(tracesSampler(1, { OTEL_TRACES_SAMPLER: 'always_off' }), parent(true))).toBe(DROP);
    expect(decide(tracesSampler(0, { OTEL_TRACES_SAMPLER: 'parentbased_always_on' }), ROOT_CONTEXT)).toBe(KEEP);
    // Without an argument a ratio sampler keeps everything, as the OpenTelemetry SDK reads it.
    expect(decide(tracesSampler(0, { OTEL_TRACES_SAMPLER: 'traceidratio' }), ROOT_CONTEXT)).toBe(KEEP);
  });

  it('rejects an unknown sampler or a ratio outside 0..1, naming the variable or the config field', () => {
    expect(() => tracesSampler(undefined, { OTEL_TRACES_SAMPLER: 'sometimes' })).toThrow(/OTEL_TRACES_SAMPLER: unknown sampler "sometimes" \(expected one of always_on, .*parentbased_traceidratio\)/);
    expect(() => tracesSampler(undefined, { OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: '10%' })).toThrow('OTEL_TRACES_SAMPLER_ARG: expected a ratio from 0 to 1, got "10%"');
    expect(() => validateConfig({ telemetry: { tracing: { sampleRatio: 1.5 } } })).toThrow(/telemetry\.tracing\.sampleRatio/);
  });
});

describe('the sandbox\'s tracing settings', () => {
  const ids = Array.from({ length: 2000 }, (_, i) => (BigInt(i + 1) * 0x9e3779b97f4a7c15n * 0x2545f4914f6cdd1dn).toString(16).padStart(32, '0').slice(-32));

  it('keeps exactly the root trace ids the worker\'s ratio sampler keeps', () => {
    for (const ratio of [0, 0.1, 0.5, 0.9, 1]) {
      const kept = ids.filter((id) => keepsRootTrace(id, ratio));
      if (ratio > 0 && ratio < 1) expect(kept, `ratio ${ratio}`).toEqual(ids.filter((id) => decide(new TraceIdRatioBasedSampler(ratio), ROOT_CONTEXT, id) === KEEP));
      expect(kept.length / ids.length).toBeCloseTo(ratio, 1);
    }
  });

  it('reads the root ratio the way the process\'s sampler does: the environment, else the config, else every trace', () => {
    expect(rootSampleRatio(undefined, {})).toBe(1);
    expect(rootSampleRatio(0.2, {})).toBe(0.2);
    expect(rootSampleRatio(0.2, { OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.05' })).toBe(0.05);
    expect(rootSampleRatio(0.2, { OTEL_TRACES_SAMPLER: 'always_off' })).toBe(0);
    expect(rootSampleRatio(0.2, { OTEL_TRACES_SAMPLER: 'parentbased_always_on' })).toBe(1);
  });

  it('carries the span mode and root ratio through the bundle\'s resource query, and defaults what is missing', () => {
    expect(tracingSettingsFromQuery(tracingModuleQuery({ spans: 'all', rootSampleRatio: 0.125 }))).toEqual({ spans: 'all', rootSampleRatio: 0.125 });
    expect(tracingSettingsFromQuery(undefined)).toEqual({ spans: 'calls', rootSampleRatio: 1 });
    expect(tracingSettingsFromQuery('?spans=some&rootSampleRatio=2')).toEqual({ spans: 'calls', rootSampleRatio: 1 });
  });

  it('takes the span mode from BATON_TRACING_SPANS over the config, calls by default, and names the variable or field of a bad value', () => {
    expect(tracingSpans(undefined, {})).toBe('calls');
    expect(tracingSpans({ spans: 'all', recordContent: false }, {})).toBe('all');
    expect(tracingSpans({ spans: 'all', recordContent: false }, { BATON_TRACING_SPANS: 'calls' })).toBe('calls');
    expect(() => tracingSpans(true, { BATON_TRACING_SPANS: 'most' })).toThrow('BATON_TRACING_SPANS: expected one of calls, all, got "most"');
    expect(() => validateConfig({ telemetry: { tracing: { spans: 'most' } } })).toThrow(/telemetry\.tracing\.spans/);
  });
});
