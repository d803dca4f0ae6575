import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { uniqueTaskQueue, uniqueWorkflowId } from './helpers/temporal';
import { startOtlpReceiver, type ReceivedSpan } from './helpers/otlp-receiver';
import { runTracingCli, startTracingWorker, traceTree, tracingEnv, waitForSpans as waitFor } from './fixtures/telemetry/tracing-processes';

// The default `calls` mode: runs and Baton's model and tool spans, no StartActivity / RunActivity spans.
// Worker C runs the workflows and triage's calls and keeps no trace that starts on it (ratio 0);
// worker D runs solver's calls and keeps every one (the default).
const triageQueue = uniqueTaskQueue('calls-c');
const solverQueue = uniqueTaskQueue('calls-d');
const workers: ChildProcess[] = [];
let receiver: Awaited<ReturnType<typeof startOtlpReceiver>>;

const otelEnv = (service: string, extra: Record<string, string> = {}) => tracingEnv(receiver.endpoint, service, solverQueue, extra);
const runCli = (args: string[], env: NodeJS.ProcessEnv) => runTracingCli(inject('temporalAddress'), args, env);
const waitForSpans = (ready: (spans: ReceivedSpan[]) => boolean) => waitFor(receiver.spans, ready);
const isActivitySpan = (s: ReceivedSpan) => s.name.startsWith('StartActivity:') || s.name.startsWith('RunActivity:');

beforeAll(async () => {
  receiver = await startOtlpReceiver();
  const started = await Promise.all([
    startTracingWorker(inject('temporalAddress'), triageQueue, otelEnv('baton-worker-c', { OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0' }), workers),
    startTracingWorker(inject('temporalAddress'), solverQueue, otelEnv('baton-worker-d'), workers),
  ]);
  expect(started.map((out) => /tracing: on \(OTLP\/HTTP, spans: (\w+)\)/.exec(out)?.[1])).toEqual(['calls', 'calls']);
});
afterAll(async () => {
  workers.forEach((w) => w.kill('SIGTERM'));
  await receiver?.close();
});

describe('tracing, calls mode (the default)', () => {
  it('puts both agents\' model calls and the tool call right under the run\'s span, with no activity spans, across two workers', async () => {
    const id = uniqueWorkflowId('calls');
    const run = await runCli(['run', 'triage', '--input', 'please shout something', '--wait', '--id', id, '-q', triageQueue], otelEnv('baton-cli'));
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toContain('The tool said SECRET PROMPT WORDS');

    const workflowOf = (all: ReceivedSpan[]) => all.find((s) => s.name === 'RunWorkflow:agentWorkflow' && s.attributes.workflowId === id);
    const inRun = (all: ReceivedSpan[], prefix: string) => all.filter((s) => s.traceId === workflowOf(all)?.traceId && s.name.startsWith(prefix)).length;
    const spans = await waitForSpans((all) => inRun(all, 'chat ') >= 3 && inRun(all, 'execute_tool ') >= 1 && inRun(all, 'baton run') === 1);
    const workflow = workflowOf(spans) as ReceivedSpan;
    const { trace, parent } = traceTree(spans, workflow.traceId);

    expect(trace.map((s) => s.name).sort()).toEqual(['RunWorkflow:agentWorkflow', 'StartWorkflow:agentWorkflow', 'baton run', 'chat scripted-solver', 'chat scripted-solver', 'chat scripted-triage', 'execute_tool shout']);
    expect(trace.filter(isActivitySpan)).toEqual([]);
    expect(workflow.service).toBe('baton-worker-c');
    // The run's identity from its WorkflowInfo, none of its objects (search attributes, memo, unsafe).
    expect(workflow.attributes).toMatchObject({ workflowType: 'agentWorkflow', taskQueue: triageQueue, namespace: 'default', attempt: 1 });
    expect(Object.keys(workflow.attributes)).not.toContain('unsafe');
    expect(parent(workflow)?.name).toBe('StartWorkflow:agentWorkflow');
    expect(parent(parent(workflow))).toMatchObject({ name: 'baton run', service: 'baton-cli', parentSpanId: undefined });
    expect(workflow.events.find((e) => e.name === 'baton.handoff')?.attributes).toMatchObject({ 'baton.handoff.from': 'triage', 'baton.handoff.to': 'solver' });

    // Each call's span is a child of the run's span, made by the worker that ran the call.
    const calls = trace.filter((s) => s.name.startsWith('chat ') || s.name.startsWith('execute_tool '));
    for (const call of calls) expect(parent(call)).toBe(workflow);
    expect(calls.map((s) => `${s.name}@${s.service}`).sort()).toEqual(['chat scripted-solver@baton-worker-d', 'chat scripted-solver@baton-worker-d', 'chat scripted-triage@baton-worker-c', 'execute_tool shout@baton-worker-d']);
    expect(trace.find((s) => s.name === 'chat scripted-triage')?.attributes).toMatchObject({ 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'scripted-triage', 'gen_ai.usage.input_tokens': 100, 'gen_ai.usage.output_tokens': 10 });
    expect(trace.filter((s) => s.name === 'chat scripted-solver').map((s) => [s.attributes['gen_ai.usage.input_tokens'], s.attributes['gen_ai.usage.output_tokens']]).sort()).toEqual([[200, 20], [300, 30]]);
    expect(trace.find((s) => s.name === 'execute_tool shout')?.attributes).toMatchObject({ 'gen_ai.tool.name': 'shout', 'gen_ai.agent.name': 'solver', 'baton.tool.outcome': 'ok' });
  });

  it('nests each child run of a fan-out under its StartChildWorkflow span, its calls right under the child run', async () => {
    const id = uniqueWorkflowId('calls-fan-out');
    const run = await runCli(['run', '--spec', path.join(__dirname, 'fixtures/telemetry/fan-out.yaml'), '--input', 'please shout something', '--wait', '--id', id, '-q', triageQueue], otelEnv('baton-cli'));
    expect(run.status, run.stderr).toBe(0);
    const specRunOf = (all: ReceivedSpan[]) => all.find((s) => s.name.startsWith('RunWorkflow:') && s.attributes.workflowId === id);
    const inTrace = (all: ReceivedSpan[], name: (n: string) => boolean) => all.filter((s) => s.traceId === specRunOf(all)?.traceId && name(s.name)).length;
    const spans = await waitForSpans((all) => inTrace(all, (n) => n.startsWith('chat ')) >= 6 && inTrace(all, (n) => n === 'execute_tool shout') >= 2
      && inTrace(all, (n) => n === 'RunWorkflow:agentWorkflow') >= 2 && inTrace(all, (n) => n === 'baton run') === 1);
    const specRun = specRunOf(spans);
    const { trace, parent } = traceTree(spans, specRun?.traceId);
    expect(parent(parent(specRun))?.name).toBe('baton run');
    const children = trace.filter((s) => s.name === 'RunWorkflow:agentWorkflow');
    expect(children).toHaveLength(2);
    for (const child of children) {
      expect(parent(child)?.name).toBe('StartChildWorkflow:agentWorkflow');
      expect(parent(parent(child))).toBe(specRun);
      const calls = trace.filter((s) => parent(s) === child && !s.name.startsWith('StartChildWorkflow:'));
      expect(calls.map((s) => s.name).sort()).toEqual(['chat scripted-solver', 'chat scripted-solver', 'chat scripted-triage', 'execute_tool shout']);
    }
    expect(trace.filter(isActivitySpan)).toEqual([]);
    expect(trace.filter((s) => !s.parentSpanId).map((s) => s.name)).toEqual(['baton run']);
  });

  it('keeps a run started with no trace context at the ratio of the worker that runs it: none at 0, the whole run at 1', async () => {
    const earlierTraces = new Set(receiver.spans.map((s) => s.traceId));
    const untraced = otelEnv('baton-cli', { OTEL_SDK_DISABLED: 'true' });
    // Worker C (ratio 0) runs this one, and worker D runs its solver calls: neither may make a span of it.
    const droppedId = uniqueWorkflowId('calls-root-dropped');
    const dropped = await runCli(['run', 'triage', '--input', 'please shout something', '--wait', '--id', droppedId, '-q', triageQueue], untraced);
    expect(dropped.status, dropped.stderr).toBe(0);
    // Worker D (every trace) runs this one from start to end: its RunWorkflow span is the root.
    const keptId = uniqueWorkflowId('calls-root-kept');
    const kept = await runCli(['run', 'solver', '--input', 'please shout something', '--wait', '--id', keptId, '-q', solverQueue], untraced);
    expect(kept.status, kept.stderr).toBe(0);
    // A traced run on worker C afterwards: each worker exports in order, so once its spans are in, the dropped run's would be too.
    const laterId = uniqueWorkflowId('calls-root-later');
    const later = await runCli(['run', 'triage', '--input', 'please shout something', '--wait', '--id', laterId, '-q', triageQueue], otelEnv('baton-cli'));
    expect(later.status, later.stderr).toBe(0);

    const traceOf = (all: ReceivedSpan[], id: string) => all.find((s) => s.name.startsWith('RunWorkflow:') && s.attributes.workflowId === id)?.traceId;
    const spans = await waitForSpans((all) => all.filter((s) => s.traceId === traceOf(all, keptId)).length >= 4 && all.filter((s) => s.traceId === traceOf(all, laterId)).length >= 7)
      .then((all) => all.filter((s) => !earlierTraces.has(s.traceId)));
    expect(spans.filter((s) => s.traceId !== traceOf(spans, keptId) && s.traceId !== traceOf(spans, laterId)).map((s) => `${s.name}@${s.service}`)).toEqual([]);
    const { trace, parent } = traceTree(spans, traceOf(spans, keptId));
    const root = trace.find((s) => !s.parentSpanId);
    expect(root).toMatchObject({ name: 'RunWorkflow:agentWorkflow', service: 'baton-worker-d', attributes: { workflowId: keptId } });
    expect(trace.filter((s) => s !== root).map((s) => `${s.name} <- ${parent(s)?.name}`).sort()).toEqual([
      'chat scripted-solver <- RunWorkflow:agentWorkflow', 'chat scripted-solver <- RunWorkflow:agentWorkflow', 'execute_tool shout <- RunWorkflow:agentWorkflow',
    ]);
  });
});
