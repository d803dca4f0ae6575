/**
 * OpenTelemetry tracing for the client, the CLI and the workers, configured the standard way:
 * `OTEL_EXPORTER_OTLP_ENDPOINT` (or `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`), `OTEL_SERVICE_NAME`,
 * `OTEL_BSP_*`, or the config's `telemetry.tracing`. Off unless one of those is set;
 * `OTEL_SDK_DISABLED=true` or `OTEL_TRACES_EXPORTER=none` turn it off again. Spans go out as
 * OTLP/HTTP JSON. The Temporal interceptors carry the trace context through workflow and
 * activity headers, so one trace spans the client and every worker a run touches.
 */
import { context, trace, type Span } from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';
import { Resource } from '@opentelemetry/resources';
import { BatchSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OpenTelemetryWorkflowClientInterceptor } from '@temporalio/interceptors-opentelemetry';
import type { TracingSettings } from '../config/telemetry-settings';


/** A running tracer provider; `shutdown` flushes what is buffered. */
export interface Tracing {
  readonly resource: Resource;
  readonly spanProcessor: SpanProcessor;
  /** Prompts and completions go on spans (config `recordContent` or OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=true). */
  readonly recordContent: boolean;
  shutdown(): Promise<void>;
}

let current: Tracing | undefined;

/** True when the settings or the environment ask for traces. */
export function tracingEnabled(settings: TracingSettings | undefined, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.OTEL_SDK_DISABLED === 'true' || env.OTEL_TRACES_EXPORTER === 'none') return false;
  if (settings === false) return false;
  return Boolean(settings || env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT);
}

/**
 * Starts the process's tracer provider (once; later calls return the first) and registers it
 * globally with an AsyncLocalStorage context, or returns undefined when tracing is off.
 */
export function startTracing(settings: TracingSettings | undefined, defaultServiceName: string, env: NodeJS.ProcessEnv = process.env): Tracing | undefined {
  if (current) return current;
  if (!tracingEnabled(settings, env)) return undefined;
  const options = typeof settings === 'object' ? settings : undefined;
  const fromEnv = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || env.OTEL_EXPORTER_OTLP_ENDPOINT;
  const exporter = new OTLPTraceExporter(!fromEnv && options?.endpoint ? { url: `${options.endpoint.replace(/\/$/, '')}/v1/traces` } : {});
  const resource = Resource.default().merge(new Resource({ 'service.name': env.OTEL_SERVICE_NAME || options?.serviceName || defaultServiceName }));
  const spanProcessor = new BatchSpanProcessor(exporter);
  const provider = new NodeTracerProvider({ resource, spanProcessors: [spanProcessor] });
  provider.register();
  const recordContent = Boolean(options?.recordContent) || env.OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT === 'true';
  // A collector that is down costs the spans, never the command or the worker: report it and go on.
  const shutdown = () => provider.shutdown().catch((err: unknown) => console.error(`baton: could not export traces: ${err instanceof Error ? err.message : String(err)}`));
  current = { resource, spanProcessor, recordContent, shutdown };
  return current;
}

/** The process's tracing, when `startTracing` turned it on. */
export function activeTracing(): Tracing | undefined {
  return current;
}

/** Client interceptors that start a span per workflow start, signal, update and query and pass its context on. */
export function tracingClientInterceptors(): { workflow: OpenTelemetryWorkflowClientInterceptor[] } | undefined {
  return current ? { workflow: [new OpenTelemetryWorkflowClientInterceptor()] } : undefined;
}

/** Runs `fn` inside a span (e.g. `baton run`), the root of everything it starts; a no-op span without tracing. */
export async function withSpan<T>(name: string, attributes: Record<string, string>, fn: (span: Span) => Promise<T>): Promise<T> {
  const span = trace.getTracer('baton').startSpan(name, { attributes });
  try {
    return await context.with(trace.setSpan(context.active(), span), () => fn(span));
  } finally {
    span.end();
  }
}

/** Runs `fn` with no spans (e.g. the CLI's progress polling: one query span every 250 ms is noise). */
export function withoutSpans<T>(fn: () => T): T {
  return context.with(suppressTracing(context.active()), fn);
}
