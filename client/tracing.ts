/**
 * OpenTelemetry tracing for the client, the CLI and the workers, configured the standard way:
 * `OTEL_EXPORTER_OTLP_ENDPOINT` (or `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`), `OTEL_SERVICE_NAME`,
 * `OTEL_BSP_*`, or the config's `telemetry.tracing`. Off unless one of those is set;
 * `OTEL_SDK_DISABLED=true` or `OTEL_TRACES_EXPORTER=none` turn it off again. Spans go out as
 * OTLP/HTTP JSON unless `OTEL_EXPORTER_OTLP_TRACES_PROTOCOL`, `OTEL_EXPORTER_OTLP_PROTOCOL` or
 * the config's `protocol` ask for `http/protobuf` or `grpc`. The Temporal interceptors carry
 * the trace context through workflow and activity headers, so one trace spans the client and
 * every worker a run touches. The SDK itself (`tracing-sdk.ts`) is loaded only when tracing is on.
 */
import { context, trace, type Span } from '@opentelemetry/api';
import type { WorkflowClientInterceptor } from '@temporalio/client';
import type { WorkerOptions } from '@temporalio/worker';
import { tracingProtocols, type TracingProtocol, type TracingSettings } from '../config/telemetry-settings';
import { tracingSpansModes, type SandboxTracingSettings, type TracingSpans } from '../workflows/tracing-settings';

/** The process's running tracing. */
export interface Tracing {
  /** Prompts and completions go on spans (config `recordContent` or OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=true). */
  readonly recordContent: boolean;
  /** Flushes what is buffered; a failed export is reported, never thrown. */
  shutdown(): Promise<void>;
  /** Client interceptors: a span per workflow start, signal, update and query, its context passed on in headers. */
  clientInterceptors(): { workflow: WorkflowClientInterceptor[] };
  /** Worker options: activity interceptors and the sink that exports the workflows' spans. */
  workerOptions(): Pick<WorkerOptions, 'interceptors' | 'sinks'>;
  /** What the workflow sandbox must be bundled with: the span mode and the root sampling ratio. */
  readonly sandbox: SandboxTracingSettings;
  /** Runs `fn` with spans suppressed. */
  withoutSpans<T>(fn: () => T): T;
}

let current: Tracing | undefined;
let starting: Promise<Tracing> | undefined;

/** True when the settings or the environment ask for traces. */
export function tracingEnabled(settings: TracingSettings | undefined, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.OTEL_SDK_DISABLED === 'true' || env.OTEL_TRACES_EXPORTER === 'none') return false;
  if (settings === false) return false;
  return Boolean(settings || env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT);
}

/** Which spans a worker makes: BATON_TRACING_SPANS, else the config's `spans`, else `calls`. */
export function tracingSpans(settings: TracingSettings | undefined, env: NodeJS.ProcessEnv = process.env): TracingSpans {
  const fromEnv = env.BATON_TRACING_SPANS?.trim();
  if (fromEnv) {
    const mode = tracingSpansModes.find((m) => m === fromEnv.toLowerCase());
    if (!mode) throw new Error(`BATON_TRACING_SPANS: expected one of ${tracingSpansModes.join(', ')}, got "${env.BATON_TRACING_SPANS}"`);
    return mode;
  }
  return (typeof settings === 'object' ? settings.spans : undefined) ?? 'calls';
}

/**
 * How spans are exported: OTEL_EXPORTER_OTLP_TRACES_PROTOCOL, else OTEL_EXPORTER_OTLP_PROTOCOL,
 * else the config's `protocol`, else `http/json`. The specification's default is `http/protobuf`;
 * Baton keeps JSON, what it always sent, so a receiver set up for it goes on working.
 */
export function tracingProtocol(settings: TracingSettings | undefined, env: NodeJS.ProcessEnv = process.env): TracingProtocol {
  for (const name of ['OTEL_EXPORTER_OTLP_TRACES_PROTOCOL', 'OTEL_EXPORTER_OTLP_PROTOCOL'] as const) {
    const fromEnv = env[name]?.trim();
    if (!fromEnv) continue;
    const protocol = tracingProtocols.find((p) => p === fromEnv);
    if (!protocol) throw new Error(`${name}: expected one of ${tracingProtocols.join(', ')}, got "${env[name]}"`);
    return protocol;
  }
  return (typeof settings === 'object' ? settings.protocol : undefined) ?? 'http/json';
}

/**
 * Starts the process's tracer provider (once; later calls return the first) and registers it
 * globally, or returns undefined when tracing is off.
 */
export async function startTracing(settings: TracingSettings | undefined, defaultServiceName: string, env: NodeJS.ProcessEnv = process.env): Promise<Tracing | undefined> {
  if (current || !tracingEnabled(settings, env)) return current;
  // Callers that race share one start (it awaits the exporter's module); one that throws is not kept.
  starting ??= import('./tracing-sdk.js').then(({ startTracingSdk }) => startTracingSdk(settings, defaultServiceName, env));
  try {
    current = await starting;
  } finally {
    starting = undefined;
  }
  return current;
}

/** The process's tracing, when `startTracing` turned it on. */
export function activeTracing(): Tracing | undefined {
  return current;
}

/** The client interceptors of the process's tracing, or undefined when it does not trace. */
export function tracingClientInterceptors(): { workflow: WorkflowClientInterceptor[] } | undefined {
  return current?.clientInterceptors();
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
  return current ? current.withoutSpans(fn) : fn();
}
