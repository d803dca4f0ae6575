/**
 * The workflow interceptors of a tracing worker: the SDK's OpenTelemetry ones (a span per
 * workflow run, activity, child workflow and update, linked to the caller through headers), and
 * Baton's span events (hand-offs, approvals, budget stops) on the active span. Bundled only when
 * the worker traces (`getWorkflowBundle(…, true)`). Runs in the workflow sandbox.
 */
import { trace } from '@opentelemetry/api';
import type { WorkflowInterceptors } from '@temporalio/workflow';
import { interceptors as openTelemetryInterceptors } from '@temporalio/interceptors-opentelemetry/lib/workflow-interceptors';
import { setSpanEventHook } from './telemetry';

/** The SDK calls this once per workflow execution. */
export function interceptors(): WorkflowInterceptors {
  setSpanEventHook((name, attributes) => trace.getActiveSpan()?.addEvent(name, attributes));
  return openTelemetryInterceptors();
}
