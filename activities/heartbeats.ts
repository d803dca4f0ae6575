/**
 * Automatic heartbeats for model and tool calls. With them every call can have a short
 * heartbeat timeout (10 s by default), so when a worker dies mid-call (kill -9, OOM, a lost
 * machine) the server retries the call on another worker after that timeout instead of
 * after the call's whole time limit, and tool authors need not call `ctx.heartbeat()`.
 */
import { Context } from '@temporalio/activity';

/**
 * How often to heartbeat: a quarter of the timeout (the SDK sends at most one heartbeat per
 * 80% of the timeout and keeps the latest details, so extra calls cost nothing), and every
 * 10 s without a timeout so cancellation still arrives.
 */
export function heartbeatIntervalMs(heartbeatTimeoutMs: number | undefined): number {
  if (!heartbeatTimeoutMs) return 10_000;
  return Math.min(10_000, Math.max(100, Math.floor(heartbeatTimeoutMs / 4)));
}

/**
 * Heartbeats while `work` runs, so a silent call stays alive and a cancelled run aborts it
 * promptly; the timer stops when `work` settles. `details` gives the latest heartbeat details
 * (a tool's own `ctx.heartbeat(details)`), so automatic beats never overwrite them.
 */
export async function withHeartbeats<T>(work: () => Promise<T>, details: () => unknown = () => undefined): Promise<T> {
  const ctx = Context.current();
  // A local activity (a `local: true` tool) has no heartbeats: the workflow's worker runs it.
  if (ctx.info.isLocal) return work();
  const timer = setInterval(() => ctx.heartbeat(details()), heartbeatIntervalMs(ctx.info.heartbeatTimeoutMs));
  try {
    return await work();
  } finally {
    clearInterval(timer);
  }
}
