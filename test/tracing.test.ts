import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { uniqueTaskQueue, uniqueWorkflowId } from './helpers/temporal';
import { startOtlpReceiver, type ReceivedSpan } from './helpers/otlp-receiver';
import { runTracingCli, startTracingWorker, tracingEnv, waitForSpans as waitFor } from './fixtures/telemetry/tracing-processes';
import { bundleWorkflowCode } from '@temporalio/worker';
import { getWorkflowBundle, tracingInterceptorModuleFor, workflowsPath } from '../workers/workflow-bundle';

// The `all` mode: Temporal's activity spans too (test/tracing-calls.test.ts covers the default, `calls`).
const triageQueue = uniqueTaskQueue('trace-a');
const solverQueue = uniqueTaskQueue('trace-b');
const workers: ChildProcess[] = [];
let receiver: Awaited<ReturnType<typeof startOtlpReceiver>>;

/** The OTEL_* settings every process gets: the receiver, short batches, its own service name; every span. */
const otelEnv = (service: string, extra: Record<string, string> = {}) => tracingEnv(receiver.endpoint, service, solverQueue, { BATON_TRACING_SPANS: 'all', ...extra });

const startWorker = (queue: string, env: NodeJS.ProcessEnv) => startTracingWorker(inject('temporalAddress'), queue, env, workers);

beforeAll(async () => {
  receiver = await startOtlpReceiver();
  // Two worker processes: A runs the workflow and triage's calls, B runs solver's model and tool calls.
  // B records prompts and completions (the operator's opt-in); A does not.
  await Promise.all([
    startWorker(triageQueue, otelEnv('baton-worker-a')),
    startWorker(solverQueue, otelEnv('baton-worker-b', { OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT: 'true' })),
  ]);
});
afterAll(async () => {
  workers.forEach((w) => w.kill('SIGTERM'));
  await receiver?.close();
});

const runCli = (args: string[], env: NodeJS.ProcessEnv) => runTracingCli(inject('temporalAddress'), args, env);
const waitForSpans = (ready: (spans: ReceivedSpan[]) => boolean) => waitFor(receiver.spans, ready);

describe('tracing (OTLP/HTTP)', () => {
  it('puts baton run, the workflow, both agents\' model calls and the tool call on one trace across two workers', async () => {
    const id = uniqueWorkflowId('trace');
    // Not spawnSync: the receiver lives in this process and must answer while the CLI runs.
    const run = await runCli(['run', 'triage', '--input', 'please shout something', '--wait', '--id', id, '-q', triageQueue], otelEnv('baton-cli'));
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toContain('The tool said SECRET PROMPT WORDS');

    const spans = await waitForSpans((all) => all.some((s) => s.name === 'RunWorkflow:agentWorkflow') && all.filter((s) => s.name.startsWith('chat ')).length >= 3 && all.some((s) => s.name === 'execute_tool shout'));
    const runSpan = spans.find((s) => s.name === 'baton run');
    expect(runSpan).toMatchObject({ service: 'baton-cli', parentSpanId: undefined, attributes: { 'gen_ai.agent.name': 'triage' } });
    const trace = spans.filter((s) => s.traceId === runSpan?.traceId);
    const byId = new Map(trace.map((s) => [s.spanId, s]));
    const parent = (span: ReceivedSpan | undefined) => (span?.parentSpanId ? byId.get(span.parentSpanId) : undefined);
    const one = (name: string, where: (s: ReceivedSpan) => boolean = () => true) => {
      const found = trace.filter((s) => s.name === name && where(s));
      expect(found, name).toHaveLength(1);
      return found[0] as ReceivedSpan;
    };

    // Client: baton run → StartWorkflow; worker A: RunWorkflow under it.
    const start = one('StartWorkflow:agentWorkflow');
    expect(parent(start)).toBe(runSpan);
    const workflow = one('RunWorkflow:agentWorkflow');
    expect(workflow.service).toBe('baton-worker-a');
    expect(parent(workflow)).toBe(start);
    expect(workflow.events.find((e) => e.name === 'baton.handoff')?.attributes).toMatchObject({ 'baton.handoff.from': 'triage', 'baton.handoff.to': 'solver' });

    // Each model call: chat span ← RunActivity (the worker that ran it) ← StartActivity (the workflow).
    const chats = trace.filter((s) => s.name.startsWith('chat '));
    expect(chats.map((s) => `${s.attributes['gen_ai.agent.name']}@${s.service}`).sort()).toEqual(['solver@baton-worker-b', 'solver@baton-worker-b', 'triage@baton-worker-a']);
    for (const chat of chats) {
      expect(chat.attributes).toMatchObject({ 'gen_ai.operation.name': 'chat', 'gen_ai.system': 'scripted', 'gen_ai.provider.name': 'scripted' });
      expect(parent(chat)?.name).toBe('RunActivity:callModel');
      expect(parent(chat)?.service).toBe(chat.service);
      expect(parent(parent(chat))?.name).toBe('StartActivity:callModel');
      expect(parent(parent(parent(chat)))).toBe(workflow);
    }
    const triage = one('chat scripted-triage');
    expect(triage.attributes).toMatchObject({ 'gen_ai.request.model': 'scripted-triage', 'gen_ai.usage.input_tokens': 100, 'gen_ai.usage.output_tokens': 10 });
    const solverTokens = trace.filter((s) => s.name === 'chat scripted-solver').map((s) => [s.attributes['gen_ai.usage.input_tokens'], s.attributes['gen_ai.usage.output_tokens']]);
    expect(solverTokens.sort()).toEqual([[200, 20], [300, 30]]);
    expect(trace.filter((s) => s.name === 'chat scripted-solver').map((s) => s.attributes['baton.cost_usd'] as number).reduce((a, b) => a + b, 0)).toBeCloseTo((500 * 3 + 50 * 15) / 1_000_000, 12);

    const tool = one('execute_tool shout');
    expect(tool).toMatchObject({ service: 'baton-worker-b', attributes: { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'shout', 'gen_ai.agent.name': 'solver', 'baton.tool.outcome': 'ok' } });
    expect(parent(tool)?.name).toBe('RunActivity:runTool');
    expect(parent(parent(parent(tool)))).toBe(workflow);

    // The progress polling of --wait makes no spans: no query spans on the client, no root query spans on the workers.
    expect(spans.filter((s) => s.name.startsWith('QueryWorkflow') || (s.name.startsWith('HandleQuery') && !s.parentSpanId)).map((s) => s.name)).toEqual([]);
    expect(spans.filter((s) => !s.parentSpanId).map((s) => s.name)).toEqual(['baton run']);

    // Content only where the operator turned it on (worker B); never on worker A or the client.
    const text = (s: ReceivedSpan) => JSON.stringify(s.attributes);
    expect(trace.filter((s) => s.service !== 'baton-worker-b' && /shout something|SECRET PROMPT/i.test(text(s))).map((s) => s.name)).toEqual([]);
    expect(triage.attributes['gen_ai.input.messages']).toBeUndefined();
    expect(String(one('chat scripted-solver', (s) => s.attributes['gen_ai.usage.input_tokens'] === 300).attributes['gen_ai.output.messages'])).toContain('The tool said SECRET PROMPT WORDS');
    expect(String(tool.attributes['gen_ai.tool.call.arguments'])).toContain('secret prompt words');
  });

  it('records an approval as events on the run\'s span, under the root span of a baton run without --wait', async () => {
    const id = uniqueWorkflowId('trace-approval');
    const started = await runCli(['run', 'payer', '--input', 'pay 5', '--id', id, '-q', triageQueue], otelEnv('baton-cli'));
    expect(started.status, started.stderr).toBe(0);
    const waiting = Date.now() + 20_000;
    let approved = await runCli(['approve', id, 'approval-1', '--as', 'ann'], otelEnv('baton-cli'));
    while (approved.status !== 0 && Date.now() < waiting) {
      await new Promise((r) => setTimeout(r, 300));
      approved = await runCli(['approve', id, 'approval-1', '--as', 'ann'], otelEnv('baton-cli'));
    }
    expect(approved.status, approved.stderr).toBe(0);

    const spans = await waitForSpans((all) => all.some((s) => s.name === 'RunWorkflow:agentWorkflow' && s.attributes.workflowId === id));
    const workflow = spans.find((s) => s.name === 'RunWorkflow:agentWorkflow' && s.attributes.workflowId === id);
    expect(workflow?.events.map((e) => e.name)).toEqual(expect.arrayContaining(['baton.approval.requested', 'baton.approval.decided']));
    expect(workflow?.events.find((e) => e.name === 'baton.approval.decided')?.attributes).toMatchObject({ 'gen_ai.agent.name': 'payer', 'gen_ai.tool.name': 'pay', 'baton.approval.decision': 'approved', 'baton.approval.by': 'person' });
    const root = spans.find((s) => s.spanId === spans.find((x) => x.name === 'StartWorkflow:agentWorkflow' && x.traceId === workflow?.traceId)?.parentSpanId);
    expect(root).toMatchObject({ name: 'baton run', service: 'baton-cli' });
  });

  it('nests each child run of a fan-out under its StartChildWorkflow span, with its own model and tool spans', async () => {
    const id = uniqueWorkflowId('trace-fan-out');
    const run = await runCli(['run', '--spec', path.join(__dirname, 'fixtures/telemetry/fan-out.yaml'), '--input', 'please shout something', '--wait', '--id', id, '-q', triageQueue], otelEnv('baton-cli'));
    expect(run.status, run.stderr).toBe(0);
    const root = () => receiver.spans.find((s) => s.name === 'baton run' && s.attributes['baton.spec'] === 'traced-fan-out');
    // The workflow spans end last (a run's span when the run completes), so wait for them too, not only for the calls.
    const inTrace = (all: ReceivedSpan[], name: (n: string) => boolean) => all.filter((s) => s.traceId === root()?.traceId && name(s.name)).length;
    const spans = await waitForSpans((all) => inTrace(all, (n) => n.startsWith('chat ')) >= 6 && inTrace(all, (n) => n === 'execute_tool shout') >= 2
      && inTrace(all, (n) => n === 'RunWorkflow:agentWorkflow') >= 2 && all.some((s) => s.name.startsWith('RunWorkflow:') && s.attributes.workflowId === id)
      && inTrace(all, (n) => n.startsWith('StartWorkflow:')) >= 1);
    const trace = spans.filter((s) => s.traceId === root()?.traceId);
    const byId = new Map(trace.map((s) => [s.spanId, s]));
    const parent = (span: ReceivedSpan | undefined) => (span?.parentSpanId ? byId.get(span.parentSpanId) : undefined);
    const specRun = trace.find((s) => s.name.startsWith('RunWorkflow:') && s.attributes.workflowId === id);
    expect(parent(parent(specRun))).toBe(root());
    const children = trace.filter((s) => s.name === 'RunWorkflow:agentWorkflow');
    expect(children).toHaveLength(2);
    for (const child of children) {
      expect(parent(child)?.name).toBe('StartChildWorkflow:agentWorkflow');
      expect(parent(parent(child))).toBe(specRun);
      const calls = trace.filter((s) => (s.name.startsWith('chat ') || s.name.startsWith('execute_tool ')) && parent(parent(parent(s))) === child);
      expect(calls.map((s) => s.name).sort()).toEqual(['chat scripted-solver', 'chat scripted-solver', 'chat scripted-triage', 'execute_tool shout']);
    }
    expect(trace.filter((s) => !s.parentSpanId).map((s) => s.name)).toEqual(['baton run']);
  });

  it('exports no span of a run whose trace the ratio sampler drops, and the whole tree of one it keeps', async () => {
    // Spans of the earlier tests' traces may still arrive (a loaded machine exports late); only new traces count here.
    const earlierTraces = new Set(receiver.spans.map((s) => s.traceId));
    // The client decides (ratio 0: never, 1: always); the workers keep their default and follow it.
    const sampled = (ratio: string) => otelEnv('baton-cli', { OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: ratio });
    const dropped = await runCli(['run', 'triage', '--input', 'please shout something', '--wait', '--id', uniqueWorkflowId('trace-dropped'), '-q', triageQueue], sampled('0'));
    expect(dropped.status, dropped.stderr).toBe(0);
    expect(dropped.stdout).toContain('The tool said SECRET PROMPT WORDS');
    const keptId = uniqueWorkflowId('trace-kept');
    const kept = await runCli(['run', 'triage', '--input', 'please shout something', '--wait', '--id', keptId, '-q', triageQueue], sampled('1'));
    expect(kept.status, kept.stderr).toBe(0);

    // Each worker exports in order, so once the kept run's tree is in, anything of the dropped run would be too.
    const keptTrace = () => receiver.spans.find((s) => s.name === 'RunWorkflow:agentWorkflow' && s.attributes.workflowId === keptId)?.traceId;
    const spans = await waitForSpans((all) => all.filter((s) => s.traceId === keptTrace()).length >= 15).then((all) => all.filter((s) => !earlierTraces.has(s.traceId)));
    expect(spans.filter((s) => s.traceId !== keptTrace()).map((s) => `${s.name}@${s.service}`)).toEqual([]);
    expect(spans.map((s) => s.name).sort()).toEqual([
      'RunActivity:callModel', 'RunActivity:callModel', 'RunActivity:callModel', 'RunActivity:runTool', 'RunWorkflow:agentWorkflow',
      'StartActivity:callModel', 'StartActivity:callModel', 'StartActivity:callModel', 'StartActivity:runTool', 'StartWorkflow:agentWorkflow',
      'baton run', 'chat scripted-solver', 'chat scripted-solver', 'chat scripted-triage', 'execute_tool shout',
    ]);
    const byId = new Map(spans.map((s) => [s.spanId, s]));
    // One tree: every span but the root has its parent in the trace.
    expect(spans.filter((s) => s.parentSpanId && !byId.has(s.parentSpanId)).map((s) => s.name)).toEqual([]);
    expect(spans.filter((s) => !s.parentSpanId).map((s) => s.name)).toEqual(['baton run']);
  });

  it('bundles the tracing workflow interceptors with the worker\'s settings, no disallowed module and no OpenTelemetry SDK, and keeps them out of the plain bundle', async () => {
    const warnings: string[] = [];
    const logger = { trace: () => undefined, debug: () => undefined, info: () => undefined, log: () => undefined, error: () => undefined, warn: (m: string) => void warnings.push(m) };
    const traced = await bundleWorkflowCode({ workflowsPath, logger, workflowInterceptorModules: [tracingInterceptorModuleFor({ spans: 'all', rootSampleRatio: 0.25 })] });
    expect(warnings).toEqual([]);
    // The settings reach the sandbox as the module's resource query, fixed in the bundle.
    expect(traced.code).toContain('var __resourceQuery = "?spans=all&rootSampleRatio=0.25"');
    // The sandbox's own small tracer: no OpenTelemetry SDK for every workflow execution to evaluate again.
    expect(traced.code).toContain('workflows/tracing-spans.ts');
    expect(traced.code).not.toContain('@opentelemetry');
    const plain = await bundleWorkflowCode({ workflowsPath, logger });
    expect(plain.code).not.toContain('tracing-spans');
    expect(plain.code).not.toContain('@opentelemetry');
  });

  it('preloads the tracing workflow modules in a tracing worker\'s bundle (once per workflow thread), and they hold no per-run state at their top level', async () => {
    const { code } = await getWorkflowBundle(undefined, { spans: 'calls', rootSampleRatio: 1 });
    const preload = /preloadModules = function preloadModules\(\) \{([^}]*)\}/.exec(code)?.[1] ?? '';
    expect(preload).toContain('workflows/tracing-interceptors.ts?spans=calls&rootSampleRatio=1');
    // Each execution's spans live in the RunTracer its interceptors() makes: a module-level let or var would be shared by every run of the thread.
    const stateful: string[] = [];
    for (const name of ['tracing-interceptors', 'tracing-spans', 'tracing-context', 'tracing-settings']) {
      const file = path.join(__dirname, '..', 'workflows', `${name}.ts`);
      const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest);
      for (const statement of source.statements) {
        if (ts.isVariableStatement(statement) && !(statement.declarationList.flags & ts.NodeFlags.Const)) stateful.push(`${name}: ${statement.getText(source).slice(0, 60)}`);
      }
    }
    expect(stateful).toEqual([]);
  }, 120_000);
});
