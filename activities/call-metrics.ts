/**
 * Baton's per-call series (model calls, tokens, cost, latencies), recorded cheaply: each
 * instrument is created once on the Temporal runtime's meter, which a Baton worker hands over
 * (`useRuntimeMetricMeter`), instead of through the activity's `metricMeter` on every record (each
 * creation is a call into the SDK's core), and the label set of each (task queue, activity type,
 * agent, provider, model, outcome) is built once and reused. The labels are those the activity's
 * meter gives (`namespace`, `taskQueue`, `activityType`) and Baton's. Counters are summed here per
 * label set and added to the runtime's meter once a second (`counterFlushMs`): each record is a call
 * into the SDK's core that parses its labels' JSON and builds their attribute set again (6 µs with
 * seven labels in a loop, 15–50 µs in a busy worker's profiles), and a run's model calls made six
 * such counter records. Histograms (cost, latencies) are recorded as they happen. When the runtime has no
 * metrics exporter, or outside an activity, nothing is done at all. Activities run by a worker
 * that did not hand a meter over record through the activity's meter, as before.
 */
import { Context } from '@temporalio/activity';
import { noopMetricMeter, type MetricCounter, type MetricHistogram, type MetricMeter, type MetricTags } from '@temporalio/common';

interface Instruments {
  calls: MetricCounter;
  inputTokens: MetricCounter;
  outputTokens: MetricCounter;
  cost: MetricHistogram;
  modelLatency: MetricHistogram;
  toolLatency: MetricHistogram;
}

/** The runtime's instruments once a worker handed its meter over; null when that meter records nothing. */
let runtimeInstruments: Instruments | null | undefined;
/** The runtime's meter once handed over (null: it records nothing), for the runs' own series. */
let runtimeMeter: MetricMeter | null | undefined;
/** The runs' instruments on that meter, by series name, made on first use. */
const runInstruments = new Map<string, MetricCounter | MetricHistogram>();
const labelSets = new Map<string, MetricTags>();

/** Called by Baton's worker with the Temporal runtime's meter (`Runtime.instance().metricMeter`), once per process. */
export function useRuntimeMetricMeter(meter: MetricMeter): void {
  flushCounters();
  runtimeMeter = meter === noopMetricMeter ? null : meter;
  runtimeInstruments = runtimeMeter && createInstruments(runtimeMeter);
  runInstruments.clear();
  labelSets.clear();
}

/**
 * How long a counter's increments wait before they reach the runtime's meter: far below any
 * scrape interval (Prometheus scrapes every 15 s or more), so a scrape sees the same totals at
 * most this much later; what a process that exits holds back is what no scrape could read anyway.
 */
export const counterFlushMs = 1000;

/** The runtime's counters' increments not added yet, per counter and label set (label sets are the cached ones). */
const pendingCounts = new Map<MetricCounter, Map<MetricTags, number>>();
let flushTimer: ReturnType<typeof setTimeout> | undefined;

/** Adds the summed increments to the runtime's counters: one call into the core per counter and label set. */
export function flushCounters(): void {
  if (flushTimer) clearTimeout(flushTimer);
  flushTimer = undefined;
  for (const [counter, byTags] of pendingCounts) for (const [tags, value] of byTags) counter.add(value, tags);
  pendingCounts.clear();
}

/** Counts `value` on the runtime's counter, summed until the next flush; on an activity's own meter (no runtime meter handed over) at once. */
function count(counter: MetricCounter, value: number, tags: MetricTags): void {
  if (!runtimeInstruments) return counter.add(value, tags);
  let byTags = pendingCounts.get(counter);
  if (!byTags) pendingCounts.set(counter, (byTags = new Map()));
  byTags.set(tags, (byTags.get(tags) ?? 0) + value);
  flushTimer ??= setTimeout(flushCounters, counterFlushMs).unref();
}

function createInstruments(meter: MetricMeter): Instruments {
  return {
    calls: meter.createCounter('baton_model_calls', 'calls', 'Requests to model providers by agent, provider, model and outcome (ok, error)'),
    inputTokens: meter.createCounter('baton_model_input_tokens', 'tokens', 'Input tokens of model calls'),
    outputTokens: meter.createCounter('baton_model_output_tokens', 'tokens', 'Output tokens of model calls'),
    cost: meter.createHistogram('baton_model_cost_usd', 'float', 'USD', 'Cost of each model call in US dollars (its _sum is the total cost)'),
    modelLatency: meter.createHistogram('baton_model_call_latency', 'int', 'ms', 'Model call latency'),
    toolLatency: meter.createHistogram('baton_tool_latency', 'int', 'ms', 'Tool activity latency by agent, tool and outcome'),
  };
}

/** The instruments to record on: the runtime's, else (no meter handed over) ones made on the activity's meter. */
function batonInstruments(): Instruments | null {
  if (runtimeInstruments !== undefined) return runtimeInstruments;
  try {
    return createInstruments(Context.current().metricMeter);
  } catch {
    return null;
  }
}

/**
 * A label set built once per distinct set (labels are bounded names): who records it (the
 * activity or the run, as the SDK's meters label them: namespace, task queue, and activity or
 * workflow type) and Baton's labels.
 */
function labelSet(namespace: string, taskQueue: string, typeLabel: 'activityType' | 'workflowType', type: string, baton: Record<string, string>): MetricTags {
  const key = `${typeLabel}\u0000${namespace}\u0000${taskQueue}\u0000${type}\u0000${Object.keys(baton).join(',')}\u0000${Object.values(baton).join('\u0000')}`;
  let tags = labelSets.get(key);
  if (!tags) {
    tags = { namespace, taskQueue, [typeLabel]: type, ...baton };
    labelSets.set(key, tags);
  }
  return tags;
}

/** The label set of this activity and Baton's labels; undefined outside an activity. */
function labels(baton: Record<string, string>): MetricTags | undefined {
  let info;
  try {
    info = Context.current().info;
  } catch {
    return undefined;
  }
  return labelSet(info.namespace, info.taskQueue, 'activityType', info.activityType, baton);
}

/** One request to a provider (`baton_model_calls`): each step of a failover chain is one. */
export function recordProviderRequest(agent: string, provider: string, model: string, outcome: 'ok' | 'error'): void {
  const m = batonInstruments();
  const tags = m && labels({ agent, provider, model, outcome });
  if (tags) count(m.calls, 1, tags);
}

/** A model call that was answered: tokens, cost and latency, by the provider and model that answered. */
export function recordModelAnswer(agent: string, provider: string, model: string, usage: { inputTokens: number; outputTokens: number; costUsd: number; latencyMs: number }): void {
  const m = batonInstruments();
  const tags = m && labels({ agent, provider, model });
  if (!m || !tags) return;
  count(m.inputTokens, usage.inputTokens, tags);
  count(m.outputTokens, usage.outputTokens, tags);
  m.cost.record(usage.costUsd, tags);
  m.modelLatency.record(usage.latencyMs, labels({ agent, provider, model, outcome: 'ok' }));
}

/** A model call attempt that failed after `latencyMs`. */
export function recordModelFailure(agent: string, provider: string, model: string, latencyMs: number): void {
  const m = batonInstruments();
  const tags = m && labels({ agent, provider, model, outcome: 'error' });
  if (tags) m.modelLatency.record(latencyMs, tags);
}

/** One tool activity attempt and how it ended. */
export function recordToolAttempt(agent: string, tool: string, outcome: string, latencyMs: number): void {
  const m = batonInstruments();
  const tags = m && labels({ agent, tool, outcome });
  if (tags) m.toolLatency.record(latencyMs, tags);
}

/** The series runs record in workflow code (workflows/telemetry.ts), by name: unit and help text. */
const runSeries: ReadonlyMap<string, { kind: 'counter' | 'histogram'; unit: string; help: string }> = new Map([
  ['baton_runs_started', { kind: 'counter', unit: 'runs', help: 'Baton runs started, by pattern and starting agent' }],
  ['baton_runs_finished', { kind: 'counter', unit: 'runs', help: 'Baton runs finished, by pattern, starting agent and status' }],
  ['baton_tool_calls', { kind: 'counter', unit: 'calls', help: 'Tool calls by agent, tool and outcome (ok, error, refused, cached, failed)' }],
  ['baton_handoffs', { kind: 'counter', unit: 'handoffs', help: 'Hand-offs between agents' }],
  ['baton_budget_stops', { kind: 'counter', unit: 'runs', help: 'Runs stopped by an agent budget (tokens or cost)' }],
  ['baton_approvals_requested', { kind: 'counter', unit: 'approvals', help: 'Tool calls that waited for approval' }],
  ['baton_approvals_decided', { kind: 'counter', unit: 'approvals', help: 'Approvals decided, by decision and by whom (person or timeout)' }],
  ['baton_approval_wait', { kind: 'histogram', unit: 'ms', help: 'How long decided approvals waited' }],
] as const);
/** What identifies the run that records: the labels the SDK's workflow meter gave its series. */
export interface RunLabels {
  namespace: string;
  taskQueue: string;
  workflowType: string;
}

/** The runtime's instrument for a run series of that kind, made once; undefined for a name Baton does not define so, or with no meter. */
function runInstrument(name: string, kind: 'counter' | 'histogram'): MetricCounter | MetricHistogram | undefined {
  const series = runSeries.get(name);
  if (!runtimeMeter || series?.kind !== kind) return undefined;
  let instrument = runInstruments.get(name);
  if (!instrument) {
    instrument = kind === 'counter' ? runtimeMeter.createCounter(name, series.unit, series.help) : runtimeMeter.createHistogram(name, 'int', series.unit, series.help);
    runInstruments.set(name, instrument);
  }
  return instrument;
}

/** One on a run counter (the `batonMetrics` sink's `count`), summed like the activities' counters. */
export function countForRun(run: RunLabels, name: string, baton: Record<string, string>): void {
  const counter = runInstrument(name, 'counter') as MetricCounter | undefined;
  if (counter) count(counter, 1, labelSet(run.namespace, run.taskQueue, 'workflowType', run.workflowType, baton));
}

/** A value on a run histogram (the `batonMetrics` sink's `record`), recorded at once. */
export function recordForRun(run: RunLabels, name: string, value: number, baton: Record<string, string>): void {
  const histogram = runInstrument(name, 'histogram') as MetricHistogram | undefined;
  if (histogram && Number.isFinite(value) && value >= 0) histogram.record(value, labelSet(run.namespace, run.taskQueue, 'workflowType', run.workflowType, baton));
}
