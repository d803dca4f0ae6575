import { describe, expect, it } from 'vitest';
import { CircuitBreaker } from '../activities/providers/circuit-breaker';

function breakerAt(failures = 3, coolDown = '10s') {
  const clock = { now: 1_000_000 };
  return { clock, breaker: new CircuitBreaker({ failures, coolDown }, () => clock.now) };
}

describe('CircuitBreaker', () => {
  it('opens after the set number of failures in a row; an answer in between starts the count again', () => {
    const { breaker } = breakerAt(3);
    breaker.failed();
    breaker.failed();
    breaker.answered();
    breaker.failed();
    breaker.failed();
    expect(breaker.admit()).toEqual({ ok: true });
    breaker.failed();
    expect(breaker.state).toBe('open');
    expect(breaker.admit()).toEqual({ ok: false, reason: 'circuit open after 3 failures in a row (probes again in 10 s)', retryInMs: 10_000 });
  });

  it('lets one probe through after the cool-down: a failure opens it again, an answer closes it', () => {
    const { clock, breaker } = breakerAt(1, '10s');
    breaker.failed();
    clock.now += 10_000;
    expect(breaker.state).toBe('half-open');
    expect(breaker.admit()).toEqual({ ok: true });
    expect(breaker.admit()).toMatchObject({ ok: false, reason: 'circuit half-open, another call is probing it' });
    breaker.failed();
    expect(breaker.state).toBe('open');
    clock.now += 10_000;
    expect(breaker.admit()).toEqual({ ok: true });
    breaker.answered();
    expect(breaker.state).toBe('closed');
    expect(breaker.admit()).toEqual({ ok: true });
    expect(breaker.admit()).toEqual({ ok: true });
  });

  it('gives the probe back when the call ends without a verdict (cancelled)', () => {
    const { clock, breaker } = breakerAt(1, '1s');
    breaker.failed();
    clock.now += 1000;
    expect(breaker.admit()).toEqual({ ok: true });
    breaker.released();
    expect(breaker.admit()).toEqual({ ok: true });
  });

  it('rests a provider for its retry-after, even while the circuit is closed', () => {
    const { clock, breaker } = breakerAt(5);
    breaker.failed(2000);
    expect(breaker.state).toBe('closed');
    expect(breaker.admit()).toEqual({ ok: false, reason: 'asked to wait (retry-after) 2 s more', retryInMs: 2000 });
    clock.now += 2000;
    expect(breaker.admit()).toEqual({ ok: true });
  });
});
