/** No-op activities for the baseline; they record when each model step starts, as Baton's do. */
import { recordStep } from './step-clock';
import { transferPrefix } from '../workflows/handoffs';

/** Agent turns per run of the agent-turn rows (BENCH_TURNS, default 20). */
export const benchTurns = Number(process.env.BENCH_TURNS ?? 20);

export async function bareModel(runKey: string, turn: number): Promise<{ turn: number }> {
  recordStep(runKey);
  return { turn };
}

export async function bareTool(_runKey: string, turn: number): Promise<{ ok: true; turn: number }> {
  return { ok: true, turn };
}

/** A message of the conversation the payload baseline carries, shaped as Baton's are (core/messages.ts). */
export type PayloadMessage =
  | { role: 'user'; content: string }
  | { role: 'assistant'; content: string; toolCalls: Array<{ id: string; name: string; arguments: { turn: number } | Record<string, never> }>; agent: string }
  | { role: 'tool'; toolCallId: string; name: string; content: string; isError: boolean };

/** What the payload baseline's model step is sent: Baton's model-call input by reference, or in full the first time. */
export interface PayloadModelInput {
  agent: { name: string; provider: string; model: string; instructions?: string };
  specRef?: string;
  tools?: Array<{ name: string; description: string; inputSchema: unknown }>;
  messages: PayloadMessage[];
  turn: number;
}

/**
 * The payload baselines' model step: a no-op like `bareModel`, answering as Baton's scripted model
 * does in the bench, with the usage and `servedBy` Baton's model activity returns (and `specRef`
 * for a call sent in full). Offered a transfer (the hand-off row's first agent): the transfer.
 * Offered the `noop` tool, or sent by reference (the agent-turn row): a `noop` call until
 * `benchTurns` tool results are in, then "done"; the step time is recorded under the run's key,
 * its first message. Otherwise (the agent handed to): "ok".
 */
export async function payloadModel(input: PayloadModelInput) {
  const transfer = input.tools?.find((t) => t.name.startsWith(transferPrefix));
  let toolCalls: Array<{ id: string; name: string; arguments: { turn: number } | Record<string, never> }> = [];
  let text = 'ok';
  if (transfer) toolCalls = [{ id: `call_${input.turn}_0`, name: transfer.name, arguments: {} }];
  else if (input.specRef || input.tools?.some((t) => t.name === 'noop')) {
    recordStep((input.messages[0] as { content: string }).content);
    const done = input.messages.filter((m) => m.role === 'tool').length;
    if (done < benchTurns) toolCalls = [{ id: `call_${input.turn}_0`, name: 'noop', arguments: { turn: done + 1 } }];
    text = 'done';
  }
  return {
    message: { role: 'assistant' as const, content: toolCalls.length ? '' : text, toolCalls, agent: input.agent.name },
    stopReason: toolCalls.length ? 'tool_calls' : 'end',
    usage: { inputTokens: 6, outputTokens: 14, costUsd: 0, latencyMs: 0, modelCalls: 1, toolCalls: 0 },
    servedBy: { provider: input.agent.provider, model: input.agent.model },
    ...(input.specRef ? {} : { specRef: `sha256:${'0'.repeat(64)}` }),
  };
}

/** The payload baseline's tool step: a no-op like `bareTool`, answering as Baton's tool activity does (the result as JSON text). */
export async function payloadTool(input: { tool: string; callId: string; arguments: { turn?: number }; agent: string; idempotencyKey: string }) {
  return { content: JSON.stringify({ ok: true, turn: input.arguments.turn }), isError: false };
}
