/**
 * The workflow interceptors of a tracing worker: the SDK's OpenTelemetry ones (a span per
 * workflow run, signal, update and query, linked to the caller through headers) with the lean
 * outbound spans of `tracing-spans.ts` for what a run does at every step (schedule an activity or
 * a local activity, start a child), and Baton's span events (hand-offs, approvals, budget stops)
 * on the active span. Bundled only when the worker traces (`getWorkflowBundle(…, true)`). Runs in
 * the workflow sandbox.
 */
import { trace, type Tracer } from '@opentelemetry/api';
import type { ActivityInput, LocalActivityInput, Next, StartChildWorkflowExecutionInput, WorkflowInterceptors, WorkflowOutboundCallsInterceptor } from '@temporalio/workflow';
import { OpenTelemetryInboundInterceptor, OpenTelemetryInternalsInterceptor, OpenTelemetryOutboundInterceptor, SpanName, SPAN_DELIMITER } from '@temporalio/interceptors-opentelemetry/lib/workflow';
import { sandboxTracer, traceOutbound } from './tracing-spans';
import { setSpanEventHook } from './telemetry';

/** The SDK's inbound spans (RunWorkflow, HandleSignal, HandleUpdate, HandleQuery), exported without a promise per span. */
class BatonInboundInterceptor extends OpenTelemetryInboundInterceptor {
  protected override readonly tracer: Tracer = sandboxTracer();
}

/** The SDK's outbound spans, the per-step ones (StartActivity, StartChildWorkflow) made the lean way. */
class BatonOutboundInterceptor extends OpenTelemetryOutboundInterceptor {
  protected override readonly tracer: Tracer = sandboxTracer();

  override scheduleActivity(input: ActivityInput, next: Next<WorkflowOutboundCallsInterceptor, 'scheduleActivity'>): Promise<unknown> {
    return traceOutbound(`${SpanName.ACTIVITY_START}${SPAN_DELIMITER}${input.activityType}`, input.headers, (headers) => next({ ...input, headers }));
  }

  override scheduleLocalActivity(input: LocalActivityInput, next: Next<WorkflowOutboundCallsInterceptor, 'scheduleLocalActivity'>): Promise<unknown> {
    return traceOutbound(`${SpanName.ACTIVITY_START}${SPAN_DELIMITER}${input.activityType}`, input.headers, (headers) => next({ ...input, headers }));
  }

  override startChildWorkflowExecution(input: StartChildWorkflowExecutionInput, next: Next<WorkflowOutboundCallsInterceptor, 'startChildWorkflowExecution'>): Promise<[Promise<string>, Promise<unknown>]> {
    return traceOutbound(`${SpanName.CHILD_WORKFLOW_START}${SPAN_DELIMITER}${input.workflowType}`, input.headers, (headers) => next({ ...input, headers }));
  }
}

/** The SDK calls this once per workflow execution. */
export function interceptors(): WorkflowInterceptors {
  setSpanEventHook((name, attributes) => trace.getActiveSpan()?.addEvent(name, attributes));
  return { inbound: [new BatonInboundInterceptor()], outbound: [new BatonOutboundInterceptor()], internals: [new OpenTelemetryInternalsInterceptor()] };
}
