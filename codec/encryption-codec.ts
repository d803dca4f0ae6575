/**
 * AES-256-GCM payload codec: every payload the client and the workers send to Temporal is
 * encrypted before it leaves the process, so the server (and its database) stores only
 * ciphertext. The whole serialized payload (metadata and data) is encrypted; the envelope
 * names the key id, which is also authenticated as additional data.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { defaultKeysEnv, EncryptionKeyError, parseKeys, type EncryptionKey } from './keys';

/** The `encoding` metadata of an encrypted payload. */
export const encryptedEncoding = 'binary/encrypted';
/** The metadata entry naming the key that encrypted a payload. */
export const keyIdMetadata = 'encryption-key-id';

const nonceBytes = 12;
const tagBytes = 16;
const text = (bytes: Uint8Array | null | undefined) => (bytes ? Buffer.from(bytes).toString('utf8') : undefined);

/** True for a payload this codec (or any Baton codec) encrypted. */
export function isEncrypted(payload: Payload): boolean {
  return text(payload.metadata?.encoding) === encryptedEncoding;
}

/** Encrypts with the first (newest) key, decrypts with whichever key a payload names. */
export class EncryptionCodec implements PayloadCodec {
  private readonly byId: Map<string, Buffer>;

  constructor(private readonly keys: EncryptionKey[], private readonly envName = defaultKeysEnv) {
    if (!keys.length) throw new EncryptionKeyError(`no encryption keys: set ${envName}`);
    this.byId = new Map(keys.map((k) => [k.id, k.key]));
  }

  /** A codec with the keys of `env[envName]`; throws EncryptionKeyError when they are missing or malformed. */
  static fromEnv(envName = defaultKeysEnv, env: NodeJS.ProcessEnv = process.env): EncryptionCodec {
    return new EncryptionCodec(parseKeys(env[envName], envName), envName);
  }

  /** The id of the key new payloads are encrypted with. */
  get encryptingKeyId(): string {
    return (this.keys[0] as EncryptionKey).id;
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    const { id, key } = this.keys[0] as EncryptionKey;
    return payloads.map((payload) => {
      const nonce = randomBytes(nonceBytes);
      const cipher = createCipheriv('aes-256-gcm', key, nonce);
      cipher.setAAD(Buffer.from(id));
      const plain = temporal.api.common.v1.Payload.encode(payload).finish();
      const data = Buffer.concat([nonce, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
      return { metadata: { encoding: Buffer.from(encryptedEncoding), [keyIdMetadata]: Buffer.from(id) }, data };
    });
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => (isEncrypted(payload) ? this.decrypt(payload) : payload));
  }

  private decrypt(payload: Payload): Payload {
    const id = text(payload.metadata?.[keyIdMetadata]) ?? '';
    const key = this.byId.get(id);
    if (!key) {
      throw new EncryptionKeyError(
        `a payload is encrypted with key "${id}", which is not in ${this.envName} (it has ${[...this.byId.keys()].join(', ')}): add ${id}:<its base64 key> to ${this.envName}`,
      );
    }
    const data = Buffer.from(payload.data ?? []);
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, nonceBytes));
      decipher.setAAD(Buffer.from(id));
      decipher.setAuthTag(data.subarray(data.length - tagBytes));
      const plain = Buffer.concat([decipher.update(data.subarray(nonceBytes, data.length - tagBytes)), decipher.final()]);
      return temporal.api.common.v1.Payload.decode(plain);
    } catch {
      throw new EncryptionKeyError(
        `cannot decrypt a payload encrypted with key "${id}": the key "${id}" in ${this.envName} is not the one it was encrypted with (or the payload was altered); set ${id} to its original value`,
      );
    }
  }
}
