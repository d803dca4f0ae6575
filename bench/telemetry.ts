/**
 * BENCH_TELEMETRY=1: Baton's worker and client run with metrics and tracing on, as in
 * production: the runtime's Prometheus exporter (on a free loopback port, unscraped: series
 * are still recorded) and OTLP/HTTP spans to a local receiver that accepts and drops them.
 * Bare Temporal runs in the same process without interceptors, so only Baton pays for tracing.
 * OTEL_TRACES_SAMPLER / OTEL_TRACES_SAMPLER_ARG apply: the bench's client decides each run's trace.
 */
import { createServer } from 'node:http';
import type { TelemetryOptions } from '@temporalio/worker';
import { batonHistogramBuckets } from '../workers/telemetry';

/** BENCH_TELEMETRY=1 turns metrics and tracing on; `metrics` or `tracing` turns on one of them, to tell their costs apart. */
const mode = process.env.BENCH_TELEMETRY;
const benchMetrics = mode === '1' || mode === 'metrics';
const benchTraces = mode === '1' || mode === 'tracing';

/** The runtime's telemetry options for the bench: a Prometheus endpoint when BENCH_TELEMETRY=1. */
export function benchRuntimeTelemetry(): TelemetryOptions | undefined {
  return benchMetrics ? { metrics: { prometheus: { bindAddress: '127.0.0.1:0', histogramBucketOverrides: batonHistogramBuckets } } } : undefined;
}

/** Starts a span sink on loopback and returns the config's `telemetry` for it (or none when off). */
export async function benchTracing(): Promise<{ telemetry?: { tracing: { endpoint: string } }; close(): void }> {
  if (!benchTraces) return { close: () => undefined };
  const server = createServer((req, res) => req.resume().on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{}')));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return { telemetry: { tracing: { endpoint: `http://127.0.0.1:${port}` } }, close: () => void server.close() };
}
