/**
 * Which traces are kept, decided once where a trace starts (`baton run`, a client's
 * StartWorkflow) and carried in the trace context to every worker, the workflow sandbox
 * included, so a trace is kept or dropped whole. Standard OpenTelemetry settings:
 * `OTEL_TRACES_SAMPLER` (always_on, always_off, traceidratio and their parentbased_ forms) with
 * `OTEL_TRACES_SAMPLER_ARG`, else the config's `telemetry.tracing.sampleRatio` as a parent-based
 * ratio sampler, else every trace (parent-based always-on).
 */
import { AlwaysOffSampler, AlwaysOnSampler, ParentBasedSampler, TraceIdRatioBasedSampler, type Sampler } from '@opentelemetry/sdk-trace-base';

const samplers = ['always_on', 'always_off', 'traceidratio', 'parentbased_always_on', 'parentbased_always_off', 'parentbased_traceidratio'];

/** A sampling ratio from OTEL_TRACES_SAMPLER_ARG: 1 when unset, as the OpenTelemetry SDK reads it. */
function ratioFromEnv(arg: string | undefined): number {
  if (arg === undefined || arg.trim() === '') return 1;
  const ratio = Number(arg);
  if (!(ratio >= 0 && ratio <= 1)) throw new Error(`OTEL_TRACES_SAMPLER_ARG: expected a ratio from 0 to 1, got "${arg}"`);
  return ratio;
}

/** The process's sampler from the environment (which wins) or the config's ratio. */
export function tracesSampler(sampleRatio: number | undefined, env: NodeJS.ProcessEnv): Sampler {
  const name = env.OTEL_TRACES_SAMPLER?.trim().toLowerCase();
  if (!name) return new ParentBasedSampler({ root: sampleRatio === undefined ? new AlwaysOnSampler() : new TraceIdRatioBasedSampler(sampleRatio) });
  if (!samplers.includes(name)) throw new Error(`OTEL_TRACES_SAMPLER: unknown sampler "${env.OTEL_TRACES_SAMPLER}" (expected one of ${samplers.join(', ')})`);
  const kind = name.replace(/^parentbased_/, '');
  const root = kind === 'always_on' ? new AlwaysOnSampler() : kind === 'always_off' ? new AlwaysOffSampler() : new TraceIdRatioBasedSampler(ratioFromEnv(env.OTEL_TRACES_SAMPLER_ARG));
  return name.startsWith('parentbased_') ? new ParentBasedSampler({ root }) : root;
}

/**
 * The share of new traces (ones with no parent) the process's sampler keeps, for the workflow
 * sandbox, which cannot ask it: the same reading of the environment and the config as `tracesSampler`.
 */
export function rootSampleRatio(sampleRatio: number | undefined, env: NodeJS.ProcessEnv): number {
  const name = env.OTEL_TRACES_SAMPLER?.trim().toLowerCase();
  if (!name) return sampleRatio ?? 1;
  const kind = name.replace(/^parentbased_/, '');
  return kind === 'always_on' ? 1 : kind === 'always_off' ? 0 : kind === 'traceidratio' ? ratioFromEnv(env.OTEL_TRACES_SAMPLER_ARG) : 1;
}
