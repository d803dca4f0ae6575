/**
 * The OpenTelemetry SDK side of tracing: the tracer provider, the OTLP exporter, the
 * Temporal interceptors (the SDK's for the client and activity log lines, Baton's for running
 * activities: `workers/tracing-activity.ts`). Loaded by `startTracing` only when tracing is on, so a process that
 * does not trace never loads it (about 200 ms of module loading at every CLI command).
 */
import { context } from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';
import { Resource } from '@opentelemetry/resources';
import { BatchSpanProcessor, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { OpenTelemetryActivityOutboundInterceptor, OpenTelemetryWorkflowClientInterceptor } from '@temporalio/interceptors-opentelemetry';
import type { WorkerOptions } from '@temporalio/worker';
import { ActivityTracingInbound } from '../workers/tracing-activity';
import { workflowSpanSinks } from '../workers/tracing-sink';
import type { TracingProtocol, TracingSettings } from '../config/telemetry-settings';
import { tracingProtocol, tracingSpans, type Tracing } from './tracing';
import { rootSampleRatio, tracesSampler } from './tracing-sampler';

/**
 * The exporter for `protocol`, loaded only when chosen (a process that sends JSON never loads
 * gRPC). With no endpoint given, each reads OTEL_EXPORTER_OTLP_TRACES_ENDPOINT as is, else
 * OTEL_EXPORTER_OTLP_ENDPOINT (over HTTP with `/v1/traces` appended), else its default.
 */
async function otlpExporter(protocol: TracingProtocol, endpoint: string | undefined): Promise<SpanExporter> {
  if (protocol === 'grpc') {
    const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-grpc');
    return new OTLPTraceExporter(endpoint ? { url: endpoint } : {});
  }
  const config = endpoint ? { url: `${endpoint.replace(/\/$/, '')}/v1/traces` } : {};
  if (protocol === 'http/protobuf') {
    const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-proto');
    return new OTLPTraceExporter(config);
  }
  const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-http');
  return new OTLPTraceExporter(config);
}

/**
 * Starts a tracer provider, registered globally with an AsyncLocalStorage context. Throws,
 * before anything starts, on an unknown OTEL_EXPORTER_OTLP_(TRACES_)PROTOCOL.
 */
export async function startTracingSdk(settings: TracingSettings | undefined, defaultServiceName: string, env: NodeJS.ProcessEnv): Promise<Tracing> {
  const options = typeof settings === 'object' ? settings : undefined;
  const protocol = tracingProtocol(settings, env);
  const fromEnv = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || env.OTEL_EXPORTER_OTLP_ENDPOINT;
  // The environment's endpoint is left to the exporter, which reads it as the specification says.
  const exporter = await otlpExporter(protocol, fromEnv ? undefined : options?.endpoint);
  const resource = Resource.default().merge(new Resource({ 'service.name': env.OTEL_SERVICE_NAME || options?.serviceName || defaultServiceName }));
  // Batched: spans leave in one request per OTEL_BSP_SCHEDULE_DELAY (5 s) or 512 spans, never one by one.
  const spanProcessor = new BatchSpanProcessor(exporter);
  const provider = new NodeTracerProvider({ resource, sampler: tracesSampler(options?.sampleRatio, env), spanProcessors: [spanProcessor] });
  provider.register();
  const activityTracer = provider.getTracer('@temporalio/interceptor-activity');
  const spans = tracingSpans(settings, env);
  return {
    sandbox: { spans, rootSampleRatio: rootSampleRatio(options?.sampleRatio, env) },
    recordContent: Boolean(options?.recordContent) || env.OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT === 'true',
    // A collector that is down costs the spans, never the command or the worker: report it and go on.
    shutdown: () => provider.shutdown().catch((err: unknown) => console.error(`baton: could not export traces: ${err instanceof Error ? err.message : String(err)}`)),
    clientInterceptors: () => ({ workflow: [new OpenTelemetryWorkflowClientInterceptor()] }),
    workerOptions: (): Pick<WorkerOptions, 'interceptors' | 'sinks'> => ({
      interceptors: {
        activity: [(ctx) => ({ inbound: new ActivityTracingInbound(ctx, activityTracer, spans), outbound: new OpenTelemetryActivityOutboundInterceptor(ctx) })],
      },
      sinks: workflowSpanSinks(spanProcessor, provider.resource),
    }),
    withoutSpans: (fn) => context.with(suppressTracing(context.active()), fn),
  };
}
