import { SpanStatusCode, trace, TraceFlags, type Attributes, type Context, type Link, type SpanKind } from '@opentelemetry/api';
import { InMemorySpanExporter, ParentBasedSampler, AlwaysOnSampler, SimpleSpanProcessor, type Sampler, type SamplingResult } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { ApplicationFailure, ApplicationFailureCategory, type Headers } from '@temporalio/common';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { observeModelCall } from '../activities/telemetry';
import type { ModelRequest, ModelResponse } from '../core';
import { ActivityTracingInbound } from '../workers/tracing-activity';
import { contextHeader, TRACE_HEADER } from '../workflows/tracing-context';

/** The SDK's default sampler, counting how often a span start asked it: each ask is a span the code tried to make. */
class CountingSampler implements Sampler {
  asked = 0;
  private readonly inner = new ParentBasedSampler({ root: new AlwaysOnSampler() });
  shouldSample(ctx: Context, traceId: string, name: string, kind: SpanKind, attributes: Attributes, links: Link[]): SamplingResult {
    this.asked++;
    return this.inner.shouldSample(ctx, traceId, name, kind, attributes, links);
  }
  toString(): string {
    return 'CountingSampler';
  }
}

const sampler = new CountingSampler();
const exporter = new InMemorySpanExporter();
const provider = new NodeTracerProvider({ sampler, spanProcessors: [new SimpleSpanProcessor(exporter)] });
provider.register();
const tracer = provider.getTracer('@temporalio/interceptor-activity');
afterAll(() => provider.shutdown());
beforeEach(() => {
  sampler.asked = 0;
  exporter.reset();
});

const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
const startActivitySpanId = '00f067aa0ba902b7';
const headersOf = (sampled: boolean): Headers => ({ [TRACE_HEADER]: contextHeader({ traceId, spanId: startActivitySpanId, sampled }) });

const request: ModelRequest = { agent: { name: 'solver', provider: 'scripted', model: 'm1', instructions: '' }, messages: [{ role: 'user', content: 'hi' }], tools: [], turn: 1 };
const answer: ModelResponse = { message: { role: 'assistant', content: 'ok', toolCalls: [] }, stopReason: 'end', usage: { inputTokens: 3, outputTokens: 1, costUsd: 0, latencyMs: 0, modelCalls: 1, toolCalls: 0 } };

/** Runs a model call through Baton's activity interceptor with `headers`, as the worker does; what was active inside. */
async function runModelActivity(headers: Headers, body: () => Promise<unknown> = () => observeModelCall(request, 'scripted', async () => answer), spans: 'calls' | 'all' = 'all') {
  // The interceptor reads only the activity's info; the end-to-end tree on a real server is test/tracing.test.ts.
  const info = { activityType: 'callModel', activityId: '7', inWorkflow: true, workflowExecution: { workflowId: 'wf-1', runId: 'run-1' } } as const;
  let active: ReturnType<NonNullable<ReturnType<typeof trace.getActiveSpan>>['spanContext']> | undefined;
  const result = await new ActivityTracingInbound({ info }, tracer, spans).execute({ args: [], headers }, async () => {
    active = trace.getActiveSpan()?.spanContext();
    return body();
  });
  return { result, active };
}

describe('ActivityTracingInbound (the activity side of tracing)', () => {
  it('runs an activity of a dropped trace in the caller\'s context and starts no span, nor does its model call', async () => {
    const { result, active } = await runModelActivity(headersOf(false));
    expect(result).toBe(answer);
    // The dropped decision is passed on: whatever the activity starts stays in the caller's dropped trace.
    expect(active).toMatchObject({ traceId, spanId: startActivitySpanId, traceFlags: TraceFlags.NONE, isRemote: true });
    expect(sampler.asked).toBe(0);
    expect(exporter.getFinishedSpans()).toEqual([]);
  });

  it('makes no trace of its own for an activity that came with no trace context', async () => {
    const { result, active } = await runModelActivity({});
    expect(result).toBe(answer);
    expect(active).toBeUndefined();
    expect(sampler.asked).toBe(0);
    expect(exporter.getFinishedSpans()).toEqual([]);
  });

  it('puts RunActivity under the workflow\'s StartActivity span and the chat span under it in a kept trace', async () => {
    await runModelActivity(headersOf(true));
    const spans = exporter.getFinishedSpans();
    expect(spans.map((s) => s.name).sort()).toEqual(['RunActivity:callModel', 'chat m1']);
    const run = spans.find((s) => s.name === 'RunActivity:callModel');
    const chat = spans.find((s) => s.name === 'chat m1');
    expect(run?.spanContext().traceId).toBe(traceId);
    expect(run?.parentSpanId).toBe(startActivitySpanId);
    expect(run?.attributes).toEqual({ temporalActivityId: '7', temporalWorkflowId: 'wf-1', run_id: 'run-1' });
    expect(run?.status.code).toBe(SpanStatusCode.OK);
    expect(chat?.parentSpanId).toBe(run?.spanContext().spanId);
    expect(chat?.attributes).toMatchObject({ 'gen_ai.request.model': 'm1', 'gen_ai.usage.input_tokens': 3, 'gen_ai.agent.name': 'solver' });
  });

  it('starts no RunActivity span in calls mode and puts the chat span right under the caller\'s span in a kept trace', async () => {
    const { result, active } = await runModelActivity(headersOf(true), undefined, 'calls');
    expect(result).toBe(answer);
    expect(active).toMatchObject({ traceId, spanId: startActivitySpanId, traceFlags: TraceFlags.SAMPLED, isRemote: true });
    const spans = exporter.getFinishedSpans();
    expect(spans.map((s) => s.name)).toEqual(['chat m1']);
    expect(spans[0]?.parentSpanId).toBe(startActivitySpanId);
    expect(spans[0]?.spanContext().traceId).toBe(traceId);
    expect(spans[0]?.attributes).toMatchObject({ 'gen_ai.usage.input_tokens': 3, 'gen_ai.usage.output_tokens': 1 });
  });

  it('starts no span at all in calls mode in a dropped trace', async () => {
    await runModelActivity(headersOf(false), undefined, 'calls');
    expect(sampler.asked).toBe(0);
    expect(exporter.getFinishedSpans()).toEqual([]);
  });

  it('marks a failed activity as the SDK does: an error with the exception, a benign failure with the status unset', async () => {
    await expect(runModelActivity(headersOf(true), () => Promise.reject(ApplicationFailure.create({ message: 'provider down', type: 'X' })))).rejects.toThrow('provider down');
    await expect(runModelActivity(headersOf(true), () => Promise.reject(ApplicationFailure.create({ message: 'expected', category: ApplicationFailureCategory.BENIGN })))).rejects.toThrow('expected');
    const [failed, benign] = exporter.getFinishedSpans();
    expect(failed?.status).toEqual({ code: SpanStatusCode.ERROR, message: 'provider down' });
    expect(failed?.events.map((e) => e.name)).toEqual(['exception']);
    expect(benign?.status.code).toBe(SpanStatusCode.UNSET);
  });
});
