/**
 * A worker's metrics endpoint and tracing. Metrics: the Temporal runtime's own Prometheus
 * exporter, so the SDK's worker series (`temporal_*`) and Baton's (`baton_*`, recorded through
 * the activity and workflow `metricMeter`) share one endpoint. Tracing: the SDK's OpenTelemetry
 * interceptors for activities, Baton's small tracer inside the workflow sandbox
 * (`workflows/tracing-spans.ts`), its spans exported through the SDK's sink.
 */
import { Runtime, type WorkerOptions } from '@temporalio/worker';
import { useRuntimeMetricMeter } from '../activities/call-metrics';
import { recordContentOnSpans } from '../activities/telemetry';
import { startTracing } from '../client/tracing';
import type { TracingSettings } from '../config/telemetry-settings';
import type { SandboxTracingSettings } from '../workflows/tracing-settings';

/** A tracing worker's options, and the settings its workflow bundle must carry (`getWorkflowBundle`). */
export interface WorkerTracing {
  readonly workerOptions: Pick<WorkerOptions, 'interceptors' | 'sinks'>;
  readonly sandbox: SandboxTracingSettings;
}

/** The bind address of a `--metrics` value: `9464` → `127.0.0.1:9464`; `0.0.0.0:9464` as given. */
export function metricsBindAddress(value: string | number): string {
  const text = String(value).trim();
  const port = Number(text.slice(text.lastIndexOf(':') + 1));
  if (!/^(?:\S+:)?\d+$/.test(text)) throw new Error(`--metrics: expected host:port or a port, got "${text}"`);
  if (!(port >= 1 && port <= 65535)) throw new Error(`--metrics: ${port} is not a port (1-65535)`);
  return /^\d+$/.test(text) ? `127.0.0.1:${text}` : text;
}

/** Bucket bounds of Baton's histograms (milliseconds; US dollars for cost). */
export const batonHistogramBuckets: Record<string, number[]> = {
  baton_model_call_latency: [50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000, 120000],
  baton_tool_latency: [5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000],
  baton_model_cost_usd: [0.0001, 0.001, 0.01, 0.05, 0.1, 0.5, 1, 5],
  baton_approval_wait: [1000, 10000, 60000, 300000, 900000, 3600000, 14400000, 86400000],
};

/**
 * Installs the process's Temporal runtime with a Prometheus endpoint at `bindAddress` (`/metrics`).
 * Must run before any connection, worker or client of this process: the runtime is a singleton.
 */
export function installMetricsRuntime(bindAddress: string): void {
  Runtime.install({ telemetryOptions: { metrics: { prometheus: { bindAddress, histogramBucketOverrides: batonHistogramBuckets } } } });
}

/**
 * Starts tracing for a worker process when the config or environment ask for it, and returns
 * the worker options that trace (activity interceptors and the workflow span exporter sink) and
 * the settings the workflow interceptor module is bundled with (see `getWorkflowBundle`). Also
 * hands the runtime's meter to Baton's call metrics (made once, recorded on cheaply), whatever tracing does.
 */
export async function workerTracingOptions(settings: TracingSettings | undefined, env = process.env): Promise<WorkerTracing | undefined> {
  useRuntimeMetricMeter(Runtime.instance().metricMeter);
  const tracing = await startTracing(settings, 'baton-worker', env);
  if (!tracing) return undefined;
  recordContentOnSpans(tracing.recordContent);
  return { workerOptions: tracing.workerOptions(), sandbox: tracing.sandbox };
}

/** A Baton series on the metrics endpoint: what the README's "Metrics" table lists. */
export interface BatonMetric {
  name: string;
  type: 'counter' | 'histogram';
  labels: string[];
  help: string;
}

/**
 * Every `baton_*` series, besides the labels the SDK adds (`namespace`, `taskQueue`, and
 * `activityType` or `workflowType`). Histograms also show as `_bucket`, `_sum` and `_count`.
 */
export const batonMetrics: BatonMetric[] = [
  { name: 'baton_model_calls', type: 'counter', labels: ['agent', 'provider', 'model', 'outcome'], help: 'requests to providers (each step of a failover too); outcome ok or error' },
  { name: 'baton_model_input_tokens', type: 'counter', labels: ['agent', 'provider', 'model'], help: 'input tokens' },
  { name: 'baton_model_output_tokens', type: 'counter', labels: ['agent', 'provider', 'model'], help: 'output tokens' },
  { name: 'baton_model_cost_usd', type: 'histogram', labels: ['agent', 'provider', 'model'], help: 'cost per call in US dollars; `_sum` is the total cost' },
  { name: 'baton_model_call_latency', type: 'histogram', labels: ['agent', 'provider', 'model', 'outcome'], help: 'model call latency, ms' },
  { name: 'baton_tool_calls', type: 'counter', labels: ['agent', 'tool', 'outcome'], help: 'tool calls of agents, once per call: ok, error, refused, cached, failed' },
  { name: 'baton_tool_latency', type: 'histogram', labels: ['agent', 'tool', 'outcome'], help: 'tool activity attempts, ms; outcome ok, error, refused, cached, failed' },
  { name: 'baton_approvals_requested', type: 'counter', labels: ['agent', 'tool'], help: 'calls that waited for a person; minus `baton_approvals_decided`: calls waiting now' },
  { name: 'baton_approvals_decided', type: 'counter', labels: ['agent', 'tool', 'decision', 'by'], help: 'decisions: approved or rejected, by person or timeout' },
  { name: 'baton_approval_wait', type: 'histogram', labels: ['agent', 'tool'], help: 'how long decided approvals waited, ms' },
  { name: 'baton_runs_started', type: 'counter', labels: ['pattern', 'agent'], help: 'runs started: pattern agent, session, or the spec name' },
  { name: 'baton_runs_finished', type: 'counter', labels: ['pattern', 'agent', 'status'], help: 'runs finished: completed, failed or cancelled' },
  { name: 'baton_handoffs', type: 'counter', labels: ['from', 'to'], help: 'hand-offs between agents' },
  { name: 'baton_budget_stops', type: 'counter', labels: ['agent', 'limit'], help: 'runs stopped by an agent budget: limit tokens or cost' },
];
