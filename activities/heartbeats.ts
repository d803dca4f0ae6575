/**
 * Automatic heartbeats for model and tool calls. With them every call can have a short
 * heartbeat timeout (10 s by default), so when a worker dies mid-call (kill -9, OOM, a lost
 * machine) the server retries the call on another worker after that timeout instead of
 * after the call's whole time limit, and tool authors need not call `ctx.heartbeat()`.
 */
import { Context } from '@temporalio/activity';

/**
 * How often the worker's one heartbeat timer looks at the calls running: every call that
 * heartbeats shares it (a timer of its own per call cost a timer set up and torn down per model
 * and tool call, which the profile showed on every activity).
 */
export const heartbeatTickMs = 100;

/**
 * The least time between two automatic heartbeats of one call: 3/4 of the heartbeat timeout (30 s
 * without one, so cancellation still arrives) less one tick, so a beat is never later than that
 * and a tick, whatever the timer jitter; at least half the timeout. The worker's own throttle is
 * short so streamed text goes out every 100 ms (./stream-publisher.ts); this keeps every other
 * call at about the pace the SDK's default gave it (one heartbeat per 80% of the timeout), not
 * one per tick: with the default 10 s timeout, beats at about 2.5 s, 10 s, 17.5 s...
 */
export function heartbeatGapMs(heartbeatTimeoutMs: number | undefined): number {
  if (!heartbeatTimeoutMs) return 30_000 - heartbeatTickMs;
  return Math.floor(Math.max(heartbeatTimeoutMs / 2, (heartbeatTimeoutMs * 3) / 4 - heartbeatTickMs));
}

/**
 * When a call's first beat goes out: a quarter of the timeout (at least a tick, at most 10 s,
 * and 10 s without a timeout), so a cancelled run's long call hears of it early.
 */
export function firstHeartbeatMs(heartbeatTimeoutMs: number | undefined): number {
  if (!heartbeatTimeoutMs) return 10_000;
  return Math.min(10_000, Math.max(heartbeatTickMs, Math.floor(heartbeatTimeoutMs / 4)));
}

/** A call that heartbeats: when it last did, how long it waits between beats, what it sends. */
interface Beating {
  ctx: Context;
  gap: number;
  last: number;
  details(): unknown;
}

const beating = new Set<Beating>();
let timer: NodeJS.Timeout | undefined;
/** Ticks in a row that found no call running since the last call began: the timer stops after a second of them. */
let idleTicks = 0;

function tick(): void {
  if (beating.size === 0) {
    if (++idleTicks >= 1000 / heartbeatTickMs) {
      clearInterval(timer);
      timer = undefined;
    }
    return;
  }
  idleTicks = 0;
  const now = Date.now();
  for (const call of beating) {
    if (now - call.last < call.gap) continue;
    call.last = now;
    call.ctx.heartbeat(call.details());
  }
}

/** Whether the shared heartbeat timer is running (for tests). */
export function heartbeatTimerRunning(): boolean {
  return timer !== undefined;
}

/**
 * Heartbeats while `work` runs, so a silent call stays alive and a cancelled run aborts it
 * promptly; its beats stop when `work` settles. `details` gives the latest heartbeat details
 * (a tool's own `ctx.heartbeat(details)`, a model call's streamed text), so automatic beats
 * never overwrite them. The first beat goes out after `firstHeartbeatMs`, the next ones a gap
 * apart. One timer, kept a second past the last call (unref'd: it never holds the process),
 * serves every call.
 */
export async function withHeartbeats<T>(work: () => Promise<T>, details: () => unknown = () => undefined): Promise<T> {
  const ctx = Context.current();
  // A local activity (a `local: true` tool) has no heartbeats: the workflow's worker runs it.
  if (ctx.info.isLocal) return work();
  const timeout = ctx.info.heartbeatTimeoutMs;
  const gap = heartbeatGapMs(timeout);
  // As if it had beaten just so long ago that its first beat is due `firstHeartbeatMs` from now.
  const call: Beating = { ctx, gap, last: Date.now() - gap + firstHeartbeatMs(timeout), details };
  beating.add(call);
  // A second past the last call, not past the last tick that saw one: calls shorter than a tick (most)
  // are never seen by one, and would otherwise stop and restart the timer every second under load.
  idleTicks = 0;
  if (!timer) {
    timer = setInterval(tick, heartbeatTickMs);
    timer.unref();
  }
  try {
    return await work();
  } finally {
    beating.delete(call);
  }
}
