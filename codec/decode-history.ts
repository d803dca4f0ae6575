/**
 * Histories as fetched from the server carry payloads as the codec left them. Readers of raw
 * history (`inspect`, `audit export`) decode them here first, through the client's own codecs,
 * and restore failure messages that the encoding failure converter moved into a payload.
 */
import type { Client } from '@temporalio/client';
import type { Payload } from '@temporalio/common';
import { decode } from '@temporalio/common/lib/internal-non-workflow';
import type { temporal } from '@temporalio/proto';
import { isEncrypted, keyIdMetadata } from './encryption-codec';
import { defaultKeysEnv, EncryptionKeyError } from './keys';

type History = temporal.api.history.v1.IHistory;

const isBytes = (value: unknown): value is Uint8Array => value instanceof Uint8Array;
const isPayload = (value: object): value is Payload => 'metadata' in value && 'data' in value && isBytes((value as Payload).data);

/** Every payload object inside a protobuf message tree, and every failure carrying encoded attributes. */
function collect(node: unknown, payloads: Payload[], failures: temporal.api.failure.v1.IFailure[]): void {
  if (node === null || typeof node !== 'object' || isBytes(node)) return;
  if (Array.isArray(node)) {
    for (const item of node) collect(item, payloads, failures);
    return;
  }
  if (isPayload(node)) {
    payloads.push(node);
    return;
  }
  if ('encodedAttributes' in node && node.encodedAttributes) failures.push(node as temporal.api.failure.v1.IFailure);
  for (const value of Object.values(node)) collect(value, payloads, failures);
}

/** Decodes every payload of `history` in place with `client`'s codecs; returns the same history. */
export async function decodeHistory(client: Client, history: History): Promise<History> {
  const payloads: Payload[] = [];
  const failures: temporal.api.failure.v1.IFailure[] = [];
  collect(history.events, payloads, failures);
  const codecs = client.options.loadedDataConverter.payloadCodecs;
  const encrypted = payloads.filter(isEncrypted);
  if (encrypted.length && !codecs.length) {
    const keyId = Buffer.from(encrypted[0]?.metadata?.[keyIdMetadata] ?? []).toString();
    throw new EncryptionKeyError(`this run's payloads are encrypted (key "${keyId}"): turn on \`encryption\` in the config and set ${defaultKeysEnv} (or the config's keysEnv) to read them`);
  }
  if (codecs.length) {
    const decoded = await decode(codecs, payloads);
    payloads.forEach((payload, i) => {
      payload.metadata = decoded[i]?.metadata ?? null;
      payload.data = decoded[i]?.data ?? null;
    });
  }
  for (const failure of failures) {
    const data = failure.encodedAttributes?.data;
    try {
      const attrs = JSON.parse(Buffer.from(data ?? []).toString('utf8')) as { message?: unknown; stack_trace?: unknown };
      if (typeof attrs.message === 'string') failure.message = attrs.message;
      if (typeof attrs.stack_trace === 'string') failure.stackTrace = attrs.stack_trace;
    } catch {
      // Not the SDK's {message, stack_trace} shape: leave the failure as it is.
    }
  }
  return history;
}
