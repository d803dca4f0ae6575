/**
 * The trace context a Temporal header carries: the SDK's OpenTelemetry interceptors' `_tracer-data`
 * header, a W3C `traceparent` (and `tracestate`). Read and written by Baton's sandbox tracer and
 * by its activity interceptor, so neither needs the OpenTelemetry propagators to tell whether a
 * trace is sampled. Pure: runs in the workflow sandbox and in the worker alike.
 */
import { defaultPayloadConverter, type Payload } from '@temporalio/common';

/** The header the SDK's OpenTelemetry interceptors read and write. */
export const TRACE_HEADER = '_tracer-data';

const SAMPLED = 1;

/** A span context: this sandbox's spans, or a caller's from the headers. */
export interface SpanRef {
  readonly traceId: string;
  readonly spanId: string;
  readonly sampled: boolean;
  readonly traceState?: string;
  /** The encoded header naming this span as the parent, made once. */
  header?: Payload;
}

/** The `_tracer-data` header naming `ref` as the parent: a W3C `traceparent` (and `tracestate`). */
export function contextHeader(ref: SpanRef): Payload {
  ref.header ??= defaultPayloadConverter.toPayload({ traceparent: `00-${ref.traceId}-${ref.spanId}-0${ref.sampled ? 1 : 0}`, ...(ref.traceState ? { tracestate: ref.traceState } : {}) });
  return ref.header;
}

/** The caller's span context from the `_tracer-data` header, when it carries a valid one. */
export function contextFromHeader(header: Payload | undefined): SpanRef | undefined {
  if (!header) return undefined;
  const carrier = defaultPayloadConverter.fromPayload<Record<string, unknown>>(header);
  const match = typeof carrier.traceparent === 'string' ? /^\s?([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?\s?$/.exec(carrier.traceparent) : null;
  if (!match || match[1] === 'ff' || /^0+$/.test(match[2] as string) || /^0+$/.test(match[3] as string)) return undefined;
  const traceState = typeof carrier.tracestate === 'string' && carrier.tracestate ? carrier.tracestate : undefined;
  return { traceId: match[2] as string, spanId: match[3] as string, sampled: (parseInt(match[4] as string, 16) & SAMPLED) === SAMPLED, ...(traceState ? { traceState } : {}) };
}
