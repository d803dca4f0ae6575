/**
 * A pool's limits inside one worker: how many model and tool calls run at once (a semaphore in
 * front of each activity) and how fast each provider is called (a token bucket in front of each
 * request). A call over a limit waits in the worker, heartbeating, and stops waiting when cancelled.
 */
import { Context } from '@temporalio/activity';
import { withHeartbeats } from './heartbeats';
import type { CompleteOptions, ModelProvider } from './providers/provider';

/**
 * `promise`, or a rejection with the signal's reason once it aborts; the abort listener is
 * removed when either settles, so a long-lived signal does not collect one per wait.
 */
async function untilAborted<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) throw signal.reason;
  let onAbort = () => {};
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([promise, aborted]);
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}

/** At most `size` holders at once; the rest queue in arrival order. */
export class Semaphore {
  private active = 0;
  private readonly waiting: Array<() => void> = [];
  constructor(readonly size: number) {}

  /** Holders now. */
  get inUse(): number {
    return this.active;
  }

  /** Waits for a place; a waiter whose signal aborts leaves the queue. Resolves to its release. */
  async acquire(signal?: AbortSignal): Promise<() => void> {
    if (this.active < this.size) {
      this.active++;
      return this.releaser();
    }
    let grant: () => void = () => {};
    const granted = new Promise<void>((resolve) => (grant = resolve));
    this.waiting.push(grant);
    try {
      await untilAborted(granted, signal);
    } catch (err) {
      const at = this.waiting.indexOf(grant);
      if (at >= 0) this.waiting.splice(at, 1);
      else this.releaser()(); // granted and aborted together: give the place back
      throw err;
    }
    return this.releaser();
  }

  private releaser(): () => void {
    let done = false;
    return () => {
      if (done) return;
      done = true;
      const next = this.waiting.shift();
      if (next) next(); // the place passes straight to the next waiter
      else this.active--;
    };
  }
}

/** A token bucket: `ratePerSecond` tokens a second, at most `burst` saved up. */
export class TokenBucket {
  private tokens: number;
  private last: number;
  private queue: Promise<void> = Promise.resolve();
  constructor(
    readonly ratePerSecond: number,
    readonly burst: number,
    private readonly now: () => number = Date.now,
  ) {
    this.tokens = burst;
    this.last = now();
  }

  /** Waits until a token is free and takes it; callers are served in arrival order. */
  take(signal?: AbortSignal): Promise<void> {
    return this.inTurn(1, 1, signal);
  }

  /** Waits until the bucket is out of debt, then reserves `reserve` (maybe into debt): for costs settled afterwards with `charge`. */
  waitForCredit(reserve: number, signal?: AbortSignal): Promise<void> {
    return this.inTurn(Number.EPSILON, reserve, signal);
  }

  /** Takes `amount` now, going into debt if need be: later callers wait until it is paid back. */
  charge(amount: number): void {
    this.refill();
    this.tokens -= amount;
  }

  private inTurn(need: number, take: number, signal?: AbortSignal): Promise<void> {
    const turn = this.queue.then(() => this.waitFor(need, take, signal));
    this.queue = turn.catch(() => undefined);
    return turn;
  }

  private refill(): void {
    const now = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.ratePerSecond);
    this.last = now;
  }

  private async waitFor(need: number, take: number, signal?: AbortSignal): Promise<void> {
    for (;;) {
      if (signal?.aborted) throw signal.reason;
      this.refill();
      if (this.tokens >= need) {
        this.tokens -= take;
        return;
      }
      const waitMs = Math.max(1, Math.ceil(((need - this.tokens) / this.ratePerSecond) * 1000));
      await untilAborted(new Promise((r) => setTimeout(r, waitMs)), signal);
    }
  }
}

/**
 * A provider whose every request first waits for its buckets (failover steps included: each
 * provider has its own): `requests` gives one token per request; with `tokens`, a request waits
 * while the bucket is in debt and reserves the size of the last answer, settled to the answer's
 * real input and output tokens when it comes (given back when the call fails).
 */
export function rateLimitedProvider(provider: ModelProvider, buckets: { requests?: TokenBucket; tokens?: TokenBucket }): ModelProvider {
  let estimate = 0;
  return {
    kind: provider.kind,
    async complete(request, options: CompleteOptions) {
      await buckets.requests?.take(options.signal);
      const reserved = estimate;
      await buckets.tokens?.waitForCredit(reserved, options.signal);
      let used = 0;
      try {
        const completion = await provider.complete(request, options);
        used = completion.usage.inputTokens + completion.usage.outputTokens;
        estimate = used;
        return completion;
      } finally {
        buckets.tokens?.charge(used - reserved);
      }
    },
  };
}

/**
 * Runs an activity only while holding a place in `semaphore`; the wait heartbeats (so the call
 * is not timed out while it queues) and ends when the activity is cancelled.
 */
export function limitConcurrency<Args extends unknown[], Result>(activity: (...args: Args) => Promise<Result>, semaphore: Semaphore): (...args: Args) => Promise<Result> {
  return async (...args: Args) => {
    const release = await withHeartbeats(() => semaphore.acquire(Context.current().cancellationSignal));
    try {
      return await activity(...args);
    } finally {
      release();
    }
  };
}
