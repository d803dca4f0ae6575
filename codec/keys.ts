/**
 * Encryption keys from the environment: `BATON_ENCRYPTION_KEYS=k2:<base64>,k1:<base64>`.
 * The first key listed (the newest) encrypts; every listed key decrypts, so a key can be
 * rotated by putting the new one first and keeping the old ones until no history needs them.
 */

/** The environment variable keys are read from unless the config names another. */
export const defaultKeysEnv = 'BATON_ENCRYPTION_KEYS';

/** One AES-256 key and the id stored with every payload it encrypts. */
export interface EncryptionKey {
  id: string;
  key: Buffer;
}

/** An encryption key that is missing, malformed or wrong: the operator's environment needs fixing. */
export class EncryptionKeyError extends Error {
  override readonly name = 'EncryptionKeyError';
}

const idPattern = /^[A-Za-z0-9._-]{1,64}$/;
const example = 'k1:$(openssl rand -base64 32)';

/** Parses `id:base64,id:base64` (newest first); throws EncryptionKeyError naming the bad entry and the variable. */
export function parseKeys(value: string | undefined, envName = defaultKeysEnv): EncryptionKey[] {
  if (!value?.trim()) {
    throw new EncryptionKeyError(`encryption is on but ${envName} is not set: set it to <key id>:<base64 of 32 random bytes>, e.g. ${envName}="${example}"`);
  }
  const keys: EncryptionKey[] = [];
  for (const entry of value.split(',').map((e) => e.trim()).filter(Boolean)) {
    const colon = entry.indexOf(':');
    const id = colon > 0 ? entry.slice(0, colon) : '';
    if (!idPattern.test(id)) {
      throw new EncryptionKeyError(`${envName}: entry ${keys.length + 1} has no valid key id (expected <id>:<base64>, ids are letters, digits, ".", "_" or "-")`);
    }
    const key = Buffer.from(entry.slice(colon + 1), 'base64');
    if (key.length !== 32) {
      throw new EncryptionKeyError(`${envName}: key "${id}" is ${key.length} bytes, AES-256 needs 32 (base64 of 32 random bytes, e.g. ${example})`);
    }
    if (keys.some((k) => k.id === id)) throw new EncryptionKeyError(`${envName}: key id "${id}" is listed twice`);
    keys.push({ id, key });
  }
  return keys;
}
