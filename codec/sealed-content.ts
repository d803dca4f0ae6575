/**
 * The shape of an encrypted content-store entry (./encrypted-stores.ts). Kept apart, with
 * no imports, so the stores can read a sealed entry's links (for retention) without the keys.
 */

/** The `kind` of a sealed entry. */
export const sealedKind = 'baton-sealed-content';

/** How a sealed entry looks to the store: the ciphertext, its key id, and its links in the clear. */
export interface SealedContent {
  kind: typeof sealedKind;
  keyId: string;
  links: string[];
  /** base64 of nonce (12 bytes), ciphertext and tag (16 bytes). */
  data: string;
}

/** Whether a stored value is sealed. */
export function isSealedContent(value: unknown): value is SealedContent {
  return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === sealedKind;
}
