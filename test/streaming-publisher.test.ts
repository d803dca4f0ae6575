/** The pace of streamed text and of Baton's automatic heartbeats, now that the worker's own heartbeat throttle is short. */
import { describe, expect, it } from 'vitest';
import { heartbeatGapMs, heartbeatIntervalMs } from '../activities/heartbeats';
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
      const tick = heartbeatIntervalMs(timeout);
      const gap = heartbeatGapMs(timeout);
      let last = -Infinity;
      const beats: number[] = [];
      for (let n = 1; n <= 400; n++) {
        const now = n * tick + (n % 3 === 0 ? -0.05 : 0.05) * tick; // a tick early or late
        if (now - last < gap) continue;
        last = now;
        beats.push(now);
      }
      const gaps = beats.slice(1).map((b, i) => b - beats[i]!);
      expect(Math.max(...gaps, beats[0]!)).toBeLessThan(timeout * 0.9);
      expect(Math.min(...gaps)).toBeGreaterThanOrEqual(timeout * 0.5);
    }
  });
});
