/**
 * `wait_for_run`'s live text: the run's streamed model output (see client/watch), sent to the
 * MCP client as progress notifications, batched so a fast model does not flood it.
 */
import type { Client } from '@temporalio/client';
import { watchRun } from '../watch';

/** How long text gathers before it is sent as one notification. */
export const textProgressBatchMs = 250;

/** How long a finished run's watch may take to read the end of its history. */
const drainMs = 5000;

/** Follows the run's text until `stop()`; each batch goes to `send` as `<agent>: <text>`. */
export function followTextProgress(client: Client, workflowId: string, send: (message: string) => Promise<void>): { stop(finished: boolean): Promise<void> } {
  const stopped = new AbortController();
  let speaker = '';
  let batch = '';
  let sending = Promise.resolve();
  const flush = () => {
    if (!batch) return;
    const message = batch;
    batch = '';
    sending = sending.then(() => send(message)).catch(() => undefined);
  };
  const timer = setInterval(flush, textProgressBatchMs);
  const done = (async () => {
    for await (const event of watchRun(client, client.options.namespace, workflowId, { signal: stopped.signal })) {
      if (event.type === 'stream-restarted') {
        flush();
        batch = `(${event.agent}'s answer restarted: attempt ${event.attempt})`;
        flush();
        speaker = '';
      }
      if (event.type !== 'text') continue;
      const who = `${event.run.runId}/${event.agent}/${event.turn}`;
      if (who !== speaker) {
        flush();
        speaker = who;
        batch = `${event.agent}: `;
      }
      batch += event.text;
    }
  })().catch(() => undefined);
  return {
    /** With `finished`, first lets the watch read the run's end (its last text), for at most `drainMs`. */
    async stop(finished: boolean) {
      if (finished) await Promise.race([done, new Promise((resolve) => setTimeout(resolve, drainMs))]);
      stopped.abort();
      await done;
      clearInterval(timer);
      flush();
      await sending;
    },
  };
}
