/** The pace of streamed text and of Baton's automatic heartbeats (one shared timer), now that the worker's own heartbeat throttle is short. */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { asyncLocalStorage, Context, type Info } from '@temporalio/activity';
import { noopMetricMeter } from '@temporalio/common';
import { firstHeartbeatMs, heartbeatGapMs, heartbeatTickMs, heartbeatTimerRunning, withHeartbeats } from '../activities/heartbeats';
import { StreamPublisher, streamTailChars } from '../activities/stream-publisher';
import type { StreamSnapshot } from '../core';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('StreamPublisher', () => {
  it('publishes the first text at once, then at most one batch per interval with the text so far', async () => {
    const sent: Array<StreamSnapshot & { at: number }> = [];
    const publisher = new StreamPublisher((s) => sent.push({ ...s, at: Date.now() }), { agent: 'a', turn: 2, attempt: 1 }, 100);
    const onText = publisher.begin();
    const start = Date.now();
    onText('Hel');
    expect(sent).toHaveLength(1);
    for (const piece of ['lo', ', ', 'wor', 'ld']) {
      await sleep(30);
      onText(piece);
    }
    await sleep(150);
    publisher.close();
    const elapsed = Date.now() - start;
    expect(sent[0]).toMatchObject({ tail: 'Hel', seq: 1 });
    expect(sent.at(-1)).toMatchObject({ tail: 'Hello, world', seq: sent.length });
    const gaps = sent.slice(1).map((s, i) => s.at - sent[i]!.at);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(95);
    expect(sent.length).toBeLessThanOrEqual(1 + Math.ceil(elapsed / 100));
    expect(sent[1]).toMatchObject({ kind: 'baton.stream', agent: 'a', turn: 2, attempt: 1, restart: 0, offset: 0 });
  });

  it('carries a bounded tail with its offset, and a failover restarts the text with a new restart number', () => {
    const sent: StreamSnapshot[] = [];
    const publisher = new StreamPublisher((s) => sent.push(s), { agent: 'a', turn: 1, attempt: 3 }, 0);
    const first = publisher.begin();
    first('x'.repeat(streamTailChars + 500));
    expect(sent.at(-1)).toMatchObject({ offset: 500, attempt: 3 });
    expect(sent.at(-1)!.tail).toHaveLength(streamTailChars);
    const second = publisher.begin();
    expect(sent.at(-1)).toMatchObject({ restart: 1, offset: 0, tail: '' });
    second('again');
    expect(publisher.snapshot()).toMatchObject({ restart: 1, offset: 0, tail: 'again' });
    publisher.close();
  });
});

describe('automatic heartbeats', () => {
  it('beat about once per 3/4 of the timeout, never leave a gap near the timeout, whatever the timer jitter', () => {
    for (const timeout of [400, 1000, 2000, 10_000, 60_000, 300_000]) {
      const gap = heartbeatGapMs(timeout);
      // The shared timer ticks every heartbeatTickMs, a little early or late; the call starts between two ticks.
      let last = 37 - gap + firstHeartbeatMs(timeout);
      const beats: number[] = [];
      for (let n = 1; n <= 4000; n++) {
        const now = n * heartbeatTickMs + (n % 3 === 0 ? -0.05 : 0.05) * heartbeatTickMs;
        if (now - last < gap) continue;
        last = now;
        beats.push(now - 37);
      }
      const gaps = beats.slice(1).map((b, i) => b - beats[i]!);
      expect(beats[0]!).toBeLessThanOrEqual(Math.max(timeout / 4, heartbeatTickMs) + heartbeatTickMs);
      expect(Math.max(...gaps)).toBeLessThan(timeout * 0.9);
      expect(Math.min(...gaps)).toBeGreaterThanOrEqual(timeout * 0.5);
    }
  });

  describe('one timer for every call', () => {
    beforeEach(() => void vi.useFakeTimers());
    afterEach(() => void vi.useRealTimers());

    /** Runs `work` as an activity with this heartbeat timeout, recording its heartbeats' times and details. */
    function asActivity<T>(heartbeatTimeoutMs: number, beats: Array<{ at: number; details: unknown }>, work: () => Promise<T>): Promise<T> {
      const info = { heartbeatTimeoutMs, isLocal: false, attempt: 1 } as unknown as Info;
      const ctx = new Context(info, new Promise<never>(() => undefined), new AbortController().signal, (details?: unknown) => void beats.push({ at: Date.now(), details }), undefined, console as never, noopMetricMeter, {} as never);
      return asyncLocalStorage.run(ctx, work);
    }

    it('beats each running call at its pace with its latest details, and stops a second after the last call', async () => {
      const started = Date.now();
      const beats: Array<Array<{ at: number; details: unknown }>> = [[], [], []];
      const finish: Array<() => void> = [];
      const calls = [400, 1000, 10_000].map((timeout, i) =>
        asActivity(timeout, beats[i]!, () => withHeartbeats(() => new Promise<void>((resolve) => finish.push(resolve)), () => ({ call: i }))),
      );
      expect(heartbeatTimerRunning()).toBe(true);
      expect(vi.getTimerCount()).toBe(1);
      await vi.advanceTimersByTimeAsync(30_000);
      for (const [i, timeout] of [400, 1000, 10_000].entries()) {
        const times = [started, ...beats[i]!.map((b) => b.at)];
        const gaps = times.slice(1).map((t, k) => t - times[k]!);
        expect(gaps.length).toBeGreaterThan(2);
        expect(Math.max(...gaps)).toBeLessThan(timeout * 0.9);
        expect(beats[i]!.every((b) => (b.details as { call: number }).call === i)).toBe(true);
      }
      for (const resolve of finish) resolve();
      await Promise.all(calls);
      const counted = beats.map((b) => b.length);
      await vi.advanceTimersByTimeAsync(5_000);
      expect(beats.map((b) => b.length)).toEqual(counted);
      expect(heartbeatTimerRunning()).toBe(false);
      expect(vi.getTimerCount()).toBe(0);
    });

    it('keeps the one timer while calls shorter than a tick keep coming, and stops it a second after the last', async () => {
      const beats: Array<{ at: number; details: unknown }> = [];
      const setIntervalCalls = vi.spyOn(globalThis, 'setInterval');
      for (let i = 0; i < 10; i++) {
        await asActivity(10_000, beats, () => withHeartbeats(async () => 'done'));
        await vi.advanceTimersByTimeAsync(600);
        expect(heartbeatTimerRunning()).toBe(true);
      }
      expect(setIntervalCalls).toHaveBeenCalledTimes(1);
      await vi.advanceTimersByTimeAsync(500);
      expect(heartbeatTimerRunning()).toBe(false);
      expect(beats).toEqual([]);
      setIntervalCalls.mockRestore();
    });

    it('gives a hundred calls at once one timer, and a call that settles at once no beat', async () => {
      const beats: Array<{ at: number; details: unknown }> = [];
      const many = Array.from({ length: 100 }, () => asActivity(10_000, beats, () => withHeartbeats(() => new Promise((r) => setTimeout(r, 3_000)))));
      expect(vi.getTimerCount()).toBe(1 + 100);
      await vi.advanceTimersByTimeAsync(3_000);
      await Promise.all(many);
      expect(beats).toHaveLength(100);
      await asActivity(10_000, beats, () => withHeartbeats(async () => 'done'));
      await vi.advanceTimersByTimeAsync(10_000);
      expect(beats).toHaveLength(100);
    });
  });
});
