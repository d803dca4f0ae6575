/**
 * `local: true` tool calls as the watch sees them. A local activity leaves no scheduled event
 * in history, only a `core_local_activity` marker once it has finished: its sequence number,
 * its result and its summary (`tool <name> · …`), but not its input. So the watch tells a local
 * call when it ends (`tool-call` then `tool-result`), taking the call id and arguments from the
 * model response that asked for it. Calls of one turn are scheduled in the order the model gave
 * them, so when one turn calls the same local tool several times, the markers are held until
 * all of them are in and paired with the calls in sequence-number order.
 */
import type { temporal } from '@temporalio/proto';
import type { ModelResponse, ToolResult } from '../../core';
import type { RunRef, WatchEvent } from './events';
import type { WatchSession } from './watch-session';

/** The marker name the Temporal SDK core gives a local activity's result. */
export const localActivityMarker = 'core_local_activity';

interface AskedCall {
  agent: string;
  callId: string;
  tool: string;
  arguments: unknown;
}

/** One finished local tool call, read from its marker. */
export interface LocalToolEnd {
  seq: number;
  tool: string;
  /** The agent, from the summary, for calls no model response asked for (a tool plan's steps). */
  agent: string;
  /** A tool plan step's id (`… · step <id>` in the summary). */
  stepId?: string;
  /** Undefined when the call failed for good (as for other tool activities, no result is told). */
  result?: ToolResult;
}

/** The tool, agent and plan step a runTool summary names: `tool <name> · <agent> · turn <n>` or `tool <name> · plan <label> · step <id>`. */
export function parseToolSummary(summary: string): { tool: string; agent: string; stepId?: string } | undefined {
  const match = /^tool (\S+) · (.*)$/.exec(summary);
  if (!match) return undefined;
  const rest = match[2] as string;
  const step = /^plan .* · step (\S+)$/.exec(rest);
  return { tool: match[1] as string, agent: step ? '' : rest.replace(/ · turn \d+$/, ''), ...(step ? { stepId: step[1] as string } : {}) };
}

/** The finished local tool call a marker event records; undefined for other markers and for a failed attempt that will be retried. */
export async function readLocalToolEnd(session: WatchSession, event: temporal.api.history.v1.IHistoryEvent): Promise<LocalToolEnd | undefined> {
  const marker = event.markerRecordedEventAttributes;
  const details = marker?.details;
  if (marker?.markerName !== localActivityMarker || !details || !Object.hasOwn(details, 'data')) return undefined;
  const data = await session.decode<{ seq?: number; activity_type?: string; backoff?: unknown }>(details.data?.payloads);
  if (data.activity_type !== 'runTool' || typeof data.seq !== 'number' || data.backoff) return undefined;
  const summary = event.userMetadata?.summary ? await session.decode<unknown>([event.userMetadata.summary]) : undefined;
  const named = typeof summary === 'string' ? parseToolSummary(summary) : undefined;
  if (!named) return undefined;
  const result = !marker.failure && Object.hasOwn(details, 'result') ? await session.decode<ToolResult>(details.result?.payloads) : undefined;
  return { seq: data.seq, ...named, ...(result ? { result } : {}) };
}

/** The local tool calls of one followed run. */
export class LocalToolCalls {
  private asked: AskedCall[] = [];
  private ended: LocalToolEnd[] = [];
  private lastAgent = '';

  constructor(private readonly run: RunRef) {}

  /** A model call was scheduled: the previous turn's tools are done, so what is still held is told. */
  turnStarted(): WatchEvent[] {
    const held = this.flush();
    this.asked = [];
    return held;
  }

  /** A model call answered: the tool calls it asked for may run locally. */
  modelAnswered(agent: string, response: ModelResponse): void {
    this.lastAgent = agent;
    this.asked = response.message.toolCalls.map((call) => ({ agent, callId: call.id, tool: call.name, arguments: call.arguments }));
  }

  /** A call was scheduled as an ordinary activity: it is not local. */
  scheduledRemotely(callId: string): void {
    this.asked = this.asked.filter((call) => call.callId !== callId);
  }

  /** A local tool call finished: what can be told now. */
  finished(end: LocalToolEnd): WatchEvent[] {
    this.ended.push(end);
    const asked = this.asked.filter((call) => call.tool === end.tool).length;
    const ended = this.ended.filter((e) => e.tool === end.tool).length;
    return asked <= ended ? this.pair(end.tool) : [];
  }

  /** Tells every held call: a new turn began, or the run closed. */
  flush(): WatchEvent[] {
    return [...new Set(this.ended.map((e) => e.tool))].flatMap((tool) => this.pair(tool));
  }

  /** Pairs the tool's ended calls, by sequence number, with the calls the model asked for, in order. */
  private pair(tool: string): WatchEvent[] {
    const ends = this.ended.filter((e) => e.tool === tool).sort((a, b) => a.seq - b.seq);
    this.ended = this.ended.filter((e) => e.tool !== tool);
    const events: WatchEvent[] = [];
    for (const end of ends) {
      const index = this.asked.findIndex((call) => call.tool === tool);
      const call = index >= 0 ? this.asked.splice(index, 1)[0] : undefined;
      const agent = call?.agent ?? (end.agent || this.lastAgent);
      const callId = call?.callId ?? end.stepId ?? '';
      events.push({ type: 'tool-call', run: this.run, agent, tool, callId, arguments: call?.arguments });
      if (end.result) events.push({ type: 'tool-result', run: this.run, agent, tool, callId, content: end.result.content, isError: end.result.isError });
    }
    return events;
  }
}
