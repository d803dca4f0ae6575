/**
 * Per-provider circuit breakers of one worker: a provider that failed `failures` times in a
 * row (5xx, 429, timeouts, network errors) is skipped for `coolDown`; then one call probes it,
 * and an answer closes the circuit again while a failure opens it for another cool-down. A
 * provider's `retry-after` also rests it until then. State lives in the worker process only.
 */
import { z } from 'zod';
import { DurationSchema, durationToMs } from '../../core/durations';

/** Config `worker.circuitBreaker`. */
export const CircuitBreakerSettingsSchema = z
  .object({
    /** Unavailable answers in a row that open a provider's circuit. */
    failures: z.number().int().positive().default(5),
    /** How long an open circuit skips the provider before one call probes it. */
    coolDown: DurationSchema.default('30s'),
  })
  .strict();
/** Validated `worker.circuitBreaker`, defaults filled in. */
export type CircuitBreakerSettings = z.output<typeof CircuitBreakerSettingsSchema>;

/** The defaults: open after 5 unavailable answers in a row, probe after 30 s. */
export const defaultCircuitBreakerSettings: CircuitBreakerSettings = { failures: 5, coolDown: '30s' };

/** Whether a call may go to the provider now; when not, why and how long until it may. */
export type Admission = { ok: true } | { ok: false; reason: string; retryInMs: number };

/** One provider's circuit. */
export class CircuitBreaker {
  private inARow = 0;
  private openedAt: number | undefined;
  private probing = false;
  private restUntil = 0;

  constructor(
    private readonly settings: CircuitBreakerSettings,
    private readonly now: () => number = Date.now,
  ) {}

  /** `closed`, `open` (skipped), or `half-open` (cool-down over: the next call probes). */
  get state(): 'closed' | 'open' | 'half-open' {
    if (this.openedAt === undefined) return 'closed';
    return this.now() - this.openedAt >= durationToMs(this.settings.coolDown) ? 'half-open' : 'open';
  }

  /** Asks to send one request; in half-open state only one probe is let through at a time. */
  admit(): Admission {
    const now = this.now();
    if (now < this.restUntil) return { ok: false, reason: `asked to wait (retry-after) ${Math.ceil((this.restUntil - now) / 1000)} s more`, retryInMs: this.restUntil - now };
    if (this.openedAt === undefined) return { ok: true };
    const coolDownMs = durationToMs(this.settings.coolDown);
    const left = this.openedAt + coolDownMs - now;
    if (left > 0) return { ok: false, reason: `circuit open after ${this.inARow} failures in a row (probes again in ${Math.ceil(left / 1000)} s)`, retryInMs: left };
    if (this.probing) return { ok: false, reason: 'circuit half-open, another call is probing it', retryInMs: 1000 };
    this.probing = true;
    return { ok: true };
  }

  /** The provider answered (a rejection is an answer too): the circuit closes. */
  answered(): void {
    this.inARow = 0;
    this.openedAt = undefined;
    this.probing = false;
  }

  /** The provider was unavailable; `retryAfterMs` rests it for that long. */
  failed(retryAfterMs?: number): void {
    const now = this.now();
    this.inARow++;
    if (retryAfterMs !== undefined) this.restUntil = Math.max(this.restUntil, now + retryAfterMs);
    if (this.probing || this.inARow >= this.settings.failures) this.openedAt = now;
    this.probing = false;
  }

  /** The call ended without a verdict (cancelled): a probe slot is given back. */
  released(): void {
    this.probing = false;
  }
}

/** The breakers of one worker, one per provider name, made on first use. */
export class ProviderBreakers {
  private readonly breakers = new Map<string, CircuitBreaker>();

  constructor(
    readonly settings: CircuitBreakerSettings = defaultCircuitBreakerSettings,
    private readonly now: () => number = Date.now,
  ) {}

  /** The breaker of provider `name`. */
  of(name: string): CircuitBreaker {
    let breaker = this.breakers.get(name);
    if (!breaker) {
      breaker = new CircuitBreaker(this.settings, this.now);
      this.breakers.set(name, breaker);
    }
    return breaker;
  }

  /** Each provider's circuit state, for health output and logs. */
  states(): Record<string, 'closed' | 'open' | 'half-open'> {
    return Object.fromEntries([...this.breakers].map(([name, breaker]) => [name, breaker.state]));
  }
}
