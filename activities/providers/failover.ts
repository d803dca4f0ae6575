/**
 * Failover inside one model-call attempt: the agent's provider first, then each of its
 * `fallbacks` in order. An unavailable provider (5xx, timeout, network error, a 429 past the
 * call's rate-limit retries) or one whose circuit is open moves the call on at once, without
 * waiting for its retry-after; a rejection (400, 401, 403, 404, 422) or a cancellation never
 * does. When nobody answered, the attempt fails retryable and Temporal retries the whole chain.
 */
import { ApplicationFailure } from '@temporalio/common';
import { FailureType, type ModelRequest } from '../../core';
import type { ProviderBreakers } from './circuit-breaker';
import type { Completion, ModelProvider } from './provider';
import { countProviderRequest } from '../telemetry';

/** A provider and model the call may be served by. */
export interface Candidate {
  provider: string;
  model: string;
}

/** What failover needs to know about the current activity attempt. */
export interface AttemptContext {
  signal: AbortSignal;
  /** Temporal's attempt number (1-based). */
  attempt: number;
  /** The attempt's time limit; each request of a chain gets an equal share of it. */
  startToCloseTimeoutMs?: number;
  /** Attempts on which a 429 is retried on the same provider before it fails over (default 1). */
  rateLimitRetries?: number;
  /** For a candidate whose calls stream: where its text goes (called once per request, so a failover restarts the text). */
  streamTo?: (candidate: Candidate) => ((delta: string) => void) | undefined;
}

/** The answer and who gave it. */
export interface ServedCompletion {
  completion: Completion;
  servedBy: Candidate;
}

function statusOf(err: unknown): number | undefined {
  const details = err instanceof ApplicationFailure ? (err.details?.[0] as { status?: unknown } | undefined) : undefined;
  return typeof details?.status === 'number' ? details.status : undefined;
}

function retryAfterOf(err: unknown): number | undefined {
  if (!(err instanceof ApplicationFailure) || err.nextRetryDelay === undefined) return undefined;
  return typeof err.nextRetryDelay === 'number' ? err.nextRetryDelay : undefined;
}

const label = (c: Candidate) => `${c.provider}/${c.model}`;

/** Calls the chain in order until one provider answers; see the module comment for the rules. */
export async function completeWithFailover(
  request: ModelRequest,
  chain: Candidate[],
  lookup: (provider: string) => ModelProvider | undefined,
  breakers: ProviderBreakers,
  context: AttemptContext,
): Promise<ServedCompletion> {
  const problems: string[] = [];
  let firstError: unknown;
  let primaryRetryAfter: number | undefined;
  let soonest: number | undefined;
  let requests = 0;
  const shareMs = chain.length > 1 && context.startToCloseTimeoutMs ? Math.floor((context.startToCloseTimeoutMs * 0.9) / chain.length) : undefined;
  for (const [index, candidate] of chain.entries()) {
    const provider = lookup(candidate.provider);
    if (!provider) {
      problems.push(`${label(candidate)}: provider not configured on this worker`);
      continue;
    }
    const breaker = breakers.of(candidate.provider);
    const admission = breaker.admit();
    if (!admission.ok) {
      problems.push(`${label(candidate)}: ${admission.reason}`);
      soonest = Math.min(soonest ?? Infinity, admission.retryInMs);
      continue;
    }
    const timeout = shareMs ? AbortSignal.timeout(shareMs) : undefined;
    const signal = timeout ? AbortSignal.any([context.signal, timeout]) : context.signal;
    requests++;
    try {
      const onText = context.streamTo?.(candidate);
      const completion = await provider.complete({ ...request, agent: { ...request.agent, provider: candidate.provider, model: candidate.model } }, { signal, ...(onText ? { onText } : {}) });
      breaker.answered();
      countProviderRequest(request.agent.name, candidate, 'ok');
      return { completion, servedBy: candidate };
    } catch (err) {
      if (!context.signal.aborted) countProviderRequest(request.agent.name, candidate, 'error');
      if (context.signal.aborted) {
        breaker.released();
        throw err;
      }
      const timedOut = timeout?.aborted === true;
      if (!timedOut && err instanceof ApplicationFailure && err.nonRetryable) {
        breaker.answered();
        throw err;
      }
      const retryAfter = timedOut ? undefined : retryAfterOf(err);
      breaker.failed(retryAfter);
      if (index === 0) primaryRetryAfter = retryAfter;
      firstError ??= err;
      const message = timedOut ? `no answer within ${shareMs} ms (its share of the attempt)` : err instanceof Error ? err.message : String(err);
      problems.push(`${label(candidate)}: ${message}`);
      // A rate limit is retried on the same provider (after its retry-after) for the first attempts.
      const rateLimited = !timedOut && statusOf(err) === 429;
      if (rateLimited && context.attempt <= (context.rateLimitRetries ?? 1) && index < chain.length - 1) throw err;
    }
  }
  if (requests === 1 && problems.length === 1 && firstError !== undefined) throw firstError;
  throw ApplicationFailure.create({
    type: FailureType.ProviderUnavailable,
    nonRetryable: false,
    message: `no provider answered agent "${request.agent.name}" (${chain.map(label).join(', then ')}): ${problems.join('; ')}`,
    nextRetryDelay: primaryRetryAfter ?? (requests === 0 ? soonest : undefined),
    details: [{ provider: chain[0]?.provider, status: statusOf(firstError) ?? null, tried: problems }],
  });
}
