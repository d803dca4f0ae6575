/**
 * The run's span-event hook, set by the tracing workflow interceptors. State of one workflow
 * execution: `telemetry.ts` is shared by every execution of a worker thread (preloaded), so it
 * reaches this module only through a deferred require, which webpack evaluates in the calling
 * execution's own module cache. Never import it statically from a preloaded module.
 */
import type { SpanEventHook } from './telemetry';

/** This execution's hook; a no-op until the tracing interceptors set one. */
export const spanEventHook: { current: SpanEventHook } = { current: () => undefined };
