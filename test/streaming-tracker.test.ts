/** How a watcher turns streamed snapshots and the final result into text events: each character once, restarts told. */
import { describe, expect, it } from 'vitest';
import { CallTracker } from '../client/watch/call-tracker';
import type { WatchEvent } from '../client/watch';
import type { StreamSnapshot } from '../core';

const run = { workflowId: 'wf', runId: 'r1' };
const snap = (tail: string, extra: Partial<StreamSnapshot> = {}): StreamSnapshot => ({ kind: 'baton.stream', agent: 'writer', turn: 1, attempt: 1, restart: 0, seq: 1, offset: 0, tail, ...extra });

function tracker() {
  const events: WatchEvent[] = [];
  const calls = new CallTracker((e) => events.push(e));
  const key = CallTracker.key(run, '3');
  calls.scheduled(key, run, 'writer', 1);
  const summary = () => events.map((e) => (e.type === 'text' ? e.text : e.type === 'stream-restarted' ? `<restart ${e.attempt} ${e.reason}>` : `<${e.type}>`));
  return { calls, key, summary };
}

describe('CallTracker', () => {
  it('hands out each new piece once, then the rest from the result, and ignores what comes after', () => {
    const { calls, key, summary } = tracker();
    calls.snapshot(key, snap('Hel'));
    calls.snapshot(key, snap('Hel'));
    calls.snapshot(key, snap('Hello, wo', { seq: 2 }));
    calls.completed(key, 'Hello, world.');
    calls.snapshot(key, snap('Hello, world. And more', { seq: 3 }));
    expect(summary()).toEqual(['Hel', 'lo, wo', 'rld.']);
    expect(calls.isOpen(key)).toBe(false);
  });

  it('tells a restart when a retried attempt shows up after text, drops the old attempt\'s details, and starts the text again', () => {
    const { calls, key, summary } = tracker();
    calls.snapshot(key, snap('Draft one'));
    calls.attempt(key, 2);
    calls.snapshot(key, snap('Draft one, longer'));
    calls.snapshot(key, snap('Final', { attempt: 2 }));
    calls.completed(key, 'Final answer');
    expect(summary()).toEqual(['Draft one', '<restart 2 retry>', 'Final', ' answer']);
  });

  it('tells a failover restart within an attempt, and a result that does not continue what was shown', () => {
    const { calls, key, summary } = tracker();
    calls.snapshot(key, snap('From the first provider'));
    calls.snapshot(key, snap('From the sec', { restart: 1 }));
    calls.completed(key, 'Something else entirely');
    expect(summary()).toEqual(['From the first provider', '<restart 1 failover>', 'From the sec', '<restart 1 retry>', 'Something else entirely']);
  });

  it('skips ahead when the watcher fell behind a snapshot\'s tail, and says nothing about a retry before any text', () => {
    const { calls, key, summary } = tracker();
    calls.attempt(key, 2);
    calls.snapshot(key, snap('abc', { attempt: 2 }));
    calls.snapshot(key, snap('xyz', { attempt: 2, offset: 10 }));
    calls.completed(key, 'abcdefghijxyz!');
    expect(summary()).toEqual(['abc', 'xyz', '!']);
  });
});
