/**
 * What model and tool calls report: Prometheus series through the Temporal runtime's meter
 * (`call-metrics.ts`: the worker's exporter, so Baton's series sit beside the SDK's on one
 * endpoint), and one OpenTelemetry span per call with the GenAI semantic conventions, a child of
 * the activity's `RunActivity` span (or of the run's span, in `calls` mode). Without a metrics exporter or a tracer both are no-ops. Labels
 * are config names (agent, provider, model, tool) and fixed words; prompt and completion text go
 * on spans only when the operator turns `telemetry.tracing.recordContent` on. Outside a kept trace
 * (a dropped one, or an activity with no trace context) no span is made and no attribute built.
 */
import { SpanKind, SpanStatusCode, trace, TraceFlags, type Attributes, type Span } from '@opentelemetry/api';
import type { ModelRequest, ModelResponse, ToolRequest, ToolResult } from '../core';
import { recordModelAnswer, recordModelFailure, recordProviderRequest, recordToolAttempt } from './call-metrics';

const tracer = trace.getTracer('baton');
const content = { record: false };

/** Turns recording of prompts, completions, tool arguments and results on span attributes on or off (process-wide). */
export function recordContentOnSpans(on: boolean): void {
  content.record = on;
}

function failSpan(span: Span, err: unknown): void {
  span.recordException(err instanceof Error ? err : String(err));
  span.setStatus({ code: SpanStatusCode.ERROR, message: err instanceof Error ? err.message : String(err) });
  span.setAttribute('error.type', (err as { type?: string })?.type ?? (err instanceof Error ? err.name : 'Error'));
}

/**
 * One request to a provider (each step of a failover chain is one): `baton_model_calls` by the
 * provider and model asked and whether it answered, so a provider's error rate shows even when
 * a fallback answered for it.
 */
export function countProviderRequest(agent: string, candidate: { provider: string; model: string }, outcome: 'ok' | 'error'): void {
  recordProviderRequest(agent, candidate.provider, candidate.model, outcome);
}

/**
 * Runs `fn` inside an active span under the activity's context in a kept trace (its `RunActivity`
 * span, or in `calls` mode the run's span), or with none when nothing would record it (a dropped
 * trace, or no trace context): no span or attribute is built.
 */
function inCallSpan<T>(name: string, kind: SpanKind, attributes: () => Attributes, fn: (span: Span | undefined) => Promise<T>): Promise<T> {
  if (((trace.getActiveSpan()?.spanContext().traceFlags ?? TraceFlags.NONE) & TraceFlags.SAMPLED) === 0) return fn(undefined);
  return tracer.startActiveSpan(name, { kind, attributes: attributes() }, async (span) => {
    try {
      return await fn(span);
    } finally {
      span.end();
    }
  });
}

/** Runs one model call attempt inside a `chat <model>` span and records its tokens, cost and latency. */
export async function observeModelCall(request: ModelRequest, providerKind: string, call: () => Promise<ModelResponse>): Promise<ModelResponse> {
  const { name: agent, provider, model } = request.agent;
  const attributes = () => ({
    'gen_ai.operation.name': 'chat',
    'gen_ai.system': providerKind,
    'gen_ai.provider.name': providerKind,
    'gen_ai.request.model': model,
    'gen_ai.agent.name': agent,
    'baton.provider': provider,
    'baton.turn': request.turn,
  });
  return inCallSpan(`chat ${model}`, SpanKind.CLIENT, attributes, async (span) => {
    const started = Date.now();
    try {
      if (span && content.record) span.setAttribute('gen_ai.input.messages', JSON.stringify(request.messages));
      const response = await call();
      const { inputTokens, outputTokens, costUsd } = response.usage;
      // With failover, tokens and cost belong to the provider and model that answered.
      const served = response.servedBy ?? { provider, model };
      if (span) {
        span.setAttributes({ 'gen_ai.usage.input_tokens': inputTokens, 'gen_ai.usage.output_tokens': outputTokens, 'gen_ai.response.finish_reasons': [response.stopReason], 'baton.cost_usd': costUsd });
        if (content.record) span.setAttribute('gen_ai.output.messages', JSON.stringify([response.message]));
        if (response.servedBy) span.setAttributes({ 'gen_ai.response.model': served.model, 'baton.served_by': `${served.provider}/${served.model}` });
      }
      recordModelAnswer(agent, served.provider, served.model, response.usage);
      return response;
    } catch (err) {
      if (span) failSpan(span, err);
      recordModelFailure(agent, provider, model, Date.now() - started);
      throw err;
    }
  });
}

/** How one attempt of the tool activity ended: `failed` when it threw (Temporal retries it). */
function toolOutcome(result: ToolResult): 'ok' | 'error' | 'refused' | 'cached' {
  if (result.cached) return 'cached';
  if (result.errorKind === 'refused') return 'refused';
  return result.isError ? 'error' : 'ok';
}

/** Runs one tool call attempt inside an `execute_tool <tool>` span and records its latency by outcome. */
export async function observeToolCall(request: ToolRequest, call: () => Promise<ToolResult>): Promise<ToolResult> {
  const attributes = () => ({ 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': request.tool, 'gen_ai.tool.call.id': request.callId, 'gen_ai.agent.name': request.agent });
  return inCallSpan(`execute_tool ${request.tool}`, SpanKind.INTERNAL, attributes, async (span) => {
    const started = Date.now();
    let outcome = 'failed';
    try {
      if (span && content.record) span.setAttribute('gen_ai.tool.call.arguments', JSON.stringify(request.arguments ?? null));
      const result = await call();
      outcome = toolOutcome(result);
      if (span) {
        span.setAttribute('baton.tool.outcome', outcome);
        if (result.isError) span.setStatus({ code: SpanStatusCode.ERROR, message: `tool returned an error (${result.errorKind ?? 'error'})` });
        if (content.record) span.setAttribute('gen_ai.tool.call.result', result.content);
      }
      return result;
    } catch (err) {
      if (span) {
        failSpan(span, err);
        span.setAttribute('baton.tool.outcome', outcome);
      }
      throw err;
    } finally {
      recordToolAttempt(request.agent, request.tool, outcome, Date.now() - started);
    }
  });
}
