/**
 * Payload sizes, checked in the activity before a result is sent. The Temporal server
 * refuses any payload over 2 MiB (`limit.blobSize.error`); an activity result over it never
 * completes and ends as a timeout after every retry. Baton keeps its own limit below the
 * server's and fails at once, non-retryably, with the limit and the setting in the message.
 */
import { ApplicationFailure } from '@temporalio/common';
import { FailureType } from '../core';

/** Baton's payload limits, in bytes of JSON. */
export interface PayloadLimits {
  /** The most an activity result may weigh (default 1.5 MiB, under the server's 2 MiB). */
  maxPayloadBytes: number;
  /** Tool results over this go to the content store, and the model gets a preview (default 256 KiB). */
  storeToolResultsOver: number;
}

/** The defaults: 1.5 MiB per result, tool results over 256 KiB stored by reference. */
export const defaultPayloadLimits: PayloadLimits = { maxPayloadBytes: 1536 * 1024, storeToolResultsOver: 256 * 1024 };

/** Size of a value as the default data converter sends it (UTF-8 JSON). */
export function payloadBytes(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value) ?? '', 'utf8');
}

/** Sizes for people: `3.0 MiB`, `256 KiB`, `900 B`. */
export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
  if (bytes >= 1024) return `${Math.round(bytes / 1024)} KiB`;
  return `${bytes} B`;
}

/**
 * Fails at once (non-retryable `BatonLimitExceeded`) when `value` is over the payload limit;
 * `what` says whose payload it is and `fix` what to change besides the setting.
 */
export function checkPayloadSize(value: unknown, limits: PayloadLimits, what: string, fix: string): void {
  let bytes: number;
  try {
    bytes = payloadBytes(value);
  } catch (err) {
    // JSON thousands of levels deep overflows JSON.stringify's stack, here and in the data converter.
    if (!(err instanceof RangeError)) throw err;
    throw ApplicationFailure.create({ type: FailureType.LimitExceeded, nonRetryable: true, message: `${what} nests too deeply to send as a payload (${err.message}): ${fix}` });
  }
  if (bytes <= limits.maxPayloadBytes) return;
  throw ApplicationFailure.create({
    type: FailureType.LimitExceeded,
    nonRetryable: true,
    message:
      `${what} is ${formatBytes(bytes)}, over Baton's payload limit of ${formatBytes(limits.maxPayloadBytes)} ` +
      `(worker.maxPayloadBytes; the Temporal server refuses payloads over 2 MiB): ${fix}`,
  });
}
