/**
 * What a tracing worker tells its workflow sandbox, which cannot read the config or the
 * environment: which spans to make (`calls` or `all`) and the share of root traces to keep (a
 * run that came with no trace context). Fixed at bundle time: the worker bundles the tracing
 * interceptor module with these as its webpack resource query (`tracing-interceptors.ts?spans=calls&rootSampleRatio=0.1`),
 * one bundle per setting, so every execution and every replay of a worker reads the same.
 * Pure: runs in the workflow sandbox and in the worker alike.
 */

/** `calls`: the runs and Baton's model and tool spans; `all`: Temporal's activity spans too. */
export type TracingSpans = 'calls' | 'all';

/** The tracing modes, in the order the error messages list them. */
export const tracingSpansModes: readonly TracingSpans[] = ['calls', 'all'];

/** The settings of the sandbox's tracer. */
export interface SandboxTracingSettings {
  readonly spans: TracingSpans;
  /** Share (0 to 1) of traces kept that start in the sandbox: the worker's sampler's root ratio. */
  readonly rootSampleRatio: number;
}

/** What a worker with no settings does: Baton's spans only, every root trace kept. */
export const defaultSandboxTracing: SandboxTracingSettings = { spans: 'calls', rootSampleRatio: 1 };

/** The resource query that carries `settings` into the bundle. */
export function tracingModuleQuery(settings: SandboxTracingSettings): string {
  return `?spans=${settings.spans}&rootSampleRatio=${settings.rootSampleRatio}`;
}

/** The settings from a resource query (`tracingModuleQuery`'s), the defaults for what it lacks. */
export function tracingSettingsFromQuery(query: string | undefined): SandboxTracingSettings {
  const spans = /[?&]spans=(calls|all)(?:&|$)/.exec(query ?? '')?.[1] as TracingSpans | undefined;
  const ratio = Number(/[?&]rootSampleRatio=([0-9.e-]+)(?:&|$)/.exec(query ?? '')?.[1] ?? NaN);
  return { spans: spans ?? defaultSandboxTracing.spans, rootSampleRatio: ratio >= 0 && ratio <= 1 ? ratio : defaultSandboxTracing.rootSampleRatio };
}

/**
 * Whether a trace that starts here is kept: OpenTelemetry's `TraceIdRatioBasedSampler` rule (the
 * trace id's 32-bit words XORed, under the ratio's share of 2^32), so the sandbox keeps the trace
 * ids the worker's own ratio sampler would. The id comes from the run's seeded randomness: replay
 * decides the same.
 */
export function keepsRootTrace(traceId: string, ratio: number): boolean {
  if (ratio >= 1) return true;
  if (!(ratio > 0)) return false;
  let accumulation = 0;
  for (let i = 0; i < traceId.length; i += 8) accumulation = (accumulation ^ parseInt(traceId.slice(i, i + 8), 16)) >>> 0;
  return accumulation < Math.floor(ratio * 0xffffffff);
}
