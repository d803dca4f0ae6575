import { describe, expect, it } from 'vitest';
import { Semaphore, TokenBucket } from '../activities/pool-limits';

describe('Semaphore', () => {
  it('lets `size` holders in, queues the rest in order, and drops a waiter whose signal aborts', async () => {
    const gate = new Semaphore(1);
    const order: string[] = [];
    const release = await gate.acquire();
    const abort = new AbortController();
    const cancelled = gate.acquire(abort.signal).then(() => order.push('cancelled'), () => order.push('gave up'));
    const next = gate.acquire().then((r) => (order.push('next'), r));
    abort.abort(new Error('cancelled'));
    await cancelled;
    expect(gate.inUse).toBe(1);
    release();
    release(); // a second release of the same place is ignored
    (await next)();
    expect(order).toEqual(['gave up', 'next']);
    expect(gate.inUse).toBe(0);
  });
});

describe('TokenBucket', () => {
  it('charges costs known afterwards: a call waits while the bucket is in debt', async () => {
    let now = 0;
    const bucket = new TokenBucket(10, 10, () => now);
    await bucket.waitForCredit(0);
    bucket.charge(30); // 10 saved, 20 in debt: 2 s to pay back at 10 a second
    let passed = false;
    const waiting = bucket.waitForCredit(0).then(() => (passed = true));
    await new Promise((r) => setTimeout(r, 20));
    expect(passed).toBe(false);
    now = 2_100;
    await waiting;
    expect(passed).toBe(true);
  });
});
