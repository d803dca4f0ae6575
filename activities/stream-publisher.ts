/**
 * Publishes a streaming model call's text as the activity's heartbeat details, at most every
 * `streamPublishIntervalMs`, so watchers see it live without history growing per token: the
 * server keeps only the latest details of a pending activity and drops them once it completes.
 */
import type { StreamSnapshot } from '../core';

/** How often streamed text is published (the first piece goes out at once). */
export const streamPublishIntervalMs = 100;

/**
 * The worker's `maxHeartbeatThrottleInterval`: below the publish interval, so the SDK never
 * holds a batch back. Baton's automatic heartbeats keep their own, slower pace (./heartbeats.ts).
 */
export const heartbeatThrottleMs = 50;

/** Characters of text carried in one snapshot: a watcher more than this far behind skips ahead. */
export const streamTailChars = 8192;

/** One model-call attempt's streamed text. */
export class StreamPublisher {
  private text = '';
  private seq = 0;
  private restart = -1;
  private lastAt = -Infinity;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly send: (snapshot: StreamSnapshot) => void,
    private readonly call: { agent: string; turn: number; attempt: number },
    private readonly intervalMs = streamPublishIntervalMs,
  ) {}

  /** Starts the text of one provider's answer; a second start (failover) tells watchers it restarted. */
  begin(): (delta: string) => void {
    this.restart++;
    this.text = '';
    if (this.restart > 0) this.schedule();
    return (delta) => {
      if (!delta) return;
      this.text += delta;
      this.schedule();
    };
  }

  /** The latest snapshot, or undefined when nothing streamed (automatic heartbeats send it too). */
  snapshot(): StreamSnapshot | undefined {
    if (this.restart < 0) return undefined;
    const offset = Math.max(0, this.text.length - streamTailChars);
    return { kind: 'baton.stream', ...this.call, restart: this.restart, seq: this.seq, offset, tail: this.text.slice(offset) };
  }

  /** Stops publishing; the call's result in history carries the whole text. */
  close(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(): void {
    if (this.timer) return;
    const wait = this.lastAt + this.intervalMs - Date.now();
    if (wait <= 0) this.publish();
    else this.timer = setTimeout(() => ((this.timer = undefined), this.publish()), wait);
  }

  private publish(): void {
    this.lastAt = Date.now();
    this.seq++;
    const snapshot = this.snapshot();
    if (snapshot) this.send(snapshot);
  }
}
