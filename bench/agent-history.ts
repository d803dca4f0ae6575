/**
 * Bench row: history bytes per turn of one agent run whose tool outputs grow every turn.
 * Inline, each turn would carry the whole conversation (quadratic, past the 50 MB history
 * limit by turn ~200); with the switch to the stored conversation, turn 200 costs what turn 1 does.
 */
import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { z } from 'zod';
import { defineTool } from '../activities';
import type { ScriptReply } from '../activities/providers/scripted';
import type { BatonClient } from '../client/baton-client';
import type { Message } from '../core';

/** Turns of the history row's run. */
export const historyTurns = 200;

/** Page n is about 1 KB + 96 bytes × n: 20 KB by turn 200. */
export const growingPage = defineTool({ name: 'growing_page', description: 'Fetches a page; each is longer than the last', input: z.object({ page: z.number() }), execute: ({ page }) => `page ${page}: ${'lorem '.repeat(160 + 16 * page)}` });

/** The scripted model's reply for the `history-reader` agent. */
export function historyReaderReply(messages: Message[]): ScriptReply {
  const done = messages.filter((m) => m.role === 'tool').length;
  return done < historyTurns ? { toolCalls: [{ name: 'growing_page', arguments: { page: done + 1 } }] } : { text: `read ${done} pages` };
}

/** Encoded history bytes of each turn (from one callModel scheduling to the next). */
export function historyBytesPerTurn(history: temporal.api.history.v1.IHistory): number[] {
  const events = history.events ?? [];
  const starts = events.flatMap((e, i) => (e.activityTaskScheduledEventAttributes?.activityType?.name === 'callModel' ? [i] : []));
  return starts.map((start, t) => events.slice(start, starts[t + 1] ?? events.length).reduce((n, e) => n + temporal.api.history.v1.HistoryEvent.encode(e).finish().length, 0));
}

/** Runs the `history-reader` agent once and prints turn 1 against turn 200. */
export async function benchAgentHistory(client: Client, baton: BatonClient): Promise<void> {
  const handle = await baton.startAgent('history-reader', 'Read every page.');
  await handle.result();
  const perTurn = historyBytesPerTurn(await client.workflow.getHandle(handle.workflowId).fetchHistory());
  const first = perTurn[0] ?? 0;
  const last = perTurn[historyTurns - 1] ?? 0;
  // The last turn also records the run's result; the largest other turn is the switch to the store.
  const peak = Math.max(...perTurn.slice(0, -1));
  console.log(`\n| agent run history bytes per turn, growing tool outputs (${perTurn.length} turns) | turn 1 | turn ${historyTurns} | ratio |`);
  console.log('|---|---|---|---|');
  console.log(`| bytes per turn (one turn, ${peak} bytes, moves the conversation to the store) | ${first} | ${last} | ${(last / first).toFixed(2)} |`);
}
