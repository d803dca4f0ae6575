/**
 * A small tracer for the workflow sandbox, in place of the OpenTelemetry SDK there. Two costs
 * made the SDK's workflow interceptors the larger part of tracing's overhead: the reusable V8
 * context evaluates a bundle's modules again for every workflow execution (the OpenTelemetry
 * SDK's modules cost about 2.5 ms of CPU per run and per child), and the worker's promise hook
 * captures and source-maps a stack trace for every sandbox promise (the SDK's `instrument` chain
 * and `SimpleSpanProcessor` made about nine per scheduled activity). Here a traced step costs one
 * `.then`. Spans keep the SDK's names, attributes and exporter sink, and the context travels in
 * the same `_tracer-data` header (W3C `traceparent`), so the client's and the activities' SDK
 * interceptors link up unchanged. The parent's sampling decision is followed: in a sampled-out
 * trace no span is made, the parent's context is only passed on. A trace that starts here (a run
 * with no trace context) is kept at the worker's root ratio, fixed in the bundle
 * (`tracing-settings.ts`). Per-execution state lives in a `RunTracer` per execution; the module
 * itself holds none, so it is evaluated once per workflow thread. Runs in the workflow sandbox.
 */
import { ApplicationFailure, ApplicationFailureCategory, type Payload } from '@temporalio/common';
import { AsyncLocalStorage, proxySinks } from '@temporalio/workflow';
import type { OpenTelemetrySinks, SerializableSpan } from '@temporalio/interceptors-opentelemetry/lib/workflow/definitions';
import type { SpanRef } from './tracing-context';
import { keepsRootTrace } from './tracing-settings';

export { TRACE_HEADER, contextFromHeader, contextHeader, type SpanRef } from './tracing-context';

type HrTime = [number, number];
type Attributes = Record<string, string | number | boolean>;

const SAMPLED = 1;
const STATUS = { UNSET: 0, OK: 1, ERROR: 2 } as const;
const hrTime = (ms: number): HrTime => [Math.floor(ms / 1000), Math.round((ms % 1000) * 1e6)];
/** Hex ids from the sandbox's Math.random, which Temporal seeds per run: replay makes the same ones. */
const randomHex = (bytes: number): string => {
  let id = '';
  for (let i = 0; i < bytes; i++) id += Math.floor(Math.random() * 256).toString(16).padStart(2, '0');
  return /^0+$/.test(id) ? randomHex(bytes) : id;
};

/** The exporter sink (`workers/tracing-sink.ts`): a call from any execution goes out with that execution's sink calls. */
const spanExporter = proxySinks<OpenTelemetrySinks>().exporter;

/** A recording span, handed to the exporter sink when it ends (the sink drops calls made during replay). */
export class SandboxSpan implements SpanRef {
  readonly traceId: string;
  readonly spanId = randomHex(8);
  readonly sampled = true;
  readonly traceState?: string;
  header?: Payload;
  private readonly attributes: Attributes = {};
  private readonly events: Array<{ name: string; attributes: Attributes; time: HrTime; droppedAttributesCount: number }> = [];
  private readonly started = Date.now();

  constructor(
    private readonly name: string,
    private readonly parent: SpanRef | undefined,
    rootTraceId?: string,
  ) {
    this.traceId = parent?.traceId ?? rootTraceId ?? randomHex(16);
    if (parent?.traceState) this.traceState = parent.traceState;
  }

  setAttribute(key: string, value: string | number | boolean): void {
    this.attributes[key] = value;
  }

  addEvent(name: string, attributes: Attributes): void {
    this.events.push({ name, attributes, time: hrTime(Date.now()), droppedAttributesCount: 0 });
  }

  /** Ends the span ok, or failed as the SDK marks it (a benign failure leaves the status unset; an expected one is ok). */
  end(err?: unknown, expected = false): void {
    let status: SerializableSpan['status'] = { code: STATUS.OK };
    if (err !== undefined && !expected) {
      const benign = err instanceof ApplicationFailure && err.category === ApplicationFailureCategory.BENIGN;
      const message = err instanceof Error ? err.message : String(err);
      status = { code: benign ? STATUS.UNSET : STATUS.ERROR, message };
      const type = err instanceof Error ? err.name : 'Error';
      this.addEvent('exception', { 'exception.type': type, 'exception.message': message, ...(err instanceof Error && err.stack ? { 'exception.stacktrace': err.stack } : {}) });
    }
    const ended = Date.now();
    const span: SerializableSpan = {
      name: this.name,
      kind: 0,
      spanContext: { traceId: this.traceId, spanId: this.spanId, traceFlags: SAMPLED, ...(this.traceState ? { traceState: this.traceState } : {}) },
      ...(this.parent ? { parentSpanId: this.parent.spanId } : {}),
      startTime: hrTime(this.started),
      endTime: hrTime(ended),
      duration: hrTime(ended - this.started),
      status,
      attributes: this.attributes,
      links: [],
      events: this.events,
      ended: true,
      droppedAttributesCount: 0,
      droppedLinksCount: 0,
      droppedEventsCount: 0,
      instrumentationLibrary: { name: '@temporalio/interceptor-workflow' },
    };
    spanExporter.export([span]);
  }
}

/** The active span of a handler's code (an AsyncLocalStorage, the sandbox's own). */
interface SpanStorage {
  run<R>(span: SpanRef, fn: () => R): R;
  getStore(): SpanRef | undefined;
  disable(): void;
}

/**
 * One workflow execution's tracer: which span is active where, and the share of traces that
 * start here kept. Made by the tracing interceptors for each execution, so this module holds no
 * state of its own and the worker evaluates it once per workflow thread (it is preloaded), not
 * again for every execution.
 */
export class RunTracer {
  /** Made when a handler first runs in a recording span, or in a dropped one inside a recording run. */
  private storage: SpanStorage | undefined;
  /** The run's recording RunWorkflow span: active wherever no handler's span is. */
  private runSpan: SandboxSpan | undefined;
  /** The context of a dropped trace, passed on without a storage. */
  private droppedContext: SpanRef | undefined;

  /** `rootSampleRatio`: the share of the traces that start in this execution kept (the worker's root ratio). */
  constructor(private readonly rootSampleRatio: number) {}

  /**
   * A span under `parent`, or the parent itself when its trace is sampled out (nothing is recorded
   * then). With no parent a trace starts here, kept at the worker's root ratio; a dropped one is a
   * context only, passed on so the run's activities and children drop it too.
   */
  startSpan(name: string, parent: SpanRef | undefined): SpanRef {
    if (parent) return parent.sampled ? new SandboxSpan(name, parent) : parent;
    const traceId = randomHex(16);
    return keepsRootTrace(traceId, this.rootSampleRatio) ? new SandboxSpan(name, undefined, traceId) : { traceId, spanId: randomHex(8), sampled: false };
  }

  /**
   * Runs the workflow's main code in its `RunWorkflow` span (or its dropped trace's context). No
   * AsyncLocalStorage: every enabled one makes each promise of the workflow thread (every run's,
   * not only this one's) copy its store, and the run's span is the active one wherever no
   * handler's span is, so a field holds it.
   */
  runAsRun<R>(span: SpanRef, fn: () => R): R {
    if (span instanceof SandboxSpan) this.runSpan ??= span;
    else this.droppedContext ??= span;
    return fn();
  }

  /**
   * Runs a handler (signal, update, query) with `span` as the active span. A recording span needs
   * the AsyncLocalStorage, and so does a dropped handler span inside a recording run (its code must
   * not fall back to the run's span); a handler of a dropped run keeps the run's context in a
   * field instead, and its outbound calls pass that on.
   */
  runInSpan<R>(span: SpanRef, fn: () => R): R {
    if (this.storage || this.runSpan || span instanceof SandboxSpan) {
      this.storage ??= new AsyncLocalStorage<SpanRef>();
      return this.storage.run(span, fn);
    }
    this.droppedContext ??= span;
    return fn();
  }

  /** The parent of a handler that came with no trace context: the span its code runs in, else a dropped run's context (never the run's span). */
  handlerContext(): SpanRef | undefined {
    return this.storage?.getStore() ?? this.droppedContext;
  }

  /** The span context the current code runs in: a handler's span, else the run's span, else a dropped trace's context. */
  currentSpan(): SpanRef | undefined {
    return this.storage?.getStore() ?? this.runSpan ?? this.droppedContext;
  }

  /** Ends the run's context tracking (the execution is disposed). */
  dispose(): void {
    this.storage?.disable();
  }

  /** The span the current code runs in, if it records. */
  activeSpan(): SandboxSpan | undefined {
    const ref = this.storage?.getStore() ?? this.runSpan;
    return ref instanceof SandboxSpan ? ref : undefined;
  }
}
