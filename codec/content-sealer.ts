/**
 * Sealing of what Baton keeps at rest outside Temporal (content-store entries, tool-cache
 * results) with the payload keys: AES-256-GCM under keys of its own derived from each payload
 * key (HKDF), so it never shares a key with the payload codec. The nonce is an HMAC of the
 * content under a second derived key, so one value always seals to the same entry (content
 * addressing keeps one ref per value); the entry names its key id, so any listed key opens it.
 */
import { createCipheriv, createDecipheriv, createHmac, hkdfSync } from 'node:crypto';
import { EncryptionKeyError, type EncryptionKey } from './keys';
import { sealedKind, type SealedContent } from './sealed-content';

const nonceBytes = 12;
const tagBytes = 16;

interface DerivedKey {
  id: string;
  cipher: Buffer;
  nonce: Buffer;
}

function derive({ id, key }: EncryptionKey): DerivedKey {
  const subkey = (info: string) => Buffer.from(hkdfSync('sha256', key, Buffer.alloc(0), info, 32));
  return { id, cipher: subkey('baton content-store cipher'), nonce: subkey('baton content-store nonce') };
}

/** The key id and links are authenticated with the ciphertext: neither can be changed unnoticed. */
const additionalData = (keyId: string, links: string[]) => Buffer.from(JSON.stringify([sealedKind, keyId, links]));

/** Seals with the first (newest) key, opens with whichever listed key an entry names. */
export class ContentSealer {
  private readonly keys: Map<string, DerivedKey>;
  private readonly sealing: DerivedKey;

  constructor(keys: EncryptionKey[], private readonly envName: string) {
    if (!keys.length) throw new EncryptionKeyError(`no encryption keys: set ${envName}`);
    this.keys = new Map(keys.map((k) => [k.id, derive(k)]));
    this.sealing = this.keys.get((keys[0] as EncryptionKey).id) as DerivedKey;
  }

  /** The sealed form of a JSON value; `links` (refs it depends on) stay readable for retention. */
  seal(value: unknown, links: string[] = []): SealedContent {
    const { id, cipher: key, nonce: nonceKey } = this.sealing;
    const plain = Buffer.from(JSON.stringify(value));
    const nonce = createHmac('sha256', nonceKey).update(plain).digest().subarray(0, nonceBytes);
    const cipher = createCipheriv('aes-256-gcm', key, nonce);
    cipher.setAAD(additionalData(id, links));
    const data = Buffer.concat([nonce, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
    return { kind: sealedKind, keyId: id, links, data: data.toString('base64') };
  }

  /** The value a sealed entry holds; `what` names the entry in errors (`content sha256:…`). */
  open(what: string, sealed: SealedContent): unknown {
    const key = this.keys.get(sealed.keyId);
    if (!key) {
      throw new EncryptionKeyError(
        `${what} is encrypted with key "${sealed.keyId}", which is not in ${this.envName} (it has ${[...this.keys.keys()].join(', ')}): add ${sealed.keyId}:<its base64 key> to ${this.envName}`,
      );
    }
    const data = Buffer.from(sealed.data, 'base64');
    try {
      const decipher = createDecipheriv('aes-256-gcm', key.cipher, data.subarray(0, nonceBytes));
      decipher.setAAD(additionalData(sealed.keyId, sealed.links));
      decipher.setAuthTag(data.subarray(data.length - tagBytes));
      const plain = Buffer.concat([decipher.update(data.subarray(nonceBytes, data.length - tagBytes)), decipher.final()]);
      return JSON.parse(plain.toString('utf8'));
    } catch {
      throw new EncryptionKeyError(
        `cannot decrypt ${what} encrypted with key "${sealed.keyId}": the key "${sealed.keyId}" in ${this.envName} is not the one it was encrypted with (or the entry was altered); set ${sealed.keyId} to its original value`,
      );
    }
  }
}
