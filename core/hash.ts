/**
 * Deterministic hashing of specs, so every run records exactly which spec it ran with.
 * Pure JS (FNV-1a, 2 × 32 bit) because it must run in the workflow sandbox; it names
 * specs, it is not a security hash.
 */

/** JSON with object keys sorted, so equal data always gives the same text. */
export function stableStringify(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableStringify(v)}`).join(',')}}`;
}

/** A 16-hex-digit fingerprint of any JSON value: FNV-1a twice, with two seeds, in one pass. */
export function specHash(value: unknown): string {
  const text = stableStringify(value);
  let a = 0x811c9dc5;
  let b = (0x01000193 ^ text.length) >>> 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    a = Math.imul(a ^ code, 0x01000193) >>> 0;
    b = Math.imul(b ^ code, 0x01000193) >>> 0;
  }
  return a.toString(16).padStart(8, '0') + b.toString(16).padStart(8, '0');
}
