/**
 * The scripted model, for tests and the offline demo. Strict mode plays ordered steps
 * and fails loudly on an unexpected call or on steps never consumed, so a test cannot
 * pass by accident; `respondWith` answers as a pure function of the request, so a
 * restarted worker answers exactly as the first one would.
 */
import { ApplicationFailure } from '@temporalio/common';
import { FailureType, type ModelRequest, type ToolCall } from '../../core';
import { classifyProviderError } from './errors';
import type { CompleteOptions, Completion, ModelProvider } from './provider';

export interface ScriptReply {
  text?: string;
  toolCalls?: Array<{ name: string; arguments: unknown; id?: string }>;
  usage?: { inputTokens: number; outputTokens: number };
  /** Waits this long first (stops early, with an abort, when the call is cancelled). */
  delayMs?: number;
  /** Fails the call as a provider would with this HTTP status (classified like a real error). */
  fail?: { status: number; message?: string; retryAfterSeconds?: number };
  /** When the call streams: hand the text over in pieces of `chunkChars` (default 4), one every `intervalMs`. */
  stream?: { intervalMs: number; chunkChars?: number };
}

export type ScriptResponder = (request: ModelRequest) => ScriptReply;

export interface ScriptStep {
  /** The agent this step is for; a call from another agent is a script mismatch. */
  agent?: string;
  reply: ScriptReply | ScriptResponder;
}

const roughTokens = (text: string) => Math.ceil(text.length / 4);

function abortable(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const timer = setTimeout(() => (signal.removeEventListener('abort', onAbort), resolve()), ms);
    const onAbort = () => (clearTimeout(timer), reject(signal.reason));
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** A streamed call: the text in pieces at the reply's rate (all at once without one). */
async function streamText(text: string, rate: ScriptReply['stream'], onText: (delta: string) => void, signal: AbortSignal): Promise<void> {
  const size = Math.max(1, rate?.chunkChars ?? 4);
  for (let at = 0; at < text.length; at += rate ? size : text.length) {
    if (at > 0 && rate?.intervalMs) await abortable(rate.intervalMs, signal);
    onText(text.slice(at, rate ? at + size : undefined));
  }
}

export class ScriptedModel implements ModelProvider {
  readonly kind = 'scripted';
  /**
   * The requests received, in order (including ones that then failed): the first
   * `ScriptedModel.keptCalls` of them, so a long-running scripted worker (the demo, the
   * benchmark's thousands of runs) does not keep every conversation it was sent.
   */
  readonly calls: ModelRequest[] = [];
  /** How many requests `calls` keeps. */
  static readonly keptCalls = 1000;
  /** Every request received, counted. */
  callCount = 0;
  private next = 0;

  constructor(
    private readonly steps: ScriptStep[] = [],
    private readonly responder?: ScriptResponder,
  ) {}

  /** A scripted model that answers every call with `responder(request)`. */
  static respondWith(responder: ScriptResponder): ScriptedModel {
    return new ScriptedModel([], responder);
  }

  /** Throws if steps were left unconsumed. */
  assertDone(): void {
    if (!this.responder && this.next < this.steps.length) {
      throw new Error(`scripted model: ${this.steps.length - this.next} of ${this.steps.length} steps were never called`);
    }
  }

  async complete(request: ModelRequest, { signal, onText }: CompleteOptions): Promise<Completion> {
    if (this.callCount++ < ScriptedModel.keptCalls) this.calls.push(request);
    const reply = this.replyFor(request);
    if (reply.delayMs) await abortable(reply.delayMs, signal);
    if (reply.fail) {
      const headers = new Headers(reply.fail.retryAfterSeconds !== undefined ? { 'retry-after': String(reply.fail.retryAfterSeconds) } : {});
      throw classifyProviderError({ status: reply.fail.status, headers, message: reply.fail.message ?? `scripted HTTP ${reply.fail.status}` }, { provider: 'scripted' });
    }
    if (!this.responder) this.next++;
    const toolCalls: ToolCall[] = (reply.toolCalls ?? []).map((call, i) => ({ id: call.id ?? `call_${request.turn}_${i}`, name: call.name, arguments: call.arguments }));
    const text = reply.text ?? '';
    if (onText) await streamText(text, reply.stream, onText, signal);
    const inputText = request.messages.map((m) => m.content).join('\n') + request.agent.instructions;
    return {
      message: { role: 'assistant', content: text, toolCalls },
      usage: reply.usage ?? { inputTokens: roughTokens(inputText), outputTokens: roughTokens(text + JSON.stringify(toolCalls)) },
      stopReason: toolCalls.length ? 'tool_calls' : 'end',
    };
  }

  private replyFor(request: ModelRequest): ScriptReply {
    if (this.responder) return this.responder(request);
    const step = this.steps[this.next];
    const where = `agent "${request.agent.name}", turn ${request.turn}`;
    if (!step) {
      throw ApplicationFailure.create({ type: FailureType.ScriptMismatch, nonRetryable: true, message: `scripted model: unexpected call (${where}); all ${this.steps.length} steps were used` });
    }
    if (step.agent && step.agent !== request.agent.name) {
      throw ApplicationFailure.create({ type: FailureType.ScriptMismatch, nonRetryable: true, message: `scripted model: step ${this.next + 1} is for agent "${step.agent}", but got a call from ${where}` });
    }
    return typeof step.reply === 'function' ? step.reply(request) : step.reply;
  }
}
