/**
 * Lean spans for the workflow sandbox, where every promise costs: the worker's promise hook
 * captures and source-maps a stack trace for each one (for the `__stack_trace` query). The SDK's
 * interceptors wrap each scheduled activity in about six promises (async `instrument`,
 * `startActiveSpan`, `wrapWithSpan`) and export each span through `SimpleSpanProcessor` (three
 * more); here a traced call costs one `.then` and a span is handed to the exporter sink
 * synchronously. Same span names, attributes and `_tracer-data` header as the SDK's interceptors,
 * so the activity side and the client link up unchanged. A call inside a sampled-out trace makes
 * no span at all: it only passes the parent's context on, so its activities stay sampled out too.
 * Runs in the workflow sandbox.
 */
import { context, defaultTextMapSetter, propagation, SpanStatusCode, trace, TraceFlags, type Context, type Span, type Tracer } from '@opentelemetry/api';
import { AlwaysOnSampler, BasicTracerProvider, ParentBasedSampler, type ReadableSpan, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { ApplicationFailure, ApplicationFailureCategory, defaultPayloadConverter, type Headers, type Payload } from '@temporalio/common';
import { TRACE_HEADER } from '@temporalio/interceptors-opentelemetry/lib/instrumentation';
import { SpanExporter } from '@temporalio/interceptors-opentelemetry/lib/workflow/span-exporter';

/** Hands each ended, sampled span to the exporter sink at once: no promise per span. */
class SinkSpanProcessor implements SpanProcessor {
  private readonly exporter = new SpanExporter();
  onStart(): void {}
  onEnd(span: ReadableSpan): void {
    if (span.spanContext().traceFlags & TraceFlags.SAMPLED) this.exporter.export([span], () => undefined);
  }
  forceFlush(): Promise<void> {
    return Promise.resolve();
  }
  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

let tracer: Tracer | undefined;

/**
 * The sandbox's tracer: the parent's sampling decision (from the headers) wins; a run started
 * without a trace context is traced. Not registered globally: the SDK's interceptor module
 * registers the context manager and the W3C propagator this relies on.
 */
export function sandboxTracer(): Tracer {
  tracer ??= new BasicTracerProvider({ sampler: new ParentBasedSampler({ root: new AlwaysOnSampler() }), spanProcessors: [new SinkSpanProcessor()] }).getTracer('@temporalio/interceptor-workflow');
  return tracer;
}

/** The context header of a sampled-out parent, encoded once per parent span. */
const sampledOutHeaders = new WeakMap<Span, Payload>();

function contextHeader(ctx: Context): Payload {
  const carrier: Record<string, string> = {};
  propagation.inject(ctx, carrier, defaultTextMapSetter);
  return defaultPayloadConverter.toPayload(carrier);
}

/** Marks a span failed as the SDK does (a benign failure leaves the status unset), or ok for an expected error. */
export function endSpanWithError(span: Span, err: unknown, acceptable = false): void {
  if (acceptable) {
    span.setStatus({ code: SpanStatusCode.OK });
  } else {
    const benign = err instanceof ApplicationFailure && err.category === ApplicationFailureCategory.BENIGN;
    span.setStatus({ code: benign ? SpanStatusCode.UNSET : SpanStatusCode.ERROR, message: err instanceof Error ? err.message : String(err) });
    span.recordException(err instanceof Error ? err : String(err));
  }
  span.end();
}

/**
 * Runs an outbound call (schedule an activity, start a child) inside a span named `name`, its
 * context in the `_tracer-data` header; the span ends when the call's promise settles.
 */
export function traceOutbound<T>(name: string, headers: Headers, next: (headers: Headers) => Promise<T>, acceptableErrors?: (err: unknown) => boolean): Promise<T> {
  const parent = context.active();
  const parentSpan = trace.getSpan(parent);
  if (parentSpan && !parentSpan.isRecording() && !(parentSpan.spanContext().traceFlags & TraceFlags.SAMPLED)) {
    let header = sampledOutHeaders.get(parentSpan);
    if (!header) sampledOutHeaders.set(parentSpan, (header = contextHeader(parent)));
    return next({ ...headers, [TRACE_HEADER]: header });
  }
  const span = sandboxTracer().startSpan(name, undefined, parent);
  let pending: Promise<T>;
  try {
    pending = next({ ...headers, [TRACE_HEADER]: contextHeader(trace.setSpan(parent, span)) });
  } catch (err) {
    endSpanWithError(span, err, acceptableErrors?.(err));
    throw err;
  }
  return pending.then(
    (value) => {
      span.setStatus({ code: SpanStatusCode.OK });
      span.end();
      return value;
    },
    (err: unknown) => {
      endSpanWithError(span, err, acceptableErrors?.(err));
      throw err;
    },
  );
}
