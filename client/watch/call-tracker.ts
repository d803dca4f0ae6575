/**
 * The text of each model call a watcher follows, fed from two sides: streamed snapshots read
 * from the pending activity's heartbeat details, and the call's result once history records it.
 * It hands out each character once, and says when the text starts again (a retry, a failover).
 */
import type { StreamSnapshot } from '../../core';
import type { RunRef, WatchEvent } from './events';

interface TrackedCall {
  run: RunRef;
  agent: string;
  turn: number;
  attempt: number;
  restart: number;
  /** The text handed out for the current attempt (a prefix of its answer unless `skipped`). */
  text: string;
  /** Set when the watcher fell further behind than a snapshot's tail: `text` has a hole. */
  skipped: number;
  closed: boolean;
}

/** Text state of every model call in the watched runs, keyed by run and activity id. */
export class CallTracker {
  private readonly calls = new Map<string, TrackedCall>();

  constructor(private readonly emit: (event: WatchEvent) => void) {}

  static key(run: RunRef, activityId: string): string {
    return `${run.runId}/${activityId}`;
  }

  /** A model call was scheduled (from history). */
  scheduled(key: string, run: RunRef, agent: string, turn: number): void {
    if (!this.calls.has(key)) this.calls.set(key, { run, agent, turn, attempt: 1, restart: 0, text: '', skipped: 0, closed: false });
  }

  /** Whether a call is known and still open (the poller reads only those). */
  isOpen(key: string): boolean {
    return this.calls.get(key)?.closed === false;
  }

  /** Whether a run has a model call open: only those runs are worth describing for text. */
  hasOpenCall(runId: string): boolean {
    for (const call of this.calls.values()) if (!call.closed && call.run.runId === runId) return true;
    return false;
  }

  /** The server reports this attempt for the call: a higher one means it started again (told only if text was shown). */
  attempt(key: string, attempt: number): void {
    const call = this.calls.get(key);
    if (!call || call.closed || attempt <= call.attempt) return;
    const shown = call.text.length + call.skipped > 0;
    Object.assign(call, { attempt, restart: 0, text: '', skipped: 0 });
    if (shown) this.emit({ type: 'stream-restarted', run: call.run, agent: call.agent, turn: call.turn, attempt, reason: 'retry' });
  }

  /** A streamed snapshot from the call's heartbeat details. */
  snapshot(key: string, snapshot: StreamSnapshot): void {
    this.attempt(key, snapshot.attempt);
    const call = this.calls.get(key);
    if (!call || call.closed || snapshot.attempt !== call.attempt || snapshot.restart < call.restart) return;
    if (snapshot.restart > call.restart) {
      const shown = call.text.length + call.skipped > 0;
      Object.assign(call, { restart: snapshot.restart, text: '', skipped: 0 });
      if (shown) this.emit({ type: 'stream-restarted', run: call.run, agent: call.agent, turn: call.turn, attempt: call.attempt, reason: 'failover' });
    }
    const seen = call.text.length + call.skipped;
    const end = snapshot.offset + snapshot.tail.length;
    if (end <= seen) return;
    if (snapshot.offset > seen) call.skipped += snapshot.offset - seen;
    this.give(call, snapshot.tail.slice(Math.max(0, seen - snapshot.offset)));
  }

  /** The call's result is in history: hands out what the watcher has not seen yet, then closes it. */
  completed(key: string, content: string): void {
    const call = this.calls.get(key);
    if (!call || call.closed) return;
    if (!call.skipped && !content.startsWith(call.text)) {
      // The answer differs from what streamed (an attempt the watcher never saw restarted it).
      Object.assign(call, { text: '' });
      this.emit({ type: 'stream-restarted', run: call.run, agent: call.agent, turn: call.turn, attempt: call.attempt, reason: 'retry' });
    }
    this.give(call, content.slice(call.text.length + call.skipped));
    call.closed = true;
  }

  /** The call failed for good (its failure ends the run or goes back to the workflow). */
  closed(key: string): void {
    const call = this.calls.get(key);
    if (call) call.closed = true;
  }

  private give(call: TrackedCall, text: string): void {
    if (!text) return;
    call.text += text;
    this.emit({ type: 'text', run: call.run, agent: call.agent, turn: call.turn, text });
  }
}
