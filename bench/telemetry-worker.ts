/**
 * One worker process for `bench/telemetry-cost.ts`, with metrics and tracing as asked:
 * `tsx bench/telemetry-worker.ts <baton|bare> <address> <taskQueue> <off|metrics|tracing|both> [otlpEndpoint]`.
 * Baton traces as a `baton worker` does; bare Temporal with the SDK's own OpenTelemetry
 * interceptors (workflow and activity) and sink. The sampler comes from OTEL_TRACES_SAMPLER. Prints "ready".
 */
import path from 'node:path';
import { Resource } from '@opentelemetry/resources';
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OpenTelemetryActivityInboundInterceptor, OpenTelemetryActivityOutboundInterceptor, makeWorkflowExporter } from '@temporalio/interceptors-opentelemetry';
import { DefaultLogger, NativeConnection, Runtime, Worker, bundleWorkflowCode, type WorkerOptions } from '@temporalio/worker';
import { tracesSampler } from '../client/tracing-sampler';
import { createBatonWorker } from '../workers/create-worker';
import { batonHistogramBuckets } from '../workers/telemetry';
import * as bareActivities from './bare-activities';
import { throughputConfig } from './throughput-worker';

const quiet = { trace: () => undefined, debug: () => undefined, info: () => undefined, log: () => undefined, warn: console.warn, error: console.error };

/** Bare Temporal traced the SDK's way: its workflow interceptor module, activity interceptors and exporter sink. */
async function tracedBareOptions(endpoint: string): Promise<Pick<WorkerOptions, 'interceptors' | 'sinks' | 'workflowBundle'>> {
  const resource = Resource.default().merge(new Resource({ 'service.name': process.env.OTEL_SERVICE_NAME ?? 'bare' }));
  const spanProcessor = new BatchSpanProcessor(new OTLPTraceExporter({ url: `${endpoint}/v1/traces` }));
  new NodeTracerProvider({ resource, sampler: tracesSampler(undefined, process.env), spanProcessors: [spanProcessor] }).register();
  const workflowBundle = await bundleWorkflowCode({ workflowsPath: path.join(__dirname, 'bare-workflow.ts'), workflowInterceptorModules: [require.resolve('@temporalio/interceptors-opentelemetry/lib/workflow-interceptors')], logger: quiet });
  return {
    workflowBundle,
    interceptors: { activity: [(ctx) => ({ inbound: new OpenTelemetryActivityInboundInterceptor(ctx), outbound: new OpenTelemetryActivityOutboundInterceptor(ctx) })] },
    sinks: { exporter: makeWorkflowExporter(spanProcessor, resource) },
  };
}

async function main(): Promise<void> {
  const [kind, address, taskQueue, mode, endpoint] = process.argv.slice(2) as [string, string, string, string, string | undefined];
  const metrics = mode === 'metrics' || mode === 'both';
  const tracing = (mode === 'tracing' || mode === 'both') && endpoint ? endpoint : undefined;
  Runtime.install({ logger: new DefaultLogger('WARN'), ...(metrics ? { telemetryOptions: { metrics: { prometheus: { bindAddress: '127.0.0.1:0', histogramBucketOverrides: batonHistogramBuckets } } } } : {}) });
  const connection = await NativeConnection.connect({ address });
  const worker = kind === 'baton'
    ? await createBatonWorker({ config: { ...throughputConfig(taskQueue), ...(tracing ? { telemetry: { tracing: { endpoint: tracing, recordContent: false } } } : {}) }, connection })
    : await Worker.create({
      connection, taskQueue, activities: bareActivities,
      ...(tracing ? await tracedBareOptions(tracing) : { workflowBundle: await bundleWorkflowCode({ workflowsPath: path.join(__dirname, 'bare-workflow.ts'), logger: quiet }) }),
    });
  process.stdout.write('ready\n');
  process.once('SIGTERM', () => worker.shutdown());
  await worker.run();
  await connection.close();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
