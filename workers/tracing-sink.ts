/**
 * The worker's end of the sandbox's spans, in place of the SDK's `makeWorkflowExporter`: the
 * exporter sink that turns each span the workflow thread ended (`workflows/tracing-spans.ts`) into
 * a `ReadableSpan` for the span processor. The SDK's sink copied the whole `WorkflowInfo` onto
 * every workflow span, about 35 attributes of which most reached the collector empty or as junk
 * (dates and functions as empty values, `unsafe.random`, both forms of the search attributes):
 * 3.7 KB of a `RunWorkflow` span's 4 KB of OTLP JSON. Here a span gets the run's identity (the
 * `WorkflowInfo` fields that hold a string, number or boolean, under the SDK's names), and it
 * shares the tracer provider's resource, so one batch holds one resource for the worker's
 * activity and workflow spans. Names, parents, times, status, events and the sandbox's own
 * attributes are the sandbox's, unchanged.
 */
import { createTraceState, type Attributes, type SpanContext } from '@opentelemetry/api';
import type { IResource } from '@opentelemetry/resources';
import type { ReadableSpan, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { OpenTelemetrySinks, SerializableSpan } from '@temporalio/interceptors-opentelemetry/lib/workflow/definitions';
import type { WorkflowInfo } from '@temporalio/workflow';
import type { InjectedSinks } from '@temporalio/worker';

/** The `WorkflowInfo` fields a workflow span carries, when they hold a value (the SDK's attribute names). */
const runFields = [
  'workflowId', 'runId', 'workflowType', 'taskQueue', 'namespace', 'firstExecutionRunId', 'originalExecutionRunId',
  'continuedFromExecutionRunId', 'attempt', 'cronSchedule', 'executionTimeoutMs', 'runTimeoutMs', 'taskTimeoutMs',
  'historyLength', 'historySize', 'continueAsNewSuggested', 'currentBuildId',
] as const satisfies ReadonlyArray<keyof WorkflowInfo>;

/** The run's identity as span attributes: each of `runFields` that holds a string, number or boolean. */
export function runAttributes(info: WorkflowInfo): Attributes {
  const attributes: Attributes = {};
  for (const field of runFields) {
    const value = info[field];
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') attributes[field] = value;
  }
  return attributes;
}

/** One sandbox span as the span processor takes it, with the run's attributes under the sandbox's own. */
export function readableSpan(span: SerializableSpan, run: Attributes, resource: IResource): ReadableSpan {
  const { traceState, ...ids } = span.spanContext;
  const spanContext: SpanContext = traceState ? { ...ids, traceState: createTraceState(traceState) } : ids;
  return {
    name: span.name,
    kind: span.kind,
    spanContext: () => spanContext,
    ...(span.parentSpanId ? { parentSpanId: span.parentSpanId } : {}),
    startTime: span.startTime,
    endTime: span.endTime,
    duration: span.duration,
    status: span.status,
    attributes: { ...run, ...span.attributes },
    links: span.links,
    events: span.events,
    ended: true,
    resource,
    instrumentationLibrary: span.instrumentationLibrary,
    droppedAttributesCount: span.droppedAttributesCount,
    droppedEventsCount: span.droppedEventsCount,
    droppedLinksCount: span.droppedLinksCount,
  };
}

/** The worker's `sinks` entry that hands the sandbox's spans to `processor` (not called during replay). */
export function workflowSpanSinks(processor: SpanProcessor, resource: IResource): InjectedSinks<OpenTelemetrySinks> {
  return {
    exporter: {
      export: {
        fn: (info, spans) => {
          const run = runAttributes(info);
          for (const span of spans) processor.onEnd(readableSpan(span, run, resource));
        },
      },
    },
  };
}
