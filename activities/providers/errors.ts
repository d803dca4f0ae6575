/**
 * Classifies provider errors into Temporal failures, so Temporal owns retries:
 * rejected requests (400/401/403/404/422) never retry; rate limits, timeouts, conflicts,
 * server errors and network failures retry, after the provider's `retry-after` if given.
 * Registered secrets (API keys) are redacted from every message, so a provider that echoes
 * the key in its error does not get it into history.
 */
import { ApplicationFailure } from '@temporalio/common';
import { FailureType } from '../../core';
import { redactError, redactSecrets } from '../secret-redactor';

const rejected = new Set([400, 401, 403, 404, 413, 422]);

/** An HTTP error as both official SDKs expose it (status + fetch Headers). */
interface HttpLikeError {
  status?: number;
  headers?: Headers | Record<string, string>;
  message?: string;
}

function header(headers: HttpLikeError['headers'], name: string): string | undefined {
  if (!headers) return undefined;
  if (typeof (headers as Headers).get === 'function') return (headers as Headers).get(name) ?? undefined;
  return (headers as Record<string, string>)[name];
}

/** The delay a provider asked for, from `retry-after-ms` or `retry-after` (seconds or HTTP date). */
export function retryAfterMs(headers: HttpLikeError['headers'], now = Date.now()): number | undefined {
  const ms = Number(header(headers, 'retry-after-ms'));
  if (Number.isFinite(ms) && ms > 0) return ms;
  const value = header(headers, 'retry-after');
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** True for an error caused by our own AbortSignal: a cancellation, not a provider fault. */
export function isAbort(err: unknown, signal?: AbortSignal): boolean {
  if (signal?.aborted) return true;
  const name = (err as { name?: string } | null)?.name;
  return name === 'AbortError' || name === 'APIUserAbortError';
}

export interface ProviderErrorContext {
  provider: string;
  /** The env var that holds the key, named in 401/403 messages. */
  apiKeyEnv?: string;
  signal?: AbortSignal;
}

/** Turns any error from a provider call into the failure Temporal should see. */
export function classifyProviderError(err: unknown, context: ProviderErrorContext): Error {
  if (isAbort(err, context.signal)) return redactError(err instanceof Error ? err : new Error(String(err)));
  if (err instanceof ApplicationFailure) return redactError(err);
  const http = (err ?? {}) as HttpLikeError;
  const detail = redactSecrets((http.message ?? String(err)).trim());
  const status = typeof http.status === 'number' ? http.status : undefined;
  if (status !== undefined && rejected.has(status)) {
    const hint = (status === 401 || status === 403) && context.apiKeyEnv ? ` (check the key in ${context.apiKeyEnv})` : '';
    return ApplicationFailure.create({
      type: FailureType.ProviderRejected,
      nonRetryable: true,
      message: `${context.provider} rejected the request with HTTP ${status}${hint}: ${detail}`,
      details: [{ provider: context.provider, status }],
    });
  }
  const what = status !== undefined ? `HTTP ${status}` : 'a network error';
  return ApplicationFailure.create({
    type: FailureType.ProviderUnavailable,
    nonRetryable: false,
    message: `${context.provider} failed with ${what}: ${detail}`,
    nextRetryDelay: retryAfterMs(http.headers),
    details: [{ provider: context.provider, status: status ?? null }],
  });
}
