/** A least-recently-used map bounded by a total size and an entry count; worker memory only. */
export class BoundedCache<V> {
  private readonly entries = new Map<string, { value: V; size: number }>();
  private total = 0;

  constructor(
    private readonly maxSize: number,
    private readonly maxEntries: number,
  ) {}

  /** The value under `key`, now the most recently used; undefined when absent. */
  get(key: string): V | undefined {
    const hit = this.entries.get(key);
    if (!hit) return undefined;
    this.entries.delete(key);
    this.entries.set(key, hit);
    return hit.value;
  }

  /** Keeps `value` (unless it alone is over the bound), evicting the least recently used. */
  set(key: string, value: V, size: number): void {
    if (size > this.maxSize) return;
    const old = this.entries.get(key);
    if (old) this.total -= old.size;
    this.entries.delete(key);
    this.entries.set(key, { value, size });
    this.total += size;
    for (const [k, entry] of this.entries) {
      if (this.total <= this.maxSize && this.entries.size <= this.maxEntries) break;
      this.entries.delete(k);
      this.total -= entry.size;
    }
  }
}
