/**
 * Automatic heartbeats for model and tool calls. With them every call can have a short
 * heartbeat timeout (10 s by default), so when a worker dies mid-call (kill -9, OOM, a lost
 * machine) the server retries the call on another worker after that timeout instead of
 * after the call's whole time limit, and tool authors need not call `ctx.heartbeat()`.
 */
import { Context } from '@temporalio/activity';

/**
 * How often the timer ticks: a quarter of the timeout, and every 10 s without a timeout so
 * cancellation still arrives.
 */
export function heartbeatIntervalMs(heartbeatTimeoutMs: number | undefined): number {
  if (!heartbeatTimeoutMs) return 10_000;
  return Math.min(10_000, Math.max(100, Math.floor(heartbeatTimeoutMs / 4)));
}

/**
 * The least time between two automatic heartbeats: 3/4 of the timeout (30 s without one), less
 * half a tick so timer jitter never skips a beat past the timeout. The worker's own throttle is
 * short so streamed text goes out every 100 ms (./stream-publisher.ts); this keeps every other
 * call at about the pace the SDK's default gave it (one heartbeat per 80% of the timeout), not
 * one per tick: with the default 10 s timeout, beats at 2.5 s, 10 s, 17.5 s...
 */
export function heartbeatGapMs(heartbeatTimeoutMs: number | undefined): number {
  return Math.floor((heartbeatTimeoutMs ? (heartbeatTimeoutMs * 3) / 4 : 30_000) - heartbeatIntervalMs(heartbeatTimeoutMs) / 2);
}

/**
 * Heartbeats while `work` runs, so a silent call stays alive and a cancelled run aborts it
 * promptly; the timer stops when `work` settles. `details` gives the latest heartbeat details
 * (a tool's own `ctx.heartbeat(details)`, a model call's streamed text), so automatic beats
 * never overwrite them.
 */
export async function withHeartbeats<T>(work: () => Promise<T>, details: () => unknown = () => undefined): Promise<T> {
  const ctx = Context.current();
  // A local activity (a `local: true` tool) has no heartbeats: the workflow's worker runs it.
  if (ctx.info.isLocal) return work();
  const gap = heartbeatGapMs(ctx.info.heartbeatTimeoutMs);
  let last = -Infinity;
  const timer = setInterval(() => {
    if (Date.now() - last < gap) return;
    last = Date.now();
    ctx.heartbeat(details());
  }, heartbeatIntervalMs(ctx.info.heartbeatTimeoutMs));
  try {
    return await work();
  } finally {
    clearInterval(timer);
  }
}
