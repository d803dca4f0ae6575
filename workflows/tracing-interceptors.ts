/**
 * The workflow interceptors of a tracing worker: the spans the SDK's OpenTelemetry workflow
 * interceptors make (RunWorkflow, HandleSignal, HandleUpdate, ValidateUpdate, HandleQuery;
 * StartActivity, StartChildWorkflow, SignalWorkflow, ContinueAsNew), made by the small sandbox
 * tracer of `tracing-spans.ts`, and Baton's span events (hand-offs, approvals, budget stops) on
 * the active span. In `calls` mode (the default) no StartActivity span is made: an activity gets
 * the context of the span it was scheduled in (the run's RunWorkflow span), so its `chat` or
 * `execute_tool` span hangs right under the run. The mode and the root sampling ratio come in
 * this module's resource query (`tracing-settings.ts`). Bundled only when the worker traces
 * (`getWorkflowBundle`), and preloaded there: evaluated once per workflow thread, with each
 * execution's state in the `RunTracer` its `interceptors()` makes. Runs in the workflow sandbox.
 */
import {
  ContinueAsNew,
  workflowInfo,
  type ActivityInput,
  type ContinueAsNewInput,
  type DisposeInput,
  type GetLogAttributesInput,
  type Headers,
  type LocalActivityInput,
  type Next,
  type QueryInput,
  type SignalInput,
  type SignalWorkflowInput,
  type StartChildWorkflowExecutionInput,
  type UpdateInput,
  type WorkflowExecuteInput,
  type WorkflowInboundCallsInterceptor,
  type WorkflowInterceptors,
  type WorkflowInternalsInterceptor,
  type WorkflowOutboundCallsInterceptor,
} from '@temporalio/workflow';
import { contextFromHeader, contextHeader, RunTracer, SandboxSpan, TRACE_HEADER, type SpanRef } from './tracing-spans';
import { setSpanEventHook } from './telemetry';
import { tracingSettingsFromQuery } from './tracing-settings';

/** Webpack's resource query of this module: the worker's tracing settings (undefined outside a bundle). */
declare const __resourceQuery: string | undefined;
const settings = tracingSettingsFromQuery(typeof __resourceQuery === 'string' ? __resourceQuery : undefined);

const isContinueAsNew = (err: unknown) => err instanceof ContinueAsNew;

/** The parent of a handler: the caller's context from the headers, else the span the handler runs in (a handler's, never the run's). */
const inboundParent = (tracer: RunTracer, headers: Headers): SpanRef | undefined => contextFromHeader(headers[TRACE_HEADER]) ?? tracer.handlerContext();

/**
 * Runs an inbound call in a span that ends when it settles (one `.then`, not an async chain):
 * as the run's span (`asRun`) or as a handler's, its children's parent.
 */
function inSpan<T>(tracer: RunTracer, name: string, parent: SpanRef | undefined, fn: (span: SpanRef) => Promise<T>, expected?: (err: unknown) => boolean, asRun = false): Promise<T> {
  const span = tracer.startSpan(name, parent);
  const run = <R>(body: () => R): R => (asRun ? tracer.runAsRun(span, body) : tracer.runInSpan(span, body));
  if (!(span instanceof SandboxSpan)) return run(() => fn(span));
  return run(() => {
    let settled: Promise<T>;
    try {
      settled = fn(span);
    } catch (err) {
      span.end(err, expected?.(err));
      return Promise.reject(err);
    }
    return endWhenSettled(span, settled, expected);
  });
}

/** Ends `span` when `settled` settles: with the error, unless `expected` says the caller expects it. */
function endWhenSettled<T>(span: SandboxSpan, settled: Promise<T>, expected?: (err: unknown) => boolean): Promise<T> {
  return settled.then(
    (result) => {
      span.end();
      return result;
    },
    (err: unknown) => {
      span.end(err, expected?.(err));
      throw err;
    },
  );
}

/** Passes the current span's context on in the headers, with no span of its own (an activity in `calls` mode). */
function passContext<T>(tracer: RunTracer, headers: Headers, next: (headers: Headers) => Promise<T>): Promise<T> {
  const ref = tracer.currentSpan();
  return next(ref ? { ...headers, [TRACE_HEADER]: contextHeader(ref) } : headers);
}

/**
 * Runs an outbound call (schedule an activity, start a child, signal) in a span that ends when
 * the call settles, its context in the headers: one `.then`, not an async chain.
 */
function outbound<T>(tracer: RunTracer, name: string, headers: Headers, next: (headers: Headers) => Promise<T>, expected?: (err: unknown) => boolean): Promise<T> {
  const span = tracer.startSpan(name, tracer.currentSpan());
  if (!(span instanceof SandboxSpan)) return next({ ...headers, [TRACE_HEADER]: contextHeader(span) });
  let traced: Promise<T>;
  try {
    traced = next({ ...headers, [TRACE_HEADER]: contextHeader(span) });
  } catch (err) {
    span.end(err);
    throw err;
  }
  return endWhenSettled(span, traced, expected);
}

class TracingInbound implements WorkflowInboundCallsInterceptor {
  constructor(private readonly tracer: RunTracer) {}

  execute(input: WorkflowExecuteInput, next: Next<WorkflowInboundCallsInterceptor, 'execute'>): Promise<unknown> {
    return inSpan(this.tracer, `RunWorkflow:${workflowInfo().workflowType}`, inboundParent(this.tracer, input.headers), () => next(input), isContinueAsNew, true);
  }
  handleSignal(input: SignalInput, next: Next<WorkflowInboundCallsInterceptor, 'handleSignal'>): Promise<void> {
    return inSpan(this.tracer, `HandleSignal:${input.signalName}`, inboundParent(this.tracer, input.headers), () => next(input));
  }
  handleUpdate(input: UpdateInput, next: Next<WorkflowInboundCallsInterceptor, 'handleUpdate'>): Promise<unknown> {
    return inSpan(this.tracer, `HandleUpdate:${input.name}`, inboundParent(this.tracer, input.headers), (span) => {
      if (span instanceof SandboxSpan) span.setAttribute('temporalUpdateId', input.updateId);
      return next(input);
    });
  }
  validateUpdate(input: UpdateInput, next: Next<WorkflowInboundCallsInterceptor, 'validateUpdate'>): void {
    const span = this.tracer.startSpan(`ValidateUpdate:${input.name}`, inboundParent(this.tracer, input.headers));
    if (!(span instanceof SandboxSpan)) return this.tracer.runInSpan(span, () => next(input));
    span.setAttribute('temporalUpdateId', input.updateId);
    try {
      this.tracer.runInSpan(span, () => next(input));
      span.end();
    } catch (err) {
      span.end(err);
      throw err;
    }
  }
  handleQuery(input: QueryInput, next: Next<WorkflowInboundCallsInterceptor, 'handleQuery'>): Promise<unknown> {
    return inSpan(this.tracer, `HandleQuery:${input.queryName}`, inboundParent(this.tracer, input.headers), () => next(input));
  }
}

class TracingOutbound implements WorkflowOutboundCallsInterceptor {
  constructor(private readonly tracer: RunTracer) {}

  scheduleActivity(input: ActivityInput, next: Next<WorkflowOutboundCallsInterceptor, 'scheduleActivity'>): Promise<unknown> {
    if (settings.spans === 'calls') return passContext(this.tracer, input.headers, (headers) => next({ ...input, headers }));
    return outbound(this.tracer, `StartActivity:${input.activityType}`, input.headers, (headers) => next({ ...input, headers }));
  }
  scheduleLocalActivity(input: LocalActivityInput, next: Next<WorkflowOutboundCallsInterceptor, 'scheduleLocalActivity'>): Promise<unknown> {
    if (settings.spans === 'calls') return passContext(this.tracer, input.headers, (headers) => next({ ...input, headers }));
    return outbound(this.tracer, `StartActivity:${input.activityType}`, input.headers, (headers) => next({ ...input, headers }));
  }
  startChildWorkflowExecution(input: StartChildWorkflowExecutionInput, next: Next<WorkflowOutboundCallsInterceptor, 'startChildWorkflowExecution'>): Promise<[Promise<string>, Promise<unknown>]> {
    return outbound(this.tracer, `StartChildWorkflow:${input.workflowType}`, input.headers, (headers) => next({ ...input, headers }));
  }
  signalWorkflow(input: SignalWorkflowInput, next: Next<WorkflowOutboundCallsInterceptor, 'signalWorkflow'>): Promise<void> {
    return outbound(this.tracer, `SignalWorkflow:${input.signalName}`, input.headers, (headers) => next({ ...input, headers }));
  }
  continueAsNew(input: ContinueAsNewInput, next: Next<WorkflowOutboundCallsInterceptor, 'continueAsNew'>): Promise<never> {
    return outbound(this.tracer, `ContinueAsNew:${input.options.workflowType}`, input.headers, (headers) => next({ ...input, headers }), isContinueAsNew);
  }
  /** Log lines carry the trace, as the SDK's interceptor adds it. */
  getLogAttributes(input: GetLogAttributesInput, next: Next<WorkflowOutboundCallsInterceptor, 'getLogAttributes'>): Record<string, unknown> {
    const ref = this.tracer.currentSpan();
    return next(ref ? { trace_id: ref.traceId, span_id: ref.spanId, trace_flags: `0${ref.sampled ? 1 : 0}`, ...input } : input);
  }
}

class TracingInternals implements WorkflowInternalsInterceptor {
  constructor(private readonly tracer: RunTracer) {}

  dispose(input: DisposeInput, next: Next<WorkflowInternalsInterceptor, 'dispose'>): void {
    this.tracer.dispose();
    next(input);
  }
}

/** The SDK calls this once per workflow execution: the execution's own tracer, shared by its interceptors. */
export function interceptors(): WorkflowInterceptors {
  const tracer = new RunTracer(settings.rootSampleRatio);
  setSpanEventHook((name, attributes) => tracer.activeSpan()?.addEvent(name, attributes));
  return { inbound: [new TracingInbound(tracer)], outbound: [new TracingOutbound(tracer)], internals: [new TracingInternals(tracer)] };
}
