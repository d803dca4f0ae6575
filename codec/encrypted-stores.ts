/**
 * Content-store encryption: with `encryption` on, every entry (stored conversations, large tool
 * results, agent settings) is sealed with AES-256-GCM under the newest payload key before the
 * store sees it, so the store's files or PostgreSQL rows hold only ciphertext. The sealed entry
 * names its key id and keeps its links (the refs it depends on, which retention follows) in the
 * clear; refs are hashes that history already holds. The nonce is derived from the content (an
 * HMAC under a key of its own), so the same value seals to the same entry and keeps one ref, as
 * the store's content addressing expects. Entries written before encryption was turned on
 * read as they are. Without encryption nothing wraps the store, so its reads and writes cost
 * nothing extra.
 */
import { createCipheriv, createDecipheriv, createHmac, hkdfSync } from 'node:crypto';
import type { ContentStore } from '../activities/content-store';
import { linksOf } from '../activities/conversation-store';
import { EncryptionKeyError, parseKeys, type EncryptionKey } from './keys';
import { isSealedContent, sealedKind, type SealedContent } from './sealed-content';
import { resolveEncryption, type EncryptionSettingsSchema } from './settings';
import type { z } from 'zod';

const nonceBytes = 12;
const tagBytes = 16;

interface ContentKey {
  id: string;
  cipher: Buffer;
  nonce: Buffer;
}

/** Two keys of their own per payload key, so content sealing never shares a key with the payload codec. */
function contentKey({ id, key }: EncryptionKey): ContentKey {
  const derive = (info: string) => Buffer.from(hkdfSync('sha256', key, Buffer.alloc(0), info, 32));
  return { id, cipher: derive('baton content-store cipher'), nonce: derive('baton content-store nonce') };
}

const additionalData = (keyId: string, links: string[]) => Buffer.from(JSON.stringify([sealedKind, keyId, links]));

/** A content store whose entries are sealed with the payload keys (the first seals, any listed opens). */
export class EncryptedContentStore implements ContentStore {
  private readonly keys: Map<string, ContentKey>;
  private readonly sealing: ContentKey;
  /** The inner store's retention: sealed entries keep their links in the clear, so it works unchanged. */
  readonly prune?: ContentStore['prune'];

  constructor(readonly inner: ContentStore, keys: EncryptionKey[], private readonly envName: string) {
    if (!keys.length) throw new EncryptionKeyError(`no encryption keys: set ${envName}`);
    this.keys = new Map(keys.map((k) => [k.id, contentKey(k)]));
    this.sealing = this.keys.get((keys[0] as EncryptionKey).id) as ContentKey;
    if (inner.prune) this.prune = inner.prune.bind(inner);
  }

  async put(value: unknown): Promise<string> {
    return this.inner.put(this.seal(value));
  }

  async get<T>(ref: string): Promise<T> {
    const stored = await this.inner.get<unknown>(ref);
    return (isSealedContent(stored) ? this.open(ref, stored) : stored) as T;
  }

  /** The sealed form of `value`: the same value always seals to the same entry under one key. */
  seal(value: unknown): SealedContent {
    const { id, cipher: key, nonce: nonceKey } = this.sealing;
    const plain = Buffer.from(JSON.stringify(value));
    const links = linksOf(value);
    const nonce = createHmac('sha256', nonceKey).update(plain).digest().subarray(0, nonceBytes);
    const cipher = createCipheriv('aes-256-gcm', key, nonce);
    cipher.setAAD(additionalData(id, links));
    const data = Buffer.concat([nonce, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
    return { kind: sealedKind, keyId: id, links, data: data.toString('base64') };
  }

  private open(ref: string, sealed: SealedContent): unknown {
    const key = this.keys.get(sealed.keyId);
    if (!key) {
      throw new EncryptionKeyError(
        `content ${ref} is encrypted with key "${sealed.keyId}", which is not in ${this.envName} (it has ${[...this.keys.keys()].join(', ')}): add ${sealed.keyId}:<its base64 key> to ${this.envName}`,
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
        `cannot decrypt content ${ref} encrypted with key "${sealed.keyId}": the key "${sealed.keyId}" in ${this.envName} is not the one it was encrypted with (or the entry was altered); set ${sealed.keyId} to its original value`,
      );
    }
  }
}

/** `store`, sealed with the config's keys when `encryption` is on; `store` itself when it is off. Throws EncryptionKeyError when keys are missing. */
export function withContentEncryption(store: ContentStore, setting: z.output<typeof EncryptionSettingsSchema> | undefined, env: NodeJS.ProcessEnv = process.env): ContentStore {
  const encryption = resolveEncryption(setting);
  if (!encryption || store instanceof EncryptedContentStore) return store;
  return new EncryptedContentStore(store, parseKeys(env[encryption.keysEnv], encryption.keysEnv), encryption.keysEnv);
}
