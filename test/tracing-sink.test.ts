import { Resource } from '@opentelemetry/resources';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { SerializableSpan } from '@temporalio/interceptors-opentelemetry/lib/workflow/definitions';
import type { WorkflowInfo } from '@temporalio/workflow';
import { describe, expect, it } from 'vitest';
import { runAttributes, workflowSpanSinks } from '../workers/tracing-sink';

// What the SDK hands a sink: the run's WorkflowInfo as the worker thread sent it (dates, nested
// objects, the main thread's unsafe.now and random put back).
const info = {
  workflowId: 'wf-1', runId: 'run-1', workflowType: 'agentWorkflow', taskQueue: 'q', namespace: 'default',
  firstExecutionRunId: 'run-1', originalExecutionRunId: 'run-1', continuedFromExecutionRunId: undefined, attempt: 2,
  historyLength: 21, historySize: 6534, continueAsNewSuggested: false, taskTimeoutMs: 10_000, executionTimeoutMs: undefined,
  currentBuildId: 'build-7', cronSchedule: undefined, startTime: new Date(0), runStartTime: new Date(0),
  searchAttributes: { BatonAgent: ['runner'] }, memo: {}, parent: { workflowId: 'p', runId: 'pr', namespace: 'default' },
  unsafe: { isReplaying: false, isReplayingHistoryEvents: false, now: Date.now },
} as unknown as WorkflowInfo;

const sandboxSpan = (over: Partial<SerializableSpan> = {}): SerializableSpan => ({
  name: 'RunWorkflow:agentWorkflow', kind: 0,
  spanContext: { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: 1 },
  parentSpanId: '00f067aa0ba902b7', startTime: [10, 5], endTime: [11, 0], duration: [0, 999_999_995],
  status: { code: 1 }, attributes: { temporalUpdateId: 'u-1' }, links: [],
  events: [{ name: 'baton.handoff', attributes: { 'baton.handoff.to': 'solver' }, time: [10, 7], droppedAttributesCount: 0 }],
  ended: true, droppedAttributesCount: 0, droppedLinksCount: 0, droppedEventsCount: 0,
  instrumentationLibrary: { name: '@temporalio/interceptor-workflow' },
  ...over,
});

function exportThroughSink(spans: SerializableSpan[]) {
  const exporter = new InMemorySpanExporter();
  const resource = new Resource({ 'service.name': 'baton-worker' });
  workflowSpanSinks(new SimpleSpanProcessor(exporter), resource).exporter.export.fn(info, spans);
  return { spans: exporter.getFinishedSpans(), resource };
}

describe('workflowSpanSinks', () => {
  it('hands each sandbox span to the processor with its ids, parent, times, status, events and attributes, under the given resource', () => {
    const { spans, resource } = exportThroughSink([sandboxSpan(), sandboxSpan({ name: 'StartChildWorkflow:agentWorkflow', spanContext: { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'c7ad6b7169203332', traceFlags: 1, traceState: 'vendor=x' } })]);
    expect(spans.map((s) => s.name)).toEqual(['RunWorkflow:agentWorkflow', 'StartChildWorkflow:agentWorkflow']);
    const [run, child] = spans;
    expect(run?.spanContext()).toMatchObject({ traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: 1 });
    expect(run).toMatchObject({ parentSpanId: '00f067aa0ba902b7', startTime: [10, 5], endTime: [11, 0], status: { code: 1 }, instrumentationLibrary: { name: '@temporalio/interceptor-workflow' } });
    expect(run?.events).toEqual([{ name: 'baton.handoff', attributes: { 'baton.handoff.to': 'solver' }, time: [10, 7], droppedAttributesCount: 0 }]);
    expect(run?.resource).toBe(resource);
    expect(child?.spanContext().traceState?.get('vendor')).toBe('x');
  });

  it('adds the run\'s identity (the WorkflowInfo fields holding a string, number or boolean) and none of its objects, dates or functions', () => {
    const [run] = exportThroughSink([sandboxSpan()]).spans;
    expect(run?.attributes).toEqual({
      temporalUpdateId: 'u-1', workflowId: 'wf-1', runId: 'run-1', workflowType: 'agentWorkflow', taskQueue: 'q', namespace: 'default',
      firstExecutionRunId: 'run-1', originalExecutionRunId: 'run-1', attempt: 2, historyLength: 21, historySize: 6534,
      continueAsNewSuggested: false, taskTimeoutMs: 10_000, currentBuildId: 'build-7',
    });
  });

  it('keeps the sandbox\'s own attribute where a WorkflowInfo field has the same name', () => {
    expect(runAttributes(info).workflowId).toBe('wf-1');
    const [span] = exportThroughSink([sandboxSpan({ attributes: { workflowId: 'from-the-span' } })]).spans;
    expect(span?.attributes.workflowId).toBe('from-the-span');
  });
});
