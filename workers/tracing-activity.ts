/**
 * The activity side of tracing, in place of the SDK's `OpenTelemetryActivityInboundInterceptor`:
 * the same `RunActivity:<type>` span (name, attributes, status) under the workflow's
 * `StartActivity` span, but only in a trace that is kept. The SDK's interceptor extracts the
 * context through the global propagators and starts a span on every activity, sampled or not;
 * here the `_tracer-data` header is read once, and in a dropped trace the activity only runs
 * with the caller's context (so what it starts, and its log lines, stay in that trace) and no
 * span is started. In `calls` mode no `RunActivity` span is started in a kept trace either: the
 * activity runs in the caller's context (the run's RunWorkflow span), so Baton's `chat` or
 * `execute_tool` span is a child of the run. An activity that comes with no trace context makes
 * no trace of its own.
 */
import { context, createTraceState, SpanStatusCode, trace, TraceFlags, type Context as OtelContext, type Span, type Tracer } from '@opentelemetry/api';
import type { Info as ActivityInfo } from '@temporalio/activity';
import { ApplicationFailure, ApplicationFailureCategory, CompleteAsyncError } from '@temporalio/common';
import type { ActivityExecuteInput, ActivityInboundCallsInterceptor, Next } from '@temporalio/worker';
import { contextFromHeader, TRACE_HEADER } from '../workflows/tracing-context';
import type { TracingSpans } from '../workflows/tracing-settings';

/** The caller's context from the activity's headers (a non-recording parent span), or undefined when it sent none. */
export function callerContext(input: ActivityExecuteInput): { context: OtelContext; sampled: boolean } | undefined {
  const ref = contextFromHeader(input.headers[TRACE_HEADER]);
  if (!ref) return undefined;
  const parent = trace.setSpanContext(context.active(), {
    traceId: ref.traceId,
    spanId: ref.spanId,
    traceFlags: ref.sampled ? TraceFlags.SAMPLED : TraceFlags.NONE,
    isRemote: true,
    ...(ref.traceState ? { traceState: createTraceState(ref.traceState) } : {}),
  });
  return { context: parent, sampled: ref.sampled };
}

/** Marks a failed activity's span as the SDK does: a benign failure leaves the status unset, CompleteAsyncError is no failure. */
function endFailed(span: Span, err: unknown): void {
  if (err instanceof CompleteAsyncError) {
    span.setStatus({ code: SpanStatusCode.OK });
    return;
  }
  const benign = err instanceof ApplicationFailure && err.category === ApplicationFailureCategory.BENIGN;
  span.setStatus({ code: benign ? SpanStatusCode.UNSET : SpanStatusCode.ERROR, message: err instanceof Error ? err.message : String(err) });
  span.recordException(err instanceof Error ? err : String(err));
}

/** Runs each activity in a `RunActivity:<type>` span when its trace is kept (`all` mode), else with the caller's context alone. */
export class ActivityTracingInbound implements ActivityInboundCallsInterceptor {
  constructor(
    /** The activity's context (only its info is read: the SDK's Context, or the same fields in a test). */
    private readonly ctx: { readonly info: Pick<ActivityInfo, 'activityType' | 'activityId' | 'inWorkflow' | 'workflowExecution'> },
    private readonly tracer: Tracer,
    /** `calls`: no RunActivity span, the caller's context only; `all`: RunActivity spans in kept traces. */
    private readonly spans: TracingSpans = 'all',
  ) {}

  execute(input: ActivityExecuteInput, next: Next<ActivityInboundCallsInterceptor, 'execute'>): Promise<unknown> {
    const caller = callerContext(input);
    if (!caller) return next(input);
    if (!caller.sampled || this.spans === 'calls') return context.with(caller.context, () => next(input));
    const { info } = this.ctx;
    const attributes = info.inWorkflow && info.workflowExecution
      ? { temporalActivityId: info.activityId, temporalWorkflowId: info.workflowExecution.workflowId, run_id: info.workflowExecution.runId }
      : { temporalActivityId: info.activityId };
    return this.tracer.startActiveSpan(`RunActivity:${info.activityType}`, { attributes }, caller.context, async (span) => {
      try {
        const result = await next(input);
        span.setStatus({ code: SpanStatusCode.OK });
        return result;
      } catch (err) {
        endFailed(span, err);
        throw err;
      } finally {
        span.end();
      }
    });
  }
}
